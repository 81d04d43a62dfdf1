-- SLA status per ticket and target, as of now: met, breached or pending, with the ticket's attributes.
-- Grain: one row per ticket x applicable target (first_response, on_site, resolution); cancelled tickets excluded.
-- Definition (docs/metrics.md "SLA attainment"): the status comes from metrics.ticket_sla_status (met = the event
-- happened at or before due_at; breached = later, or not yet and due_at is past; pending = not yet and not due,
-- excluded from rates: is_met is null). Attainment = count(is_met) filter true / count(is_met).
-- Elapsed time counts in the policy's calendar (business minutes or wall-clock minutes), up to now for open targets.
CREATE OR REPLACE VIEW metrics.ticket_sla AS
SELECT s.ticket_id, s.target, s.policy_id, s.calendar, s.target_minutes, t.created_at, s.due_at, s.event_at,
       s.sla_status, s.is_met, s.is_open,
       CASE WHEN s.event_at IS NOT NULL THEN s.event_elapsed_minutes
            WHEN s.calendar = 'business' THEN s.now_ordinal - s.start_ordinal
            ELSE date_diff('second', t.created_at, s.now_at) / 60.0 END AS elapsed_minutes,
       date_diff('second', t.created_at, coalesce(s.event_at, s.now_at)) / 60.0 AS elapsed_wall_minutes,
       s.created_date, t.site, t.region, t.department, t.agent, t.channel, t.ticket_type, t.category,
       t.priority, t.product, t.status
FROM metrics.ticket_sla_status AS s
JOIN core.tickets AS t ON t.ticket_id = s.ticket_id
