-- Follow-up coverage and the hotline satisfaction rate: every resolved repair or complaint ticket, whether
-- it was followed up, reached, and whether the customer's latest scored answer was satisfied.
--   follow-up rate = count(*) FILTER (WHERE is_followed_up) / count(*) FILTER (WHERE NOT is_follow_up_pending);
--   hotline satisfaction rate = count(*) FILTER (WHERE is_satisfied) / count(*) FILTER (WHERE NOT
--   is_follow_up_pending) (unreached tickets lower it).
-- Window (docs/metrics.md "Follow-up window"): follow_up_due_at = resolved_at + meta.settings
-- 'follow_up_window_hours' ([follow_up] window_hours: 48 h, 001). is_followed_up = an attempt at or before
-- follow_up_due_at (whatever its outcome). Without one the ticket is pending while now (metrics.clock) is before
-- follow_up_due_at, and missed from then on, also when a late call comes afterwards (has_attempt): so a ticket's
-- verdict never changes once decided. Pending tickets leave the denominators, as pending SLA targets do.
-- is_satisfied = the top-two-box verdict of the ticket's latest scored answer (by responded_at, else
-- attempted_at); null when no attempt on the ticket produced a score.
-- Grain: one row per ticket with resolved_at not null and ticket_type in ('repair', 'complaint').
-- Source: DOMAIN.md §2 (every resolved repair or complaint gets a follow-up; the follow-up rate is a KPI),
-- §4 (satisfaction rate = satisfied / ALL tickets of the kind handled) and "Metrics".
-- Survey row definitions (is_response, is_satisfied) come from metrics.survey_responses.
CREATE OR REPLACE VIEW metrics.follow_up_tickets AS
WITH

resolved AS (
    SELECT
        ticket_id,
        resolved_at,
        CAST(timezone((SELECT value FROM meta.settings WHERE key = 'timezone'), resolved_at) AS DATE)
            AS resolved_date,
        site,
        department,
        agent,
        channel,
        ticket_type,
        category,
        priority,
        product
    FROM core.tickets
    WHERE resolved_at IS NOT NULL
      AND ticket_type IN ('repair', 'complaint')
),

-- resolved_date rides along into every join key, so a date filter on this view reaches the survey aggregation
-- before it groups (the dashboard's default 13 weeks at 1M tickets: 0.34 -> 0.29 s, docs/dashboard.md).
followed AS (
    -- follow-up attempts on the tickets counted here
    SELECT
        s.ticket_id,
        r.resolved_date,
        s.attempted_at,
        coalesce(s.responded_at, s.attempted_at) AS answered_at,
        s.is_response,
        s.is_satisfied
    FROM metrics.survey_responses AS s
    JOIN resolved AS r ON r.ticket_id = s.ticket_id
),

per_ticket AS (
    SELECT
        ticket_id,
        resolved_date,
        count(*) AS attempts,
        count(*) FILTER (WHERE is_response) AS responses,
        min(attempted_at) AS first_attempt_at,
        max(answered_at) FILTER (WHERE is_satisfied IS NOT NULL) AS latest_scored_at
    FROM followed
    GROUP BY ticket_id, resolved_date
),

latest_verdict AS (
    -- the latest scored answer's verdict; answers sharing that instant count as satisfied only if all are
    SELECT
        f.ticket_id,
        f.resolved_date,
        min(CASE WHEN f.is_satisfied THEN 1 ELSE 0 END) = 1 AS is_satisfied
    FROM followed AS f
    JOIN per_ticket AS p
      ON p.ticket_id = f.ticket_id AND p.resolved_date = f.resolved_date AND p.latest_scored_at = f.answered_at
    WHERE f.is_satisfied IS NOT NULL
    GROUP BY f.ticket_id, f.resolved_date
)

SELECT
    r.ticket_id,
    r.resolved_at,
    r.resolved_date,
    r.site,
    r.department,
    r.agent,
    r.channel,
    r.ticket_type,
    r.category,
    r.priority,
    r.product,
    p.ticket_id IS NOT NULL AS has_attempt,
    coalesce(p.responses, 0) > 0 AS has_response,
    coalesce(p.attempts, 0) AS attempts,
    p.first_attempt_at,
    v.is_satisfied,
    r.follow_up_due_at,
    coalesce(p.first_attempt_at <= r.follow_up_due_at, FALSE) AS is_followed_up,
    NOT coalesce(p.first_attempt_at <= r.follow_up_due_at, FALSE) AND n.now_at < r.follow_up_due_at
        AS is_follow_up_pending,
    NOT coalesce(p.first_attempt_at <= r.follow_up_due_at, FALSE) AND n.now_at >= r.follow_up_due_at
        AS is_follow_up_missed
FROM (SELECT *, resolved_at + to_microseconds(CAST(round(3600000000 * CAST(
          (SELECT value FROM meta.settings WHERE key = 'follow_up_window_hours') AS DOUBLE)) AS BIGINT))
          AS follow_up_due_at
      FROM resolved) AS r
CROSS JOIN metrics.clock AS n
LEFT JOIN per_ticket AS p ON p.ticket_id = r.ticket_id AND p.resolved_date = r.resolved_date
LEFT JOIN latest_verdict AS v ON v.ticket_id = r.ticket_id AND v.resolved_date = r.resolved_date
