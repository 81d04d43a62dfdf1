-- Repeat complaints (definitions: repeat_complaints_schedule.sql; docs/metrics.md "Hotline"), as stored at publish by
-- pipelines/ticket_views.py. Grain: one row per complaint (ticket_type 'complaint', not cancelled).
CREATE TABLE IF NOT EXISTS metrics.repeat_complaints_base AS FROM metrics.repeat_complaints_schedule WITH NO DATA;
CREATE OR REPLACE VIEW metrics.repeat_complaints AS
SELECT * FROM metrics.repeat_complaints_base
