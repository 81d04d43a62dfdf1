-- Defect rate per local ISO week (Monday start), product, line and stage: sums a page can re-aggregate.
--   defect_rate = nonconforming_qty / inspected_qty (a ratio of sums, not a mean of lot rates).
-- Grain: one row per week_start_date x product x line x stage (null line or stage forms its own group).
-- Source: DOMAIN.md §3 (nonconforming rate = nonconforming / inspected, per lot and per period) and
-- "Metrics".
-- Lot definitions (week, defect rate, p-chart limits) come from metrics.defect_lots.
CREATE OR REPLACE VIEW metrics.defect_rate_weekly AS
WITH

lots AS (
    SELECT * FROM metrics.defect_lots
),

weekly AS (
    SELECT
        week_start_date,
        product,
        line,
        stage,
        count(*) AS lots,
        CAST(sum(inspected_qty) AS BIGINT) AS inspected_qty,
        CAST(sum(nonconforming_qty) AS BIGINT) AS nonconforming_qty,
        CAST(sum(nonconforming_qty) AS DOUBLE) / nullif(sum(inspected_qty), 0) AS defect_rate,
        count(*) FILTER (WHERE is_out_of_control) AS out_of_control_lots
    FROM lots
    GROUP BY week_start_date, product, line, stage
)

SELECT * FROM weekly
