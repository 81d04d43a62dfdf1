-- Tables derived from core tables at publish time (pipelines/derived.py), each from one metric view's definition.
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
    created_date DATE,
    site VARCHAR,
    region VARCHAR,
    department VARCHAR,
    agent VARCHAR,
    channel VARCHAR,
    ticket_type VARCHAR,
    category VARCHAR,
    priority VARCHAR,
    product VARCHAR,
    status VARCHAR
);
COMMENT ON TABLE metrics.ticket_sla_base IS 'metrics.ticket_sla_schedule materialised at publish for speed; query metrics.ticket_sla instead.';
COMMENT ON COLUMN metrics.ticket_sla_base.ticket_id IS 'Ticket';
COMMENT ON COLUMN metrics.ticket_sla_base.target IS 'first_response, on_site or resolution';
COMMENT ON COLUMN metrics.ticket_sla_base.policy_id IS 'SLA policy that applies (core.sla_policies)';
COMMENT ON COLUMN metrics.ticket_sla_base.calendar IS '24x7 or business';
COMMENT ON COLUMN metrics.ticket_sla_base.target_minutes IS 'Target, minutes in the policy''s calendar';
COMMENT ON COLUMN metrics.ticket_sla_base.created_at IS 'Ticket received';
COMMENT ON COLUMN metrics.ticket_sla_base.due_at IS 'When the target falls due';
COMMENT ON COLUMN metrics.ticket_sla_base.event_at IS 'When the target''s event happened (null = not yet)';
COMMENT ON COLUMN metrics.ticket_sla_base.start_ordinal IS 'Business-minute ordinal of created_at (business calendar only)';
COMMENT ON COLUMN metrics.ticket_sla_base.event_elapsed_minutes IS 'Created to event, minutes in the policy''s calendar';
COMMENT ON COLUMN metrics.ticket_sla_base.created_date IS 'Local date the ticket was received';
COMMENT ON COLUMN metrics.ticket_sla_base.site IS 'Site';
COMMENT ON COLUMN metrics.ticket_sla_base.region IS 'Region';
COMMENT ON COLUMN metrics.ticket_sla_base.department IS 'Department';
COMMENT ON COLUMN metrics.ticket_sla_base.agent IS 'Agent';
COMMENT ON COLUMN metrics.ticket_sla_base.channel IS 'Channel';
COMMENT ON COLUMN metrics.ticket_sla_base.ticket_type IS 'Ticket type';
COMMENT ON COLUMN metrics.ticket_sla_base.category IS 'Category';
COMMENT ON COLUMN metrics.ticket_sla_base.priority IS 'Priority';
COMMENT ON COLUMN metrics.ticket_sla_base.product IS 'Product';
COMMENT ON COLUMN metrics.ticket_sla_base.status IS 'Ticket status';
