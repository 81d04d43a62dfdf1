-- Contact-centre access per interval and queue: the sums every access rate divides, and the rates themselves.
-- Grain: one row per (local interval_start, queue) with at least one offered call; intervals are
-- [contact_centre] interval_minutes long (30). Sum the count columns over any filter (day, week, queue) and
-- divide; the rate columns are this row's own.
-- Definitions (docs/metrics.md "Contact centre", DOMAIN.md section 4; flags from metrics.call_facts):
--   calls = offered - short_abandons (abandoned within [contact_centre] short_abandon_seconds, 5 s: excluded
--   from every rate and counted in short_abandons so pages can state them).
--   connect_rate = answered / calls (target >= 85 %);
--   agent_answer_rate = answered_within_limit / calls, a caller waiting over 60 s counting as unanswered (>= 85 %);
--   service_level = answered_within_service_level / calls (80 % within 20 s);
--   late_answer_share = answered_late (after 15 s) / answered (<= 20 %);
--   abandon_rate = abandoned / calls, short abandons left out (within 3-5 %);
--   asa_seconds = answered_wait_seconds / answered (average speed of answer);
--   aht_seconds = handle_seconds / answered (talk + wrap-up); transfer_rate = transferred / answered.
CREATE OR REPLACE VIEW metrics.calls_interval AS
SELECT
    interval_start,
    interval_date,
    weekday,
    time_of_day,
    any_value(interval_minutes) AS interval_minutes,
    queue,
    count(*) AS offered,
    count(*) FILTER (WHERE is_short_abandon) AS short_abandons,
    count(*) FILTER (WHERE is_counted) AS calls,
    count(*) FILTER (WHERE is_answered) AS answered,
    count(*) FILTER (WHERE is_abandoned AND is_counted) AS abandoned,
    count(*) FILTER (WHERE is_within_service_level) AS answered_within_service_level,
    count(*) FILTER (WHERE is_late_answer) AS answered_late,
    count(*) FILTER (WHERE is_answered_within_limit) AS answered_within_limit,
    count(*) FILTER (WHERE is_answered AND is_transferred) AS transferred,
    coalesce(sum(wait_seconds) FILTER (WHERE is_answered), 0) AS answered_wait_seconds,
    coalesce(sum(handle_seconds), 0) AS handle_seconds,
    count(*) FILTER (WHERE is_answered) / nullif(count(*) FILTER (WHERE is_counted), 0) AS connect_rate,
    count(*) FILTER (WHERE is_answered_within_limit) / nullif(count(*) FILTER (WHERE is_counted), 0)
        AS agent_answer_rate,
    count(*) FILTER (WHERE is_within_service_level) / nullif(count(*) FILTER (WHERE is_counted), 0)
        AS service_level,
    count(*) FILTER (WHERE is_late_answer) / nullif(count(*) FILTER (WHERE is_answered), 0) AS late_answer_share,
    count(*) FILTER (WHERE is_abandoned AND is_counted) / nullif(count(*) FILTER (WHERE is_counted), 0)
        AS abandon_rate,
    sum(wait_seconds) FILTER (WHERE is_answered) / nullif(count(*) FILTER (WHERE is_answered), 0) AS asa_seconds,
    sum(handle_seconds) / nullif(count(*) FILTER (WHERE is_answered), 0) AS aht_seconds,
    count(*) FILTER (WHERE is_answered AND is_transferred) / nullif(count(*) FILTER (WHERE is_answered), 0)
        AS transfer_rate
FROM metrics.call_facts
GROUP BY interval_start, interval_date, weekday, time_of_day, queue
