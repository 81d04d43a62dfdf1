-- The work-order lifecycle as a flow (issue 14: received -> dispatched -> returned / transferred / re-dispatched ->
-- resolved -> reviewed -> archived, with counts).
-- Grain: one row per ticket and step it reached at least once (core.ticket_events), with how often; from the step
-- counts materialised at publish (metrics.work_order_tickets_base, pipelines/work_orders.py).
-- Definitions (docs/metrics.md "Work-order lifecycle"): tickets reaching a step = count of rows of that step;
-- step_rank orders the flow; a page sums `tickets` (1 per row) and `times` over its filters.
CREATE OR REPLACE VIEW metrics.hotline_lifecycle_flow AS
WITH

tz AS (SELECT coalesce(max(value) FILTER (WHERE key = 'timezone'), 'UTC') AS tz FROM meta.settings),

steps AS (
    UNPIVOT (SELECT ticket_id, first_event_at, received AS "received", dispatches AS "dispatched",
                    returns AS "returned", redispatches AS "redispatched", transfers AS "transferred",
                    replies AS "replied", reviews AS "reviewed", reminders AS "reminded", escalations AS "escalated",
                    appeals AS "appealed", archives AS "archived", reopens AS "reopened"
             FROM metrics.work_order_tickets_base)
    ON "received", "dispatched", "returned", "redispatched", "transferred", "replied", "reviewed", "reminded",
       "escalated", "appealed", "archived", "reopened"
    INTO NAME step VALUE times
)

SELECT
    s.ticket_id,
    s.step,
    list_position(['received', 'dispatched', 'returned', 'redispatched', 'transferred', 'replied', 'reviewed',
                   'reminded', 'escalated', 'appealed', 'archived', 'reopened'], s.step) AS step_rank,
    1 AS tickets,
    s.times,
    CAST(timezone(tz.tz, coalesce(t.created_at, s.first_event_at)) AS DATE) AS created_date,
    t.site, t.ticket_type, t.category, t.channel, t.priority
FROM steps AS s
LEFT JOIN core.tickets AS t ON t.ticket_id = s.ticket_id
CROSS JOIN tz
WHERE s.times > 0
