-- The weekly scorecard's KPIs as numerators and denominators, in one long table: the single definition the weekly
-- review pack (pipelines/weekly.py) reads, and the one an analyst sums to reproduce it:
--   SELECT metric, sum(numerator) / sum(denominator) FROM metrics.kpi_facts
--   WHERE metric_date >= DATE '2026-11-09' AND metric_date < DATE '2026-11-16' GROUP BY metric;
-- Grain: one row per KPI x underlying row of its source view (a ticket, a survey day-group, a resolved ticket, a
-- lot); any slice's rate is sum(numerator) / sum(denominator). Definitions (docs/metrics.md "Scorecard KPIs"):
--   timeliness_rate        tickets whose every SLA target was met / tickets whose every target is decided
--   complaint_rate         complaints attributable to service / tickets received
--   repeat_complaint_rate  repeat complaints / first complaints (complaints that are not repeats); repeats derived
--                          from the data or flagged by the source (metrics.repeat_complaints)
--   csat_rate              satisfied (top-two-box) answers / scored answers
--   response_rate          answered follow-up attempts / attempts whose answer window has closed or was answered
--   follow_up_rate         resolved repairs and complaints followed up within their window / those whose window
--                          closed or that were followed up (no attempt yet, window open: pending, like an SLA)
--   defect_rate            nonconforming units / inspected units
--   service_level          calls answered within [contact_centre] service_level_seconds (20 s) / calls (80/20)
--   abandon_rate           calls abandoned / calls
--                          (calls = offered calls less short abandons, as metrics.calls_interval; one row per call)
--   complaint_limit_rate   complaints solved and replied within their coordination level's limit / complaints with
--                          a limit that is decided (met or missed; pending ones wait), metrics.complaint_limits
--   hotline_satisfaction_inquiry, _complaint, _cross_province, _key_account
--                          satisfied / all handled tickets of the kind not pending (metrics.hotline_satisfaction)
--   first_contact_resolution_rate
--                          resolved without dispatch or a second contact / resolved (metrics.first_contact_resolution)
-- metric_date is the local date the source view files the row under (received, attempted, resolved, inspected,
-- offered; first contact for first-contact resolution). Ticket and survey KPIs carry the ticket dimensions,
-- defect_rate the plant's, the call KPIs the call's agent and queue (the last column, null on every other KPI); the
-- others are null.
-- Each branch starts with a `-- @metrics` line naming the metrics it yields (and, after `@instant`, its source's
-- TIMESTAMPTZ column whose local date metric_date is): a reader of a few metrics evaluates only their branches
-- (pipelines/kpi_facts.py; DuckDB evaluates every branch of the union even when the metric filter rules one out).
CREATE OR REPLACE VIEW metrics.kpi_facts AS
-- @metrics timeliness_rate complaint_rate @instant created_at
SELECT k.metric, t.created_date AS metric_date,
       t.site, t.department, t.agent, t.channel, t.ticket_type, t.category, t.priority, t.product,
       CAST(NULL AS VARCHAR) AS line, CAST(NULL AS VARCHAR) AS stage, CAST(NULL AS VARCHAR) AS material_batch_id,
       CAST(CASE k.metric WHEN 'timeliness_rate' THEN t.is_timely
                          ELSE t.is_attributable_complaint END AS BIGINT) AS numerator,
       CAST(CASE k.metric WHEN 'timeliness_rate' THEN t.is_measured
                          ELSE TRUE END AS BIGINT) AS denominator,
       CAST(NULL AS VARCHAR) AS queue
FROM metrics.ticket_kpis AS t
CROSS JOIN (VALUES ('timeliness_rate'), ('complaint_rate')) AS k(metric)

UNION ALL

-- @metrics repeat_complaint_rate @instant created_at
SELECT 'repeat_complaint_rate', r.created_date,
       r.site, r.department, r.agent, r.channel, r.ticket_type, r.category, r.priority, r.product,
       NULL, NULL, NULL,
       CAST(r.is_repeat AS BIGINT), CAST(NOT r.is_repeat AS BIGINT), NULL
FROM metrics.repeat_complaints AS r

UNION ALL

-- @metrics complaint_limit_rate @instant created_at
SELECT 'complaint_limit_rate', c.created_date,
       c.site, c.department, c.agent, c.channel, c.ticket_type, c.category, c.priority, c.product,
       NULL, NULL, NULL,
       CAST(coalesce(c.is_met, FALSE) AS BIGINT), CAST(c.is_met IS NOT NULL AS BIGINT), NULL
FROM metrics.complaint_limits AS c

UNION ALL

-- @metrics hotline_satisfaction_inquiry hotline_satisfaction_complaint hotline_satisfaction_cross_province hotline_satisfaction_key_account @instant resolved_at
SELECT 'hotline_satisfaction_' || h.kind, h.resolved_date,
       h.site, h.department, h.agent, h.channel, h.ticket_type, h.category, h.priority, h.product,
       NULL, NULL, NULL,
       CAST(h.is_satisfied AND NOT h.is_pending AS BIGINT), CAST(NOT h.is_pending AS BIGINT), NULL
FROM metrics.hotline_satisfaction AS h

UNION ALL

-- @metrics first_contact_resolution_rate @instant contact_at
SELECT 'first_contact_resolution_rate', f.contact_date,
       f.site, f.department, f.agent, f.channel, f.ticket_type, f.category, f.priority, f.product,
       NULL, NULL, NULL,
       CAST(f.is_first_contact_resolved AS BIGINT), CAST(f.is_resolved AS BIGINT), NULL
FROM metrics.first_contact_resolution AS f

UNION ALL

-- @metrics csat_rate response_rate
SELECT k.metric, c.attempted_date,
       c.site, c.department, c.agent, c.channel, c.ticket_type, c.category, c.priority, c.product,
       NULL, NULL, NULL,
       CAST(CASE k.metric WHEN 'csat_rate' THEN c.satisfied ELSE c.responses END AS BIGINT),
       CAST(CASE k.metric WHEN 'csat_rate' THEN c.scored_responses ELSE c.attempts - c.pending_attempts END AS BIGINT),
       NULL
FROM metrics.csat_daily AS c
CROSS JOIN (VALUES ('csat_rate'), ('response_rate')) AS k(metric)

UNION ALL

-- @metrics follow_up_rate @instant resolved_at
SELECT 'follow_up_rate', f.resolved_date,
       f.site, f.department, f.agent, f.channel, f.ticket_type, f.category, f.priority, f.product,
       NULL, NULL, NULL,
       CAST(f.is_followed_up AS BIGINT), CAST(NOT f.is_follow_up_pending AS BIGINT), NULL
FROM metrics.follow_up_tickets AS f

UNION ALL

-- @metrics defect_rate @instant inspected_at
SELECT 'defect_rate', d.inspected_date,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, d.product,
       d.line, d.stage, d.material_batch_id,
       CAST(d.nonconforming_qty AS BIGINT), CAST(d.inspected_qty AS BIGINT), NULL
FROM metrics.defect_lots AS d

UNION ALL

-- @metrics service_level abandon_rate
SELECT k.metric, f.interval_date,
       NULL, NULL, f.agent, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL,
       CAST(CASE k.metric WHEN 'service_level' THEN f.is_within_service_level
                          ELSE f.is_abandoned AND f.is_counted END AS BIGINT),
       CAST(f.is_counted AS BIGINT),
       f.queue
FROM metrics.call_facts AS f
CROSS JOIN (VALUES ('service_level'), ('abandon_rate')) AS k(metric)
