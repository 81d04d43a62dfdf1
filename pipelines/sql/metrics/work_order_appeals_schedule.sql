-- The stored part of metrics.work_order_appeals (issue 14 "Speed"): nothing in it depends on now.
-- pipelines/work_orders.py keeps it in metrics.work_order_appeals_base for the tickets whose rows or events a load
-- wrote, and for the appealed tickets whose appeal ticket's events it wrote (the outcome is that ticket's review);
-- its `-- @touched` line narrows it. metrics.work_order_appeals reads the table. Definitions: that view's file.
CREATE OR REPLACE VIEW metrics.work_order_appeals_schedule AS
WITH

tz AS (SELECT coalesce(max(value) FILTER (WHERE key = 'timezone'), 'UTC') AS tz FROM meta.settings),

appeals AS (
    SELECT a.ticket_id, a.occurred_at, a.appeal_ticket_id, a.appeal_grade
    FROM core.ticket_events AS a
    WHERE a.step = 'appealed'
    -- @touched a.ticket_id
),

verdicts AS (   -- the appeal tickets' last review (only theirs: a narrowed refresh reads a few)
    SELECT ticket_id, arg_max(verdict, occurred_at) AS verdict, max(occurred_at) AS decided_at
    FROM core.ticket_events
    WHERE step = 'reviewed' AND verdict IS NOT NULL AND ticket_id IN (SELECT appeal_ticket_id FROM appeals)
    GROUP BY ticket_id
)

SELECT
    a.ticket_id,
    a.occurred_at AS appealed_at,
    CAST(timezone(tz.tz, a.occurred_at) AS DATE) AS appealed_date,
    a.appeal_ticket_id,
    coalesce(a.appeal_grade, '(none)') AS appeal_grade,
    CASE v.verdict WHEN 'valid' THEN 'upheld' WHEN 'invalid' THEN 'not_upheld' ELSE 'pending' END AS outcome,
    v.decided_at,
    v.verdict = 'valid' AS is_upheld,
    v.verdict IS NOT NULL AS is_decided,
    t.site, t.ticket_type, t.category, t.channel, t.priority, t.department
FROM appeals AS a
LEFT JOIN verdicts AS v ON v.ticket_id = a.appeal_ticket_id
LEFT JOIN core.tickets AS t ON t.ticket_id = a.ticket_id
CROSS JOIN tz
