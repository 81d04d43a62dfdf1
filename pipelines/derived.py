"""Derived tables: expensive, time-independent metric definitions materialised at publish.

metrics.ticket_sla_base holds metrics.ticket_sla_schedule's rows (policy match and business-calendar due times:
about 1 s per million tickets). A load recomputes it only for the tickets it staged; a change of SLA policies,
business hours or calendar recomputes everything.
"""

from __future__ import annotations

import hashlib

import duckdb

TOUCHED = "touched_tickets"


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


def refresh(con: duckdb.DuckDBPyConnection) -> None:
    """Bring metrics.ticket_sla_base up to date after facts and reference tables were published."""
    fingerprint = sla_inputs_fingerprint(con)
    stored = con.execute("SELECT value FROM meta.settings WHERE key = 'sla_inputs_fingerprint'").fetchall()
    con.execute("BEGIN TRANSACTION")
    if not stored or stored[0][0] != fingerprint:
        con.execute("DELETE FROM metrics.ticket_sla_base")
        con.execute("INSERT INTO metrics.ticket_sla_base BY NAME FROM metrics.ticket_sla_schedule")
        con.execute("DELETE FROM meta.settings WHERE key = 'sla_inputs_fingerprint'")
        con.execute("INSERT INTO meta.settings VALUES ('sla_inputs_fingerprint', ?)", [fingerprint])
    else:
        con.execute(f"""
            DELETE FROM metrics.ticket_sla_base WHERE ticket_id IN (SELECT ticket_id FROM {TOUCHED});
            INSERT INTO metrics.ticket_sla_base BY NAME
            FROM metrics.ticket_sla_schedule WHERE ticket_id IN (SELECT ticket_id FROM {TOUCHED});
        """)
    con.execute(f"DELETE FROM {TOUCHED}")
    con.execute("COMMIT")
