-- The hotline's satisfaction rate (满意率, seed 004 l.1301-1337, DOMAIN.md section 4; docs/metrics.md "Hotline"):
-- satisfied / ALL inquiries or complaints handled, not only those who answered a follow-up, so customers never
-- reached lower it. By kind, each with its own target ([targets] hotline_satisfaction_<kind>):
--   inquiry         inquiries (ticket_type 'inquiry')                                   >= 95 %
--   complaint       complaints (ticket_type 'complaint')                                >= 90 %
--   cross_province  complaints whose coordination_level is 'cross_province'             >= 85 %
--   key_account     inquiries and complaints of a key account (core.key_accounts,       >= 95 %
--                   [hotline] key_accounts: a configured list of customer ids)
-- Grain: one row per handled ticket (resolved_at present, not cancelled) x kind it belongs to (a cross-province
-- complaint of a key account is a row of three kinds).
-- is_satisfied: the ticket's latest answered follow-up with a score (core.surveys, outcome 'responded') scored 4 or
--   5 (the top two boxes, as CSAT). is_pending: no follow-up attempt yet and now (metrics.clock) still inside the
--   follow-up window ([follow_up] window_hours after resolution, as metrics.follow_up_tickets): not counted yet.
-- rate = count(is_satisfied) / count(*) FILTER (WHERE NOT is_pending); resolved_date is the row's date.
CREATE OR REPLACE VIEW metrics.hotline_satisfaction AS
WITH

settings AS (
    SELECT coalesce(max(value) FILTER (WHERE key = 'timezone'), 'UTC') AS tz,
           coalesce(CAST(max(value) FILTER (WHERE key = 'follow_up_window_hours') AS DOUBLE), 48) AS window_hours
    FROM meta.settings
),

handled AS (
    SELECT t.ticket_id, t.created_at, t.resolved_at, t.site, t.department, t.agent, t.channel, t.ticket_type,
           t.category, t.priority, t.product, t.customer_id, t.coordination_level,
           k.customer_id IS NOT NULL AS is_key_account
    FROM core.tickets AS t
    LEFT JOIN (SELECT DISTINCT customer_id FROM core.key_accounts) AS k ON k.customer_id = t.customer_id
    WHERE t.ticket_type IN ('inquiry', 'complaint') AND t.status IS DISTINCT FROM 'cancelled'
      AND t.resolved_at IS NOT NULL
),

answers AS (
    SELECT ticket_id,
           arg_max(score, coalesce(responded_at, attempted_at)) FILTER (WHERE outcome = 'responded'
                                                                         AND score IS NOT NULL) AS last_score,
           count(*) AS attempts
    FROM core.surveys
    WHERE ticket_id IS NOT NULL
    GROUP BY ticket_id
),

kinds AS (
    SELECT h.*, k.kind
    FROM handled AS h
    JOIN (VALUES ('inquiry'), ('complaint'), ('cross_province'), ('key_account')) AS k(kind)
      ON CASE k.kind WHEN 'inquiry' THEN h.ticket_type = 'inquiry'
                     WHEN 'complaint' THEN h.ticket_type = 'complaint'
                     WHEN 'cross_province' THEN h.ticket_type = 'complaint'
                                                AND h.coordination_level = 'cross_province'
                     ELSE h.is_key_account END
)

SELECT
    k.kind, k.ticket_id, k.created_at, k.resolved_at,
    CAST(timezone(s.tz, k.resolved_at) AS DATE) AS resolved_date,
    k.site, k.department, k.agent, k.channel, k.ticket_type, k.category, k.priority, k.product, k.customer_id,
    k.coordination_level, k.is_key_account,
    a.last_score AS score,
    a.last_score IS NOT NULL AS has_answer,
    coalesce(a.last_score IN (4, 5), FALSE) AS is_satisfied,
    coalesce(a.attempts, 0) = 0
        AND (SELECT now_at FROM metrics.clock)
            < k.resolved_at + to_microseconds(CAST(round(3600000000 * s.window_hours) AS BIGINT)) AS is_pending
FROM kinds AS k
CROSS JOIN settings AS s
LEFT JOIN answers AS a ON a.ticket_id = k.ticket_id
