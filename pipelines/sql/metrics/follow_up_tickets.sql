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

attempts AS (
    SELECT
        ticket_id,
        count(*) AS attempts,
        count(*) FILTER (WHERE is_response) AS responses,
        min(attempted_at) AS first_attempt_at
    FROM metrics.survey_responses
    WHERE ticket_id IS NOT NULL
    GROUP BY ticket_id
),

scored AS (
    SELECT
        ticket_id,
        is_satisfied,
        row_number() OVER (
            PARTITION BY ticket_id
            ORDER BY coalesce(responded_at, attempted_at) DESC, survey_id DESC
        ) AS recency
    FROM metrics.survey_responses
    WHERE ticket_id IS NOT NULL
      AND is_satisfied IS NOT NULL
),

latest_scored AS (
    SELECT ticket_id, is_satisfied
    FROM scored
    WHERE recency = 1
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
    a.ticket_id IS NOT NULL AS has_attempt,
    coalesce(a.responses, 0) > 0 AS has_response,
    coalesce(a.attempts, 0) AS attempts,
    a.first_attempt_at,
    l.is_satisfied
FROM resolved AS r
LEFT JOIN attempts AS a ON a.ticket_id = r.ticket_id
LEFT JOIN latest_scored AS l ON l.ticket_id = r.ticket_id
