-- Quality-accident compensation (质量事故赔偿, seed 000 §9.2.1-9.2.3): what the responsible person pays of a
-- nonconformity's loss. The band is the one with the largest `above` below the loss ([loss_rules.accident_bands],
-- meta.settings nc_band|n = "above,share,minimum"): up to 500 the person pays all of it; above 500, 80 % and at
-- least 500; above 1000, 60 % and at least 800; never more than the loss:
--   compensation = least(loss, greatest(loss x share, minimum)).
-- 9.2.4 (40 %, at least 1000) has no threshold in the seed ("xx") and is left out; 9.2.12's shares of a major
-- accident (>= 3000) for inspectors and managers name roles the data does not hold.
-- responsible_person = the owner named on the nonconformity's 'notified' step (通知生产责任人, 000 §5.4).
-- Grain: one row per nonconformity with total_cost > 0 (metrics.nonconformity_costs, loss rules applied).
-- Source: seed 000 §9.2; DOMAIN.md §3 ("Quality-accident shares").
CREATE OR REPLACE VIEW metrics.nc_compensation AS
WITH

bands AS (
    SELECT
        CAST(split_part(value, ',', 1) AS DOUBLE) AS above,
        CAST(split_part(value, ',', 2) AS DOUBLE) AS share,
        CAST(split_part(value, ',', 3) AS DOUBLE) AS minimum
    FROM meta.settings
    WHERE starts_with(key, 'nc_band|')
),

losses AS (
    SELECT c.nc_id, c.month, c.product, c.responsible_department, c.loss_rule, c.total_cost AS loss,
           w.responsible_person
    FROM metrics.nonconformity_costs AS c
    LEFT JOIN metrics.nc_workflow AS w ON w.nc_id = c.nc_id
    WHERE c.total_cost > 0
),

banded AS (
    SELECT l.*, arg_max(b.above, b.above) AS band_above, arg_max(b.share, b.above) AS share,
           arg_max(b.minimum, b.above) AS minimum
    FROM losses AS l
    JOIN bands AS b ON CAST(l.loss AS DOUBLE) > b.above
    GROUP BY ALL
)

SELECT
    nc_id,
    month,
    product,
    responsible_department,
    responsible_person,
    loss,
    loss_rule,
    band_above,
    share,
    minimum,
    CAST(round(least(CAST(loss AS DOUBLE), greatest(CAST(loss AS DOUBLE) * share, minimum)), 2) AS DECIMAL(18, 2))
        AS compensation
FROM banded
