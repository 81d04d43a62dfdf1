-- The complaint-limit clock of a work order (issue 14; 004 l.1293: "from receipt to solved and replied"), and
-- what its returns and transfers cost: the view the complaint-limit attainment by coordination level reads.
-- Grain: one row per ticket with events (core.ticket_events), as metrics.work_order_state.
-- The rule (docs/metrics.md "Work-order lifecycle: the clock"): the limit runs from receipt to the reply that
-- solved it, on the caller's clock. A transfer or a return neither pauses nor restarts it: the caller waited all
-- along. What they cost is reported beside it, not deducted: lost_in_returns_minutes and
-- lost_in_transfers_minutes (metrics.work_order_holds.lost_minutes of the holds that ended so), by whom in
-- work_order_holds. A transfer's new deadline is the receiving department's own deadline (the on-time reply
-- rate), never the caller's limit.
--   received_at = the ticket's created_at (受理时间), else its first received step;
--   solved_replied_at = the last reply with no reopen after it (a reply followed by a reopen did not solve it);
--   null while unsolved; receipt_to_replied_minutes = received_at -> solved_replied_at (wall-clock minutes;
--   working-day limits are judged by the calendar where the limit is defined);
--   open_minutes = received_at -> now while unsolved.
CREATE OR REPLACE VIEW metrics.work_order_clock AS
WITH

lost AS (
    SELECT ticket_id,
           coalesce(sum(lost_minutes) FILTER (WHERE is_returned), 0) AS lost_in_returns_minutes,
           coalesce(sum(lost_minutes) FILTER (WHERE is_transferred_on), 0) AS lost_in_transfers_minutes,
           count(*) FILTER (WHERE is_returned) AS returns,
           count(*) FILTER (WHERE is_transferred_on) AS transfers
    FROM metrics.work_order_holds
    GROUP BY ticket_id
),

clocked AS (   -- receipt and the solving reply (metrics.work_order_solved)
    SELECT p.ticket_id, coalesce(t.created_at, p.received_event_at) AS received_at, p.solved_replied_at
    FROM metrics.work_order_solved AS p
    LEFT JOIN core.tickets AS t ON t.ticket_id = p.ticket_id
)

SELECT
    c.ticket_id,
    c.received_at,
    c.solved_replied_at,
    (epoch(c.solved_replied_at) - epoch(c.received_at)) / 60.0 AS receipt_to_replied_minutes,
    CASE WHEN c.solved_replied_at IS NULL THEN (epoch(k.now_at) - epoch(c.received_at)) / 60.0 END AS open_minutes,
    coalesce(l.returns, 0) AS returns,
    coalesce(l.transfers, 0) AS transfers,
    coalesce(l.lost_in_returns_minutes, 0) AS lost_in_returns_minutes,
    coalesce(l.lost_in_transfers_minutes, 0) AS lost_in_transfers_minutes,
    coalesce(l.lost_in_returns_minutes, 0) + coalesce(l.lost_in_transfers_minutes, 0) AS lost_minutes
FROM clocked AS c
LEFT JOIN lost AS l ON l.ticket_id = c.ticket_id
CROSS JOIN metrics.clock AS k
