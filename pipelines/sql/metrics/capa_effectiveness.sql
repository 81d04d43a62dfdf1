-- The effectiveness check of each corrective action: its KPI (metric, a metrics.kpi_facts metric) before and
-- after the action was carried out, over two equal windows that meet on completed_on.
-- Grain: one row per action with a metric and a completed_on.
--   window_days   the action's window_days (default 28), shortened to the whole days between completed_on and
--                 today (local, metrics.clock) so the after-window holds no future and both stay equal
--   before        [completed_on - window_days, completed_on)      after   [completed_on, completed_on + window_days)
--   rate_before / rate_after = sum(numerator) / sum(denominator) of metrics.kpi_facts in each window, restricted
--                 to the action's product, department and site where given (pending rows stay out of the
--                 denominators, as kpi_facts defines them)
--   change        rate_after - rate_before; is_improved: the rate moved the good way (lower is better for the
--                 complaint, repeat-complaint, defect and abandon rates; higher for the others, as the scorecard)
-- A window of 0 days (carried out today or later) has null rates.
-- metrics.kpi_facts is evaluated whole here (about 1-7 s at 1M tickets); the dashboard reads this text with the
-- facts narrowed to the branches and dates the join can reach (dashboard/queries_capa.py `effectiveness_sql`).
CREATE OR REPLACE VIEW metrics.capa_effectiveness AS
WITH

today AS (
    SELECT CAST(timezone((SELECT value FROM meta.settings WHERE key = 'timezone'), now_at) AS DATE) AS today
    FROM metrics.clock
),

actions AS (
    SELECT a.capa_id, a.metric, a.product, a.department, a.site, a.completed_on,
           CAST(greatest(least(coalesce(a.window_days, 28), date_diff('day', a.completed_on, d.today)), 0)
                AS INTEGER) AS window_days
    FROM core.corrective_actions AS a
    CROSS JOIN today AS d
    WHERE a.metric IS NOT NULL AND a.completed_on IS NOT NULL
),

windows AS (
    SELECT *, CAST(completed_on - window_days AS DATE) AS before_start,
           CAST(completed_on + window_days AS DATE) AS after_stop
    FROM actions
),

sums AS (
    SELECT w.capa_id,
           sum(k.numerator) FILTER (WHERE k.metric_date < w.completed_on) AS numerator_before,
           sum(k.denominator) FILTER (WHERE k.metric_date < w.completed_on) AS denominator_before,
           sum(k.numerator) FILTER (WHERE k.metric_date >= w.completed_on) AS numerator_after,
           sum(k.denominator) FILTER (WHERE k.metric_date >= w.completed_on) AS denominator_after
    FROM windows AS w
    JOIN metrics.kpi_facts AS k
      ON k.metric = w.metric
     AND k.metric_date >= w.before_start AND k.metric_date < w.after_stop
     AND (w.product IS NULL OR k.product = w.product)
     AND (w.department IS NULL OR k.department = w.department)
     AND (w.site IS NULL OR k.site = w.site)
    GROUP BY w.capa_id
),

rates AS (
    SELECT w.capa_id, w.metric, w.product, w.department, w.site, w.completed_on, w.window_days,
           w.before_start, w.after_stop,
           CAST(coalesce(s.numerator_before, 0) AS BIGINT) AS numerator_before,
           CAST(coalesce(s.denominator_before, 0) AS BIGINT) AS denominator_before,
           CAST(coalesce(s.numerator_after, 0) AS BIGINT) AS numerator_after,
           CAST(coalesce(s.denominator_after, 0) AS BIGINT) AS denominator_after,
           CAST(s.numerator_before AS DOUBLE) / nullif(s.denominator_before, 0) AS rate_before,
           CAST(s.numerator_after AS DOUBLE) / nullif(s.denominator_after, 0) AS rate_after
    FROM windows AS w
    LEFT JOIN sums AS s USING (capa_id)
)

SELECT *,
       rate_after - rate_before AS change,
       CASE WHEN metric IN ('complaint_rate', 'repeat_complaint_rate', 'defect_rate', 'abandon_rate')
            THEN rate_after < rate_before ELSE rate_after > rate_before END AS is_improved
FROM rates
