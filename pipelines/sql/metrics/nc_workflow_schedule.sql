-- The nonconformity workflow's part that does not depend on now (metrics.nc_workflow's definitions, in
-- nc_workflow.sql): each nonconformity's steps, grade, disposition, next step and its due time. Stored at publish in
-- metrics.nc_workflow_base (pipelines/nc_workflow.py, rebuilt when nonconformities, their steps, the inspections or
-- the [nc_workflow] settings change); metrics.nc_workflow reads that table and adds what depends on now.
CREATE OR REPLACE VIEW metrics.nc_workflow_schedule AS
WITH

cfg AS (
    SELECT
        max(value) FILTER (WHERE key = 'timezone') AS tz,
        max(TRY_CAST(value AS DOUBLE)) FILTER (WHERE key = 'nc_notify_hours') AS notify_hours,
        max(TRY_CAST(value AS DOUBLE)) FILTER (WHERE key = 'nc_review_hours') AS review_hours,
        max(TRY_CAST(value AS DOUBLE)) FILTER (WHERE key = 'nc_decide_hours') AS decide_hours,
        max(TRY_CAST(value AS DOUBLE)) FILTER (WHERE key = 'nc_approve_hours') AS approve_hours,
        max(TRY_CAST(value AS DOUBLE)) FILTER (WHERE key = 'nc_close_days_a') AS close_days_a,
        max(TRY_CAST(value AS DOUBLE)) FILTER (WHERE key = 'nc_close_days_b') AS close_days_b
    FROM meta.settings
),

events AS (
    SELECT
        *,
        list_position(['found', 'notified', 'reviewed', 'decided', 'approved', 'executed', 'reinspected',
                       'closed'], step) AS step_order
    FROM core.nonconformity_events
),

per_nc AS (
    SELECT
        nc_id,
        min(occurred_at) FILTER (WHERE step = 'found') AS found_step_at,
        min(occurred_at) FILTER (WHERE step = 'notified') AS notified_at,
        min(occurred_at) FILTER (WHERE step = 'reviewed') AS reviewed_at,
        min(occurred_at) FILTER (WHERE step = 'decided') AS decided_at,
        min(occurred_at) FILTER (WHERE step = 'approved') AS approved_at,
        max(occurred_at) FILTER (WHERE step = 'executed') AS executed_at,
        max(occurred_at) FILTER (WHERE step = 'reinspected') AS reinspected_at,
        min(occurred_at) FILTER (WHERE step = 'closed') AS closed_at,
        count(*) FILTER (WHERE step = 'reinspected') AS reinspections,
        arg_max(reinspection_result, occurred_at) FILTER (WHERE step = 'reinspected') AS last_reinspection_result,
        arg_max(grade, occurred_at) FILTER (WHERE grade IS NOT NULL) AS grade,
        arg_max(disposition, occurred_at) FILTER (WHERE disposition IS NOT NULL) AS step_disposition,
        arg_max(owner, occurred_at) FILTER (WHERE step = 'notified') AS responsible_person,
        arg_max(coalesce(owner, actor), epoch_us(occurred_at) * 10 + step_order) AS owner,
        arg_max(step, epoch_us(occurred_at) * 10 + step_order) AS current_step,
        arg_max(reinspection_result, epoch_us(occurred_at) * 10 + step_order) AS current_result,
        max(occurred_at) AS last_step_at,
        count(*) AS steps_recorded
    FROM events
    GROUP BY nc_id
),

joined AS (
    SELECT
        coalesce(n.nc_id, p.nc_id) AS nc_id,
        coalesce(n.product, i.product) AS product,
        n.lot_id,
        i.line,
        i.plant,
        n.responsible_department,
        n.qty,
        least(n.found_at, p.found_step_at) AS found_at,
        coalesce(p.step_disposition, n.disposition) AS disposition,
        p.* EXCLUDE (nc_id, step_disposition)
    FROM core.nonconformities AS n
    FULL JOIN per_nc AS p ON p.nc_id = n.nc_id
    LEFT JOIN core.inspections AS i ON i.lot_id = n.lot_id
),

next_steps AS (
    SELECT
        j.*,
        CASE j.current_step
            WHEN 'found' THEN 'notified'
            WHEN 'notified' THEN 'reviewed'
            WHEN 'reviewed' THEN 'decided'
            WHEN 'decided' THEN 'approved'
            WHEN 'approved' THEN 'executed'
            WHEN 'executed' THEN CASE WHEN j.disposition IN ('rework', 'repair') THEN 'reinspected' ELSE 'closed' END
            WHEN 'reinspected' THEN CASE WHEN j.current_result = 'fail' THEN 'decided' ELSE 'closed' END
        END AS next_step,
        to_microseconds(CAST(3600000000 * CASE WHEN j.grade = 'A' THEN c.close_days_a ELSE c.close_days_b END * 24
                             AS BIGINT)) AS close_limit,
        to_microseconds(CAST(3600000000 * c.notify_hours AS BIGINT)) AS notify_limit,
        to_microseconds(CAST(3600000000 * c.decide_hours AS BIGINT)) AS decide_limit,
        c.*
    FROM joined AS j
    CROSS JOIN cfg AS c
),

due AS (
    SELECT
        s.*,
        s.found_at + CASE
            WHEN s.next_step IN ('notified', 'reviewed', 'decided', 'approved') AND s.reinspections = 0
                THEN to_microseconds(CAST(3600000000 * CASE s.next_step
                    WHEN 'notified' THEN s.notify_hours
                    WHEN 'reviewed' THEN s.review_hours
                    WHEN 'decided' THEN s.decide_hours
                    ELSE s.approve_hours END AS BIGINT))
            ELSE s.close_limit
        END AS next_due_at
    FROM next_steps AS s
)

SELECT
    nc_id,
    product,
    lot_id,
    line,
    plant,
    responsible_department,
    qty,
    found_at,
    CAST(timezone(tz, found_at) AS DATE) AS found_date,
    CAST(date_trunc('month', timezone(tz, found_at)) AS DATE) AS month,
    grade,
    disposition,
    steps_recorded,
    current_step,
    next_step,
    next_due_at,
    owner,
    responsible_person,
    notified_at,
    reviewed_at,
    decided_at,
    approved_at,
    executed_at,
    reinspected_at,
    closed_at,
    reinspections,
    last_reinspection_result,
    notify_hours,
    decide_hours,
    24 * CASE WHEN grade = 'A' THEN close_days_a ELSE close_days_b END AS close_limit_hours
FROM due
