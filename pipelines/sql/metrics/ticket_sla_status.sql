-- SLA status per ticket and target, as of now, without the ticket's attributes: the building block that
-- metrics.ticket_sla (with attributes) and metrics.ticket_kpis (per ticket) share, so the status rule is written once
-- and ticket_kpis needs no second join to core.tickets.
-- Grain: one row per ticket x applicable target (first_response, on_site, resolution); cancelled tickets excluded.
-- Definition (docs/metrics.md "SLA attainment"): met = the event happened at or before due_at; breached = it
-- happened later, or has not happened and due_at is past (open tickets past due count as breached); pending = not
-- happened and not yet due, excluded from rates (is_met is null). Attainment = count(is_met) filter true / count(is_met).
-- Elapsed time counts in the policy's calendar (business minutes or wall-clock minutes), up to now for open targets.
-- Every column of metrics.ticket_sla except the ticket's attributes: a query that neither shows nor filters those can
-- read this view and skip the join (the dashboard does, dashboard/queries.py sla_view).
CREATE OR REPLACE VIEW metrics.ticket_sla_status AS
WITH now_clock AS (
    SELECT l.now_at,
           c.business_minutes_before + CASE WHEN c.is_workday THEN least(greatest(
               hour(l.now_local) * 60 + minute(l.now_local) + second(l.now_local) / 60.0
               - c.business_opens_minute, 0), c.business_minutes) ELSE 0 END AS now_ordinal
    FROM (SELECT now_at, timezone((SELECT value FROM meta.settings WHERE key = 'timezone'), now_at) AS now_local
          FROM metrics.clock) AS l
    LEFT JOIN core.calendar_days AS c ON c.date_day = CAST(l.now_local AS DATE)
)

SELECT b.ticket_id, b.target, b.policy_id, b.calendar, b.target_minutes, b.created_at, b.due_at, b.event_at,
       CASE WHEN b.event_at IS NOT NULL AND b.event_at <= b.due_at THEN 'met'
            WHEN b.event_at IS NOT NULL OR n.now_at > b.due_at THEN 'breached'
            ELSE 'pending' END AS sla_status,
       CASE WHEN b.event_at IS NOT NULL AND b.event_at <= b.due_at THEN TRUE
            WHEN b.event_at IS NOT NULL OR n.now_at > b.due_at THEN FALSE END AS is_met,
       b.event_at IS NULL AS is_open,
       CASE WHEN b.event_at IS NOT NULL THEN b.event_elapsed_minutes
            WHEN b.calendar = 'business' THEN n.now_ordinal - b.start_ordinal
            ELSE (extract(epoch FROM n.now_at) - extract(epoch FROM b.created_at)) / 60.0 END AS elapsed_minutes,
       (extract(epoch FROM coalesce(b.event_at, n.now_at)) - extract(epoch FROM b.created_at)) / 60.0
           AS elapsed_wall_minutes,
       b.created_date
FROM metrics.ticket_sla_base AS b
CROSS JOIN now_clock AS n
