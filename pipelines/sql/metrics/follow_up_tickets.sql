-- Follow-up coverage and the hotline satisfaction rate: every resolved repair or complaint ticket, whether
-- it was followed up, reached, and whether the customer's latest scored answer was satisfied.
--   follow-up rate = count(*) FILTER (WHERE has_attempt) / count(*);
--   hotline satisfaction rate = count(*) FILTER (WHERE is_satisfied) / count(*) (unreached tickets lower it).
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

followed AS (
    -- follow-up attempts on the tickets counted here
    SELECT
        ticket_id,
        attempted_at,
        coalesce(responded_at, attempted_at) AS answered_at,
        is_response,
        is_satisfied
    FROM metrics.survey_responses
    WHERE ticket_id IN (SELECT ticket_id FROM resolved)
),

per_ticket AS (
    SELECT
        ticket_id,
        count(*) AS attempts,
        count(*) FILTER (WHERE is_response) AS responses,
        min(attempted_at) AS first_attempt_at,
        max(answered_at) FILTER (WHERE is_satisfied IS NOT NULL) AS latest_scored_at
    FROM followed
    GROUP BY ticket_id
),

latest_verdict AS (
    -- the latest scored answer's verdict; answers sharing that instant count as satisfied only if all are
    SELECT
        f.ticket_id,
        min(CASE WHEN f.is_satisfied THEN 1 ELSE 0 END) = 1 AS is_satisfied
    FROM followed AS f
    JOIN per_ticket AS p ON p.ticket_id = f.ticket_id AND p.latest_scored_at = f.answered_at
    WHERE f.is_satisfied IS NOT NULL
    GROUP BY f.ticket_id
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
    v.is_satisfied
FROM resolved AS r
LEFT JOIN per_ticket AS p ON p.ticket_id = r.ticket_id
LEFT JOIN latest_verdict AS v ON v.ticket_id = r.ticket_id
