-- Per-ticket KPI flags: the building blocks of service timeliness, complaint, repeat, reopen and escalation rates.
-- Grain: one row per ticket that is not cancelled.
-- Definitions (docs/metrics.md, DOMAIN.md "Metrics"):
--   service timeliness rate = count(is_timely) / count(is_measured): a ticket is measured once every applicable
--     SLA target is decided (met or breached), and timely when all of them were met (003 section 3.2.1);
--   complaint rate = count(is_attributable_complaint) / count(*) of tickets in the period;
--   repeat-complaint rate = count(is_repeat_complaint) / (count(is_complaint) - count(is_repeat_complaint));
--   reopen rate = count(is_reopened) / count(*); escalation rate = count(is_escalated) / count(*).
CREATE OR REPLACE VIEW metrics.ticket_kpis AS
-- created_date is carried into the join key so a date filter on this view reaches metrics.ticket_sla before
-- its aggregation (4x faster at 1M tickets than aggregating every ticket first); ticket_sla_status, not ticket_sla,
-- because the ticket's attributes come from the join below.
WITH sla AS (
    SELECT ticket_id, created_date,
           count(*) AS targets,
           count(is_met) AS decided_targets,
           count(*) FILTER (WHERE is_met) AS met_targets
    FROM metrics.ticket_sla_status
    GROUP BY ticket_id, created_date
),

tickets AS (
    SELECT t.*,
           timezone((SELECT value FROM meta.settings WHERE key = 'timezone'), t.created_at) AS created_local
    FROM core.tickets AS t
    WHERE t.status IS DISTINCT FROM 'cancelled'
)

SELECT t.ticket_id, t.created_at,
       CAST(t.created_local AS DATE) AS created_date,
       CAST(date_trunc('week', t.created_local) AS DATE) AS week_start,
       t.site, t.region, t.department, t.agent, t.channel, t.ticket_type, t.category, t.priority, t.product,
       t.status, t.resolved_at, t.complaint_grade,
       coalesce(s.targets > 0 AND s.decided_targets = s.targets, FALSE) AS is_measured,
       coalesce(s.targets > 0 AND s.met_targets = s.targets, FALSE) AS is_timely,
       t.ticket_type = 'complaint' AS is_complaint,
       t.ticket_type = 'complaint' AND coalesce(t.is_attributable_to_service, FALSE) AS is_attributable_complaint,
       t.ticket_type = 'complaint' AND coalesce(t.is_repeat_complaint, FALSE) AS is_repeat_complaint,
       coalesce(t.reopen_count, 0) > 0 AS is_reopened,
       coalesce(t.is_escalated, FALSE) AS is_escalated,
       t.resolved_at IS NULL AND t.closed_at IS NULL AS is_open
FROM tickets AS t
LEFT JOIN sla AS s ON s.ticket_id = t.ticket_id AND s.created_date = CAST(t.created_local AS DATE)
