-- Complaint resolution limits by coordination level and the promised answer (seed 004 l.1293 and l.1247,
-- DOMAIN.md section 4; docs/metrics.md "Hotline").
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
CREATE OR REPLACE VIEW metrics.complaint_limits AS
WITH

settings AS (
    SELECT
        coalesce(max(value) FILTER (WHERE key = 'timezone'), 'UTC') AS tz,
        CAST(max(value) FILTER (WHERE key = 'hotline_within_department_minutes') AS BIGINT) AS within_minutes,
        CAST(max(value) FILTER (WHERE key = 'hotline_cross_department_minutes') AS BIGINT) AS cross_minutes,
        CAST(max(value) FILTER (WHERE key = 'hotline_cross_province_working_days') AS BIGINT) AS province_days,
        CAST(max(value) FILTER (WHERE key = 'hotline_other_company_working_days') AS BIGINT) AS company_days,
        CAST(max(value) FILTER (WHERE key = 'hotline_simple_answer_minutes') AS BIGINT) AS simple_minutes,
        CAST(max(value) FILTER (WHERE key = 'hotline_complex_answer_minutes') AS BIGINT) AS complex_minutes
    FROM meta.settings
),

complaints AS (
    SELECT t.* REPLACE (CASE WHEN w.ticket_id IS NOT NULL THEN w.solved_replied_at ELSE t.resolved_at END
                        AS resolved_at),
           w.ticket_id IS NOT NULL AS has_events,
           coalesce(w.lost_in_returns_minutes, 0) AS lost_in_returns_minutes,
           coalesce(w.lost_in_transfers_minutes, 0) AS lost_in_transfers_minutes,
           timezone(s.tz, t.created_at) AS created_local, s.*,
           CASE t.coordination_level WHEN 'within_department' THEN s.within_minutes
                                     WHEN 'cross_department' THEN s.cross_minutes END AS limit_minutes,
           CASE t.coordination_level WHEN 'cross_province' THEN s.province_days
                                     WHEN 'other_company' THEN s.company_days END AS limit_working_days,
           CASE t.complexity WHEN 'simple' THEN s.simple_minutes
                             WHEN 'complex' THEN s.complex_minutes END AS answer_minutes
    FROM core.tickets AS t
    CROSS JOIN settings AS s
    LEFT JOIN metrics.work_order_clock AS w ON w.ticket_id = t.ticket_id
    WHERE t.ticket_type = 'complaint' AND t.status IS DISTINCT FROM 'cancelled'
),

-- working days up to and including the local day received (the calendar's ordinal of that working day)
day_minutes AS (SELECT max(business_minutes) AS m FROM core.calendar_days),

received AS (
    SELECT c.*,
           cs.business_minutes_before / (SELECT m FROM day_minutes) + CASE WHEN cs.is_workday THEN 1 ELSE 0 END
               AS workdays_through_start
    FROM complaints AS c
    LEFT JOIN core.calendar_days AS cs ON cs.date_day = CAST(c.created_local AS DATE)
),

due AS (
    SELECT r.*,
           CASE WHEN r.limit_minutes IS NOT NULL THEN r.created_at + to_minutes(r.limit_minutes)
                WHEN r.limit_working_days IS NOT NULL THEN timezone(r.tz, cd.date_day + to_minutes(
                    CAST(cd.business_opens_minute + cd.business_minutes AS BIGINT)))
           END AS due_at,
           r.created_at + to_minutes(r.answer_minutes) AS answer_due_at
    FROM received AS r
    LEFT JOIN core.calendar_days AS cd
      ON r.limit_working_days IS NOT NULL AND cd.is_workday
     AND cd.business_minutes_before = (r.workdays_through_start + r.limit_working_days - 1) * (SELECT m FROM day_minutes)
)

SELECT
    d.ticket_id, d.created_at,
    CAST(d.created_local AS DATE) AS created_date,
    d.site, d.department, d.agent, d.channel, d.ticket_type, d.category, d.priority, d.product, d.customer_id,
    coalesce(d.coordination_level, '(none)') AS coordination_level,
    d.complexity,
    d.limit_minutes, d.limit_working_days,
    d.coordination_level IS NOT NULL AND d.due_at IS NOT NULL AS has_limit,
    d.due_at,
    d.resolved_at AS done_at,
    (extract(epoch FROM d.resolved_at) - extract(epoch FROM d.created_at)) / 60.0 AS elapsed_minutes,
    d.has_events,
    CAST(d.lost_in_returns_minutes AS DOUBLE) AS lost_in_returns_minutes,
    CAST(d.lost_in_transfers_minutes AS DOUBLE) AS lost_in_transfers_minutes,
    CASE WHEN d.due_at IS NULL THEN NULL
         WHEN d.resolved_at IS NOT NULL THEN d.resolved_at <= d.due_at
         WHEN (SELECT now_at FROM metrics.clock) > d.due_at THEN FALSE
    END AS is_met,
    d.answer_due_at,
    d.first_response_at AS answered_at,
    CASE WHEN d.answer_due_at IS NULL THEN NULL
         WHEN d.first_response_at IS NOT NULL THEN d.first_response_at <= d.answer_due_at
         WHEN (SELECT now_at FROM metrics.clock) > d.answer_due_at THEN FALSE
    END AS is_answer_met
FROM due AS d
