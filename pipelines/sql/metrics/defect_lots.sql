-- Defect rate per inspection lot on a p-chart, with Western Electric out-of-control signals.
--   defect_rate = nonconforming_qty / inspected_qty;
--   p_bar = sum(nonconforming_qty) / sum(inspected_qty) over ALL lots of the same product and stage;
--   sigma = sqrt(p_bar (1 - p_bar) / inspected_qty), so the limits follow each lot's size;
--   ucl = least(1, p_bar + 3 sigma), lcl = greatest(0, p_bar - 3 sigma);
--   z_score = (defect_rate - p_bar) / sigma.
-- Western Electric rules, per product x stage in inspected_at order (lot_id breaks ties in natural order: the text
-- before the trailing digits, then those digits as a number, then the text, so lot 2 comes before lot 10); a rule
-- fires on the lot that completes the pattern, and that lot must itself be part of it:
--   we_rule_1: this lot beyond 3 sigma;
--   we_rule_2: this lot beyond 2 sigma and at least 2 of the last 3 lots beyond 2 sigma on the same side;
--   we_rule_3: this lot beyond 1 sigma and at least 4 of the last 5 lots beyond 1 sigma on the same side;
--   we_rule_4: the last 8 lots all on the same side of the centre line (a lot exactly on it breaks the run).
-- Lots with no z_score (inspected_qty 0, or p_bar 0 or 1) fire no rule.
-- Grain: one row per inspection lot (core.inspections.lot_id).
-- Source: DOMAIN.md §3 (nonconforming rate = nonconforming / inspected) and "Metrics" (p-chart whose 3-sigma
-- limits follow each lot's size; out-of-control signals).
CREATE OR REPLACE VIEW metrics.defect_lots AS
WITH

lots AS (
    SELECT
        lot_id,
        product,
        line,
        plant,
        stage,
        inspected_at,
        CAST(timezone((SELECT value FROM meta.settings WHERE key = 'timezone'), inspected_at) AS DATE)
            AS inspected_date,
        production_date,
        material_batch_id,
        lot_qty,
        inspected_qty,
        nonconforming_qty,
        CAST(nonconforming_qty AS DOUBLE) / nullif(inspected_qty, 0) AS defect_rate
    FROM core.inspections
),

centre AS (
    SELECT
        lots.*,
        CAST(date_trunc('week', inspected_date) AS DATE) AS week_start_date,
        CAST(sum(nonconforming_qty) OVER product_stage AS DOUBLE)
            / nullif(sum(inspected_qty) OVER product_stage, 0) AS p_bar
    FROM lots
    WINDOW product_stage AS (PARTITION BY product, stage)
),

limits AS (
    SELECT
        centre.*,
        sqrt(p_bar * (1 - p_bar) / nullif(inspected_qty, 0)) AS sigma
    FROM centre
),

scored AS (
    SELECT
        limits.*,
        greatest(0, p_bar - 3 * sigma) AS lcl,
        least(1, p_bar + 3 * sigma) AS ucl,
        (defect_rate - p_bar) / nullif(sigma, 0) AS z_score
    FROM limits
),

runs AS (
    SELECT
        scored.*,
        sum(CASE WHEN z_score > 2 THEN 1 ELSE 0 END) OVER last_3 AS above_2_in_3,
        sum(CASE WHEN z_score < -2 THEN 1 ELSE 0 END) OVER last_3 AS below_2_in_3,
        sum(CASE WHEN z_score > 1 THEN 1 ELSE 0 END) OVER last_5 AS above_1_in_5,
        sum(CASE WHEN z_score < -1 THEN 1 ELSE 0 END) OVER last_5 AS below_1_in_5,
        sum(CASE WHEN z_score > 0 THEN 1 ELSE 0 END) OVER last_8 AS above_0_in_8,
        sum(CASE WHEN z_score < 0 THEN 1 ELSE 0 END) OVER last_8 AS below_0_in_8
    FROM scored
    WINDOW
        chart AS (PARTITION BY product, stage ORDER BY inspected_at, regexp_replace(lot_id, '[0-9]+$', ''),
                  try_cast(regexp_extract(lot_id, '[0-9]+$') AS HUGEINT), lot_id),
        last_3 AS (chart ROWS BETWEEN 2 PRECEDING AND CURRENT ROW),
        last_5 AS (chart ROWS BETWEEN 4 PRECEDING AND CURRENT ROW),
        last_8 AS (chart ROWS BETWEEN 7 PRECEDING AND CURRENT ROW)
),

rules AS (
    SELECT
        runs.*,
        coalesce(defect_rate > ucl OR defect_rate < lcl, FALSE) AS is_out_of_control,
        coalesce(abs(z_score) > 3, FALSE) AS we_rule_1,
        coalesce((z_score > 2 AND above_2_in_3 >= 2) OR (z_score < -2 AND below_2_in_3 >= 2), FALSE)
            AS we_rule_2,
        coalesce((z_score > 1 AND above_1_in_5 >= 4) OR (z_score < -1 AND below_1_in_5 >= 4), FALSE)
            AS we_rule_3,
        (above_0_in_8 = 8 OR below_0_in_8 = 8) AS we_rule_4
    FROM runs
)

SELECT
    lot_id,
    product,
    line,
    plant,
    stage,
    inspected_at,
    inspected_date,
    week_start_date,
    production_date,
    material_batch_id,
    lot_qty,
    inspected_qty,
    nonconforming_qty,
    defect_rate,
    p_bar,
    sigma,
    lcl,
    ucl,
    z_score,
    is_out_of_control,
    we_rule_1,
    we_rule_2,
    we_rule_3,
    we_rule_4,
    nullif(concat_ws(', ',
        CASE WHEN we_rule_1 THEN 'we_rule_1' END,
        CASE WHEN we_rule_2 THEN 'we_rule_2' END,
        CASE WHEN we_rule_3 THEN 'we_rule_3' END,
        CASE WHEN we_rule_4 THEN 'we_rule_4' END
    ), '') AS signal
FROM rules
