-- A work order's state derived from its events (issue 14): where the events exist they are the truth about the
-- ticket's department and state, whatever the ticket export's own department and status columns say.
-- Grain: one row per ticket with at least one row in core.ticket_events (events of a ticket the warehouse does not
-- hold wait in quarantine, so every row here has its ticket). Counts, times and the state are materialised at
-- publish in metrics.work_order_tickets_base (pipelines/work_orders.py, the definition of each).
-- Stored at publish: metrics.work_order_state_base holds metrics.work_order_state_schedule (all but what depends
-- on now); this view adds held_minutes and is_replied_on_time from metrics.clock.
-- Definitions (docs/metrics.md "Work-order lifecycle"):
--   status = the state the ticket's last status-changing step leaves it in: received -> open, dispatched ->
--   in_progress, returned, redispatched, transferred, replied -> resolved, reviewed -> under_review (valid) or
--   cancelled (invalid, 无效投诉), appealed, archived, reopened -> in_progress; reminders and escalations change
--   nothing. is_open = not archived or cancelled.
--   current_department / held_since = the department holding it (metrics.work_order_holds, is_held) and since
--   when; null when nobody holds it (returned and not yet re-dispatched) or it is closed (archived, cancelled).
--   held_minutes = held_since -> now. is_cancelled_by_review = the last review found it invalid.
--   counts: dispatches (first dispatch included), returns, redispatches, transfers, replies, reopens, reminders
--   (reminded steps) and escalations (escalated steps); max_escalation_level = the highest level reached.
--   is_returned / is_redispatched / is_transferred / is_reopened: at least one such step.
--   review_verdict = the last review's verdict; reply_due_at = the deadline of the hold in which the first reply
--   came, else of the current hold; is_replied_on_time as in work_order_holds for that hold.
CREATE TABLE IF NOT EXISTS metrics.work_order_state_base AS FROM metrics.work_order_state_schedule WITH NO DATA;
CREATE OR REPLACE VIEW metrics.work_order_state AS
SELECT
    b.ticket_id, b.created_at, b.created_date, b.site, b.ticket_type, b.category,
    b.channel, b.priority, b.export_department, b.export_status, b.status, b.is_open,
    b.current_department, b.held_since,
    CASE WHEN b.is_open THEN (epoch(c.now_at) - epoch(b.held_since)) / 60.0 END AS held_minutes,
    b.current_deadline_at, b.received_at, b.first_dispatched_at, b.first_replied_at, b.last_replied_at, b.archived_at,
    b.last_event_at, b.receipts, b.dispatches, b.returns, b.redispatches, b.transfers,
    b.replies, b.reviews, b.reminders, b.escalations, b.appeals, b.archives,
    b.reopens, b.max_escalation_level, b.is_dispatched, b.is_returned, b.is_redispatched, b.is_transferred,
    b.is_replied, b.is_reopened, b.is_appealed, b.review_verdict, b.is_cancelled_by_review, b.reply_due_at,
    -- as metrics.work_order_holds.is_replied_on_time, for the hold of the first reply (else the current one)
    CASE WHEN b.reply_due_at IS NULL THEN NULL
         WHEN b.reply_hold_replied_at IS NOT NULL THEN b.reply_hold_replied_at <= b.reply_due_at
         WHEN coalesce(b.reply_hold_ended_at, c.now_at) > b.reply_due_at THEN false END AS is_replied_on_time
FROM metrics.work_order_state_base AS b
CROSS JOIN metrics.clock AS c
