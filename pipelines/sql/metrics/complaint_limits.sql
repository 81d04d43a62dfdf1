-- Complaint resolution limits by coordination level and the promised answer (seed 004 l.1293 and l.1247,
-- DOMAIN.md section 4; docs/metrics.md "Hotline").
-- Stored at publish: metrics.complaint_limits_base holds metrics.complaint_limits_schedule (the
-- time-independent part, pipelines/work_orders.py); this view adds what depends on now (metrics.clock).
-- Grain: one row per complaint (core.tickets, ticket_type 'complaint', not cancelled).
-- Definitions:
--   limit: within_department [hotline] within_department_minutes (2 h), cross_department cross_department_minutes
--     (48 h), both wall-clock from receipt (the hotline runs 24 hours); cross_province cross_province_working_days
--     (4) and other_company other_company_working_days (7): due at the close of business of the Nth working day
--     after the local day received, on core.calendar_days (the rule of SLA targets in working days, docs/decisions.md
--     "Targets in working days"). A complaint without a coordination level has no limit: has_limit false, not
--     counted in the attainment (the page counts them).
--   done_at = when it was solved and replied: for a ticket with work-order events, the solving reply
--     (metrics.work_order_clock.solved_replied_at: events are the truth where they exist; null while unsolved);
--     otherwise the export's resolved_at. has_events says which.
--   The clock runs from receipt (created_at) and a transfer or a return neither pauses nor restarts it
--     (docs/metrics.md "Work-order lifecycle: the clock"); the time they lost is reported beside, not deducted:
--     lost_in_returns_minutes, lost_in_transfers_minutes (0 without events).
--   is_met: TRUE done by due_at; FALSE done after it, or not done and now (metrics.clock) past it; NULL pending
--     (not done, not yet due) or no limit. Attainment = count(is_met) FILTER TRUE / count(is_met).
--   promised answer: complexity simple -> simple_answer_minutes (2 h), complex -> complex_answer_minutes (24 h),
--     wall clock from receipt to first_response_at; is_answer_met like is_met; no complexity: not measured.
CREATE TABLE IF NOT EXISTS metrics.complaint_limits_base AS FROM metrics.complaint_limits_schedule WITH NO DATA;
CREATE OR REPLACE VIEW metrics.complaint_limits AS
SELECT
    b.ticket_id, b.created_at, b.created_date,
    b.site, b.department, b.agent, b.channel, b.ticket_type, b.category, b.priority, b.product, b.customer_id,
    b.coordination_level, b.complexity, b.limit_minutes, b.limit_working_days, b.has_limit, b.due_at, b.done_at,
    b.elapsed_minutes, b.has_events,
    -- metrics.work_order_holds.lost_minutes: a hold not taken up again loses time until now
    b.lost_in_returns_settled_minutes
        + (b.returns_running * epoch(k.now_at) - b.returns_running_since_epoch) / 60.0 AS lost_in_returns_minutes,
    b.lost_in_transfers_settled_minutes
        + (b.transfers_running * epoch(k.now_at) - b.transfers_running_since_epoch) / 60.0
        AS lost_in_transfers_minutes,
    CASE WHEN b.due_at IS NULL THEN NULL
         WHEN b.done_at IS NOT NULL THEN b.done_at <= b.due_at
         WHEN k.now_at > b.due_at THEN FALSE
    END AS is_met,
    b.answer_due_at,
    b.answered_at,
    CASE WHEN b.answer_due_at IS NULL THEN NULL
         WHEN b.answered_at IS NOT NULL THEN b.answered_at <= b.answer_due_at
         WHEN k.now_at > b.answer_due_at THEN FALSE
    END AS is_answer_met
FROM metrics.complaint_limits_base AS b
CROSS JOIN metrics.clock AS k
