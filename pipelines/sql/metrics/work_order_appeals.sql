-- Appeals (申诉, issue 14; seed 004 "申诉处理"): an appeal against a ticket's result is a ticket of its own, graded
-- major-urgent (重大紧急) / ordinary (一般) / complex (复杂). The appealed ticket carries the step `appealed` naming
-- the appeal ticket (appeal_ticket_id) and its grade; the appeal ticket has its own events, and its review (复核,
-- 004: 申诉核实) decides it: verdict valid = upheld (the appeal was right), invalid = not upheld.
-- Grain: one row per appealed step (core.ticket_events, step = 'appealed').
-- Definitions (docs/metrics.md "Work-order lifecycle"): outcome = upheld / not_upheld from the appeal ticket's last
-- review, pending while it has none. Appeal rate = appealed tickets / replied tickets (metrics.work_order_state);
-- share upheld = upheld / (upheld + not_upheld).
CREATE OR REPLACE VIEW metrics.work_order_appeals AS
WITH

tz AS (SELECT coalesce(max(value) FILTER (WHERE key = 'timezone'), 'UTC') AS tz FROM meta.settings),

verdicts AS (
    SELECT ticket_id, arg_max(verdict, occurred_at) AS verdict, max(occurred_at) AS decided_at
    FROM core.ticket_events WHERE step = 'reviewed' AND verdict IS NOT NULL
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
FROM core.ticket_events AS a
LEFT JOIN verdicts AS v ON v.ticket_id = a.appeal_ticket_id
LEFT JOIN core.tickets AS t ON t.ticket_id = a.ticket_id
CROSS JOIN tz
WHERE a.step = 'appealed'
