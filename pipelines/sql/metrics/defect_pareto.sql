-- Pareto of defect types: units, records and cost per month, product and defect type. A page sorts its
-- filtered rows by qty (or total_cost) and draws the cumulative share; docs/metrics.md gives that SQL.
-- Grain: one row per month (first day of the local month found) x product x defect_type.
-- Source: DOMAIN.md "Metrics" (Pareto of defect types) and §3 (loss per nonconformity).
-- Record definitions (month, product, total_cost) come from metrics.nonconformity_costs.
CREATE OR REPLACE VIEW metrics.defect_pareto AS
WITH

records AS (
    SELECT * FROM metrics.nonconformity_costs
),

by_type AS (
    SELECT
        month,
        product,
        defect_type,
        CAST(coalesce(sum(qty), 0) AS BIGINT) AS qty,
        count(*) AS records,
        CAST(sum(total_cost) AS DECIMAL(18, 2)) AS total_cost
    FROM records
    GROUP BY month, product, defect_type
)

SELECT * FROM by_type
