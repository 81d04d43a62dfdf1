-- Reminders and escalations (催办 / 督办, issue 14; 004: overdue work escalates to a reminder, then the department
-- head, then a vice-president), by level and by the department that held the ticket then.
-- Stored at publish: metrics.work_order_escalations_base holds metrics.work_order_escalations_schedule's rows
-- (pipelines/work_orders.py, for the tickets each load touched); nothing here depends on now.
-- Grain: one row per reminded or escalated step (core.ticket_events).
-- Definitions (docs/metrics.md "Work-order lifecycle"): level = reminder for a reminded step, the step's
-- escalation_level for an escalated one (reminder when it names none); level_rank 1-3; department = the step's
-- to_department, else the department holding the ticket at that moment (metrics.work_order_holds), else '(none)'.
CREATE TABLE IF NOT EXISTS metrics.work_order_escalations_base AS FROM metrics.work_order_escalations_schedule
WITH NO DATA;
CREATE OR REPLACE VIEW metrics.work_order_escalations AS
SELECT ticket_id, occurred_at, occurred_date, step, level, level_rank, department, actor, reason,
       site, ticket_type, category, channel, priority
FROM metrics.work_order_escalations_base
