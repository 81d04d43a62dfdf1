-- The work-order lifecycle as a flow (issue 14: received -> dispatched -> returned / transferred / re-dispatched ->
-- resolved -> reviewed -> archived, with counts).
-- Grain: one row per ticket and step it reached at least once (core.ticket_events), with how often and when first.
-- Definitions (docs/metrics.md "Work-order lifecycle"): tickets reaching a step = count of rows of that step;
-- step_rank orders the flow; a page sums `tickets` (1 per row) and `times` over its filters.
CREATE OR REPLACE VIEW metrics.hotline_lifecycle_flow AS
WITH

tz AS (SELECT coalesce(max(value) FILTER (WHERE key = 'timezone'), 'UTC') AS tz FROM meta.settings)

SELECT
    e.ticket_id,
    e.step,
    list_position(['received', 'dispatched', 'returned', 'redispatched', 'transferred', 'replied', 'reviewed',
                   'reminded', 'escalated', 'appealed', 'archived', 'reopened'], e.step) AS step_rank,
    1 AS tickets,
    count(*) AS times,
    min(e.occurred_at) AS first_at,
    CAST(timezone(any_value(tz.tz), coalesce(any_value(t.created_at), min(e.occurred_at))) AS DATE) AS created_date,
    any_value(t.site) AS site, any_value(t.ticket_type) AS ticket_type, any_value(t.category) AS category,
    any_value(t.channel) AS channel, any_value(t.priority) AS priority
FROM core.ticket_events AS e
LEFT JOIN core.tickets AS t ON t.ticket_id = e.ticket_id
CROSS JOIN tz
GROUP BY e.ticket_id, e.step
