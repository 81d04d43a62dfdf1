-- Survey responses: every follow-up attempt (回访) or satisfaction survey, classified for CSAT and NPS,
-- with the ticket's dimensions attached so every filter of the dashboard applies to satisfaction too.
-- Grain: one row per survey / follow-up attempt (core.surveys.survey_id); failed attempts are rows too.
-- Source: DOMAIN.md §2 (five-level answers 5..1, "satisfied" = the top two boxes; attempts and responses both
-- recorded) and "Metrics" (CSAT = satisfied / responses; NPS where a 0-10 score exists).
-- A score counts only on a row whose outcome is 'responded': is_satisfied and nps_class are null otherwise.
-- is_pending: an attempt not (yet) answered by a method whose answer arrives later (meta.settings
-- 'response_window_methods', [follow_up] response_window_methods: sms, app) while now (metrics.clock) is before
-- attempted_at + 'response_window_hours'; the response rate leaves it out of its denominator until then.
CREATE OR REPLACE VIEW metrics.survey_responses AS
WITH

surveys AS (
    SELECT
        survey_id,
        ticket_id,
        attempted_at,
        CAST(timezone((SELECT value FROM meta.settings WHERE key = 'timezone'), attempted_at) AS DATE)
            AS attempted_date,
        responded_at,
        method,
        outcome,
        outcome = 'responded' AS is_response,
        score,
        score_attitude,
        score_skill,
        score_timeliness,
        score_promise,
        recommend_score,
        comment,
        agent,
        site
    FROM core.surveys
),

tickets AS (
    SELECT ticket_id, site, agent, department, channel, ticket_type, category, priority, product
    FROM core.tickets
),

classified AS (
    SELECT
        s.*,
        CASE WHEN s.is_response AND s.score IS NOT NULL THEN s.score IN (4, 5) END AS is_satisfied,
        CASE
            WHEN NOT s.is_response THEN NULL
            WHEN s.recommend_score BETWEEN 9 AND 10 THEN 'promoter'
            WHEN s.recommend_score BETWEEN 7 AND 8 THEN 'passive'
            WHEN s.recommend_score BETWEEN 0 AND 6 THEN 'detractor'
        END AS nps_class
    FROM surveys AS s
)

SELECT
    c.survey_id,
    c.ticket_id,
    c.attempted_at,
    c.attempted_date,
    c.responded_at,
    c.method,
    c.outcome,
    c.is_response,
    coalesce(c.outcome = 'no_answer'
             AND list_contains(string_split((SELECT value FROM meta.settings WHERE key = 'response_window_methods'),
                                            ','), c.method)
             AND (SELECT now_at FROM metrics.clock) < c.attempted_at + to_microseconds(CAST(round(3600000000 * CAST(
                 (SELECT value FROM meta.settings WHERE key = 'response_window_hours') AS DOUBLE)) AS BIGINT)),
             FALSE) AS is_pending,
    c.score,
    c.is_satisfied,
    c.score_attitude,
    c.score_skill,
    c.score_timeliness,
    c.score_promise,
    c.recommend_score,
    c.nps_class,
    c.comment,
    coalesce(c.agent, t.agent) AS agent,
    coalesce(c.site, t.site) AS site,
    t.department,
    t.channel,
    t.ticket_type,
    t.category,
    t.priority,
    t.product
FROM classified AS c
LEFT JOIN tickets AS t ON t.ticket_id = c.ticket_id
