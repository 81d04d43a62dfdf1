-- The stored part of metrics.work_order_holds (issue 14 "Speed"): everything but what depends on now (held_minutes,
-- lost_minutes, is_replied_on_time), with the ticket's dimensions and the local day received.
-- pipelines/work_orders.py keeps it in metrics.work_order_holds_stored for the tickets whose rows or events a load
-- wrote (its `-- @touched` line narrows it); metrics.work_order_holds reads that table and adds the rest from
-- metrics.clock. Definitions: that view's file.
CREATE OR REPLACE VIEW metrics.work_order_holds_schedule AS
WITH

tz AS (SELECT coalesce(max(value) FILTER (WHERE key = 'timezone'), 'UTC') AS tz FROM meta.settings)

SELECT
    d.ticket_id,
    d.hold_seq,
    d.kind,
    d.department,
    d.received_at,
    CAST(timezone(tz.tz, d.received_at) AS DATE) AS received_date,
    d.deadline_at,
    d.end_step,
    d.ended_at,
    d.end_reason,
    d.end_step IS NULL AS is_held,
    coalesce(d.end_step = 'returned', false) AS is_returned,
    coalesce(d.end_step = 'transferred', false) AS is_transferred_on,
    d.resumed_at,
    d.first_replied_at,
    d.replies,
    t.site, t.ticket_type, t.category, t.channel, t.priority
FROM metrics.work_order_holds_base AS d
LEFT JOIN core.tickets AS t ON t.ticket_id = d.ticket_id
CROSS JOIN tz
WHERE true
-- @touched d.ticket_id
