-- Repeat complaints derived from the data (seed 004 l.1327, DOMAIN.md section 4; docs/metrics.md "Hotline").
-- Grain: one row per complaint (as metrics.complaint_limits: ticket_type 'complaint', not cancelled).
-- Definitions:
--   an earlier complaint is "unresolved for the customer" from its trigger moment: its limit was missed
--     (metrics.complaint_limits.is_met FALSE: from due_at), or its result was unhappy: reopened (from resolved_at) or
--     a follow-up answered with a score of 1 or 2 (bottom two boxes; from the answer, else the attempt);
--   a complaint is a derived repeat when the same customer (customer_id: the customer or household) complained
--     earlier, and this complaint was received after that earlier complaint's trigger moment and within
--     [hotline] repeat_window_months (3) months of the earlier complaint's receipt;
--   is_repeat = derived repeat OR the source's flag (is_repeat_complaint: where an export carries it, it still
--     counts); earlier_ticket_id is the latest qualifying earlier complaint (null for a flag-only repeat).
--   repeat-complaint rate = count(is_repeat) / (count(*) - count(is_repeat)) (004: repeats / (complaints -
--     repeats); target [targets] repeat_complaint_rate <= 1 %). metrics.kpi_facts reads this view.
-- The model has no address column: "same address and category" can only be matched through customer_id.
CREATE OR REPLACE VIEW metrics.repeat_complaints AS
WITH

window_months AS (
    SELECT coalesce(CAST(max(value) FILTER (WHERE key = 'hotline_repeat_window_months') AS INTEGER), 3) AS months
    FROM meta.settings
),

unhappy_survey AS (
    SELECT ticket_id, min(coalesce(responded_at, attempted_at)) AS unhappy_at
    FROM core.surveys
    WHERE outcome = 'responded' AND score IN (1, 2) AND ticket_id IS NOT NULL
    GROUP BY ticket_id
),

complaints AS (   -- the ticket's own flag and reopen count, stored beside its limit (complaint_limits_schedule)
    SELECT c.*, b.is_repeat_complaint AS flagged, b.is_reopened
    FROM metrics.complaint_limits AS c
    JOIN metrics.complaint_limits_base AS b USING (ticket_id)
),

-- each earlier complaint's first trigger moment: missed limit, reopened or an unhappy answer
triggers AS (
    SELECT ticket_id, customer_id, created_at, least(missed_at, unhappy_at) AS trigger_at,
           CASE WHEN missed_at <= coalesce(unhappy_at, missed_at) THEN 'missed_limit' ELSE 'unhappy_result' END
               AS trigger_reason
    FROM (
        SELECT c.ticket_id, c.customer_id, c.created_at,
               CASE WHEN c.is_met = FALSE THEN c.due_at END AS missed_at,
               least(CASE WHEN c.is_reopened THEN c.done_at END, u.unhappy_at) AS unhappy_at
        FROM complaints AS c
        LEFT JOIN unhappy_survey AS u USING (ticket_id)
        WHERE c.customer_id IS NOT NULL
    )
),

matches AS (
    SELECT n.ticket_id,
           arg_max(e.ticket_id, e.created_at) AS earlier_ticket_id,
           max(e.created_at) AS earlier_created_at,
           arg_max(e.trigger_reason, e.created_at) AS earlier_reason
    FROM complaints AS n
    JOIN triggers AS e
      ON e.customer_id = n.customer_id AND e.ticket_id <> n.ticket_id
     AND e.trigger_at IS NOT NULL
     AND n.created_at > e.trigger_at
     AND n.created_at > e.created_at
     AND n.created_at <= e.created_at + to_months((SELECT months FROM window_months))
    GROUP BY n.ticket_id
)

SELECT
    c.ticket_id, c.created_at, c.created_date,
    c.site, c.department, c.agent, c.channel, c.ticket_type, c.category, c.priority, c.product, c.customer_id,
    c.coordination_level,
    m.earlier_ticket_id IS NOT NULL AS is_repeat_derived,
    coalesce(c.flagged, FALSE) AS is_repeat_flagged,
    m.earlier_ticket_id IS NOT NULL OR coalesce(c.flagged, FALSE) AS is_repeat,
    m.earlier_ticket_id,
    m.earlier_created_at,
    m.earlier_reason
FROM complaints AS c
LEFT JOIN matches AS m USING (ticket_id)
