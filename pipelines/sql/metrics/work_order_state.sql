-- A work order's state derived from its events (issue 14): where the events exist they are the truth about the
-- ticket's department and state, whatever the ticket export's own department and status columns say.
-- Grain: one row per ticket with at least one row in core.ticket_events (events of a ticket the warehouse does not
-- hold wait in quarantine, so every row here has its ticket). Counts, times and the state are materialised at
-- publish in metrics.work_order_tickets_base (pipelines/work_orders.py, the definition of each).
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
CREATE OR REPLACE VIEW metrics.work_order_state AS
WITH

tz AS (SELECT coalesce(max(value) FILTER (WHERE key = 'timezone'), 'UTC') AS tz FROM meta.settings)

SELECT
    p.ticket_id,
    t.created_at,
    CAST(timezone(tz.tz, coalesce(t.created_at, p.received_at, p.first_event_at)) AS DATE) AS created_date,
    t.site, t.ticket_type, t.category, t.channel, t.priority,
    t.department AS export_department,
    t.status AS export_status,
    coalesce(p.status, 'open') AS status,
    coalesce(p.status, 'open') NOT IN ('archived', 'cancelled') AS is_open,
    CASE WHEN coalesce(p.status, 'open') NOT IN ('archived', 'cancelled') THEN p.current_department END
        AS current_department,
    CASE WHEN coalesce(p.status, 'open') NOT IN ('archived', 'cancelled') THEN p.held_since END AS held_since,
    CASE WHEN coalesce(p.status, 'open') NOT IN ('archived', 'cancelled')
         THEN (epoch(c.now_at) - epoch(p.held_since)) / 60.0 END AS held_minutes,
    p.current_deadline_at,
    p.received_at, p.first_dispatched_at, p.first_replied_at, p.last_replied_at, p.archived_at, p.last_event_at,
    p.received AS receipts, p.dispatches, p.returns, p.redispatches, p.transfers, p.replies, p.reviews,
    p.reminders, p.escalations, p.appeals, p.archives, p.reopens,
    p.max_escalation_level,
    p.first_dispatched_at IS NOT NULL AS is_dispatched,
    p.returns > 0 AS is_returned,
    p.redispatches > 0 AS is_redispatched,
    p.transfers > 0 AS is_transferred,
    p.replies > 0 AS is_replied,
    p.reopens > 0 AS is_reopened,
    p.appeals > 0 AS is_appealed,
    p.review_verdict,
    coalesce(p.review_verdict = 'invalid', false) AS is_cancelled_by_review,
    p.reply_due_at,
    -- as metrics.work_order_holds.is_replied_on_time, for the hold of the first reply (else the current one)
    CASE WHEN p.reply_due_at IS NULL THEN NULL
         WHEN p.reply_hold_replied_at IS NOT NULL THEN p.reply_hold_replied_at <= p.reply_due_at
         WHEN coalesce(p.reply_hold_ended_at, c.now_at) > p.reply_due_at THEN false END AS is_replied_on_time
FROM metrics.work_order_tickets_base AS p
LEFT JOIN core.tickets AS t ON t.ticket_id = p.ticket_id
CROSS JOIN tz
CROSS JOIN metrics.clock AS c
