-- Who held a work order when (issue 14, seed 004 "投诉派单/转派/退单"): every dispatch, re-dispatch or transfer hands
-- the ticket to a department (to_department); that department holds it until the ticket's next dispatch,
-- re-dispatch, transfer, return (退单), archive (归档) or cancellation by review (无效投诉), or until now.
-- Grain: one row per hand-over (core.ticket_events with step dispatched / redispatched / transferred). The
-- time-independent part (which step ended the hold, the next hand-over, the replies in it) is materialised at
-- publish in metrics.work_order_holds_base by pipelines/work_orders.py, whose query is its definition.
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
-- Stored at publish: metrics.work_order_holds_stored holds metrics.work_order_holds_schedule (all but what
-- depends on now); this view adds held_minutes, lost_minutes and is_replied_on_time from metrics.clock.
-- Steps at the same moment are ordered as the lifecycle is (received, dispatched, returned, ... archived).
CREATE TABLE IF NOT EXISTS metrics.work_order_holds_stored AS FROM metrics.work_order_holds_schedule WITH NO DATA;
CREATE OR REPLACE VIEW metrics.work_order_holds AS
SELECT
    d.ticket_id, d.hold_seq, d.kind, d.department, d.received_at, d.received_date, d.deadline_at, d.end_step,
    d.ended_at, d.end_reason, d.is_held, d.is_returned, d.is_transferred_on,
    (epoch(coalesce(d.ended_at, c.now_at)) - epoch(d.received_at)) / 60.0 AS held_minutes,
    CASE WHEN d.end_step IN ('returned', 'transferred')
         THEN (epoch(coalesce(d.resumed_at, c.now_at)) - epoch(d.received_at)) / 60.0 END AS lost_minutes,
    d.first_replied_at,
    d.replies,
    CASE WHEN d.deadline_at IS NULL THEN NULL
         WHEN d.first_replied_at IS NOT NULL THEN d.first_replied_at <= d.deadline_at
         WHEN coalesce(d.ended_at, c.now_at) > d.deadline_at THEN false END AS is_replied_on_time,
    d.site, d.ticket_type, d.category, d.channel, d.priority
FROM metrics.work_order_holds_stored AS d
CROSS JOIN metrics.clock AS c
