-- CSAT, mean score, response rate and NPS inputs per local day and every dashboard dimension. Only sums are
-- stored, so a page sums any filtered set of rows and divides:
--   CSAT = satisfied / scored_responses; mean score = score_sum / scored_responses;
--   response rate = responses / (attempts - pending_attempts); NPS = (promoters - detractors) / nps_responses.
-- Grain: one row per attempted_date (local day of the attempt) x site x agent x department x channel x
-- ticket_type x category x priority x product; null dimension values form their own group.
-- Source: DOMAIN.md §2 and "Metrics" (CSAT = satisfied (4-5) / responses; response rate = responses /
-- attempts).
-- pending_attempts: unanswered sms/app attempts whose answer window is still open (survey_responses.is_pending).
-- Row definitions (is_response, is_pending, is_satisfied, nps_class) come from metrics.survey_responses.
CREATE OR REPLACE VIEW metrics.csat_daily AS
WITH

responses AS (
    SELECT * FROM metrics.survey_responses
),

daily AS (
    SELECT
        attempted_date,
        site,
        agent,
        department,
        channel,
        ticket_type,
        category,
        priority,
        product,
        count(*) AS attempts,
        count(*) FILTER (WHERE is_pending) AS pending_attempts,
        count(*) FILTER (WHERE is_response) AS responses,
        count(is_satisfied) AS scored_responses,
        count(*) FILTER (WHERE is_satisfied) AS satisfied,
        CAST(coalesce(sum(score) FILTER (WHERE is_satisfied IS NOT NULL), 0) AS BIGINT) AS score_sum,
        count(*) FILTER (WHERE nps_class = 'promoter') AS promoters,
        count(*) FILTER (WHERE nps_class = 'detractor') AS detractors,
        count(nps_class) AS nps_responses
    FROM responses
    GROUP BY attempted_date, site, agent, department, channel, ticket_type, category, priority, product
)

SELECT * FROM daily
