-- Satisfaction by kind of ticket, as seed 004 defines its monthly satisfaction rates (满意率 = satisfied / ALL
-- inquiries or complaints handled, not only respondents; inquiries >= 95 %, complaints >= 90 %), beside CSAT
-- (satisfied / answered, seed 001). The monthly and quarterly packs sum it by ticket_type over the period.
-- Grain: one row per ticket handled (resolved_at set, not cancelled), dated by its local resolved_date.
--   is_answered    the ticket has a scored follow-up answer
--   is_satisfied   its latest scored answer is 4 or 5 (top two boxes, metrics.survey_responses)
--   is_pending     no scored answer yet and the follow-up window ([follow_up] window_hours after resolution,
--                  metrics.clock) is still open: out of both denominators until it closes, like an SLA
-- satisfaction_rate = count(is_satisfied) / count(NOT is_pending); csat = count(is_satisfied) / count(is_answered)
CREATE OR REPLACE VIEW metrics.period_satisfaction AS
WITH

answers AS (
    SELECT ticket_id, arg_max(is_satisfied, attempted_at) AS is_satisfied
    FROM metrics.survey_responses
    WHERE ticket_id IS NOT NULL AND is_satisfied IS NOT NULL
    GROUP BY ticket_id
),

handled AS (
    SELECT t.ticket_id, t.ticket_type, t.site, t.department, t.resolved_at,
           CAST(timezone((SELECT value FROM meta.settings WHERE key = 'timezone'), t.resolved_at) AS DATE)
               AS resolved_date
    FROM core.tickets AS t
    WHERE t.resolved_at IS NOT NULL AND t.status IS DISTINCT FROM 'cancelled'
)

SELECT
    h.ticket_id,
    h.resolved_date,
    h.ticket_type,
    h.site,
    h.department,
    a.ticket_id IS NOT NULL AS is_answered,
    coalesce(a.is_satisfied, FALSE) AS is_satisfied,
    a.ticket_id IS NULL
        AND (SELECT now_at FROM metrics.clock) < h.resolved_at + to_microseconds(CAST(round(3600000000 * CAST(
            (SELECT value FROM meta.settings WHERE key = 'follow_up_window_hours') AS DOUBLE)) AS BIGINT))
        AS is_pending
FROM handled AS h
LEFT JOIN answers AS a USING (ticket_id)
