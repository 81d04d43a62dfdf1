-- SLA schedule per ticket and target: the policy that applies, when each target falls due, and when it happened.
-- Grain: one row per ticket x applicable target (first_response, on_site, resolution); cancelled tickets excluded.
-- Only the SLA columns: metrics.ticket_sla adds the ticket's attributes from core.tickets.
-- Nothing here depends on the current time, so publishing materialises it into metrics.ticket_sla_base for the
-- tickets a load touched (pipelines/derived.py); metrics.ticket_sla adds the met / breached / pending status.
-- The refresh runs this same text with the line marked @touched replaced by a filter on the load's tickets, so the
-- policy match and the calendar joins see only them (a filter on the view's result came after every CTE had read
-- all of core.tickets: a 1,000-ticket load into 5M tickets derived for seconds).
-- Definition (docs/metrics.md "SLA attainment", DOMAIN.md section 1):
--   * a ticket takes the lowest-rank policy in core.sla_policies whose non-null match fields all match it;
--   * 24x7 targets count wall-clock minutes; business targets count minutes inside business hours on working days
--     of core.calendar_days (mainland China schedule, holidays and adjusted workdays), in the local timezone;
--   * a business target may be stated in working days instead (<target>_working_days = N): due at the close of
--     business of the Nth working day after the local day the ticket was received (docs/decisions.md "Targets in
--     working days"); its target_minutes is then the business minutes that leaves this ticket;
--   * first response falls back to on-site, then resolution time when no separate response was recorded; a
--     resolved ticket that never needed a visit (no on_site_at) has no on-site target.
CREATE OR REPLACE VIEW metrics.ticket_sla_schedule AS
WITH tickets AS (
    SELECT t.*, timezone((SELECT value FROM meta.settings WHERE key = 'timezone'), t.created_at) AS created_local,
           (SELECT max(business_minutes) FROM core.calendar_days) AS day_minutes
    FROM core.tickets AS t
    WHERE t.status IS DISTINCT FROM 'cancelled'
    -- @touched: pipelines/derived.py runs this text with the load's tickets filtered here (keep this line)
),

-- Policies match on a handful of attributes: match each distinct combination once, then join back by equality.
ticket_profiles AS (
    SELECT DISTINCT ticket_type, category, priority, distance_km FROM tickets
),

profile_policy AS (
    SELECT f.ticket_type, f.category, f.priority, f.distance_km, min_by(p.policy_id, p.rank) AS policy_id
    FROM ticket_profiles AS f
    JOIN core.sla_policies AS p
      ON (p.ticket_type IS NULL OR p.ticket_type = f.ticket_type)
     AND (p.category IS NULL OR p.category = f.category)
     AND (p.priority IS NULL OR p.priority = f.priority)
     AND (p.min_distance_km IS NULL OR f.distance_km >= p.min_distance_km)
     AND (p.max_distance_km IS NULL OR f.distance_km IS NULL OR f.distance_km <= p.max_distance_km)
    GROUP BY f.ticket_type, f.category, f.priority, f.distance_km
),

matched AS (
    SELECT t.*, p.policy_id, s.calendar, s.first_response_minutes, s.on_site_minutes, s.resolution_minutes,
           s.first_response_working_days, s.on_site_working_days, s.resolution_working_days
    FROM tickets AS t
    JOIN profile_policy AS p
      ON t.ticket_type IS NOT DISTINCT FROM p.ticket_type AND t.category IS NOT DISTINCT FROM p.category
     AND t.priority IS NOT DISTINCT FROM p.priority AND t.distance_km IS NOT DISTINCT FROM p.distance_km
    JOIN core.sla_policies AS s ON s.policy_id = p.policy_id
),

-- One pass over the matched tickets for all three targets (a UNION ALL of three branches repeated the match).
targets AS (
    SELECT m.*, g.target,
           CASE g.target WHEN 'first_response' THEN m.first_response_minutes
                         WHEN 'on_site' THEN m.on_site_minutes ELSE m.resolution_minutes END AS target_minutes,
           CASE g.target WHEN 'first_response' THEN m.first_response_working_days
                         WHEN 'on_site' THEN m.on_site_working_days
                         ELSE m.resolution_working_days END AS target_working_days,
           CASE g.target WHEN 'first_response' THEN coalesce(m.first_response_at, m.on_site_at, m.resolved_at)
                         WHEN 'on_site' THEN m.on_site_at ELSE m.resolved_at END AS event_at
    FROM matched AS m
    CROSS JOIN (VALUES ('first_response'), ('on_site'), ('resolution')) AS g(target)
    WHERE CASE g.target WHEN 'first_response' THEN coalesce(m.first_response_minutes, m.first_response_working_days)
                                                   IS NOT NULL
                        WHEN 'on_site' THEN coalesce(m.on_site_minutes, m.on_site_working_days) IS NOT NULL
                                            AND (m.on_site_at IS NOT NULL OR m.resolved_at IS NULL)
                        ELSE coalesce(m.resolution_minutes, m.resolution_working_days) IS NOT NULL END
),

-- 24x7 targets are plain timestamp arithmetic; only business targets need the calendar. Elapsed minutes come from
-- epoch seconds: date_diff on TIMESTAMP WITH TIME ZONE goes through the ICU calendar, 20x slower at 1M rows.
wall_clock AS (
    SELECT ticket_id, target, policy_id, calendar, target_minutes, created_at,
           created_at + to_minutes(CAST(target_minutes AS BIGINT)) AS due_at, event_at,
           CAST(NULL AS DOUBLE) AS start_ordinal,
           (extract(epoch FROM event_at) - extract(epoch FROM created_at)) / 60.0 AS event_elapsed_minutes,
           CAST(created_local AS DATE) AS created_date
    FROM targets
    WHERE calendar = '24x7'
),

business_clock AS (
    SELECT g.*, timezone((SELECT value FROM meta.settings WHERE key = 'timezone'), g.event_at) AS end_local
    FROM targets AS g
    WHERE g.calendar = 'business'
),

-- Business time is a difference of ordinals: business minutes from the calendar's first day to the instant.
ordinals AS (
    SELECT k.*,
           cs.business_minutes_before + CASE WHEN cs.is_workday THEN least(greatest(
               hour(k.created_local) * 60 + minute(k.created_local) + second(k.created_local) / 60.0
               - cs.business_opens_minute, 0), cs.business_minutes) ELSE 0 END AS start_ordinal,
           ce.business_minutes_before + CASE WHEN ce.is_workday THEN least(greatest(
               hour(k.end_local) * 60 + minute(k.end_local) + second(k.end_local) / 60.0
               - ce.business_opens_minute, 0), ce.business_minutes) ELSE 0 END AS end_ordinal,
           -- working days up to and including the day received: the Nth working day after it is number this + N
           cs.business_minutes_before / k.day_minutes + CASE WHEN cs.is_workday THEN 1 ELSE 0 END
               AS workdays_through_start
    FROM business_clock AS k
    LEFT JOIN core.calendar_days AS cs ON cs.date_day = CAST(k.created_local AS DATE)
    LEFT JOIN core.calendar_days AS ce ON ce.date_day = CAST(k.end_local AS DATE)
),

-- Every working day holds day_minutes business minutes, so the due ordinal falls on the working day whose
-- business_minutes_before is the largest multiple of day_minutes below it: an equality join, not a range join.
-- A target in working days falls due at the close of the working day numbered workdays_through_start + N, the one
-- with (workdays_through_start + N - 1) working days before it.
business AS (
    SELECT o.ticket_id, o.target, o.policy_id, o.calendar,
           CASE WHEN o.target_working_days IS NULL THEN o.target_minutes
                ELSE coalesce(CAST(round(c.business_minutes_before + c.business_minutes - o.start_ordinal)
                                   AS INTEGER), o.target_working_days * o.day_minutes)
           END AS target_minutes,
           o.created_at,
           timezone((SELECT value FROM meta.settings WHERE key = 'timezone'),
                    c.date_day + to_microseconds(CAST(round(CASE
                        WHEN o.target_working_days IS NULL
                            THEN (c.business_opens_minute + o.start_ordinal + o.target_minutes
                                  - c.business_minutes_before) * 60000000
                        ELSE CAST(c.business_opens_minute + c.business_minutes AS BIGINT) * 60000000 END) AS BIGINT)))
                AS due_at,
           o.event_at, o.start_ordinal, o.end_ordinal - o.start_ordinal AS event_elapsed_minutes,
           CAST(o.created_local AS DATE) AS created_date
    FROM ordinals AS o
    LEFT JOIN core.calendar_days AS c
      ON c.is_workday
     AND c.business_minutes_before
         = CASE WHEN o.target_working_days IS NULL
                THEN (ceil((o.start_ordinal + o.target_minutes) / o.day_minutes) - 1) * o.day_minutes
                ELSE (o.workdays_through_start + o.target_working_days - 1) * o.day_minutes END
)

SELECT * FROM wall_clock
UNION ALL
SELECT * FROM business
