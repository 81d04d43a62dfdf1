"""The work-order lifecycle's time-independent part, materialised at publish (issue 14).

Who held a work order when (metrics.work_order_holds_base) and each ticket's step counts, times and state
(metrics.work_order_tickets_base) are windows and as-of joins over every event: computed live they cost minutes per
page at 10M events. A publish recomputes them for the tickets whose events it wrote (rows whose loaded_at is newer
than the last build), or for all when events disappeared (a deleted table, tests); the metric views
(pipelines/sql/metrics/work_order_*.sql) read these tables and add what depends on now (held minutes, lost time
of an open return, a deadline passed). The queries below are the definitions; docs/metrics.md "Work-order
lifecycle" explains them.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources

import duckdb

from pipelines import derived

TOUCHED = "work_order_touched"
COMPLAINTS_TOUCHED = "complaint_touched"
COMPLAINTS_KEY = "complaint_limits_built"   # meta.settings: "<inputs hash>|<tickets count>|<newest loaded_at>"
TOUCHED_MARKER = re.compile(r"^\s*-- @touched (\w+(?:\.\w+)?)\s*$", re.MULTILINE)
STATE_KEY = "work_orders_built"   # meta.settings: "<events count>|<newest loaded_at>" of the last build
ORDER = ("['received', 'dispatched', 'returned', 'redispatched', 'transferred', 'replied', 'reviewed', "
         "'reminded', 'escalated', 'appealed', 'archived', 'reopened']")

# Steps at the same moment are ordered as the lifecycle is. {where} narrows to the touched tickets (a constant).
# A refresh computes this once into the temp table EVENTS_TEMP; HOLDS and TICKETS read that.
EVENTS = f"""
    SELECT e.ticket_id, e.occurred_at, e.step, e.to_department, e.reason, e.deadline_at, e.verdict,
           e.escalation_level,
           row_number() OVER (PARTITION BY e.ticket_id ORDER BY e.occurred_at, list_position({ORDER}, e.step),
                              e.event_id) AS seq
    FROM core.ticket_events AS e
    WHERE {{where}}
"""
EVENTS_TEMP = "work_order_events"
HOLDS_TEMP = "work_order_new_holds"

HOLDS = f"""
WITH
events AS (FROM {EVENTS_TEMP}),
enders AS (   -- the steps that end a hold; every hand-over is one, so a hold ends at the next row of this stream,
              -- and the next department takes it up at the first hand-over or archive after it (one sorted pass:
              -- the as-of joins it replaces cost 55 s of a 10M-event first build)
    SELECT ticket_id, seq, step, occurred_at, reason, to_department, deadline_at,
           lead(step) OVER t AS end_step, lead(occurred_at) OVER t AS ended_at, lead(reason) OVER t AS end_reason,
           lead(seq) OVER t AS end_seq,
           first_value(CASE WHEN step IN ('dispatched', 'redispatched', 'transferred', 'archived') THEN occurred_at
                       END IGNORE NULLS) OVER (t ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS resumed_at
    FROM events
    WHERE step IN ('dispatched', 'redispatched', 'transferred', 'returned', 'archived')
       OR (step = 'reviewed' AND verdict = 'invalid')
    WINDOW t AS (PARTITION BY ticket_id ORDER BY seq)
),
ended AS (   -- the hand-overs, with the step that ended each
    SELECT ticket_id, seq, step AS kind, to_department AS department, occurred_at AS received_at, deadline_at,
           end_step, ended_at, end_reason, end_seq, resumed_at
    FROM enders WHERE step IN ('dispatched', 'redispatched', 'transferred')
),
replies AS (
    SELECT d.ticket_id, d.seq, min(e.occurred_at) AS first_replied_at, count(*) AS replies
    FROM ended AS d
    JOIN events AS e ON e.ticket_id = d.ticket_id AND e.step = 'replied' AND e.seq > d.seq
                    AND (d.end_seq IS NULL OR e.seq < d.end_seq)
    GROUP BY ALL
)
SELECT d.ticket_id, d.seq AS hold_seq, d.kind, coalesce(d.department, '(none)') AS department, d.received_at,
       d.deadline_at, d.end_step, d.ended_at, d.end_reason,
       CASE WHEN d.end_step IS NOT NULL THEN d.resumed_at END AS resumed_at,
       r.first_replied_at, coalesce(r.replies, 0) AS replies
FROM ended AS d LEFT JOIN replies AS r ON r.ticket_id = d.ticket_id AND r.seq = d.seq
"""

# Reads the holds HOLDS just computed for the same tickets ({holds}: the temp table HOLDS_TEMP in a narrowed refresh,
# the stored table in a full one) instead of computing them again.
TICKETS = f"""
WITH
events AS (FROM {EVENTS_TEMP}),
counts AS (
    SELECT ticket_id,
           min(occurred_at) AS first_event_at, max(occurred_at) AS last_event_at,
           min(occurred_at) FILTER (WHERE step = 'received') AS received_at,
           min(occurred_at) FILTER (WHERE step = 'dispatched') AS first_dispatched_at,
           min(occurred_at) FILTER (WHERE step = 'replied') AS first_replied_at,
           max(occurred_at) FILTER (WHERE step = 'replied') AS last_replied_at,
           max(occurred_at) FILTER (WHERE step = 'reopened') AS last_reopened_at,
           max(occurred_at) FILTER (WHERE step = 'archived') AS archived_at,
           count(*) FILTER (WHERE step = 'received') AS received,
           count(*) FILTER (WHERE step = 'dispatched') AS dispatches,
           count(*) FILTER (WHERE step = 'returned') AS returns,
           count(*) FILTER (WHERE step = 'redispatched') AS redispatches,
           count(*) FILTER (WHERE step = 'transferred') AS transfers,
           count(*) FILTER (WHERE step = 'replied') AS replies,
           count(*) FILTER (WHERE step = 'reviewed') AS reviews,
           count(*) FILTER (WHERE step = 'reminded') AS reminders,
           count(*) FILTER (WHERE step = 'escalated') AS escalations,
           count(*) FILTER (WHERE step = 'appealed') AS appeals,
           count(*) FILTER (WHERE step = 'archived') AS archives,
           count(*) FILTER (WHERE step = 'reopened') AS reopens,
           ['reminder', 'department_head', 'vice_president'][max(
               CASE WHEN step = 'reminded' THEN 1
                    WHEN step = 'escalated' THEN coalesce(list_position(
                        ['reminder', 'department_head', 'vice_president'], escalation_level), 1) END)]
               AS max_escalation_level,
           arg_max(verdict, seq) FILTER (WHERE step = 'reviewed') AS review_verdict,
           arg_max(CASE step WHEN 'received' THEN 'open' WHEN 'dispatched' THEN 'in_progress'
                             WHEN 'replied' THEN 'resolved' WHEN 'reopened' THEN 'in_progress'
                             WHEN 'reviewed' THEN CASE WHEN verdict = 'invalid' THEN 'cancelled'
                                                       ELSE 'under_review' END
                             ELSE step END, seq) FILTER (WHERE step NOT IN ('reminded', 'escalated')) AS status
    FROM events
    GROUP BY ticket_id
),
holds AS (FROM {{holds}}),
held AS (   -- the hold still open (the last one)
    SELECT ticket_id, department AS current_department, received_at AS held_since, deadline_at AS current_deadline_at
    FROM holds WHERE end_step IS NULL
    QUALIFY row_number() OVER (PARTITION BY ticket_id ORDER BY hold_seq DESC) = 1
),
reply_hold AS (   -- the hold in which the first reply came, else the current one
    SELECT ticket_id, deadline_at AS reply_due_at, first_replied_at AS reply_hold_replied_at,
           ended_at AS reply_hold_ended_at
    FROM holds
    QUALIFY row_number() OVER (PARTITION BY ticket_id
                               ORDER BY first_replied_at IS NULL, first_replied_at, end_step IS NULL DESC,
                                        hold_seq DESC) = 1
)
SELECT c.*, h.current_department, h.held_since, h.current_deadline_at, r.reply_due_at, r.reply_hold_replied_at,
       r.reply_hold_ended_at
FROM counts AS c
LEFT JOIN held AS h ON h.ticket_id = c.ticket_id
LEFT JOIN reply_hold AS r ON r.ticket_id = c.ticket_id
"""


def _fingerprint(con: duckdb.DuckDBPyConnection) -> tuple[int, str | None]:
    count, newest = con.execute("SELECT count(*), CAST(max(loaded_at) AS VARCHAR) FROM core.ticket_events"
                                ).fetchall()[0]
    return int(count), newest


def refresh(con: duckdb.DuckDBPyConnection) -> str:
    """Bring the two base tables up to date after a publish: 'all', 'touched' or 'nothing'."""
    count, newest = _fingerprint(con)
    stored = con.execute("SELECT value FROM meta.settings WHERE key = ?", [STATE_KEY]).fetchall()
    built_count, built_newest = (stored[0][0].split("|", 1) + [""])[:2] if stored else ("-1", "")
    built_count = int(built_count)
    if stored and count == built_count and (newest or "") == built_newest:
        refresh_complaints(con, events="nothing")
        return "nothing"
    full = not stored or count < built_count or not built_newest
    con.execute("BEGIN TRANSACTION")
    if full:
        con.execute("DELETE FROM metrics.work_order_holds_base; DELETE FROM metrics.work_order_tickets_base")
        where = "true"
    else:
        # tickets whose events this publish wrote (new or changed rows carry the newer loaded_at), and the tickets
        # those events named before it (derived.track): an event moved to another ticket leaves one to recompute
        con.execute(f"CREATE OR REPLACE TEMP TABLE {TOUCHED} AS SELECT DISTINCT ticket_id FROM ("
                    "SELECT ticket_id FROM core.ticket_events WHERE loaded_at > CAST(? AS TIMESTAMPTZ) UNION ALL "
                    f"SELECT ticket_id FROM {derived.LINKED_TICKETS} WHERE dataset = 'ticket_events')",
                    [built_newest])
        con.execute(f"DELETE FROM metrics.work_order_holds_base WHERE ticket_id IN (SELECT ticket_id FROM {TOUCHED})")
        con.execute(f"DELETE FROM metrics.work_order_tickets_base WHERE ticket_id IN "
                    f"(SELECT ticket_id FROM {TOUCHED})")
        where = f"e.ticket_id IN (SELECT ticket_id FROM {TOUCHED})"
    # the touched tickets' events with their order, once: both tables read them
    con.execute(f"CREATE OR REPLACE TEMP TABLE {EVENTS_TEMP} AS {EVENTS.format(where=where)}")
    if full:    # every hold: stored, then read back by TICKETS (a temp table of them all would fill the memory)
        con.execute(f"INSERT INTO metrics.work_order_holds_base BY NAME {HOLDS}")
        con.execute("INSERT INTO metrics.work_order_tickets_base BY NAME "
                    f"{TICKETS.format(holds='metrics.work_order_holds_base')}")
    else:       # the batch's holds, kept for TICKETS: no second read of the stored table (3M rows at 1M tickets)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {HOLDS_TEMP} AS {HOLDS}")
        con.execute(f"INSERT INTO metrics.work_order_holds_base BY NAME FROM {HOLDS_TEMP}")
        con.execute(f"INSERT INTO metrics.work_order_tickets_base BY NAME {TICKETS.format(holds=HOLDS_TEMP)}")
        con.execute(f"DROP TABLE {HOLDS_TEMP}")
    con.execute(f"DROP TABLE {EVENTS_TEMP}")
    con.execute("DELETE FROM meta.settings WHERE key = ?", [STATE_KEY])
    con.execute("INSERT INTO meta.settings VALUES (?, ?)", [STATE_KEY, f"{count}|{newest or ''}"])
    con.execute("COMMIT")
    refresh_complaints(con, events="all" if full else "touched")
    if not full:
        con.execute(f"DROP TABLE {TOUCHED}")
    return "all" if full else "touched"


# The stored views: schedule view (its file holds the definition) -> the table a publish keeps it in.
STORED = {"work_order_holds_schedule": "work_order_holds_stored",   # first: complaint_limits_schedule reads it
          "work_order_state_schedule": "work_order_state_base",
          "complaint_limits_schedule": "complaint_limits_base",
          "work_order_escalations_schedule": "work_order_escalations_base",
          "work_order_appeals_schedule": "work_order_appeals_base"}


def schedule_sql(touched_only: bool, view: str = "complaint_limits_schedule", touched: str = COMPLAINTS_TOUCHED) -> str:
    """A schedule view's query (the view file's text after `AS`), for every row or, with `touched_only`, each
    `-- @touched <column>` line replaced by a filter of that column on the temp table `touched` (its ticket_id; as
    pipelines/derived.schedule_sql narrows the SLA schedule), or for `-- @touched <alias>.rowid` on the temp table
    `touched`_rows (its row_id). `view`, `touched`: constants (STORED's keys, pipelines/ticket_views.py's views)."""
    text = resources.files("pipelines").joinpath("sql", "metrics", f"{view}.sql").read_text("utf-8")
    if not TOUCHED_MARKER.search(text):
        raise RuntimeError(f"{view}.sql must hold '-- @touched <column>' lines")
    _, body = re.split(rf"CREATE OR REPLACE VIEW metrics\.{view} AS\s*", text, maxsplit=1)

    def narrowing(m: re.Match) -> str:   # constant identifiers of this module and the view file, not values
        if not touched_only:
            return ""
        if m.group(1).endswith(".rowid"):    # core.tickets read by row id: the temp table `touched`_rows
            return f"    AND {m.group(1)} IN (SELECT row_id FROM {touched}_rows)"
        return f"    AND {m.group(1)} IN (SELECT ticket_id FROM {touched})"

    return TOUCHED_MARKER.sub(narrowing, body)


HOLDS_COMMENTS = {
    "": "Materialised at publish (pipelines/work_orders.py): metrics.work_order_holds_schedule (one row per "
        "hand-over, how it ended, with the ticket's dimensions and the local day received), for the tickets each "
        "load touched; read through metrics.work_order_holds, which adds what depends on now.",
    "ticket_id": "Ticket", "hold_seq": "Position of the hand-over among the ticket's steps",
    "kind": "dispatched, redispatched or transferred", "department": "Department that received it",
    "received_at": "When it received it", "received_date": "Local day received", "deadline_at": "Deadline given",
    "end_step": "Step that ended the hold; null = still held", "ended_at": "When the hold ended",
    "end_reason": "Reason of the return or transfer", "is_held": "Still held", "is_returned": "Ended in a return",
    "is_transferred_on": "Ended in a transfer", "resumed_at": "When the next department received it",
    "first_replied_at": "First reply in the hold", "replies": "Replies in the hold", "site": "As core.tickets",
    "ticket_type": "As core.tickets", "category": "As core.tickets", "channel": "As core.tickets",
    "priority": "As core.tickets",
}
APPEALS_COMMENTS = {
    "": "Materialised at publish (pipelines/work_orders.py): metrics.work_order_appeals_schedule (one row per "
        "appealed step and its outcome), for the tickets each load touched; read through "
        "metrics.work_order_appeals.",
    "ticket_id": "Appealed ticket", "appealed_at": "When it was appealed", "appealed_date": "Local day appealed",
    "appeal_ticket_id": "The appeal ticket", "appeal_grade": "major_urgent, ordinary, complex or (none)",
    "outcome": "upheld, not_upheld or pending", "decided_at": "The appeal ticket's last review",
    "is_upheld": "Upheld", "is_decided": "Decided", "site": "As core.tickets", "ticket_type": "As core.tickets",
    "category": "As core.tickets", "channel": "As core.tickets", "priority": "As core.tickets",
    "department": "As core.tickets",
}
STATE_COMMENTS = {
    "": "Materialised at publish (pipelines/work_orders.py): metrics.work_order_state_schedule (one row per ticket "
        "with events: its state, counts and times, with the ticket's dimensions and local day), for the tickets "
        "each load touched; read through metrics.work_order_state, which adds what depends on now.",
    "ticket_id": "Ticket", "created_at": "As core.tickets", "created_date": "Local day received",
    "site": "As core.tickets", "ticket_type": "As core.tickets", "category": "As core.tickets",
    "channel": "As core.tickets", "priority": "As core.tickets", "export_department": "core.tickets.department",
    "export_status": "core.tickets.status", "status": "State from the events", "is_open": "Not archived or cancelled",
    "current_department": "Department holding it while open", "held_since": "Since when it holds it",
    "current_deadline_at": "Deadline of the current hold", "reply_hold_replied_at": "First reply in the reply hold",
    "reply_hold_ended_at": "When the reply hold ended",
}
ESCALATION_COMMENTS = {
    "": "Materialised at publish (pipelines/work_orders.py): metrics.work_order_escalations_schedule (one row per "
        "reminded or escalated step, with the department holding the ticket then), for the tickets each load "
        "touched; read through metrics.work_order_escalations.",
    "ticket_id": "Ticket", "occurred_at": "When the step happened", "occurred_date": "Local day of the step",
    "step": "reminded or escalated", "level": "reminder, department_head or vice_president",
    "level_rank": "1-3", "department": "The step's to_department, else the department holding it, else (none)",
    "actor": "Who did it", "reason": "Reason given", "site": "As core.tickets", "ticket_type": "As core.tickets",
    "category": "As core.tickets", "channel": "As core.tickets", "priority": "As core.tickets",
}
BASE_COMMENTS = {
    "": "Materialised at publish (pipelines/work_orders.py): metrics.complaint_limits_schedule, the "
        "time-independent part of metrics.complaint_limits (one row per complaint), for the tickets each load "
        "touched; read through metrics.complaint_limits, which adds what depends on now.",
    "ticket_id": "Ticket", "created_at": "Received (created_at)", "created_date": "Local day received",
    "site": "As core.tickets", "department": "As core.tickets", "agent": "As core.tickets",
    "channel": "As core.tickets", "ticket_type": "As core.tickets", "category": "As core.tickets",
    "priority": "As core.tickets", "product": "As core.tickets", "customer_id": "As core.tickets",
    "coordination_level": "Coordination level, (none) without one", "complexity": "simple or complex",
    "limit_minutes": "Wall-clock limit in minutes (within or across departments)",
    "limit_working_days": "Limit in working days (across provinces, with another company)",
    "has_limit": "The complaint has a limit", "due_at": "When the limit falls due",
    "done_at": "Solved and replied (the solving reply where events exist, else resolved_at)",
    "elapsed_minutes": "Receipt to done, minutes", "has_events": "The ticket has work-order events",
    "lost_in_returns_settled_minutes": "Minutes lost in returns taken up again",
    "lost_in_transfers_settled_minutes": "Minutes lost in transfers taken up again",
    "returns_running": "Returns nobody has taken up yet (losing time until now)",
    "returns_running_since_epoch": "Sum of those returns' received_at, epoch seconds",
    "transfers_running": "Transfers nobody has taken up yet (losing time until now)",
    "transfers_running_since_epoch": "Sum of those transfers' received_at, epoch seconds",
    "answer_due_at": "When the promised answer falls due", "answered_at": "First response",
    "is_repeat_complaint": "As core.tickets (the source's repeat flag)",
    "is_reopened": "core.tickets.reopen_count > 0",
}


def _describe_base(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """A stored table's comments (docs/data-model.md), when it was just created (DDL only then)."""
    comments = {"complaint_limits_base": BASE_COMMENTS, "work_order_state_base": STATE_COMMENTS,
                "work_order_holds_stored": HOLDS_COMMENTS, "work_order_appeals_base": APPEALS_COMMENTS}.get(
        table, ESCALATION_COMMENTS)
    commented = con.execute("SELECT coalesce(comment, '') <> '' FROM duckdb_tables() WHERE schema_name = 'metrics' "
                            "AND table_name = ?", [table]).fetchall()
    if not (commented and commented[0][0]):
        describe(con, table, comments)


def describe(con: duckdb.DuckDBPyConnection, table: str, comments: dict[str, str], default: str | None = None) -> None:
    """COMMENT ON metrics.`table` and each of its columns: comments[""] for the table, comments[column] (else
    `default`, else the column's name) for each column. `table` and the texts: the callers' constants."""
    columns = [r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE schema_name = 'metrics' "
                                         "AND table_name = ?", [table]).fetchall()]
    text = comments[""].replace("'", "''")
    con.execute(f"COMMENT ON TABLE metrics.{table} IS '{text}'")
    for column in columns:
        text = comments.get(column, default or column).replace("'", "''")
        con.execute(f'COMMENT ON COLUMN metrics.{table}."{column}" IS \'{text}\'')


def complaint_inputs(con: duckdb.DuckDBPyConnection) -> str:
    """What every complaint's limit depends on besides its own rows: the hotline's settings and the calendar (in
    the SLA inputs' fingerprint, taken once per publish: reading 7,670 calendar days again cost 17 ms a load)."""
    rows = con.execute("""
        SELECT (SELECT string_agg(key || '=' || value, '|' ORDER BY key) FROM meta.settings
                WHERE key = 'timezone' OR key LIKE 'hotline\\_%' ESCAPE '\\'),
               (SELECT string_agg(table_name || '.' || column_name, ',' ORDER BY table_name, ordinal_position)
                FROM information_schema.columns
                WHERE table_schema = 'metrics' AND table_name IN ('complaint_limits_base', 'work_order_state_base',
                                                                  'work_order_escalations_base',
                                                                  'work_order_holds_stored',
                                                                  'work_order_appeals_base'))
    """).fetchall()
    return hashlib.sha256(repr((rows, derived.sla_inputs_fingerprint(con))).encode()).hexdigest()[:16]


def refresh_complaints(con: duckdb.DuckDBPyConnection, events: str) -> str:
    """Bring the stored views (STORED: metrics.complaint_limits_base, work_order_escalations_base) up to date:
    'all', 'touched' or 'nothing'. The touched complaints are
    the tickets whose rows a publish wrote (loaded_at newer than the last build) and those whose events it wrote
    (`events`: what refresh did; its temp table TOUCHED holds them when 'touched'). A change of the hotline's
    settings, the calendar or the table's layout, fewer tickets, or a full events rebuild recomputes all."""
    for view, table in STORED.items():
        layout = [r[0] for r in con.execute("""
            SELECT column_name FROM information_schema.columns
            WHERE table_schema = 'metrics' AND table_name = ? ORDER BY ordinal_position
        """, [view]).fetchall()]
        stored_layout = [r[0] for r in con.execute("""
            SELECT column_name FROM information_schema.columns
            WHERE table_schema = 'metrics' AND table_name = ? ORDER BY ordinal_position
        """, [table]).fetchall()]
        if not layout:
            return "nothing"    # the views are not there yet (a warehouse being created)
        if stored_layout != layout:   # identifiers: STORED's constants
            con.execute(f"DROP TABLE IF EXISTS metrics.{table}")
            con.execute(f"CREATE TABLE metrics.{table} AS FROM metrics.{view} WITH NO DATA")
        _describe_base(con, table)
    inputs = complaint_inputs(con)
    count, newest = con.execute("SELECT count(*), CAST(max(loaded_at) AS VARCHAR) FROM core.tickets").fetchall()[0]
    stored = con.execute("SELECT value FROM meta.settings WHERE key = ?", [COMPLAINTS_KEY]).fetchall()
    built_inputs, built_count, built_newest = (stored[0][0].split("|", 2) if stored else ["", "-1", ""])
    full = (not stored or built_inputs != inputs or int(built_count) > count or not built_newest
            or events == "all")
    if not full and events == "nothing" and int(built_count) == count and (newest or "") == built_newest:
        return "nothing"
    con.execute("BEGIN TRANSACTION")
    if full:
        for view, table in STORED.items():
            con.execute(f"DELETE FROM metrics.{table}")
            con.execute(f"INSERT INTO metrics.{table} BY NAME {schedule_sql(False, view)}")
    else:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {COMPLAINTS_TOUCHED} AS "
                    "SELECT ticket_id FROM core.tickets WHERE loaded_at > CAST(? AS TIMESTAMPTZ)", [built_newest])
        if events == "touched":
            con.execute(f"INSERT INTO {COMPLAINTS_TOUCHED} SELECT ticket_id FROM {TOUCHED}")
        # an appeal's outcome is its appeal ticket's review: the appealed tickets of touched appeal tickets
        con.execute(f"INSERT INTO {COMPLAINTS_TOUCHED} SELECT ticket_id FROM core.ticket_events "
                    f"WHERE step = 'appealed' AND appeal_ticket_id IN (SELECT ticket_id FROM {COMPLAINTS_TOUCHED})")
        derived.ticket_rows(con, COMPLAINTS_TOUCHED, built_newest)   # complaint_limits_schedule reads them by row id
        for view, table in STORED.items():
            con.execute(f"DELETE FROM metrics.{table} WHERE ticket_id IN (SELECT ticket_id FROM {COMPLAINTS_TOUCHED})")
            con.execute(f"INSERT INTO metrics.{table} BY NAME {schedule_sql(True, view)}")
        con.execute(f"DROP TABLE {COMPLAINTS_TOUCHED}; DROP TABLE {COMPLAINTS_TOUCHED}_rows")
    con.execute("DELETE FROM meta.settings WHERE key = ?", [COMPLAINTS_KEY])
    con.execute("INSERT INTO meta.settings VALUES (?, ?)",   # inputs: nothing above changes them
                [COMPLAINTS_KEY, f"{inputs}|{count}|{newest or ''}"])
    con.execute("COMMIT")
    return "all" if full else "touched"
