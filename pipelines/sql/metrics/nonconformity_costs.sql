-- Cost of poor quality per nonconformity (不合格品): its loss by kind, the warranty window and whether it is
-- a field failure.
--   Loss rules (seed 002; [loss_rules] in the configuration, meta.settings nc_rule|* and nc_price|*): where the
--   source leaves the amount of its disposition's kind empty, the rule fills it:
--     material_cost    (scrap):            material_cost = qty x unit_cost
--     price_difference (concession, downgrade): discount_cost = qty x (unit_price - concession_price)
--     revenue_share    (use as is):        discount_cost = qty x unit_price x use_as_is_share (2 %)
--     none             (rework, repair):   only the source's amounts (labour is not priced by any rule)
--   The source's amount wins where present. loss_rule says which made the figure: 'source' (the source's
--   amounts), the rule's name, 'no_price' (the rule needs a price the configuration lacks for the product:
--   the kind stays empty and counts 0; the load's gate warns with the rows), 'no_quantity', or 'none'.
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

rules AS (
    SELECT split_part(key, '|', 2) AS disposition, value AS rule
    FROM meta.settings
    WHERE starts_with(key, 'nc_rule|')
),

prices AS (
    SELECT
        split_part(key, '|', 2) AS product,
        max(TRY_CAST(value AS DOUBLE)) FILTER (WHERE split_part(key, '|', 3) = 'unit_price') AS unit_price,
        max(TRY_CAST(value AS DOUBLE)) FILTER (WHERE split_part(key, '|', 3) = 'unit_cost') AS unit_cost,
        max(TRY_CAST(value AS DOUBLE)) FILTER (WHERE split_part(key, '|', 3) = 'concession_price') AS concession_price
    FROM meta.settings
    WHERE starts_with(key, 'nc_price|')
    GROUP BY ALL
),

raw AS (
    SELECT
        n.*,
        coalesce(r.rule, 'none') AS rule,
        CASE coalesce(r.rule, 'none')
            WHEN 'material_cost' THEN n.qty * p.unit_cost
            WHEN 'price_difference' THEN n.qty * (p.unit_price - p.concession_price)
            WHEN 'revenue_share' THEN n.qty * p.unit_price
                * (SELECT CAST(value AS DOUBLE) FROM meta.settings WHERE key = 'nc_use_as_is_share')
        END AS rule_amount,
        CASE coalesce(r.rule, 'none')
            WHEN 'material_cost' THEN n.material_cost
            WHEN 'none' THEN NULL
            ELSE n.discount_cost
        END AS source_amount
    FROM core.nonconformities AS n
    LEFT JOIN rules AS r ON r.disposition = n.disposition
    LEFT JOIN prices AS p ON p.product = n.product
),

ruled AS (
    SELECT
        raw.*,
        CASE
            WHEN rule = 'none' AND coalesce(material_cost, labour_cost, discount_cost, external_cost) IS NOT NULL
                THEN 'source'
            WHEN rule = 'none' THEN 'none'
            WHEN source_amount IS NOT NULL THEN 'source'
            WHEN qty IS NULL THEN 'no_quantity'
            WHEN rule_amount IS NULL THEN 'no_price'
            ELSE rule
        END AS loss_rule
    FROM raw
),

filled AS (
    SELECT
        * REPLACE (
            CASE WHEN loss_rule = 'material_cost' THEN CAST(round(rule_amount, 2) AS DECIMAL(18, 2))
                 ELSE material_cost END AS material_cost,
            CASE WHEN loss_rule IN ('price_difference', 'revenue_share')
                     THEN CAST(round(rule_amount, 2) AS DECIMAL(18, 2))
                 ELSE discount_cost END AS discount_cost
        )
    FROM ruled
),

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
        loss_rule,
        responsible_department
    FROM filled
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
        tr.loss_rule,
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
    is_field_failure,
    loss_rule
FROM warranty
