-- Routing by category (seed 004's 12345 routing, DOMAIN.md section 4; docs/metrics.md "Hotline"): the department
-- core.hotline_routing_rules suggests for each ticket's category ([hotline] routing, a CSV category,department),
-- beside the department the ticket went to.
-- Grain: one row per ticket (core.tickets, not cancelled).
-- has_rule: the category has a routing rule. is_routed: has a rule and a department. is_mismatch: routed to a
-- department other than the suggestion. Mismatch share = count(is_mismatch) / count(is_routed).
CREATE OR REPLACE VIEW metrics.hotline_routing AS
SELECT
    t.ticket_id, t.created_at,
    CAST(timezone((SELECT coalesce(max(value), 'UTC') FROM meta.settings WHERE key = 'timezone'), t.created_at)
         AS DATE) AS created_date,
    t.site, t.department, t.agent, t.channel, t.ticket_type, t.category, t.priority, t.product,
    r.department AS suggested_department,
    r.source AS rule_source,
    r.department IS NOT NULL AS has_rule,
    r.department IS NOT NULL AND t.department IS NOT NULL AS is_routed,
    r.department IS NOT NULL AND t.department IS NOT NULL AND t.department <> r.department AS is_mismatch
FROM core.tickets AS t
LEFT JOIN core.hotline_routing_rules AS r ON r.category = t.category
WHERE t.status IS DISTINCT FROM 'cancelled'
