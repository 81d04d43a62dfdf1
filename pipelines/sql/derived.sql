-- Tables derived from core tables at publish time (pipelines/derived.py), each from one metric view's definition.
-- Narrow on purpose: the ticket's attributes stay in core.tickets and metrics.ticket_sla joins them. Writing the
-- ten dimension columns into 2.5 rows per ticket made a 1M-ticket load 2 s slower (3.1 s vs 1.2 s to write).
CREATE TABLE IF NOT EXISTS metrics.ticket_sla_base (
    ticket_id VARCHAR NOT NULL,
    target VARCHAR NOT NULL,
    policy_id VARCHAR NOT NULL,
    calendar VARCHAR NOT NULL,
    target_minutes INTEGER NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    due_at TIMESTAMP WITH TIME ZONE,
    event_at TIMESTAMP WITH TIME ZONE,
    start_ordinal DOUBLE,
    event_elapsed_minutes DOUBLE,
    created_date DATE
);
COMMENT ON TABLE metrics.ticket_sla_base IS 'metrics.ticket_sla_schedule materialised at publish for speed; query metrics.ticket_sla instead.';
COMMENT ON COLUMN metrics.ticket_sla_base.ticket_id IS 'Ticket';
COMMENT ON COLUMN metrics.ticket_sla_base.target IS 'first_response, on_site or resolution';
COMMENT ON COLUMN metrics.ticket_sla_base.policy_id IS 'SLA policy that applies (core.sla_policies)';
COMMENT ON COLUMN metrics.ticket_sla_base.calendar IS '24x7 or business';
COMMENT ON COLUMN metrics.ticket_sla_base.target_minutes IS 'Target, minutes in the policy''s calendar (a target in working days: the business minutes it leaves this ticket)';
COMMENT ON COLUMN metrics.ticket_sla_base.created_at IS 'Ticket received (the clock''s start)';
COMMENT ON COLUMN metrics.ticket_sla_base.due_at IS 'When the target falls due';
COMMENT ON COLUMN metrics.ticket_sla_base.event_at IS 'When the target''s event happened (null = not yet)';
COMMENT ON COLUMN metrics.ticket_sla_base.start_ordinal IS 'Business-minute ordinal of created_at (business calendar only)';
COMMENT ON COLUMN metrics.ticket_sla_base.event_elapsed_minutes IS 'Created to event, minutes in the policy''s calendar';
COMMENT ON COLUMN metrics.ticket_sla_base.created_date IS 'Local date the ticket was received';

-- How many rows of each fact table carry each dimension value (pipelines/derived.py, refresh_dimension_counts):
-- the dimension tables core.sites / departments / categories / products are rebuilt from it at publish, and a load
-- changes it by its rows' values after minus before, so a load's cost does not grow with the warehouse.
CREATE TABLE IF NOT EXISTS meta.dimension_counts (
    dataset VARCHAR NOT NULL,
    dimension VARCHAR NOT NULL,
    value VARCHAR,
    attribute VARCHAR,
    rows BIGINT NOT NULL
);
COMMENT ON TABLE meta.dimension_counts IS 'Rows per dimension value and fact table, maintained per load; the dimension tables are built from it.';
COMMENT ON COLUMN meta.dimension_counts.dataset IS 'Fact table (tickets, surveys, inspections, nonconformities)';
COMMENT ON COLUMN meta.dimension_counts.dimension IS 'site, department, category or product';
COMMENT ON COLUMN meta.dimension_counts.value IS 'The value (null counted too, so the rows add up to the table''s)';
COMMENT ON COLUMN meta.dimension_counts.attribute IS 'The site''s region in tickets; null otherwise';
COMMENT ON COLUMN meta.dimension_counts.rows IS 'Rows of the fact table carrying this value (and attribute)';
