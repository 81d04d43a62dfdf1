-- Repeat complaints derived from the data (seed 004 l.1327, DOMAIN.md section 4; docs/metrics.md "Hotline").
-- Nothing here depends on now: pipelines/ticket_views.py stores it in metrics.repeat_complaints_base at publish, for
-- every complaint of the customers whose complaints, surveys or work-order events a load touched (its `-- @touched`
-- lines narrow it to those complaints), and metrics.repeat_complaints reads that table.
-- Grain: one row per complaint (as metrics.complaint_limits: ticket_type 'complaint', not cancelled).
-- Definitions:
--   an earlier complaint is "unresolved for the customer" from its trigger moment: its limit was missed
--     (metrics.complaint_limits.is_met FALSE: from due_at), or its result was unhappy: reopened (from resolved_at) or
--     a follow-up answered with a score of 1 or 2 (bottom two boxes; from the answer, else the attempt);
--   a complaint is a derived repeat when the same customer (customer_id: the customer or household) complained
--     earlier, and this complaint was received after that earlier complaint's trigger moment and within
--     [hotline] repeat_window_months (3) months of the earlier complaint's receipt;
--   unresolved_at / unresolved_reason: the complaint's own trigger moment and which it was (null: none yet);
--   is_repeat = derived repeat OR the source's flag (is_repeat_complaint: where an export carries it, it still
--     counts); earlier_ticket_id is the latest qualifying earlier complaint (ties: the greater ticket id; null
--     for a flag-only repeat).
--   repeat-complaint rate = count(is_repeat) / (count(*) - count(is_repeat)) (004: repeats / (complaints -
--     repeats); target [targets] repeat_complaint_rate <= 1 %). metrics.kpi_facts reads metrics.repeat_complaints.
-- The model has no address column: "same address and category" can only be matched through customer_id.
CREATE OR REPLACE VIEW metrics.repeat_complaints_schedule AS
WITH

window_months AS (
    SELECT coalesce(CAST(max(value) FILTER (WHERE key = 'hotline_repeat_window_months') AS INTEGER), 3) AS months
    FROM meta.settings
),

complaints AS (   -- with the ticket's own flag and reopen count, stored beside its limit (complaint_limits_schedule)
    SELECT ticket_id, created_at, created_date, site, department, agent, channel, ticket_type, category, priority,
           product, customer_id, coordination_level, due_at, done_at,
           is_repeat_complaint AS flagged, is_reopened
    FROM metrics.complaint_limits_base
    WHERE true
    -- @touched ticket_id
),

unhappy_survey AS (
    SELECT ticket_id, min(coalesce(responded_at, attempted_at)) AS unhappy_at
    FROM core.surveys
    WHERE outcome = 'responded' AND score IN (1, 2) AND ticket_id IS NOT NULL
    -- @touched ticket_id
    GROUP BY ticket_id
),

-- each complaint's first trigger moment: missed limit, reopened or an unhappy answer. The limit was missed at
-- due_at when the complaint was not solved and replied by then (metrics.complaint_limits.is_met FALSE for any
-- clock past due_at, which every later complaint's receipt is).
triggers AS (
    SELECT ticket_id, customer_id, created_at, least(missed_at, unhappy_at) AS trigger_at,
           CASE WHEN missed_at IS NULL AND unhappy_at IS NULL THEN NULL
                WHEN missed_at <= coalesce(unhappy_at, missed_at) THEN 'missed_limit' ELSE 'unhappy_result' END
               AS trigger_reason
    FROM (
        SELECT c.ticket_id, c.customer_id, c.created_at,
               CASE WHEN c.due_at IS NOT NULL AND (c.done_at IS NULL OR c.done_at > c.due_at) THEN c.due_at END
                   AS missed_at,
               least(CASE WHEN c.is_reopened THEN c.done_at END, u.unhappy_at) AS unhappy_at
        FROM complaints AS c
        LEFT JOIN unhappy_survey AS u USING (ticket_id)
    )
),

matches AS (   -- the latest qualifying earlier complaint, ties by the greater ticket id: one row gives all three
    SELECT ticket_id, earlier_ticket_id, earlier_created_at, earlier_reason
    FROM (
        SELECT n.ticket_id, e.ticket_id AS earlier_ticket_id, e.created_at AS earlier_created_at,
               e.trigger_reason AS earlier_reason,
               row_number() OVER (PARTITION BY n.ticket_id ORDER BY e.created_at DESC, e.ticket_id DESC) AS latest
        FROM complaints AS n
        JOIN triggers AS e
          ON e.customer_id = n.customer_id AND e.ticket_id <> n.ticket_id
         AND e.trigger_at IS NOT NULL
         AND n.created_at > e.trigger_at
         AND n.created_at > e.created_at
         AND n.created_at <= e.created_at + to_months((SELECT months FROM window_months))
    )
    WHERE latest = 1
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
    m.earlier_reason,
    g.trigger_at AS unresolved_at,
    g.trigger_reason AS unresolved_reason
FROM complaints AS c
LEFT JOIN matches AS m USING (ticket_id)
LEFT JOIN triggers AS g USING (ticket_id)
