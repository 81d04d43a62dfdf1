-- One row per offered call, placed in its local interval, with the flags every contact-centre rate counts.
-- Grain: one row per core.calls row (call_id).
-- Definitions (docs/metrics.md "Contact centre"; DOMAIN.md section 4; thresholds from [contact_centre] via
-- meta.settings 'cc_*'):
--   interval_start = the local offered time floored to cc_interval_minutes (30); interval_date, weekday (ISO,
--   1 = Monday) and time_of_day come from it.
--   wait_seconds = the export's wait, else answered_at (or abandoned_at) - offered_at.
--   is_answered = answered_at present, or outcome 'answered' when the export gives no answer time.
--   is_abandoned = not answered, and abandoned_at present or outcome 'abandoned'.
--   is_short_abandon = abandoned with wait <= cc_short_abandon_seconds (5 s): left out of every rate
--   (is_counted = false) and counted on its own so pages can state it.
--   is_within_service_level = answered with wait <= cc_service_level_seconds (20 s);
--   is_late_answer = answered with wait > cc_late_answer_seconds (15 s);
--   is_answered_within_limit = answered with wait <= cc_answer_wait_limit_seconds (60 s; a caller waiting
--   longer counts as unanswered for the agent answer rate).
--   handle_seconds = talk + wrap-up of an answered call (missing parts count 0).
CREATE OR REPLACE VIEW metrics.call_facts AS
WITH

settings AS (
    SELECT
        max(value) FILTER (WHERE key = 'timezone') AS tz,
        CAST(max(value) FILTER (WHERE key = 'cc_interval_minutes') AS INTEGER) AS interval_minutes,
        CAST(max(value) FILTER (WHERE key = 'cc_short_abandon_seconds') AS DOUBLE) AS short_abandon_seconds,
        CAST(max(value) FILTER (WHERE key = 'cc_service_level_seconds') AS DOUBLE) AS service_level_seconds,
        CAST(max(value) FILTER (WHERE key = 'cc_late_answer_seconds') AS DOUBLE) AS late_answer_seconds,
        CAST(max(value) FILTER (WHERE key = 'cc_answer_wait_limit_seconds') AS DOUBLE) AS answer_wait_limit_seconds
    FROM meta.settings
),

calls AS (
    SELECT
        c.call_id,
        coalesce(c.queue, '(none)') AS queue,
        c.agent,
        c.offered_at,
        c.answered_at,
        c.ticket_id,
        coalesce(c.is_transferred, false) AS is_transferred,
        c.answered_at IS NOT NULL OR (c.abandoned_at IS NULL AND c.outcome = 'answered') AS is_answered,
        c.answered_at IS NULL AND NOT (c.abandoned_at IS NULL AND c.outcome = 'answered')
            AND (c.abandoned_at IS NOT NULL OR c.outcome = 'abandoned') AS is_abandoned,
        coalesce(c.wait_seconds,
                 epoch(coalesce(c.answered_at, c.abandoned_at)) - epoch(c.offered_at)) AS wait_seconds,
        c.talk_seconds,
        c.wrap_seconds,
        timezone(s.tz, c.offered_at) AS offered_local,
        s.*
    FROM core.calls AS c CROSS JOIN settings AS s
)

SELECT
    call_id,
    queue,
    agent,
    offered_at,
    answered_at,
    ticket_id,
    time_bucket(to_minutes(interval_minutes), offered_local) AS interval_start,
    CAST(offered_local AS DATE) AS interval_date,
    isodow(offered_local) AS weekday,
    CAST(time_bucket(to_minutes(interval_minutes), offered_local) AS TIME) AS time_of_day,
    interval_minutes,
    is_answered,
    is_abandoned,
    is_abandoned AND coalesce(wait_seconds <= short_abandon_seconds, false) AS is_short_abandon,
    NOT (is_abandoned AND coalesce(wait_seconds <= short_abandon_seconds, false)) AS is_counted,
    is_answered AND coalesce(wait_seconds <= service_level_seconds, false) AS is_within_service_level,
    is_answered AND coalesce(wait_seconds > late_answer_seconds, false) AS is_late_answer,
    is_answered AND coalesce(wait_seconds <= answer_wait_limit_seconds, false) AS is_answered_within_limit,
    is_transferred,
    wait_seconds,
    CASE WHEN is_answered THEN coalesce(talk_seconds, 0) + coalesce(wrap_seconds, 0) END AS handle_seconds,
    talk_seconds,
    wrap_seconds
FROM calls;
