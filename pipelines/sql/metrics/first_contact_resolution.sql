-- First-contact resolution (definitions: first_contact_resolution_schedule.sql; docs/metrics.md "First-contact
-- resolution"), as stored at publish by pipelines/ticket_views.py. Grain: one row per hotline ticket.
CREATE TABLE IF NOT EXISTS metrics.first_contact_resolution_base AS FROM metrics.first_contact_resolution_schedule
    WITH NO DATA;
CREATE OR REPLACE VIEW metrics.first_contact_resolution AS
SELECT * FROM metrics.first_contact_resolution_base
