-- SLA status per ticket and target, as of now: met, breached or pending, with the ticket's attributes.
-- Grain: one row per ticket x applicable target (first_response, on_site, resolution); cancelled tickets excluded.
-- Definition (docs/metrics.md "SLA attainment"): the status comes from metrics.ticket_sla_status (met = the event
-- happened at or before due_at; breached = later, or not yet and due_at is past; pending = not yet and not due,
-- excluded from rates: is_met is null). Attainment = count(is_met) filter true / count(is_met).
-- Elapsed time: see metrics.ticket_sla_status.
CREATE OR REPLACE VIEW metrics.ticket_sla AS
SELECT s.ticket_id, s.target, s.policy_id, s.calendar, s.target_minutes, s.created_at, s.due_at, s.event_at,
       s.sla_status, s.is_met, s.is_open, s.elapsed_minutes, s.elapsed_wall_minutes,
       s.created_date, t.site, t.region, t.department, t.agent, t.channel, t.ticket_type, t.category,
       t.priority, t.product, t.status
FROM metrics.ticket_sla_status AS s
JOIN core.tickets AS t ON t.ticket_id = s.ticket_id
