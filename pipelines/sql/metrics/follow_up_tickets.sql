-- Follow-up coverage and the hotline satisfaction rate: every resolved repair or complaint ticket, whether
-- it was followed up, reached, and whether the customer's latest scored answer was satisfied.
--   follow-up rate = count(*) FILTER (WHERE has_attempt) / count(*);
--   hotline satisfaction rate = count(*) FILTER (WHERE is_satisfied) / count(*) (unreached tickets lower it).
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

followed AS (
    -- attempts on the tickets counted here; the latest scored answer ranks first
    SELECT
        ticket_id,
        attempted_at,
        is_response,
        is_satisfied,
        row_number() OVER (
            PARTITION BY ticket_id
            ORDER BY
                CASE WHEN is_satisfied IS NULL THEN 1 ELSE 0 END,
                coalesce(responded_at, attempted_at) DESC,
                survey_id DESC
        ) AS recency
    FROM metrics.survey_responses
    WHERE ticket_id IN (SELECT ticket_id FROM resolved)
),

per_ticket AS (
    SELECT
        ticket_id,
        count(*) AS attempts,
        count(*) FILTER (WHERE is_response) AS responses,
        min(attempted_at) AS first_attempt_at,
        max(CASE WHEN recency = 1 AND is_satisfied IS NOT NULL THEN CASE WHEN is_satisfied THEN 1 ELSE 0 END END)
            AS latest_satisfied
    FROM followed
    GROUP BY ticket_id
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
    p.latest_satisfied = 1 AS is_satisfied
FROM resolved AS r
LEFT JOIN per_ticket AS p ON p.ticket_id = r.ticket_id
