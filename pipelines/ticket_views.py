"""Per-ticket metric views stored at publish (issue 13 target 2): repeat complaints and first-contact resolution.

Nothing in either depends on now (docs/metrics.md), so each view reads the table a publish left, and the Hotline
page reads a table instead of a window over every call or a self-join of every complaint (632 and 302 ms at 10M
tickets, computed live). A publish recomputes the rows of the tickets it touched: the tickets it wrote, and those
the rows it wrote of a linked table name (surveys, calls, work-order events), before and after the load when a
reload moved such a row to another ticket (pipelines/derived.py keeps both). A repeat complaint is
judged against the customer's other complaints, so there the scope is every complaint of the touched tickets'
customers, before and after. A change of the inputs (settings, calendar, the schedule's columns), a source that
lost rows, or a batch of a quarter of the tickets or more recomputes every row. The schedule views
(pipelines/sql/metrics/*_schedule.sql) are the definitions; their `-- @touched` lines narrow them to the scope.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import duckdb

from pipelines import derived, work_orders

SCOPE = "ticket_view_scope"


@dataclass(frozen=True)
class StoredView:
    schedule: str                 # metrics.<schedule>: the definition, with `-- @touched <column>` lines
    table: str                    # metrics.<table>: where a publish keeps its rows
    linked: tuple[str, ...]       # core tables whose rows name a ticket and feed that ticket's row
    by_customer: bool             # a ticket's row depends on its customer's other complaints
    by_row_id: bool               # reads core.tickets by row id (`-- @touched t.rowid`): SCOPE_rows
    comments: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:         # meta.settings: the last build's stamp (JSON)
        return f"{self.table}_built"


REPEAT_COMMENTS = {
    "": "Materialised at publish (pipelines/ticket_views.py): metrics.repeat_complaints_schedule (one row per "
        "complaint, with the earlier complaint it repeats), recomputed for the customers each load touched; read "
        "through metrics.repeat_complaints.",
    "ticket_id": "Complaint", "created_at": "Received", "created_date": "Local day received",
    "customer_id": "As core.tickets", "coordination_level": "Coordination level, (none) without one",
    "is_repeat_derived": "A repeat by the data: received after an earlier complaint of the customer was left "
                         "unresolved, within the repeat window",
    "is_repeat_flagged": "The source flags it a repeat", "is_repeat": "Derived or flagged",
    "earlier_ticket_id": "The latest earlier complaint it repeats", "earlier_created_at": "Its receipt",
    "earlier_reason": "missed_limit or unhappy_result", "unresolved_at": "When this complaint left the customer "
    "unresolved (its limit missed, reopened or an unhappy answer); null: not (yet)",
    "unresolved_reason": "missed_limit or unhappy_result",
}
FCR_COMMENTS = {
    "": "Materialised at publish (pipelines/ticket_views.py): metrics.first_contact_resolution_schedule (one row "
        "per hotline ticket, with its calls), recomputed for the tickets each load wrote or whose calls it wrote; "
        "read through metrics.first_contact_resolution.",
    "ticket_id": "Ticket", "first_call_id": "Its earliest call", "first_call_at": "When that call was offered",
    "first_call_date": "Local day of that call", "queue": "That call's queue", "call_agent": "That call's agent",
    "calls": "Calls naming the ticket", "repeat_calls": "Calls after the first",
    "is_reopened": "reopen_count > 0", "is_resolved": "resolved_at present",
    "is_first_contact_resolved": "Resolved, never dispatched, no repeat call, never reopened",
    "is_dispatched": "dispatched_at present", "contact_date": "Local day of contact_at",
    "contact_at": "The first call, else when the ticket was received",
}
VIEWS = (
    StoredView("repeat_complaints_schedule", "repeat_complaints_base", ("surveys", "ticket_events"), True, False,
               REPEAT_COMMENTS),
    StoredView("first_contact_resolution_schedule", "first_contact_resolution_base", ("calls",), False, True,
               FCR_COMMENTS),
)


def refresh(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Bring every stored view up to date after a publish (after pipelines/work_orders.py, whose complaint limits
    the repeats read): {table: 'all' | 'touched' | 'nothing'}."""
    return {view.table: refresh_view(con, view) for view in VIEWS}


def _stamp(con: duckdb.DuckDBPyConnection, view: StoredView, layout: str) -> dict:
    """What the stored rows were computed from: the inputs every row shares (the schedule's `layout`, the time
    zone and for repeats the complaint limits' inputs; hashed), and per source table its row count and newest
    loaded_at."""
    shared = [layout, con.execute("SELECT value FROM meta.settings WHERE key = 'timezone'").fetchall()]
    if view.by_customer:   # complaint limits: the hotline's settings, the calendar
        shared.append(work_orders.complaint_inputs(con))
    sources = {}
    for table in ("tickets", *view.linked):   # identifiers: this module's constants
        count, newest = con.execute(f"SELECT count(*), CAST(max(loaded_at) AS VARCHAR) FROM core.{table}"
                                    ).fetchall()[0]
        sources[table] = [int(count), newest or ""]
    return {"inputs": hashlib.sha256(repr(shared).encode()).hexdigest()[:16], "sources": sources}


def refresh_view(con: duckdb.DuckDBPyConnection, view: StoredView) -> str:
    # one catalog read (a few ms each on every load): the table, its comment, the schedule's columns
    exists, commented, layout = con.execute("""
        SELECT count(*), bool_or(coalesce(comment, '') <> ''),
               (SELECT string_agg(column_name || ' ' || data_type, ',' ORDER BY column_index) FROM duckdb_columns()
                WHERE schema_name = 'metrics' AND table_name = ?)
        FROM duckdb_tables() WHERE schema_name = 'metrics' AND table_name = ?""",
                                            [view.schedule, view.table]).fetchall()[0]
    if not exists:
        return "nothing"    # the views are not there yet (a warehouse being created)
    if not commented:   # just created (DDL only then): docs/data-model.md reads the comments
        work_orders.describe(con, view.table, view.comments, default="As core.tickets")
    now = _stamp(con, view, layout)
    stored = con.execute("SELECT value FROM meta.settings WHERE key = ?", [view.key]).fetchall()
    built = json.loads(stored[0][0]) if stored else None
    if built == now:
        return "nothing"
    full = (built is None or built["inputs"] != now["inputs"] or built["sources"].keys() != now["sources"].keys()
            or any(now["sources"][t][0] < built["sources"][t][0] for t in now["sources"]))
    con.execute("BEGIN TRANSACTION")
    if not full:
        _scope(con, view, built["sources"])
        scoped, tickets = con.execute(f"SELECT (SELECT count(*) FROM {SCOPE}), (SELECT count(*) FROM core.tickets)"
                                      ).fetchall()[0]
        full = scoped * 4 >= tickets     # a bulk load: one pass over everything is cheaper than the semi-joins
    # identifiers: this module's constants
    if full:
        con.execute(f"DELETE FROM metrics.{view.table}")
        con.execute(f"INSERT INTO metrics.{view.table} BY NAME "
                    f"{work_orders.schedule_sql(False, view.schedule)}")
    else:
        con.execute(f"DELETE FROM metrics.{view.table} WHERE ticket_id IN (SELECT ticket_id FROM {SCOPE})")
        con.execute(f"INSERT INTO metrics.{view.table} BY NAME "
                    f"{work_orders.schedule_sql(True, view.schedule, touched=SCOPE)}")
    con.execute(f"DROP TABLE IF EXISTS {SCOPE}")
    con.execute(f"DROP TABLE IF EXISTS {SCOPE}_rows")
    con.execute("DELETE FROM meta.settings WHERE key = ?", [view.key])
    con.execute("INSERT INTO meta.settings VALUES (?, ?)", [view.key, json.dumps(now)])
    con.execute("COMMIT")
    return "all" if full else "touched"


def _scope(con: duckdb.DuckDBPyConnection, view: StoredView, built: dict[str, list]) -> None:
    """The temp table SCOPE: the tickets whose rows to recompute, as ticket_id. Inside a publish only
    (derived.start_tracking made the linked tickets' table)."""
    parts = ["SELECT ticket_id FROM core.tickets WHERE loaded_at > CAST(? AS TIMESTAMPTZ)"]
    params: list[object] = [built["tickets"][1] or "-infinity"]
    for table in view.linked:   # the tickets the linked rows this publish wrote name now, and named before
        parts.append(f"SELECT ticket_id FROM core.{table} WHERE loaded_at > CAST(? AS TIMESTAMPTZ)")
        params.append(built[table][1] or "-infinity")
        parts.append(f"SELECT ticket_id FROM {derived.LINKED_TICKETS} WHERE dataset = '{table}'")
    touched = " UNION ".join(parts)
    if view.by_customer:   # every complaint of their customers, as stored before and as the limits hold them now
        con.execute(f"CREATE OR REPLACE TEMP TABLE {SCOPE}_touched AS SELECT DISTINCT ticket_id FROM ({touched}) "
                    "WHERE ticket_id IS NOT NULL", params)
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {SCOPE}_customers AS
            SELECT customer_id FROM metrics.{view.table} WHERE ticket_id IN (SELECT ticket_id FROM {SCOPE}_touched)
            UNION
            SELECT customer_id FROM metrics.complaint_limits_base
            WHERE ticket_id IN (SELECT ticket_id FROM {SCOPE}_touched)""")
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {SCOPE} AS
            SELECT ticket_id FROM {SCOPE}_touched
            UNION
            SELECT ticket_id FROM metrics.{view.table} WHERE customer_id IN (SELECT customer_id FROM {SCOPE}_customers)
            UNION
            SELECT ticket_id FROM metrics.complaint_limits_base
            WHERE customer_id IN (SELECT customer_id FROM {SCOPE}_customers)""")
        con.execute(f"DROP TABLE {SCOPE}_touched; DROP TABLE {SCOPE}_customers")
    else:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {SCOPE} AS SELECT DISTINCT ticket_id FROM ({touched}) "
                    "WHERE ticket_id IS NOT NULL", params)
    if view.by_row_id:
        derived.ticket_rows(con, SCOPE, built["tickets"][1])
