-- Cost of poor quality charged to departments: each nonconformity's total_cost split among the departments
-- that bear it.
--   rejected in the plant (a nonconformity of an inspection lot, not a field failure: incoming, in-process or
--     final inspection found it before shipment): the responsible_department bears 100 % ('in_plant');
-- The rules below apply to products that passed outgoing inspection and failed in the field (is_field_failure),
-- and to records with neither a lot nor a ticket (where they were found is unknown):
--   in warranty: every department with a loss_share > 0 in core.departments (from [loss_shares] in the
--     configuration, summing to 100 %) bears total_cost x share;
--   outside warranty: the 'market' department bears 100 % (booked as marketing expense);
--   warranty unknown (in_warranty null), or in warranty with no loss shares configured: the
--     responsible_department bears 100 %.
-- Costs are rounded to cents and the rounding remainder goes to the department with the largest share (then
-- the first by name), so sum(cost) per nc_id equals total_cost exactly.
-- Grain: one row per nonconformity x department that bears a share of it.
-- Source: DOMAIN.md §3 and seed 002 §一/§二 (losses on products rejected in the plant go to the responsible
-- department; warranty: the market department and the five assessed departments share the loss
-- by fixed proportions; outside it the market department bears it; losses are charged to the responsible
-- department).
CREATE OR REPLACE VIEW metrics.cost_by_department AS
WITH

costs AS (
    SELECT nc_id, month, product, disposition, in_warranty, responsible_department, total_cost,
           lot_id IS NOT NULL AND NOT is_field_failure AS is_in_plant
    FROM metrics.nonconformity_costs
),

in_plant AS (
    SELECT c.*, c.responsible_department AS department, 1.0 AS share, 'in_plant' AS allocation_basis
    FROM costs AS c
    WHERE c.is_in_plant
),

shares AS (
    SELECT department, loss_share
    FROM core.departments
    WHERE loss_share > 0
),

in_warranty_shared AS (
    SELECT c.*, s.department, s.loss_share AS share, 'warranty_share' AS allocation_basis
    FROM costs AS c
    CROSS JOIN shares AS s
    WHERE c.in_warranty AND NOT c.is_in_plant
),

outside_warranty AS (
    SELECT c.*, 'market' AS department, 1.0 AS share, 'outside_warranty' AS allocation_basis
    FROM costs AS c
    WHERE NOT c.in_warranty AND NOT c.is_in_plant
),

charged_to_responsible AS (
    SELECT
        c.*,
        c.responsible_department AS department,
        1.0 AS share,
        'responsible_department' AS allocation_basis
    FROM costs AS c
    WHERE NOT c.is_in_plant
      AND (c.in_warranty IS NULL OR (c.in_warranty AND NOT EXISTS (SELECT 1 FROM shares)))
),

allocated AS (
    SELECT * FROM in_plant
    UNION ALL
    SELECT * FROM in_warranty_shared
    UNION ALL
    SELECT * FROM outside_warranty
    UNION ALL
    SELECT * FROM charged_to_responsible
),

rounded AS (
    SELECT
        allocated.*,
        CAST(round(total_cost * share, 2) AS DECIMAL(18, 2)) AS rounded_cost,
        row_number() OVER (PARTITION BY nc_id ORDER BY share DESC, department) AS share_rank
    FROM allocated
)

SELECT
    nc_id,
    month,
    product,
    disposition,
    in_warranty,
    department,
    CAST(share AS DOUBLE) AS share,
    CAST(
        CASE
            WHEN share_rank = 1
                THEN total_cost - (sum(rounded_cost) OVER (PARTITION BY nc_id) - rounded_cost)
            ELSE rounded_cost
        END AS DECIMAL(18, 2)
    ) AS cost,
    allocation_basis
FROM rounded
