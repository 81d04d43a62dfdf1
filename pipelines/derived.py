"""Derived tables: expensive, time-independent metric definitions materialised at publish.

metrics.ticket_sla_base holds metrics.ticket_sla_schedule's rows (policy match and business-calendar due times:
about 1 s per million tickets). A load recomputes it only for the tickets it staged; a change of SLA policies,
business hours or calendar recomputes everything.

The recomputation for a load runs the view's own SQL text (pipelines/sql/metrics/ticket_sla_schedule.sql) with
its `@touched` line replaced by a filter on the load's tickets (`schedule_sql`): the schedule stays defined once,
and its work grows with the batch, not with the warehouse. A publish that touched no ticket derives nothing.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources

import duckdb

TOUCHED = "touched_tickets"
SCHEDULE_MARKER = re.compile(r"^\s*-- @touched\b.*$", re.MULTILINE)


def schedule_sql(touched_only: bool) -> str:
    """metrics.ticket_sla_schedule's query (the view file's text after `AS`), for every ticket or, with
    `touched_only`, filtered inside its first CTE to the tickets in the temp table touched_tickets."""
    text = resources.files("pipelines").joinpath("sql", "metrics", "ticket_sla_schedule.sql").read_text("utf-8")
    if len(SCHEDULE_MARKER.findall(text)) != 1:
        raise RuntimeError("ticket_sla_schedule.sql must hold exactly one '-- @touched' line")
    _, body = re.split(r"CREATE OR REPLACE VIEW metrics\.ticket_sla_schedule AS\s*", text, maxsplit=1)
    # a constant identifier, not a value: the temp table this module fills
    narrowing = f"    AND t.ticket_id IN (SELECT ticket_id FROM {TOUCHED})" if touched_only else ""
    return SCHEDULE_MARKER.sub(narrowing, body)


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Drop a derived table whose layout changed (it is rebuilt from core tables on the next publish)."""
    columns = {r[0] for r in con.execute("""
        SELECT column_name FROM information_schema.columns
        WHERE table_schema = 'metrics' AND table_name = 'ticket_sla_base'
    """).fetchall()}
    # Earlier layouts: with the ticket's attributes (site, ...), or without created_at.
    if columns and ("site" in columns or "created_at" not in columns):
        con.execute("DROP TABLE metrics.ticket_sla_base")
        con.execute("DELETE FROM meta.settings WHERE key = 'sla_inputs_fingerprint'")


def start_tracking(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {TOUCHED} (ticket_id VARCHAR)")


def track(con: duckdb.DuckDBPyConnection, staged: str) -> None:
    """Remember the tickets of a staged batch (called inside the load's transaction)."""
    con.execute(f"INSERT INTO {TOUCHED} SELECT ticket_id FROM {staged}")


def sla_inputs_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    rows = con.execute("""
        SELECT (SELECT string_agg(p::VARCHAR, '|' ORDER BY policy_id) FROM core.sla_policies AS p),
               (SELECT string_agg(c::VARCHAR, '|' ORDER BY date_day) FROM core.calendar_days AS c),
               (SELECT value FROM meta.settings WHERE key = 'timezone')
    """).fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def refresh(con: duckdb.DuckDBPyConnection) -> str:
    """Bring metrics.ticket_sla_base up to date after facts and reference tables were published.
    Returns what it did: 'all' (SLA inputs changed), 'touched' (the load's tickets) or 'nothing'."""
    fingerprint = sla_inputs_fingerprint(con)
    stored = con.execute("SELECT value FROM meta.settings WHERE key = 'sla_inputs_fingerprint'").fetchall()
    rebuild = not stored or stored[0][0] != fingerprint
    if not rebuild and not con.execute(f"SELECT EXISTS (FROM {TOUCHED})").fetchall()[0][0]:
        return "nothing"  # `sqd check`, or loads of other datasets: no ticket changed
    con.execute("BEGIN TRANSACTION")
    if rebuild:
        con.execute("DELETE FROM metrics.ticket_sla_base")
        con.execute(f"INSERT INTO metrics.ticket_sla_base BY NAME {schedule_sql(touched_only=False)}")
        con.execute("DELETE FROM meta.settings WHERE key = 'sla_inputs_fingerprint'")
        con.execute("INSERT INTO meta.settings VALUES ('sla_inputs_fingerprint', ?)", [fingerprint])
    else:
        con.execute(f"DELETE FROM metrics.ticket_sla_base WHERE ticket_id IN (SELECT ticket_id FROM {TOUCHED})")
        con.execute(f"INSERT INTO metrics.ticket_sla_base BY NAME {schedule_sql(touched_only=True)}")
    con.execute(f"DELETE FROM {TOUCHED}")
    con.execute("COMMIT")
    return "all" if rebuild else "touched"
