-- The nonconformity workflow (issue 15): where each nonconformity stands, who holds it, and its times against the
-- limits. Steps come from core.nonconformity_events; a nonconformity with none (a source with only found_at)
-- reads status 'no_steps' and every time and flag null: "no steps recorded", never a failure.
--   found_at = the earliest of its 'found' step and core.nonconformities.found_at.
--   grade = the latest step's grade (A serious / B general); ungraded counts as B for the limits.
--   disposition = the latest decided/approved disposition, else core.nonconformities.disposition.
--   current_step = the latest step (by time; at one moment the later step of the route). Its next step:
--     found -> notified -> reviewed -> decided -> approved -> executed -> reinspected (after rework or repair)
--     -> closed; other dispositions go executed -> closed; a failed re-inspection goes back to decided.
--   Limits from the finding ([nc_workflow], meta.settings nc_*): notified 12 h (000 §5.4), reviewed 24 h,
--   decided 48 h, approved 72 h (our choice), executed, reinspected and closed within 15 days for grade A and
--   7 days otherwise (000 §9.2.13); after a failed re-inspection every step is due by the closing limit.
--   next_due_at = found_at + the next step's limit; status 'closed', 'overdue' (now past next_due_at),
--   'pending' (not yet due, or no found time known) or 'no_steps'. owner = the latest step's owner, else its actor.
--   hours_to_notify / _decide / _close: from found_at to the first notified / decided / closed step;
--   notify_met / decide_met / close_met: done within the limit; false also when not done and the limit has
--   passed; null while not done and not yet due (pending) and for 'no_steps'.
--   route_ok: false when a grade-A nonconformity was given a disposition other than scrap (002 第五部 4.1.2).
-- Grain: one row per nonconformity (core.nonconformities and core.nonconformity_events, by nc_id).
-- Source: seed 000 §5.4, §9.2.13; seed 002 第五部 4.1 (grades, review group, approval); DOMAIN.md §3.
CREATE OR REPLACE VIEW metrics.nc_workflow AS
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
        c.*,
        (SELECT now_at FROM metrics.clock) AS now_at
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
    coalesce(steps_recorded, 0) AS steps_recorded,
    current_step,
    CASE WHEN steps_recorded IS NULL OR current_step = 'closed' THEN NULL ELSE next_step END AS next_step,
    CASE WHEN steps_recorded IS NULL OR current_step = 'closed' THEN NULL ELSE next_due_at END AS next_due_at,
    CASE
        WHEN steps_recorded IS NULL THEN 'no_steps'
        WHEN closed_at IS NOT NULL THEN 'closed'
        WHEN now_at > next_due_at THEN 'overdue'
        ELSE 'pending'
    END AS status,
    CASE WHEN steps_recorded IS NULL OR closed_at IS NOT NULL THEN NULL
         ELSE coalesce(now_at > next_due_at, FALSE) END AS is_overdue,
    owner,
    responsible_person,
    notified_at,
    reviewed_at,
    decided_at,
    approved_at,
    executed_at,
    reinspected_at,
    closed_at,
    coalesce(reinspections, 0) AS reinspections,
    last_reinspection_result,
    (epoch(notified_at) - epoch(found_at)) / 3600.0 AS hours_to_notify,
    (epoch(decided_at) - epoch(found_at)) / 3600.0 AS hours_to_decide,
    (epoch(closed_at) - epoch(found_at)) / 3600.0 AS hours_to_close,
    notify_hours AS notify_limit_hours,
    decide_hours AS decide_limit_hours,
    24 * CASE WHEN grade = 'A' THEN close_days_a ELSE close_days_b END AS close_limit_hours,
    CASE WHEN steps_recorded IS NULL THEN NULL
         WHEN notified_at IS NOT NULL THEN notified_at <= found_at + notify_limit
         WHEN now_at > found_at + notify_limit THEN FALSE END AS notify_met,
    CASE WHEN steps_recorded IS NULL THEN NULL
         WHEN decided_at IS NOT NULL THEN decided_at <= found_at + decide_limit
         WHEN now_at > found_at + decide_limit THEN FALSE END AS decide_met,
    CASE WHEN steps_recorded IS NULL THEN NULL
         WHEN closed_at IS NOT NULL THEN closed_at <= found_at + close_limit
         WHEN now_at > found_at + close_limit THEN FALSE END AS close_met,
    NOT coalesce(grade = 'A' AND disposition <> 'scrap', FALSE) AS route_ok
FROM due
