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

import duckdb

TOUCHED = "work_order_touched"
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

HOLDS = f"""
WITH
events AS (FROM {EVENTS_TEMP}),
handovers AS (SELECT * FROM events WHERE step IN ('dispatched', 'redispatched', 'transferred')),
enders AS (SELECT * FROM events WHERE step IN ('dispatched', 'redispatched', 'transferred', 'returned', 'archived')
                                   OR (step = 'reviewed' AND verdict = 'invalid')),
resumes AS (SELECT * FROM events WHERE step IN ('dispatched', 'redispatched', 'transferred', 'archived')),
ended AS (
    SELECT h.ticket_id, h.seq, h.step AS kind, h.to_department AS department, h.occurred_at AS received_at,
           h.deadline_at, n.step AS end_step, n.occurred_at AS ended_at, n.reason AS end_reason, n.seq AS end_seq
    FROM handovers AS h ASOF LEFT JOIN enders AS n ON n.ticket_id = h.ticket_id AND n.seq > h.seq
),
resumed AS (
    SELECT d.*, r.occurred_at AS resumed_at
    FROM ended AS d ASOF LEFT JOIN resumes AS r ON r.ticket_id = d.ticket_id AND r.seq >= d.end_seq
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
FROM resumed AS d LEFT JOIN replies AS r ON r.ticket_id = d.ticket_id AND r.seq = d.seq
"""

# Reads the holds HOLDS just stored for the same tickets ({holds_where}) instead of computing them again.
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
holds AS (SELECT * FROM metrics.work_order_holds_base WHERE {{holds_where}}),
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
        return "nothing"
    full = not stored or count < built_count or not built_newest
    con.execute("BEGIN TRANSACTION")
    if full:
        con.execute("DELETE FROM metrics.work_order_holds_base; DELETE FROM metrics.work_order_tickets_base")
        where = holds_where = "true"
    else:
        # tickets whose events this publish wrote (new or changed rows carry the newer loaded_at)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {TOUCHED} AS SELECT DISTINCT ticket_id FROM core.ticket_events "
                    "WHERE loaded_at > CAST(? AS TIMESTAMPTZ)", [built_newest])
        con.execute(f"DELETE FROM metrics.work_order_holds_base WHERE ticket_id IN (SELECT ticket_id FROM {TOUCHED})")
        con.execute(f"DELETE FROM metrics.work_order_tickets_base WHERE ticket_id IN "
                    f"(SELECT ticket_id FROM {TOUCHED})")
        where = f"e.ticket_id IN (SELECT ticket_id FROM {TOUCHED})"
        holds_where = f"ticket_id IN (SELECT ticket_id FROM {TOUCHED})"
    # the touched tickets' events with their order, once: both tables read them
    con.execute(f"CREATE OR REPLACE TEMP TABLE {EVENTS_TEMP} AS {EVENTS.format(where=where)}")
    con.execute(f"INSERT INTO metrics.work_order_holds_base BY NAME {HOLDS}")
    con.execute(f"INSERT INTO metrics.work_order_tickets_base BY NAME {TICKETS.format(holds_where=holds_where)}")
    con.execute(f"DROP TABLE {EVENTS_TEMP}")
    con.execute("DELETE FROM meta.settings WHERE key = ?", [STATE_KEY])
    con.execute("INSERT INTO meta.settings VALUES (?, ?)", [STATE_KEY, f"{count}|{newest or ''}"])
    if not full:
        con.execute(f"DROP TABLE {TOUCHED}")
    con.execute("COMMIT")
    return "all" if full else "touched"
