-- Backlog, the part that does not depend on now: every open ticket (not resolved, not closed, not cancelled) with
-- the instant its first open SLA target falls due. Grain: one row per open ticket.
-- Stored at publish: pipelines/backlog.py keeps this view's rows in metrics.backlog_base for the tickets each load
-- touched (this text with the `-- @touched` lines turned into filters on the load's tickets), so a page finds the
-- few open tickets without scanning every ticket; metrics.backlog adds the age and the breach from metrics.clock.
-- Definition (docs/metrics.md "metrics.backlog"): an open target (event_at is null) is breached once now is past
-- its due_at (metrics.ticket_sla_status); so a ticket has a breached open target from the earliest due_at of its
-- open targets on (first_due_at; null = no open target with a due time: never breached while so).
CREATE OR REPLACE VIEW metrics.backlog_schedule AS
WITH open_tickets AS (
    SELECT t.*
    FROM core.tickets AS t
    WHERE t.resolved_at IS NULL AND t.closed_at IS NULL AND t.status IS DISTINCT FROM 'cancelled'
    -- @touched t.rowid
),

open_due AS (
    SELECT s.ticket_id, min(s.due_at) AS first_due_at
    FROM metrics.ticket_sla_base AS s
    WHERE s.event_at IS NULL
    -- @touched s.ticket_id
    GROUP BY s.ticket_id
)

SELECT o.ticket_id, o.created_at,
       CAST(timezone((SELECT value FROM meta.settings WHERE key = 'timezone'), o.created_at) AS DATE)
           AS created_date,
       d.first_due_at,
       o.status, o.site, o.region, o.department, o.agent, o.channel, o.ticket_type, o.category, o.priority,
       o.product, o.complaint_grade
FROM open_tickets AS o
LEFT JOIN open_due AS d ON d.ticket_id = o.ticket_id
