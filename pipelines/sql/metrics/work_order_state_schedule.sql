-- The stored part of metrics.work_order_state (issue 14 "Speed"): everything but what depends on now (held_minutes,
-- is_replied_on_time), with the ticket's dimensions and local day. pipelines/work_orders.py keeps it in
-- metrics.work_order_state_base for the tickets whose rows or events a load wrote (its `-- @touched` line narrows
-- it); metrics.work_order_state reads that table and adds the rest from metrics.clock. Definitions: that view's file.
CREATE OR REPLACE VIEW metrics.work_order_state_schedule AS
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
    p.reply_hold_replied_at,
    p.reply_hold_ended_at
FROM metrics.work_order_tickets_base AS p
LEFT JOIN core.tickets AS t ON t.ticket_id = p.ticket_id
CROSS JOIN tz
WHERE true
-- @touched p.ticket_id
