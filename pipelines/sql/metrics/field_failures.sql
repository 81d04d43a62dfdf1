-- Field failures traced back to their production lot: how long after production they failed, whether inside
-- the warranty window, their cost and how the lot looked at inspection.
--   days_since_production = found_date - production_date (days; null when the production date is unknown).
-- Grain: one row per nonconformity with is_field_failure (reported by a ticket or found at stage 'field').
-- Source: DOMAIN.md §3 (warranty window, field problems' costs) and "Metrics" (field failures and warranty
-- claims inside the warranty window). Record and lot definitions come from metrics.nonconformity_costs and
-- metrics.defect_lots (the lot is the record's lot_id, else the ticket's batch_id).
CREATE OR REPLACE VIEW metrics.field_failures AS
WITH

failures AS (
    SELECT *
    FROM metrics.nonconformity_costs
    WHERE is_field_failure
),

lots AS (
    SELECT lot_id, material_batch_id, defect_rate
    FROM metrics.defect_lots
)

SELECT
    f.nc_id,
    f.ticket_id,
    f.product,
    f.lot_id,
    l.material_batch_id,
    f.production_date,
    f.found_date,
    f.found_date - f.production_date AS days_since_production,
    f.in_warranty,
    f.total_cost,
    l.defect_rate AS lot_defect_rate
FROM failures AS f
LEFT JOIN lots AS l ON l.lot_id = f.lot_id
