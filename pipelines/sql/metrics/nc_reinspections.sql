-- Re-inspections after rework or repair (复检): each one's result, and which attempt it was.
--   attempt = its order among the nonconformity's re-inspections (by time); a failed one is disposed of again
--   (002: 经检验确认仍不合格的按不合格品处置程序重新处置).
--   Re-inspection pass rate = sum(is_pass) / count(*); first-time pass rate = the same over attempt = 1.
-- Grain: one row per reinspected step of core.nonconformity_events.
-- Source: seed 002 (rework and repair are inspected again before release); metrics.nc_workflow for the record.
CREATE OR REPLACE VIEW metrics.nc_reinspections AS
SELECT
    e.nc_id,
    e.occurred_at AS reinspected_at,
    CAST(timezone((SELECT value FROM meta.settings WHERE key = 'timezone'), e.occurred_at) AS DATE)
        AS reinspected_date,
    row_number() OVER (PARTITION BY e.nc_id ORDER BY e.occurred_at) AS attempt,
    e.reinspection_result,
    e.reinspection_result = 'pass' AS is_pass,
    e.actor AS inspector,
    w.disposition,
    w.product,
    w.line,
    w.grade
FROM core.nonconformity_events AS e
LEFT JOIN metrics.nc_workflow AS w ON w.nc_id = e.nc_id
WHERE e.step = 'reinspected' AND e.reinspection_result IS NOT NULL
