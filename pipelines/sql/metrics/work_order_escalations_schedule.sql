-- The stored part of metrics.work_order_escalations (issue 14 "Speed"): every row of it depends only on the events,
-- the ticket's row and the time zone, so pipelines/work_orders.py keeps this view's rows in
-- metrics.work_order_escalations_base for the tickets a load touched (its `-- @touched` lines narrow it), and
-- metrics.work_order_escalations reads that table. The definitions are below and in that view's file.
-- Reminders and escalations (催办 / 督办, issue 14; 004: overdue work escalates to a reminder, then the department
-- head, then a vice-president), by level and by the department that held the ticket then.
-- Grain: one row per reminded or escalated step (core.ticket_events).
-- Definitions (docs/metrics.md "Work-order lifecycle"): level = reminder for a reminded step, the step's
-- escalation_level for an escalated one (reminder when it names none); level_rank 1-3; department = the step's
-- to_department, else the department holding the ticket at that moment (metrics.work_order_holds), else '(none)'.
CREATE OR REPLACE VIEW metrics.work_order_escalations_schedule AS
WITH

tz AS (SELECT coalesce(max(value) FILTER (WHERE key = 'timezone'), 'UTC') AS tz FROM meta.settings),

steps AS (
    SELECT e.ticket_id, e.occurred_at, e.step, e.to_department, e.actor, e.reason,
           CASE WHEN e.step = 'reminded' THEN 'reminder' ELSE coalesce(e.escalation_level, 'reminder') END AS level
    FROM core.ticket_events AS e
    WHERE e.step IN ('reminded', 'escalated')
    -- @touched e.ticket_id
),

holds AS (
    SELECT ticket_id, received_at, ended_at, department FROM metrics.work_order_holds_base
    WHERE true
    -- @touched ticket_id
),

holder AS (   -- the hold that began last at or before the step (metrics.work_order_holds_base)
    SELECT s.ticket_id, s.occurred_at, s.step,
           CASE WHEN h.ended_at IS NULL OR h.ended_at > s.occurred_at THEN h.department END AS department
    FROM steps AS s
    ASOF JOIN holds AS h ON h.ticket_id = s.ticket_id AND h.received_at <= s.occurred_at
)

SELECT
    s.ticket_id,
    s.occurred_at,
    CAST(timezone(tz.tz, s.occurred_at) AS DATE) AS occurred_date,
    s.step,
    s.level,
    list_position(['reminder', 'department_head', 'vice_president'], s.level) AS level_rank,
    coalesce(s.to_department, h.department, '(none)') AS department,
    s.actor,
    s.reason,
    t.site, t.ticket_type, t.category, t.channel, t.priority
FROM steps AS s
LEFT JOIN holder AS h ON h.ticket_id = s.ticket_id AND h.occurred_at = s.occurred_at AND h.step = s.step
LEFT JOIN core.tickets AS t ON t.ticket_id = s.ticket_id
CROSS JOIN tz
