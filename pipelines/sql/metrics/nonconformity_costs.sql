-- Cost of poor quality per nonconformity (不合格品): its loss by kind, the warranty window and whether it is
-- a field failure.
--   total_cost = material_cost + labour_cost + discount_cost + external_cost, a missing kind counting as 0;
--   warranty_end_date = production_date + warranty_days (core.products, which the loader fills with every
--   product seen and its configured days, the default included);
--   in_warranty = found_date <= warranty_end_date, null when the production date or product is unknown;
--   is_field_failure = reported by a ticket (ticket_id not null) or found in a lot inspected at stage
--   'field'.
-- The lot is the record's lot_id, else (field failures) the ticket's batch_id; product and production_date
-- fall back to that lot's (then the ticket's product) when the record leaves them empty.
-- Grain: one row per nonconformity (core.nonconformities.nc_id).
-- Source: DOMAIN.md §3 (loss by disposition; warranty 80 days from production, white glue 100; field problems
-- add fines, PR, logistics, testing and replacement) and "Metrics" (cost of poor quality; field failures).
CREATE OR REPLACE VIEW metrics.nonconformity_costs AS
WITH

records AS (
    SELECT
        nc_id,
        lot_id,
        ticket_id,
        product,
        production_date,
        found_at,
        CAST(timezone((SELECT value FROM meta.settings WHERE key = 'timezone'), found_at) AS DATE)
            AS found_date,
        defect_type,
        qty,
        disposition,
        material_cost,
        labour_cost,
        discount_cost,
        external_cost,
        CAST(coalesce(material_cost, 0) + coalesce(labour_cost, 0)
            + coalesce(discount_cost, 0) + coalesce(external_cost, 0) AS DECIMAL(18, 2)) AS total_cost,
        responsible_department
    FROM core.nonconformities
),

traced AS (
    SELECT
        r.*,
        coalesce(r.lot_id, t.batch_id) AS traced_lot_id,
        t.product AS ticket_product
    FROM records AS r
    LEFT JOIN core.tickets AS t ON t.ticket_id = r.ticket_id
),

with_lot AS (
    SELECT
        tr.nc_id,
        tr.traced_lot_id AS lot_id,
        tr.ticket_id,
        coalesce(tr.product, i.product, tr.ticket_product) AS product,
        coalesce(tr.production_date, i.production_date) AS production_date,
        tr.found_at,
        tr.found_date,
        CAST(date_trunc('month', tr.found_date) AS DATE) AS month,
        tr.defect_type,
        tr.qty,
        tr.disposition,
        tr.material_cost,
        tr.labour_cost,
        tr.discount_cost,
        tr.external_cost,
        tr.total_cost,
        tr.responsible_department,
        -- without a ticket the traced lot is the record's own lot
        tr.ticket_id IS NOT NULL OR coalesce(i.stage = 'field', FALSE) AS is_field_failure
    FROM traced AS tr
    LEFT JOIN core.inspections AS i ON i.lot_id = tr.traced_lot_id
),

warranty AS (
    SELECT
        w.*,
        p.warranty_days,
        w.production_date + p.warranty_days AS warranty_end_date
    FROM with_lot AS w
    LEFT JOIN core.products AS p ON p.product = w.product
)

SELECT
    nc_id,
    lot_id,
    ticket_id,
    product,
    production_date,
    found_at,
    found_date,
    month,
    defect_type,
    qty,
    disposition,
    material_cost,
    labour_cost,
    discount_cost,
    external_cost,
    total_cost,
    responsible_department,
    warranty_days,
    warranty_end_date,
    found_date <= warranty_end_date AS in_warranty,
    is_field_failure
FROM warranty
