-- Backlog: tickets still open now, with their age and whether any SLA target is already breached.
-- Grain: one row per open ticket (not resolved, not closed, not cancelled).
-- Age buckets: '<1d', '1-3d', '3-7d', '7-30d', '>30d' (age_bucket_order 1-5 sorts them).
-- Stored at publish: metrics.backlog_base holds metrics.backlog_schedule (the open tickets and when each first
-- breaches; pipelines/backlog.py keeps it per load); this view adds what depends on now from metrics.clock:
-- age_hours = created_at -> now; is_breached = now is past first_due_at (any open SLA target past due, as
-- metrics.ticket_sla_status decides it).
CREATE TABLE IF NOT EXISTS metrics.backlog_base AS FROM metrics.backlog_schedule WITH NO DATA;
CREATE OR REPLACE VIEW metrics.backlog AS
WITH open_tickets AS (
    SELECT b.*, (extract(epoch FROM c.now_at) - extract(epoch FROM b.created_at)) / 3600.0 AS age_hours,
           coalesce(c.now_at > b.first_due_at, FALSE) AS is_breached
    FROM metrics.backlog_base AS b
    CROSS JOIN metrics.clock AS c
)

SELECT o.ticket_id, o.created_at, o.created_date, o.age_hours,
       CASE WHEN o.age_hours < 24 THEN '<1d' WHEN o.age_hours < 72 THEN '1-3d'
            WHEN o.age_hours < 168 THEN '3-7d' WHEN o.age_hours < 720 THEN '7-30d' ELSE '>30d' END AS age_bucket,
       CASE WHEN o.age_hours < 24 THEN 1 WHEN o.age_hours < 72 THEN 2
            WHEN o.age_hours < 168 THEN 3 WHEN o.age_hours < 720 THEN 4 ELSE 5 END AS age_bucket_order,
       o.is_breached,
       o.status, o.site, o.region, o.department, o.agent, o.channel, o.ticket_type, o.category, o.priority,
       o.product, o.complaint_grade
FROM open_tickets AS o
