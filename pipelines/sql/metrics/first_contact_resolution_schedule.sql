-- First-contact resolution (一次性解决, DOMAIN.md section 4; 004: calls whose problem is solved without the caller
-- calling again or the centre calling back; issue 14: resolved without dispatch or a second contact; target 85 %):
-- the calls that created or concern a ticket, joined to the ticket's lifecycle.
-- Nothing here depends on now: pipelines/ticket_views.py stores it in metrics.first_contact_resolution_base at
-- publish, for the tickets a load wrote and those its calls name (its `-- @touched` lines narrow it to them: the
-- tickets by row id, as the rows a load wrote are the table's last and are found without a scan of every id), and
-- metrics.first_contact_resolution reads that table.
-- Grain: one row per ticket (core.tickets, not cancelled) that came in by phone (channel 'phone', the hotline) or has
-- at least one call in core.calls carrying its ticket_id: a hotline ticket without call records counts too (its
-- calls are 0 and its first-call columns null). Calls naming a ticket the warehouse does not hold have no row.
-- Definitions (docs/metrics.md "First-contact resolution"):
--   first call = the ticket's earliest call (offered_at, then call_id): first_call_id, first_call_at, its local
--   first_call_date, queue and call_agent; contact_date = first_call_date, else the local date received (the date
--   the scorecard files the row under), the local date of contact_at (first_call_at, else created_at);
--   repeat_calls = the ticket's other calls (the caller calling again about it, answered or not);
--   is_reopened = reopen_count > 0; is_dispatched = dispatched_at present (sent to a department: not solved on the
--   contact); is_resolved = resolved_at present;
--   is_first_contact_resolved = resolved, never dispatched, with no repeat call and never reopened.
--   first-contact resolution rate = count(is_first_contact_resolved) / count(is_resolved): open tickets are not
--   decided yet. A repeat call after resolution takes a ticket out of it whenever it comes. The export holds
--   inbound calls only, so a call-back from the centre is seen only when it reopens the ticket.
CREATE OR REPLACE VIEW metrics.first_contact_resolution_schedule AS
WITH

tz AS (SELECT coalesce(max(value) FILTER (WHERE key = 'timezone'), 'UTC') AS tz FROM meta.settings),

ranked AS (
    SELECT ticket_id, call_id, offered_at, coalesce(queue, '(none)') AS queue, agent,
           row_number() OVER (PARTITION BY ticket_id ORDER BY offered_at, call_id) AS n,
           count(*) OVER (PARTITION BY ticket_id) AS calls
    FROM core.calls
    WHERE ticket_id IS NOT NULL
    -- @touched ticket_id
)

SELECT
    t.ticket_id,
    c.call_id AS first_call_id,
    c.offered_at AS first_call_at,
    CAST(timezone(tz.tz, c.offered_at) AS DATE) AS first_call_date,
    c.queue,
    c.agent AS call_agent,
    t.site, t.department, t.agent, t.ticket_type, t.category,
    t.created_at,
    t.resolved_at,
    coalesce(c.calls, 0) AS calls,
    greatest(coalesce(c.calls, 0) - 1, 0) AS repeat_calls,
    coalesce(t.reopen_count, 0) > 0 AS is_reopened,
    t.resolved_at IS NOT NULL AS is_resolved,
    t.resolved_at IS NOT NULL AND coalesce(c.calls, 0) <= 1 AND coalesce(t.reopen_count, 0) = 0
        AND t.dispatched_at IS NULL AS is_first_contact_resolved,
    t.dispatched_at IS NOT NULL AS is_dispatched,
    CAST(timezone(tz.tz, coalesce(c.offered_at, t.created_at)) AS DATE) AS contact_date,
    coalesce(c.offered_at, t.created_at) AS contact_at,
    t.channel, t.priority, t.product
FROM core.tickets AS t
LEFT JOIN ranked AS c ON c.ticket_id = t.ticket_id AND c.n = 1
CROSS JOIN tz
WHERE t.status IS DISTINCT FROM 'cancelled' AND (c.ticket_id IS NOT NULL OR t.channel = 'phone')
-- @touched t.rowid
