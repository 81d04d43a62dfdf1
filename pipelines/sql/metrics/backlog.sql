-- Backlog: tickets still open now, with their age and whether any SLA target is already breached.
-- Grain: one row per open ticket (not resolved, not closed, not cancelled).
-- Age buckets: '<1d', '1-3d', '3-7d', '7-30d', '>30d' (age_bucket_order 1-5 sorts them).
CREATE OR REPLACE VIEW metrics.backlog AS
WITH open_tickets AS (
    SELECT t.*, (extract(epoch FROM c.now_at) - extract(epoch FROM t.created_at)) / 3600.0 AS age_hours
    FROM core.tickets AS t
    CROSS JOIN metrics.clock AS c
    WHERE t.resolved_at IS NULL AND t.closed_at IS NULL AND t.status IS DISTINCT FROM 'cancelled'
),

breaches AS (
    SELECT ticket_id, bool_or(sla_status = 'breached') AS is_breached
    FROM metrics.ticket_sla_status
    WHERE is_open
    GROUP BY ticket_id
)

SELECT o.ticket_id, o.created_at,
       CAST(timezone((SELECT value FROM meta.settings WHERE key = 'timezone'), o.created_at) AS DATE)
           AS created_date,
       o.age_hours,
       CASE WHEN o.age_hours < 24 THEN '<1d' WHEN o.age_hours < 72 THEN '1-3d'
            WHEN o.age_hours < 168 THEN '3-7d' WHEN o.age_hours < 720 THEN '7-30d' ELSE '>30d' END AS age_bucket,
       CASE WHEN o.age_hours < 24 THEN 1 WHEN o.age_hours < 72 THEN 2
            WHEN o.age_hours < 168 THEN 3 WHEN o.age_hours < 720 THEN 4 ELSE 5 END AS age_bucket_order,
       coalesce(b.is_breached, FALSE) AS is_breached,
       o.status, o.site, o.region, o.department, o.agent, o.channel, o.ticket_type, o.category, o.priority,
       o.product, o.complaint_grade
FROM open_tickets AS o
LEFT JOIN breaches AS b ON b.ticket_id = o.ticket_id
