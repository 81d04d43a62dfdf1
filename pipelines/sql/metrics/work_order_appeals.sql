-- Appeals (申诉, issue 14; seed 004 "申诉处理"): an appeal against a ticket's result is a ticket of its own, graded
-- major-urgent (重大紧急) / ordinary (一般) / complex (复杂). The appealed ticket carries the step `appealed` naming
-- the appeal ticket (appeal_ticket_id) and its grade; the appeal ticket has its own events, and its review (复核,
-- 004: 申诉核实) decides it: verdict valid = upheld (the appeal was right), invalid = not upheld.
-- Stored at publish: metrics.work_order_appeals_base holds metrics.work_order_appeals_schedule's rows
-- (pipelines/work_orders.py).
-- Grain: one row per appealed step (core.ticket_events, step = 'appealed').
-- Definitions (docs/metrics.md "Work-order lifecycle"): outcome = upheld / not_upheld from the appeal ticket's last
-- review, pending while it has none. Appeal rate = appealed tickets / replied tickets (metrics.work_order_state);
-- share upheld = upheld / (upheld + not_upheld).
CREATE TABLE IF NOT EXISTS metrics.work_order_appeals_base AS FROM metrics.work_order_appeals_schedule WITH NO DATA;
CREATE OR REPLACE VIEW metrics.work_order_appeals AS
SELECT ticket_id, appealed_at, appealed_date, appeal_ticket_id, appeal_grade, outcome, decided_at, is_upheld,
       is_decided, site, ticket_type, category, channel, priority, department
FROM metrics.work_order_appeals_base
