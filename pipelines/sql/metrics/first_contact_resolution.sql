-- First-contact resolution (一次性解决, DOMAIN.md section 4; 004: calls whose problem is solved without the caller
-- calling again or the centre calling back; target 85-100 %): the calls that created or concern a ticket, joined to
-- the ticket's lifecycle.
-- Grain: one row per ticket (core.tickets, not cancelled) with at least one call in core.calls carrying its
-- ticket_id; calls naming a ticket the warehouse does not hold have no row.
-- Definitions (docs/metrics.md "First-contact resolution"):
--   first call = the ticket's earliest call (offered_at, then call_id): first_call_id, first_call_at, its local
--   first_call_date (the row's date), queue and call_agent;
--   repeat_calls = the ticket's other calls (the caller calling again about it, answered or not);
--   is_reopened = reopen_count > 0; is_resolved = resolved_at present;
--   is_first_contact_resolved = resolved, with no repeat call and never reopened.
--   first-contact resolution rate = count(is_first_contact_resolved) / count(is_resolved): open tickets are not
--   decided yet. A repeat call after resolution takes a ticket out of it whenever it comes. The export holds
--   inbound calls only, so a call-back from the centre is seen only when it reopens the ticket.
CREATE OR REPLACE VIEW metrics.first_contact_resolution AS
WITH

tz AS (SELECT coalesce(max(value) FILTER (WHERE key = 'timezone'), 'UTC') AS tz FROM meta.settings),

ranked AS (
    SELECT ticket_id, call_id, offered_at, coalesce(queue, '(none)') AS queue, agent,
           row_number() OVER (PARTITION BY ticket_id ORDER BY offered_at, call_id) AS n,
           count(*) OVER (PARTITION BY ticket_id) AS calls
    FROM core.calls
    WHERE ticket_id IS NOT NULL
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
    c.calls,
    c.calls - 1 AS repeat_calls,
    coalesce(t.reopen_count, 0) > 0 AS is_reopened,
    t.resolved_at IS NOT NULL AS is_resolved,
    t.resolved_at IS NOT NULL AND c.calls = 1 AND coalesce(t.reopen_count, 0) = 0 AS is_first_contact_resolved
FROM ranked AS c
JOIN core.tickets AS t ON t.ticket_id = c.ticket_id AND c.n = 1
CROSS JOIN tz
WHERE t.status IS DISTINCT FROM 'cancelled'
