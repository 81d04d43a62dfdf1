"""The backlog's time-independent part, stored at publish (issue 13 target 2: the SLA page at 1M tickets).

metrics.backlog lists the tickets open now. Found live, it scans every ticket and every SLA target for a few
thousand open ones (88-110 ms of the SLA page at 1M, 160-385 ms at 10M). What does not depend on now (which
tickets are open, their attributes, when the first of their open SLA targets falls due) is the view
metrics.backlog_schedule; this module keeps its rows in metrics.backlog_base, and metrics.backlog adds the age and
the breach from metrics.clock.

Per publish the work is the batch's: the tickets the loads staged (pipelines/derived.py tracks them; `capture`
copies them before derived.refresh clears its set) are deleted from the table and the view's own text is run for
them, its `-- @touched <column>` lines turned into filters on those tickets (as derived.schedule_sql narrows the SLA
schedule). A ticket's row depends only on its own ticket row and SLA targets, so that is exact. A change of the
SLA inputs (policies, calendar, time zone) or of the view's layout, or ticket rows written without tracking
(fewer tickets, or more new ones than the loads staged) recompute all.
"""

from __future__ import annotations

import duckdb

from pipelines import derived, work_orders

VIEW, TABLE = "backlog_schedule", "backlog_base"
TOUCHED = "backlog_touched"
STATE_KEY = "backlog_built"   # meta.settings: "<SLA inputs fingerprint>|<tickets count>"
SLA_BASE = "FROM metrics.ticket_sla_base AS s"
COMMENTS = {
    "": "Materialised at publish (pipelines/backlog.py): metrics.backlog_schedule, one row per open ticket with "
        "when its first open SLA target falls due, for the tickets each load touched; read through "
        "metrics.backlog, which adds the age and the breach from now.",
    "ticket_id": "Ticket", "created_at": "As core.tickets", "created_date": "Local day received",
    "first_due_at": "Earliest due time of the ticket's open SLA targets (null: none); breached from then on",
    "status": "As core.tickets", "site": "As core.tickets", "region": "As core.tickets",
    "department": "As core.tickets", "agent": "As core.tickets", "channel": "As core.tickets",
    "ticket_type": "As core.tickets", "category": "As core.tickets", "priority": "As core.tickets",
    "product": "As core.tickets", "complaint_grade": "As core.tickets",
}


def schedule_sql(touched_only: bool, sla_rows: str | None = None) -> str:
    """metrics.backlog_schedule's query (work_orders.schedule_sql: the view file's text after `AS`), for every open
    ticket or, with `touched_only`, each `-- @touched <column>` line replaced by a filter of that column on the temp
    table TOUCHED (the tickets by row id: TOUCHED_rows, derived.ticket_rows). `sla_rows`: a table holding the touched tickets' rows of metrics.ticket_sla_base
    (derived.SLA_TOUCHED), read instead of the base (a scan of 2.5 ids per ticket: 0.2 s at 5M tickets for a
    1,000-ticket load)."""
    body = work_orders.schedule_sql(touched_only, VIEW, touched=TOUCHED)
    if touched_only and (body.count(f"IN (SELECT ticket_id FROM {TOUCHED})") != 1
                         or body.count(f"IN (SELECT row_id FROM {TOUCHED}_rows)") != 1):
        raise RuntimeError(f"{VIEW}.sql must hold '-- @touched t.rowid' and '-- @touched s.ticket_id'")
    if sla_rows:   # constant identifiers of this module and the view file, not values
        if body.count(SLA_BASE) != 1:
            raise RuntimeError(f"{VIEW}.sql must read '{SLA_BASE}' once")
        body = body.replace(SLA_BASE, f"FROM {sla_rows} AS s")
    return body


def capture(con: duckdb.DuckDBPyConnection) -> None:
    """Copy the tickets this publish's loads staged (derived.refresh empties its set). Before derived.refresh."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {TOUCHED} AS SELECT DISTINCT ticket_id FROM {derived.TOUCHED}")


def _layout(con: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    return [r[0] for r in con.execute("""
        SELECT column_name FROM information_schema.columns
        WHERE table_schema = 'metrics' AND table_name = ? ORDER BY ordinal_position
    """, [name]).fetchall()]


def _describe(con: duckdb.DuckDBPyConnection) -> None:
    """The table's comments (docs/data-model.md), when it has none yet."""
    commented = con.execute("SELECT coalesce(comment, '') <> '' FROM duckdb_tables() WHERE schema_name = 'metrics' "
                            "AND table_name = ?", [TABLE]).fetchall()
    if commented and commented[0][0]:
        return
    # identifiers and texts are this module's constants
    con.execute(f"COMMENT ON TABLE metrics.{TABLE} IS '{COMMENTS[''].replace(chr(39), chr(39) * 2)}'")
    for column in _layout(con, TABLE):
        text = COMMENTS.get(column, column).replace("'", "''")
        con.execute(f"COMMENT ON COLUMN metrics.{TABLE}.{column} IS '{text}'")


def refresh(con: duckdb.DuckDBPyConnection) -> str:
    """Bring metrics.backlog_base up to date after derived.refresh: 'all', 'touched' or 'nothing'."""
    layout = _layout(con, VIEW)
    if not layout:
        return "nothing"    # the views are not there yet (a warehouse being created)
    rebuilt_table = _layout(con, TABLE) != layout
    if rebuilt_table:   # identifiers: this module's constants
        con.execute(f"DROP TABLE IF EXISTS metrics.{TABLE}")
        con.execute(f"CREATE TABLE metrics.{TABLE} AS FROM metrics.{VIEW} WITH NO DATA")
    _describe(con)
    captured = con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = ?",
                           [TOUCHED]).fetchall()[0][0] > 0
    if not captured:
        capture(con)   # called without capture(): which tickets changed is not known, so all are recomputed
    touched = con.execute(f"SELECT count(*) FROM {TOUCHED}").fetchall()[0][0]
    inputs = derived.sla_inputs_fingerprint(con)
    count = con.execute("SELECT count(*) FROM core.tickets").fetchall()[0][0]
    stored = con.execute("SELECT value FROM meta.settings WHERE key = ?", [STATE_KEY]).fetchall()
    built_inputs, built_count = stored[0][0].split("|", 1) if stored else ("", "-1")
    built_count = int(built_count)
    # rows written without tracking (tests, a first publish): the counts do not add up
    full = (not captured or rebuilt_table or not stored or built_inputs != inputs or count < built_count
            or count > built_count + touched)
    if not full and not touched:
        con.execute(f"DROP TABLE {TOUCHED}")
        return "nothing"
    con.execute("BEGIN TRANSACTION")
    if full:
        con.execute(f"DELETE FROM metrics.{TABLE}")
        con.execute(f"INSERT INTO metrics.{TABLE} BY NAME {schedule_sql(touched_only=False)}")
    else:
        con.execute(f"DELETE FROM metrics.{TABLE} WHERE ticket_id IN (SELECT ticket_id FROM {TOUCHED})")
        # derived.refresh kept the touched tickets' SLA rows when it recomputed them for the same tickets
        kept = con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = ?",
                           [derived.SLA_TOUCHED]).fetchall()[0][0] > 0
        derived.ticket_rows(con, TOUCHED, derived.newest_before())   # the tickets by row id, not every id read
        con.execute(f"INSERT INTO metrics.{TABLE} BY NAME "
                    f"{schedule_sql(touched_only=True, sla_rows=derived.SLA_TOUCHED if kept else None)}")
        con.execute(f"DROP TABLE {TOUCHED}_rows")
    con.execute("DELETE FROM meta.settings WHERE key = ?", [STATE_KEY])
    con.execute("INSERT INTO meta.settings VALUES (?, ?)", [STATE_KEY, f"{inputs}|{count}"])
    con.execute("COMMIT")
    con.execute(f"DROP TABLE {TOUCHED}; DROP TABLE IF EXISTS {derived.SLA_TOUCHED}")
    return "all" if full else "touched"
