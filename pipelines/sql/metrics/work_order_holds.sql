-- Who held a work order when (issue 14, seed 004 "投诉派单/转派/退单"): every dispatch, re-dispatch or transfer hands
-- the ticket to a department (to_department); that department holds it until the ticket's next dispatch,
-- re-dispatch, transfer, return (退单), archive (归档) or cancellation by review (无效投诉), or until now.
-- Grain: one row per hand-over (core.ticket_events with step dispatched / redispatched / transferred).
-- Definitions (docs/metrics.md "Work-order lifecycle"):
--   held_minutes = received_at -> ended_at (or now while held);
--   end_step = the step that ended the hold (returned, transferred, redispatched, dispatched, archived, or reviewed
--   when the review found the complaint invalid; null = still held);
--   is_returned / is_transferred_on: the department returned it / transferred it on, with end_reason;
--   lost_minutes (only for a hold that ended in a return or a transfer) = received_at -> resumed_at, the moment the
--   next department received it (a transfer: at once; a return: the re-dispatch), or the archive, or now: the
--   time the caller waited on a department that passed the ticket on;
--   first_replied_at = the first reply while the department held it; is_replied_on_time = that reply came at or
--   before deadline_at (the deadline the hand-over gave it); false when the department held it past the deadline
--   without a reply; null when no deadline was given, or it passed the ticket on unreplied before the deadline.
-- Steps at the same moment are ordered as the lifecycle is (received, dispatched, returned, ... archived).
CREATE OR REPLACE VIEW metrics.work_order_holds AS
WITH

tz AS (SELECT coalesce(max(value) FILTER (WHERE key = 'timezone'), 'UTC') AS tz FROM meta.settings),

events AS (
    SELECT e.ticket_id, e.occurred_at, e.step, e.to_department, e.from_department, e.reason, e.deadline_at, e.verdict,
           row_number() OVER (PARTITION BY e.ticket_id ORDER BY e.occurred_at,
               list_position(['received', 'dispatched', 'returned', 'redispatched', 'transferred', 'replied',
                              'reviewed', 'reminded', 'escalated', 'appealed', 'archived', 'reopened'], e.step),
               e.event_id) AS seq
    FROM core.ticket_events AS e
),

handovers AS (
    SELECT ticket_id, occurred_at, step, to_department, deadline_at, seq
    FROM events WHERE step IN ('dispatched', 'redispatched', 'transferred')
),

enders AS (
    SELECT ticket_id, occurred_at, step, reason, seq
    FROM events WHERE step IN ('dispatched', 'redispatched', 'transferred', 'returned', 'archived')
                   OR (step = 'reviewed' AND verdict = 'invalid')
),

resumes AS (
    SELECT ticket_id, occurred_at, seq
    FROM events WHERE step IN ('dispatched', 'redispatched', 'transferred', 'archived')
),

ended AS (
    SELECT h.ticket_id, h.seq, h.step AS kind, h.to_department AS department, h.occurred_at AS received_at,
           h.deadline_at, n.step AS end_step, n.occurred_at AS ended_at, n.reason AS end_reason, n.seq AS end_seq
    FROM handovers AS h
    ASOF LEFT JOIN enders AS n ON n.ticket_id = h.ticket_id AND n.seq > h.seq
),

resumed AS (
    SELECT d.*, r.occurred_at AS resumed_at
    FROM ended AS d
    ASOF LEFT JOIN resumes AS r ON r.ticket_id = d.ticket_id AND r.seq >= d.end_seq
),

replies AS (
    SELECT d.ticket_id, d.seq, min(e.occurred_at) AS first_replied_at, count(*) AS replies
    FROM ended AS d
    JOIN events AS e ON e.ticket_id = d.ticket_id AND e.step = 'replied' AND e.seq > d.seq
                    AND (d.end_seq IS NULL OR e.seq < d.end_seq)
    GROUP BY ALL
)

SELECT
    d.ticket_id,
    d.seq AS hold_seq,
    d.kind,
    coalesce(d.department, '(none)') AS department,
    d.received_at,
    CAST(timezone(tz.tz, d.received_at) AS DATE) AS received_date,
    d.deadline_at,
    d.end_step,
    d.ended_at,
    d.end_reason,
    d.end_step IS NULL AS is_held,
    d.end_step = 'returned' AS is_returned,
    d.end_step = 'transferred' AS is_transferred_on,
    (epoch(coalesce(d.ended_at, c.now_at)) - epoch(d.received_at)) / 60.0 AS held_minutes,
    CASE WHEN d.end_step IN ('returned', 'transferred')
         THEN (epoch(coalesce(d.resumed_at, c.now_at)) - epoch(d.received_at)) / 60.0 END AS lost_minutes,
    r.first_replied_at,
    coalesce(r.replies, 0) AS replies,
    CASE WHEN d.deadline_at IS NULL THEN NULL
         WHEN r.first_replied_at IS NOT NULL THEN r.first_replied_at <= d.deadline_at
         WHEN coalesce(d.ended_at, c.now_at) > d.deadline_at THEN false END AS is_replied_on_time,
    t.site, t.ticket_type, t.category, t.channel, t.priority
FROM resumed AS d
LEFT JOIN replies AS r ON r.ticket_id = d.ticket_id AND r.seq = d.seq
LEFT JOIN core.tickets AS t ON t.ticket_id = d.ticket_id
CROSS JOIN tz
CROSS JOIN metrics.clock AS c
