-- Open nonconformities by the step they wait for and its owner: how many, and how many are overdue (their next
-- step's limit from the finding has passed, metrics.nc_workflow); the rest are pending (not yet due).
-- Nonconformities without steps ('no_steps') and closed ones are not open work here.
-- Grain: one row per next_step x owner x product x grade (owner and grade may be null).
-- Source: metrics.nc_workflow (seed 000 §5.4, §9.2.13 limits).
CREATE OR REPLACE VIEW metrics.nc_backlog AS
SELECT
    next_step AS step,
    owner,
    product,
    grade,
    count(*) AS open,
    count(*) FILTER (WHERE is_overdue) AS overdue,
    count(*) FILTER (WHERE NOT is_overdue) AS pending,
    min(next_due_at) AS oldest_due_at
FROM metrics.nc_workflow
WHERE status IN ('pending', 'overdue')
GROUP BY ALL
