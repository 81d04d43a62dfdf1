-- The time-independent part of metrics.complaint_limits (issue 14 "Speed"): everything but what depends on now.
-- pipelines/work_orders.py stores it in metrics.complaint_limits_base at publish, for the tickets a load touched
-- (its `-- @touched` lines narrow it), and metrics.complaint_limits reads that table and adds, from metrics.clock,
-- the decisions a passing deadline makes (is_met, is_answer_met) and the time still being lost by a return or a
-- transfer nobody has taken up yet. The definitions are metrics.complaint_limits's (below, and that file's header).
-- Lost time is split: lost_in_*_settled_minutes = metrics.work_order_holds.lost_minutes of the holds that were
-- taken up again (resumed_at known); *_running = how many are still waiting, *_running_since_epoch = the sum of
-- their received_at (epoch seconds), so lost now = settled + (running * now - since) / 60 (work_order_holds's rule).
CREATE OR REPLACE VIEW metrics.complaint_limits_schedule AS
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

clocked AS (   -- metrics.work_order_clock's solving reply (metrics.work_order_solved: without its lost time, which
               -- depends on now and is taken apart below)
    SELECT ticket_id, solved_replied_at FROM metrics.work_order_solved
    WHERE true
    -- @touched ticket_id
),

lost AS (   -- the returns and transfers of metrics.work_order_holds: taken up again (settled), or still losing time
    SELECT h.ticket_id,
           sum(h.lost_minutes) FILTER (WHERE h.is_returned AND b.resumed_at IS NOT NULL) AS returns_settled,
           sum(h.lost_minutes) FILTER (WHERE h.is_transferred_on AND b.resumed_at IS NOT NULL) AS transfers_settled,
           count(*) FILTER (WHERE h.is_returned AND b.resumed_at IS NULL) AS returns_running,
           sum(epoch(h.received_at)) FILTER (WHERE h.is_returned AND b.resumed_at IS NULL) AS returns_running_since,
           count(*) FILTER (WHERE h.is_transferred_on AND b.resumed_at IS NULL) AS transfers_running,
           sum(epoch(h.received_at)) FILTER (WHERE h.is_transferred_on AND b.resumed_at IS NULL)
               AS transfers_running_since
    FROM metrics.work_order_holds AS h
    JOIN metrics.work_order_holds_stored AS b USING (ticket_id, hold_seq)   -- its resumed_at (refreshed first)
    WHERE (h.is_returned OR h.is_transferred_on)
    -- @touched h.ticket_id
    -- @touched b.ticket_id
    GROUP BY h.ticket_id
),

complaints AS (
    SELECT t.* REPLACE (CASE WHEN w.ticket_id IS NOT NULL THEN w.solved_replied_at ELSE t.resolved_at END
                        AS resolved_at),
           w.ticket_id IS NOT NULL AS has_events,
           coalesce(l.returns_settled, 0) AS lost_in_returns_settled_minutes,
           coalesce(l.transfers_settled, 0) AS lost_in_transfers_settled_minutes,
           coalesce(l.returns_running, 0) AS returns_running,
           coalesce(l.returns_running_since, 0) AS returns_running_since_epoch,
           coalesce(l.transfers_running, 0) AS transfers_running,
           coalesce(l.transfers_running_since, 0) AS transfers_running_since_epoch,
           timezone(s.tz, t.created_at) AS created_local, s.*,
           CASE t.coordination_level WHEN 'within_department' THEN s.within_minutes
                                     WHEN 'cross_department' THEN s.cross_minutes END AS limit_minutes,
           CASE t.coordination_level WHEN 'cross_province' THEN s.province_days
                                     WHEN 'other_company' THEN s.company_days END AS limit_working_days,
           CASE t.complexity WHEN 'simple' THEN s.simple_minutes
                             WHEN 'complex' THEN s.complex_minutes END AS answer_minutes
    FROM core.tickets AS t
    CROSS JOIN settings AS s
    LEFT JOIN clocked AS w ON w.ticket_id = t.ticket_id
    LEFT JOIN lost AS l ON l.ticket_id = t.ticket_id
    WHERE t.ticket_type = 'complaint' AND t.status IS DISTINCT FROM 'cancelled'
    -- @touched t.rowid
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
    CAST(d.lost_in_returns_settled_minutes AS DOUBLE) AS lost_in_returns_settled_minutes,
    CAST(d.lost_in_transfers_settled_minutes AS DOUBLE) AS lost_in_transfers_settled_minutes,
    d.returns_running, CAST(d.returns_running_since_epoch AS DOUBLE) AS returns_running_since_epoch,
    d.transfers_running, CAST(d.transfers_running_since_epoch AS DOUBLE) AS transfers_running_since_epoch,
    d.answer_due_at,
    d.first_response_at AS answered_at,
    d.is_repeat_complaint,                              -- the source's flags metrics.repeat_complaints reads (so it
    coalesce(d.reopen_count, 0) > 0 AS is_reopened      -- joins the complaints, not every ticket)
FROM due AS d
