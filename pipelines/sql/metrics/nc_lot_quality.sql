-- Each inspected lot's first-pass yield, its pass rate after rework, its pass-rate band (seed 000 §9.1) and its
-- sampling rate against the 5-10 % rule (000 §5.3).
--   conforming_qty = inspected_qty - nonconforming_qty;
--   first_pass_yield = conforming_qty / inspected_qty (units right the first time: 000 §9.1.11 counts reworked
--     units against the plant, so the bands read this);
--   reworked_passed_qty = the qty of the lot's nonconformities whose last re-inspection passed, at most
--     nonconforming_qty; pass_rate_after_rework = (conforming_qty + reworked_passed_qty) / inspected_qty;
--   pass_rate_band: 'bonus' at or above nc_pass_rate_bonus (100 %, §9.1.8), 'neutral' at or above
--     nc_pass_rate_neutral (99 %, §9.1.9), 'penalty' below nc_pass_rate_penalty (98 %, §9.1.10), else 'between';
--   sampling_rate = inspected_qty / lot_qty, null without lot_qty; sampling_band 'below' / 'within' / 'above'
--     [nc_workflow] sampling_min .. sampling_max (5-10 %).
-- Sums of the quantities over any group give the group's rates; the band of a group is read with the same
-- thresholds (metrics.nc_pass_rate_bands).
-- Grain: one row per inspection lot (core.inspections.lot_id) with inspected_qty > 0.
-- Source: seed 000 §5.3 (抽检率 5-10 %), §8 (合格率), §9.1 (bonus and penalty bands); DOMAIN.md §3.
CREATE OR REPLACE VIEW metrics.nc_lot_quality AS
WITH

cfg AS (
    SELECT
        max(value) FILTER (WHERE key = 'timezone') AS tz,
        max(TRY_CAST(value AS DOUBLE)) FILTER (WHERE key = 'nc_pass_rate_bonus') AS bonus,
        max(TRY_CAST(value AS DOUBLE)) FILTER (WHERE key = 'nc_pass_rate_neutral') AS neutral,
        max(TRY_CAST(value AS DOUBLE)) FILTER (WHERE key = 'nc_pass_rate_penalty') AS penalty,
        max(TRY_CAST(value AS DOUBLE)) FILTER (WHERE key = 'nc_sampling_min') AS sampling_min,
        max(TRY_CAST(value AS DOUBLE)) FILTER (WHERE key = 'nc_sampling_max') AS sampling_max
    FROM meta.settings
),

reworked AS (
    SELECT lot_id, CAST(sum(qty) AS BIGINT) AS qty
    FROM metrics.nc_workflow
    WHERE last_reinspection_result = 'pass' AND lot_id IS NOT NULL AND qty IS NOT NULL
    GROUP BY lot_id
),

lots AS (
    SELECT
        i.lot_id,
        i.product,
        i.line,
        i.plant,
        i.stage,
        CAST(timezone(c.tz, i.inspected_at) AS DATE) AS inspected_date,
        CAST(date_trunc('month', timezone(c.tz, i.inspected_at)) AS DATE) AS month,
        i.lot_qty,
        i.inspected_qty,
        i.nonconforming_qty,
        i.inspected_qty - i.nonconforming_qty AS conforming_qty,
        least(coalesce(r.qty, 0), i.nonconforming_qty) AS reworked_passed_qty,
        c.*
    FROM core.inspections AS i
    CROSS JOIN cfg AS c
    LEFT JOIN reworked AS r ON r.lot_id = i.lot_id
    WHERE i.inspected_qty > 0
)

SELECT
    lot_id,
    product,
    line,
    plant,
    stage,
    inspected_date,
    month,
    lot_qty,
    inspected_qty,
    nonconforming_qty,
    conforming_qty,
    reworked_passed_qty,
    conforming_qty / inspected_qty AS first_pass_yield,
    (conforming_qty + reworked_passed_qty) / inspected_qty AS pass_rate_after_rework,
    CASE
        WHEN conforming_qty / inspected_qty >= bonus THEN 'bonus'
        WHEN conforming_qty / inspected_qty >= neutral THEN 'neutral'
        WHEN conforming_qty / inspected_qty < penalty THEN 'penalty'
        ELSE 'between'
    END AS pass_rate_band,
    CASE WHEN lot_qty > 0 THEN inspected_qty / lot_qty END AS sampling_rate,
    CASE
        WHEN NOT lot_qty > 0 OR lot_qty IS NULL THEN NULL
        WHEN inspected_qty / lot_qty < sampling_min THEN 'below'
        WHEN inspected_qty / lot_qty > sampling_max THEN 'above'
        ELSE 'within'
    END AS sampling_band
FROM lots
