-- A work order's state derived from its events (issue 14): where the events exist they are the truth about the
-- ticket's department and state, whatever the ticket export's own department and status columns say.
-- Grain: one row per ticket with at least one row in core.ticket_events (events of a ticket the warehouse does not
-- hold wait in quarantine, so every row here has its ticket).
-- Definitions (docs/metrics.md "Work-order lifecycle"):
--   status = the state the ticket's last status-changing step leaves it in: received -> open, dispatched ->
--   in_progress, returned, redispatched, transferred, replied -> resolved, reviewed -> under_review (valid) or
--   cancelled (invalid, 无效投诉), appealed, archived, reopened -> in_progress; reminders and escalations change
--   nothing. is_open = not archived or cancelled.
--   current_department / held_since = the department holding it (metrics.work_order_holds, is_held) and since
--   when; null when nobody holds it (returned and not yet re-dispatched) or it is closed (archived, cancelled).
--   held_minutes = held_since -> now. is_cancelled_by_review = the last review found it invalid.
--   counts: dispatches (first dispatch included), returns, redispatches, transfers, replies, reopens, reminders
--   (reminded steps) and escalations (escalated steps); max_escalation_level = the highest level reached.
--   is_returned / is_redispatched / is_transferred / is_reopened: at least one such step.
--   review_verdict = the last review's verdict; reply_due_at = the deadline of the hold in which the first reply
--   came, else of the current hold; is_replied_on_time as in work_order_holds for that hold.
CREATE OR REPLACE VIEW metrics.work_order_state AS
WITH

tz AS (SELECT coalesce(max(value) FILTER (WHERE key = 'timezone'), 'UTC') AS tz FROM meta.settings),

ordered AS (
    SELECT e.*,
           row_number() OVER (PARTITION BY e.ticket_id ORDER BY e.occurred_at DESC,
               list_position(['received', 'dispatched', 'returned', 'redispatched', 'transferred', 'replied',
                              'reviewed', 'reminded', 'escalated', 'appealed', 'archived', 'reopened'],
                             e.step) DESC, e.event_id DESC) AS from_last
    FROM core.ticket_events AS e
),

per_ticket AS (
    SELECT
        ticket_id,
        min(occurred_at) AS first_event_at,
        max(occurred_at) AS last_event_at,
        min(occurred_at) FILTER (WHERE step = 'received') AS received_at,
        min(occurred_at) FILTER (WHERE step = 'dispatched') AS first_dispatched_at,
        count(*) FILTER (WHERE step = 'dispatched') AS dispatches,
        count(*) FILTER (WHERE step = 'returned') AS returns,
        count(*) FILTER (WHERE step = 'redispatched') AS redispatches,
        count(*) FILTER (WHERE step = 'transferred') AS transfers,
        count(*) FILTER (WHERE step = 'replied') AS replies,
        min(occurred_at) FILTER (WHERE step = 'replied') AS first_replied_at,
        max(occurred_at) FILTER (WHERE step = 'replied') AS last_replied_at,
        count(*) FILTER (WHERE step = 'reopened') AS reopens,
        count(*) FILTER (WHERE step = 'reminded') AS reminders,
        count(*) FILTER (WHERE step = 'escalated') AS escalations,
        ['reminder', 'department_head', 'vice_president'][max(
            CASE WHEN step = 'reminded' THEN 1
                 WHEN step = 'escalated' THEN coalesce(list_position(
                     ['reminder', 'department_head', 'vice_president'], escalation_level), 1) END)]
            AS max_escalation_level,
        arg_max(verdict, occurred_at) FILTER (WHERE step = 'reviewed') AS review_verdict,
        max(occurred_at) FILTER (WHERE step = 'archived') AS archived_at,
        count(*) FILTER (WHERE step = 'appealed') AS appeals
    FROM core.ticket_events
    GROUP BY ticket_id
),

last_state AS (
    SELECT ticket_id,
           CASE step WHEN 'received' THEN 'open' WHEN 'dispatched' THEN 'in_progress'
                     WHEN 'replied' THEN 'resolved' WHEN 'reopened' THEN 'in_progress'
                     WHEN 'reviewed' THEN CASE WHEN verdict = 'invalid' THEN 'cancelled' ELSE 'under_review' END
                     ELSE step END AS status
    FROM (SELECT *, row_number() OVER (PARTITION BY ticket_id ORDER BY from_last) AS n FROM ordered
          WHERE step NOT IN ('reminded', 'escalated'))
    WHERE n = 1
),

held AS (
    SELECT ticket_id, department AS current_department, received_at AS held_since, held_minutes,
           deadline_at AS current_deadline_at
    FROM metrics.work_order_holds WHERE is_held
    QUALIFY row_number() OVER (PARTITION BY ticket_id ORDER BY hold_seq DESC) = 1
),

reply_hold AS (   -- the hold of the first reply, else the current one
    SELECT ticket_id, deadline_at AS reply_due_at, is_replied_on_time
    FROM metrics.work_order_holds
    QUALIFY row_number() OVER (PARTITION BY ticket_id
                               ORDER BY first_replied_at IS NULL, first_replied_at, is_held DESC, hold_seq DESC) = 1
)

SELECT
    p.ticket_id,
    t.created_at,
    CAST(timezone(tz.tz, coalesce(t.created_at, p.received_at, p.first_event_at)) AS DATE) AS created_date,
    t.site, t.ticket_type, t.category, t.channel, t.priority,
    t.department AS export_department,
    t.status AS export_status,
    coalesce(s.status, 'open') AS status,
    coalesce(s.status, 'open') NOT IN ('archived', 'cancelled') AS is_open,
    CASE WHEN coalesce(s.status, 'open') NOT IN ('archived', 'cancelled') THEN h.current_department END
        AS current_department,
    CASE WHEN coalesce(s.status, 'open') NOT IN ('archived', 'cancelled') THEN h.held_since END AS held_since,
    CASE WHEN coalesce(s.status, 'open') NOT IN ('archived', 'cancelled') THEN h.held_minutes END AS held_minutes,
    h.current_deadline_at,
    p.received_at, p.first_dispatched_at, p.first_replied_at, p.last_replied_at, p.archived_at, p.last_event_at,
    p.dispatches, p.returns, p.redispatches, p.transfers, p.replies, p.reopens, p.reminders, p.escalations,
    p.appeals,
    p.max_escalation_level,
    p.first_dispatched_at IS NOT NULL AS is_dispatched,
    p.returns > 0 AS is_returned,
    p.redispatches > 0 AS is_redispatched,
    p.transfers > 0 AS is_transferred,
    p.replies > 0 AS is_replied,
    p.reopens > 0 AS is_reopened,
    p.appeals > 0 AS is_appealed,
    p.review_verdict,
    coalesce(p.review_verdict = 'invalid', false) AS is_cancelled_by_review,
    r.reply_due_at,
    r.is_replied_on_time
FROM per_ticket AS p
LEFT JOIN last_state AS s ON s.ticket_id = p.ticket_id
LEFT JOIN held AS h ON h.ticket_id = p.ticket_id
LEFT JOIN reply_hold AS r ON r.ticket_id = p.ticket_id
LEFT JOIN core.tickets AS t ON t.ticket_id = p.ticket_id
CROSS JOIN tz
