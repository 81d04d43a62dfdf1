-- Agents available per contact-centre interval, from the roster (core.roster), for Erlang C staffing.
-- Grain: one row per local interval_start ([contact_centre] interval_minutes, 30) that a roster row covers.
-- Definitions (docs/metrics.md "Staffing"): a roster row covers interval_minutes from interval_start (null = the
-- contact-centre interval); a row longer than the interval is split over the intervals it covers.
--   agents_available = minutes of rows with is_available (null = is_logged_in) / interval_minutes: the average
--   number of agents available at once during the interval;
--   agents_logged_in = distinct agents logged in at some point of the interval.
--   available_seconds = agent-seconds available in the interval (agents_available x interval_minutes x 60);
--   handle_seconds = talk + wrap-up seconds of the calls offered in the interval (metrics.call_facts, every
--   queue; a call is counted whole in the interval it was offered in, the usual workforce-management convention);
--   occupancy = handle_seconds / available_seconds (null without available time; it can pass 1 when calls
--   offered late in an interval run on into the next, or agents answer without being rostered available).
CREATE OR REPLACE VIEW metrics.roster_interval AS
WITH

settings AS (
    SELECT
        max(value) FILTER (WHERE key = 'timezone') AS tz,
        CAST(max(value) FILTER (WHERE key = 'cc_interval_minutes') AS INTEGER) AS cc_minutes
    FROM meta.settings
),

slots AS (
    SELECT
        r.agent,
        timezone(s.tz, r.interval_start) AS start_local,
        greatest(coalesce(r.interval_minutes, s.cc_minutes), 1) AS minutes,
        coalesce(r.is_available, r.is_logged_in, false) AS is_available,
        coalesce(r.is_logged_in, false) AS is_logged_in,
        s.cc_minutes
    FROM core.roster AS r CROSS JOIN settings AS s
),

parts AS (
    SELECT
        agent,
        is_available,
        is_logged_in,
        cc_minutes,
        start_local + to_minutes(CAST(o AS INTEGER)) AS part_start,
        least(cc_minutes, minutes - o) AS part_minutes
    FROM slots, unnest(generate_series(0, minutes - 1, cc_minutes)) AS u(o)
),

rostered AS (
    SELECT
        time_bucket(to_minutes(cc_minutes), part_start) AS interval_start,
        CAST(time_bucket(to_minutes(cc_minutes), part_start) AS DATE) AS interval_date,
        cc_minutes AS interval_minutes,
        count(DISTINCT agent) FILTER (WHERE is_logged_in) AS agents_logged_in,
        coalesce(sum(part_minutes) FILTER (WHERE is_available), 0) / any_value(cc_minutes) AS agents_available,
        coalesce(sum(part_minutes) FILTER (WHERE is_available), 0) * 60.0 AS available_seconds
    FROM parts
    GROUP BY ALL
),

handled AS (
    SELECT interval_start, interval_date, coalesce(sum(handle_seconds), 0) AS handle_seconds
    FROM metrics.call_facts
    GROUP BY interval_start, interval_date
)

SELECT
    interval_start,
    interval_date,
    r.interval_minutes,
    r.agents_logged_in,
    r.agents_available,
    r.available_seconds,
    CAST(coalesce(h.handle_seconds, 0) AS DOUBLE) AS handle_seconds,
    coalesce(h.handle_seconds, 0) / nullif(r.available_seconds, 0) AS occupancy
FROM rostered AS r
LEFT JOIN handled AS h USING (interval_start, interval_date)
