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
-- Stored at publish: metrics.nc_workflow_base holds metrics.nc_workflow_schedule (all but what depends on now;
-- pipelines/nc_workflow.py); this view adds the status, is_overdue and the limits met from metrics.clock.
CREATE TABLE IF NOT EXISTS metrics.nc_workflow_base AS FROM metrics.nc_workflow_schedule WITH NO DATA;
CREATE OR REPLACE VIEW metrics.nc_workflow AS
WITH b AS (
    SELECT b.*, c.now_at,
           to_microseconds(CAST(3600000000 * b.notify_hours AS BIGINT)) AS notify_limit,
           to_microseconds(CAST(3600000000 * b.decide_hours AS BIGINT)) AS decide_limit,
           to_microseconds(CAST(3600000000 * b.close_limit_hours AS BIGINT)) AS close_limit
    FROM metrics.nc_workflow_base AS b
    CROSS JOIN metrics.clock AS c
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
    found_date,
    month,
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
    close_limit_hours,
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
FROM b
