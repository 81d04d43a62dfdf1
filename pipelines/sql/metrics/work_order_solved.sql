-- The reply that solved a work order (issue 14 "Speed"), the complaint-limit clock's end, apart from what the
-- clock also reports: metrics.work_order_clock reads this view and adds the receipt and the lost time;
-- metrics.complaint_limits_schedule reads only this, so a load's refresh of the stored complaint limits, narrowed
-- to its tickets, reads their rows alone (DuckDB does not push a filter on the clock through the lost-time
-- aggregate over every hold, nor through its join with core.tickets).
-- Grain: one row per ticket with events (metrics.work_order_tickets_base, materialised at publish).
--   solved_replied_at = the last reply with no reopen after it (a reply followed by a reopen did not solve it);
--   null while unsolved.
CREATE OR REPLACE VIEW metrics.work_order_solved AS
SELECT
    ticket_id,
    received_at AS received_event_at,
    CASE WHEN last_replied_at > coalesce(last_reopened_at, '-infinity'::TIMESTAMPTZ)
         THEN last_replied_at END AS solved_replied_at
FROM metrics.work_order_tickets_base
