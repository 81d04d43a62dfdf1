-- First-pass yield and its band (seed 000 §9.1) per month, product, line and stage: the plant's monthly reading
-- of the bonus / neutral / penalty rule. Thresholds as in metrics.nc_lot_quality ([nc_workflow] pass_rate_*).
--   first_pass_yield = sum(conforming_qty) / sum(inspected_qty); pass_rate_after_rework likewise with the
--   reworked units that passed re-inspection; sampling_rate = sum(inspected_qty) / sum(lot_qty) over lots with
--   a lot_qty; lots_sampled_below / lots_sampled_above count lots outside the 5-10 % rule.
-- Grain: one row per month x product x line x stage.
-- Source: metrics.nc_lot_quality (000 §5.3, §9.1).
CREATE OR REPLACE VIEW metrics.nc_pass_rate_bands AS
WITH

cfg AS (
    SELECT
        max(TRY_CAST(value AS DOUBLE)) FILTER (WHERE key = 'nc_pass_rate_bonus') AS bonus,
        max(TRY_CAST(value AS DOUBLE)) FILTER (WHERE key = 'nc_pass_rate_neutral') AS neutral,
        max(TRY_CAST(value AS DOUBLE)) FILTER (WHERE key = 'nc_pass_rate_penalty') AS penalty
    FROM meta.settings
),

grouped AS (
    SELECT
        month,
        product,
        line,
        stage,
        count(*) AS lots,
        CAST(sum(inspected_qty) AS BIGINT) AS inspected_qty,
        CAST(sum(conforming_qty) AS BIGINT) AS conforming_qty,
        CAST(sum(reworked_passed_qty) AS BIGINT) AS reworked_passed_qty,
        CAST(sum(inspected_qty) FILTER (WHERE lot_qty > 0) AS BIGINT) AS sampled_qty,
        CAST(sum(lot_qty) FILTER (WHERE lot_qty > 0) AS BIGINT) AS lot_qty,
        count(*) FILTER (WHERE sampling_band = 'below') AS lots_sampled_below,
        count(*) FILTER (WHERE sampling_band = 'above') AS lots_sampled_above
    FROM metrics.nc_lot_quality
    GROUP BY ALL
)

SELECT
    g.*,
    g.conforming_qty / g.inspected_qty AS first_pass_yield,
    (g.conforming_qty + g.reworked_passed_qty) / g.inspected_qty AS pass_rate_after_rework,
    g.sampled_qty / nullif(g.lot_qty, 0) AS sampling_rate,
    CASE
        WHEN g.conforming_qty / g.inspected_qty >= c.bonus THEN 'bonus'
        WHEN g.conforming_qty / g.inspected_qty >= c.neutral THEN 'neutral'
        WHEN g.conforming_qty / g.inspected_qty < c.penalty THEN 'penalty'
        ELSE 'between'
    END AS pass_rate_band
FROM grouped AS g
CROSS JOIN cfg AS c
