-- Core tables of the service-quality warehouse. Portable types only (VARCHAR, INTEGER, BIGINT, DOUBLE,
-- DECIMAL, BOOLEAN, DATE, TIMESTAMP WITH TIME ZONE) so the same model can move to Iceberg/DuckLake.
-- Every fact row carries lineage: load_id, source_file, file_hash, loaded_at. A re-load rewrites only rows whose
-- business columns changed, so loading the same file twice changes nothing.

CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS metrics;
CREATE SCHEMA IF NOT EXISTS meta;

-- ---------------------------------------------------------------- facts
CREATE TABLE IF NOT EXISTS core.tickets (
    ticket_id VARCHAR NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    recorded_at TIMESTAMP WITH TIME ZONE,
    channel VARCHAR,
    ticket_type VARCHAR,
    category VARCHAR,
    priority VARCHAR,
    complaint_grade VARCHAR,
    site VARCHAR,
    region VARCHAR,
    department VARCHAR,
    agent VARCHAR,
    customer_id VARCHAR,
    product VARCHAR,
    batch_id VARCHAR,
    distance_km DOUBLE,
    dispatched_at TIMESTAMP WITH TIME ZONE,
    first_response_at TIMESTAMP WITH TIME ZONE,
    on_site_at TIMESTAMP WITH TIME ZONE,
    resolved_at TIMESTAMP WITH TIME ZONE,
    closed_at TIMESTAMP WITH TIME ZONE,
    status VARCHAR,
    reopen_count INTEGER,
    is_escalated BOOLEAN,
    is_attributable_to_service BOOLEAN,
    is_repeat_complaint BOOLEAN,
    coordination_level VARCHAR,
    complexity VARCHAR,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    file_hash VARCHAR NOT NULL,
    loaded_at TIMESTAMP WITH TIME ZONE NOT NULL
);
COMMENT ON TABLE core.tickets IS 'One row per service ticket (工单): hotline, front desk, letter, app or field request. Natural key ticket_id; a later export of the same ticket replaces it.';
COMMENT ON COLUMN core.tickets.ticket_id IS 'Ticket number (工单编号), unique';
COMMENT ON COLUMN core.tickets.created_at IS 'When the request was received (受理时间); for after-hours back-filled tickets the real call time';
COMMENT ON COLUMN core.tickets.recorded_at IS 'When the ticket was entered into the system (登记时间); later than created_at for back-filled tickets';
COMMENT ON COLUMN core.tickets.channel IS 'phone, front_desk, letter_email, app, field_visit';
COMMENT ON COLUMN core.tickets.ticket_type IS 'repair (报修), complaint (投诉), inquiry (咨询), help (求助), suggestion (建议), praise (表扬), warranty (三包)';
COMMENT ON COLUMN core.tickets.category IS 'Issue category, e.g. water, power, heating, lift, noise, billing';
COMMENT ON COLUMN core.tickets.priority IS 'urgent, high, normal, low';
COMMENT ON COLUMN core.tickets.complaint_grade IS 'class_1 (一类投诉), class_2 (二类投诉), grievance (抱怨); null when not a complaint';
COMMENT ON COLUMN core.tickets.site IS 'Service site or property that owns the ticket';
COMMENT ON COLUMN core.tickets.region IS 'Region of the site';
COMMENT ON COLUMN core.tickets.department IS 'Department responsible after dispatch (派单)';
COMMENT ON COLUMN core.tickets.agent IS 'Staff member who owns the ticket (首问负责)';
COMMENT ON COLUMN core.tickets.customer_id IS 'Customer or household identifier';
COMMENT ON COLUMN core.tickets.product IS 'Product concerned (field service and warranty tickets)';
COMMENT ON COLUMN core.tickets.batch_id IS 'Production lot of the product concerned; links field failures to inspections.lot_id';
COMMENT ON COLUMN core.tickets.distance_km IS 'Distance from the service base to the customer, km (field service SLA)';
COMMENT ON COLUMN core.tickets.dispatched_at IS 'Dispatched to the responsible department (派单)';
COMMENT ON COLUMN core.tickets.first_response_at IS 'First response to the customer';
COMMENT ON COLUMN core.tickets.on_site_at IS 'Technician arrived on site (到达现场)';
COMMENT ON COLUMN core.tickets.resolved_at IS 'Work finished (处理完毕)';
COMMENT ON COLUMN core.tickets.closed_at IS 'Closed after follow-up (结案)';
COMMENT ON COLUMN core.tickets.status IS 'open, in_progress, resolved, closed, cancelled';
COMMENT ON COLUMN core.tickets.reopen_count IS 'Times reopened because the follow-up found it unresolved';
COMMENT ON COLUMN core.tickets.is_escalated IS 'Escalated (催促 / department head / vice-president)';
COMMENT ON COLUMN core.tickets.is_attributable_to_service IS 'Complaint caused by the service itself (counts in the complaint rate)';
COMMENT ON COLUMN core.tickets.is_repeat_complaint IS 'A complaint about the same matter again after a missed deadline or an unhappy result';
-- added with issue 14 (a warehouse made before gets them here, after its lineage columns)
ALTER TABLE core.tickets ADD COLUMN IF NOT EXISTS coordination_level VARCHAR;
ALTER TABLE core.tickets ADD COLUMN IF NOT EXISTS complexity VARCHAR;
COMMENT ON COLUMN core.tickets.coordination_level IS 'Complaints: how much coordination the case needs (004): within_department (部门内), cross_department (省内跨部门), cross_province (跨省), other_company (跨公司); sets the resolution limit';
COMMENT ON COLUMN core.tickets.complexity IS 'Complaints: simple (简单, answer promised within 2 h) or complex (复杂, within 24 h)';
COMMENT ON COLUMN core.tickets.load_id IS 'Lineage: the load that published this row (meta.load_log)';
COMMENT ON COLUMN core.tickets.source_file IS 'Lineage: file the row came from';
COMMENT ON COLUMN core.tickets.file_hash IS 'Lineage: SHA-256 of that file';
COMMENT ON COLUMN core.tickets.loaded_at IS 'Lineage: when the row was published';

CREATE TABLE IF NOT EXISTS core.surveys (
    survey_id VARCHAR NOT NULL,
    ticket_id VARCHAR,
    attempted_at TIMESTAMP WITH TIME ZONE NOT NULL,
    responded_at TIMESTAMP WITH TIME ZONE,
    method VARCHAR,
    outcome VARCHAR NOT NULL,
    score INTEGER,
    score_attitude INTEGER,
    score_skill INTEGER,
    score_timeliness INTEGER,
    score_promise INTEGER,
    recommend_score INTEGER,
    comment VARCHAR,
    agent VARCHAR,
    site VARCHAR,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    file_hash VARCHAR NOT NULL,
    loaded_at TIMESTAMP WITH TIME ZONE NOT NULL
);
COMMENT ON TABLE core.surveys IS 'One row per follow-up attempt (回访) or satisfaction survey; failed attempts are rows too (outcome no_answer / refused).';
COMMENT ON COLUMN core.surveys.survey_id IS 'Survey or follow-up attempt id, unique';
COMMENT ON COLUMN core.surveys.ticket_id IS 'Ticket followed up; null for periodic surveys not tied to a ticket';
COMMENT ON COLUMN core.surveys.attempted_at IS 'When the follow-up was attempted';
COMMENT ON COLUMN core.surveys.responded_at IS 'When the customer answered; null when not reached';
COMMENT ON COLUMN core.surveys.method IS 'phone, sms, app, visit';
COMMENT ON COLUMN core.surveys.outcome IS 'responded, no_answer, refused';
COMMENT ON COLUMN core.surveys.score IS 'Overall satisfaction 1-5: 非常满意 5, 满意 4, 一般 3, 不满意 2, 非常不满意 1';
COMMENT ON COLUMN core.surveys.score_attitude IS 'Technician attitude 1-5';
COMMENT ON COLUMN core.surveys.score_skill IS 'Technician skill 1-5';
COMMENT ON COLUMN core.surveys.score_timeliness IS 'Arrival time 1-5';
COMMENT ON COLUMN core.surveys.score_promise IS 'Keeping promises 1-5';
COMMENT ON COLUMN core.surveys.recommend_score IS 'Likelihood to recommend 0-10 (NPS), where asked';
COMMENT ON COLUMN core.surveys.comment IS 'Free-text comment';
COMMENT ON COLUMN core.surveys.agent IS 'Staff member rated (usually the ticket owner)';
COMMENT ON COLUMN core.surveys.site IS 'Site of the ticket';
COMMENT ON COLUMN core.surveys.load_id IS 'Lineage: the load that published this row';
COMMENT ON COLUMN core.surveys.source_file IS 'Lineage: file the row came from';
COMMENT ON COLUMN core.surveys.file_hash IS 'Lineage: SHA-256 of that file';
COMMENT ON COLUMN core.surveys.loaded_at IS 'Lineage: when the row was published';

CREATE TABLE IF NOT EXISTS core.inspections (
    lot_id VARCHAR NOT NULL,
    product VARCHAR NOT NULL,
    line VARCHAR,
    plant VARCHAR,
    stage VARCHAR,
    inspected_at TIMESTAMP WITH TIME ZONE NOT NULL,
    production_date DATE,
    material_batch_id VARCHAR,
    lot_qty INTEGER,
    inspected_qty INTEGER NOT NULL,
    nonconforming_qty INTEGER NOT NULL,
    inspector VARCHAR,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    file_hash VARCHAR NOT NULL,
    loaded_at TIMESTAMP WITH TIME ZONE NOT NULL
);
COMMENT ON TABLE core.inspections IS 'One row per inspected lot and stage (检验批): how many units were inspected and how many did not conform.';
COMMENT ON COLUMN core.inspections.lot_id IS 'Inspection lot id, unique (one lot, one stage)';
COMMENT ON COLUMN core.inspections.product IS 'Product inspected';
COMMENT ON COLUMN core.inspections.line IS 'Production line';
COMMENT ON COLUMN core.inspections.plant IS 'Plant';
COMMENT ON COLUMN core.inspections.stage IS 'incoming, in_process, final, field';
COMMENT ON COLUMN core.inspections.inspected_at IS 'When the inspection was done';
COMMENT ON COLUMN core.inspections.production_date IS 'Production date of the lot (starts the warranty window)';
COMMENT ON COLUMN core.inspections.material_batch_id IS 'Raw-material batch used';
COMMENT ON COLUMN core.inspections.lot_qty IS 'Units in the lot';
COMMENT ON COLUMN core.inspections.inspected_qty IS 'Units inspected (sample; 5-10 % of the lot per 000)';
COMMENT ON COLUMN core.inspections.nonconforming_qty IS 'Units found nonconforming (不合格)';
COMMENT ON COLUMN core.inspections.inspector IS 'QC inspector';
COMMENT ON COLUMN core.inspections.load_id IS 'Lineage: the load that published this row';
COMMENT ON COLUMN core.inspections.source_file IS 'Lineage: file the row came from';
COMMENT ON COLUMN core.inspections.file_hash IS 'Lineage: SHA-256 of that file';
COMMENT ON COLUMN core.inspections.loaded_at IS 'Lineage: when the row was published';

CREATE TABLE IF NOT EXISTS core.nonconformities (
    nc_id VARCHAR NOT NULL,
    lot_id VARCHAR,
    ticket_id VARCHAR,
    product VARCHAR,
    production_date DATE,
    found_at TIMESTAMP WITH TIME ZONE NOT NULL,
    defect_type VARCHAR,
    qty INTEGER,
    disposition VARCHAR,
    material_cost DECIMAL(18, 2),
    labour_cost DECIMAL(18, 2),
    discount_cost DECIMAL(18, 2),
    external_cost DECIMAL(18, 2),
    responsible_department VARCHAR,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    file_hash VARCHAR NOT NULL,
    loaded_at TIMESTAMP WITH TIME ZONE NOT NULL
);
COMMENT ON TABLE core.nonconformities IS 'One row per nonconformity record (不合格品): found at inspection (lot_id) or in the field (ticket_id), with disposition and loss.';
COMMENT ON COLUMN core.nonconformities.nc_id IS 'Nonconformity report id, unique';
COMMENT ON COLUMN core.nonconformities.lot_id IS 'Lot it was found in (inspections.lot_id)';
COMMENT ON COLUMN core.nonconformities.ticket_id IS 'Field failure: the ticket that reported it';
COMMENT ON COLUMN core.nonconformities.product IS 'Product';
COMMENT ON COLUMN core.nonconformities.production_date IS 'Production date of the unit or lot; with the product''s warranty days decides in_warranty';
COMMENT ON COLUMN core.nonconformities.found_at IS 'When it was found';
COMMENT ON COLUMN core.nonconformities.defect_type IS 'Defect type (Pareto category)';
COMMENT ON COLUMN core.nonconformities.qty IS 'Units affected';
COMMENT ON COLUMN core.nonconformities.disposition IS 'rework (返工), downgrade (降级), repair (返修), scrap (报废), concession (让利销售), use_as_is';
COMMENT ON COLUMN core.nonconformities.material_cost IS 'Loss: material cost (scrap = material cost of the batch)';
COMMENT ON COLUMN core.nonconformities.labour_cost IS 'Loss: rework / repair labour';
COMMENT ON COLUMN core.nonconformities.discount_cost IS 'Loss: normal price minus discounted price (concession), or the 2 % sales commission of a batch sold as is';
COMMENT ON COLUMN core.nonconformities.external_cost IS 'Loss: fines, PR, logistics, testing and replacement for field problems';
COMMENT ON COLUMN core.nonconformities.responsible_department IS 'Department found responsible by the quality department';
COMMENT ON COLUMN core.nonconformities.load_id IS 'Lineage: the load that published this row';
COMMENT ON COLUMN core.nonconformities.source_file IS 'Lineage: file the row came from';
COMMENT ON COLUMN core.nonconformities.file_hash IS 'Lineage: SHA-256 of that file';
COMMENT ON COLUMN core.nonconformities.loaded_at IS 'Lineage: when the row was published';

CREATE TABLE IF NOT EXISTS core.calls (
    call_id VARCHAR NOT NULL,
    queue VARCHAR,
    offered_at TIMESTAMP WITH TIME ZONE NOT NULL,
    answered_at TIMESTAMP WITH TIME ZONE,
    abandoned_at TIMESTAMP WITH TIME ZONE,
    ended_at TIMESTAMP WITH TIME ZONE,
    agent VARCHAR,
    wait_seconds DOUBLE,
    talk_seconds DOUBLE,
    wrap_seconds DOUBLE,
    is_transferred BOOLEAN,
    outcome VARCHAR,
    ticket_id VARCHAR,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    file_hash VARCHAR NOT NULL,
    loaded_at TIMESTAMP WITH TIME ZONE NOT NULL
);
COMMENT ON TABLE core.calls IS 'One row per call offered to the hotline''s queues (ACD/CTI export, 呼叫记录): answered or abandoned, with its wait, talk and wrap-up time.';
COMMENT ON COLUMN core.calls.call_id IS 'Call id (呼叫ID), unique';
COMMENT ON COLUMN core.calls.queue IS 'Queue or skill group the call was offered to (技能组)';
COMMENT ON COLUMN core.calls.offered_at IS 'When the call entered the queue (进线时间): its interval, day and week';
COMMENT ON COLUMN core.calls.answered_at IS 'When an agent answered (应答时间); null if not answered';
COMMENT ON COLUMN core.calls.abandoned_at IS 'When the caller hung up before an answer (放弃时间); null if answered';
COMMENT ON COLUMN core.calls.ended_at IS 'When the call ended (挂机时间)';
COMMENT ON COLUMN core.calls.agent IS 'Agent who answered (坐席)';
COMMENT ON COLUMN core.calls.wait_seconds IS 'Seconds in queue until answered or abandoned (等待时长); derived from the timestamps when the export lacks it';
COMMENT ON COLUMN core.calls.talk_seconds IS 'Seconds talking (通话时长)';
COMMENT ON COLUMN core.calls.wrap_seconds IS 'After-call work seconds (话后处理时长)';
COMMENT ON COLUMN core.calls.is_transferred IS 'Transferred to another queue or agent (是否转接)';
COMMENT ON COLUMN core.calls.outcome IS 'answered, abandoned, voicemail or overflow (结果)';
COMMENT ON COLUMN core.calls.ticket_id IS 'Ticket the call created (工单号), if any: tickets.ticket_id';
COMMENT ON COLUMN core.calls.load_id IS 'Lineage: the load that published this row';
COMMENT ON COLUMN core.calls.source_file IS 'Lineage: file the row came from';
COMMENT ON COLUMN core.calls.file_hash IS 'Lineage: SHA-256 of that file';
COMMENT ON COLUMN core.calls.loaded_at IS 'Lineage: when the row was published';

CREATE TABLE IF NOT EXISTS core.roster (
    roster_slot VARCHAR NOT NULL,
    agent VARCHAR NOT NULL,
    interval_start TIMESTAMP WITH TIME ZONE NOT NULL,
    interval_minutes INTEGER,
    is_logged_in BOOLEAN,
    is_available BOOLEAN,
    queue VARCHAR,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    file_hash VARCHAR NOT NULL,
    loaded_at TIMESTAMP WITH TIME ZONE NOT NULL
);
COMMENT ON TABLE core.roster IS 'One row per agent and roster interval (排班): whether the agent was logged in and available to take calls; where the ACD export lacks agent states, the staffing page''s agents available.';
COMMENT ON COLUMN core.roster.roster_slot IS 'Key: agent|interval_start (made by the loader from the two when the file has no key column)';
COMMENT ON COLUMN core.roster.agent IS 'Agent (坐席), as in calls.agent';
COMMENT ON COLUMN core.roster.interval_start IS 'Start of the roster interval (时段开始)';
COMMENT ON COLUMN core.roster.interval_minutes IS 'Length of the roster interval in minutes; null = [contact_centre] interval_minutes';
COMMENT ON COLUMN core.roster.is_logged_in IS 'Logged in to the ACD during the interval (是否登录)';
COMMENT ON COLUMN core.roster.is_available IS 'Available to take calls (是否可接听): logged in and not on a break, training or other work; null = as is_logged_in';
COMMENT ON COLUMN core.roster.queue IS 'Queue or skill group the agent served (技能组); null = all';
COMMENT ON COLUMN core.roster.load_id IS 'Lineage: the load that published this row';
COMMENT ON COLUMN core.roster.source_file IS 'Lineage: file the row came from';
COMMENT ON COLUMN core.roster.file_hash IS 'Lineage: SHA-256 of that file';
COMMENT ON COLUMN core.roster.loaded_at IS 'Lineage: when the row was published';

CREATE TABLE IF NOT EXISTS core.ticket_events (
    event_id VARCHAR NOT NULL,
    ticket_id VARCHAR NOT NULL,
    occurred_at TIMESTAMP WITH TIME ZONE NOT NULL,
    step VARCHAR NOT NULL,
    actor VARCHAR,
    from_department VARCHAR,
    to_department VARCHAR,
    reason VARCHAR,
    deadline_at TIMESTAMP WITH TIME ZONE,
    verdict VARCHAR,
    escalation_level VARCHAR,
    appeal_ticket_id VARCHAR,
    appeal_grade VARCHAR,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    file_hash VARCHAR NOT NULL,
    loaded_at TIMESTAMP WITH TIME ZONE NOT NULL
);
COMMENT ON TABLE core.ticket_events IS 'One row per step of a hotline work order (工单流转): received, dispatched, returned, re-dispatched, transferred, replied, reviewed, reminded, escalated, appealed, archived, reopened. Where a ticket has events they are the truth about its department and state (metrics.work_order_state).';
COMMENT ON COLUMN core.ticket_events.event_id IS 'Key: ticket_id|step|occurred_at (made by the loader when the file has no event id)';
COMMENT ON COLUMN core.ticket_events.ticket_id IS 'Ticket the step belongs to: tickets.ticket_id (events of a ticket not loaded yet wait in meta.quarantine)';
COMMENT ON COLUMN core.ticket_events.occurred_at IS 'When the step happened (操作时间)';
COMMENT ON COLUMN core.ticket_events.step IS 'received 受理, dispatched 派单, returned 退单, redispatched 重派, transferred 转派, replied 回复, reviewed 复核, reminded 催办, escalated 督办, appealed 申诉, archived 归档, reopened 重启';
COMMENT ON COLUMN core.ticket_events.actor IS 'Who did it (操作人)';
COMMENT ON COLUMN core.ticket_events.from_department IS 'Department the ticket comes from: the returning or transferring department';
COMMENT ON COLUMN core.ticket_events.to_department IS 'Department the ticket goes to: dispatched, re-dispatched or transferred to (required for a transfer)';
COMMENT ON COLUMN core.ticket_events.reason IS 'Reason of a return, transfer, re-dispatch, reopen or overdue step (退单原因, 转派原因)';
COMMENT ON COLUMN core.ticket_events.deadline_at IS 'Deadline the receiving department is given (处理时限) with a dispatch, re-dispatch or transfer';
COMMENT ON COLUMN core.ticket_events.verdict IS 'Review verdict (复核): valid, or invalid (无效投诉: the ticket is cancelled); on an appeal ticket, valid = the appeal is upheld';
COMMENT ON COLUMN core.ticket_events.escalation_level IS 'reminder 催促, department_head 部门负责人, vice_president 分管副总 (reminded steps are level reminder)';
COMMENT ON COLUMN core.ticket_events.appeal_ticket_id IS 'On an appealed step: the appeal ticket (a ticket of its own) that appeals this ticket''s result';
COMMENT ON COLUMN core.ticket_events.appeal_grade IS 'On an appealed step: major_urgent 重大紧急, ordinary 一般, complex 复杂';
COMMENT ON COLUMN core.ticket_events.load_id IS 'Lineage: the load that published this row';
COMMENT ON COLUMN core.ticket_events.source_file IS 'Lineage: file the row came from';
COMMENT ON COLUMN core.ticket_events.file_hash IS 'Lineage: SHA-256 of that file';
COMMENT ON COLUMN core.ticket_events.loaded_at IS 'Lineage: when the row was published';

-- ---------------------------------------------------------------- configuration-backed tables
-- Rewritten from the configuration file on every publish (pipelines/warehouse.py).
CREATE TABLE IF NOT EXISTS core.sla_policies (
    policy_id VARCHAR NOT NULL,
    rank INTEGER NOT NULL,
    ticket_type VARCHAR,
    category VARCHAR,
    priority VARCHAR,
    min_distance_km DOUBLE,
    max_distance_km DOUBLE,
    first_response_minutes INTEGER,
    on_site_minutes INTEGER,
    resolution_minutes INTEGER,
    calendar VARCHAR NOT NULL
);
-- working-day targets, added after the first release (a warehouse made before gets them here)
ALTER TABLE core.sla_policies ADD COLUMN IF NOT EXISTS first_response_working_days INTEGER;
ALTER TABLE core.sla_policies ADD COLUMN IF NOT EXISTS on_site_working_days INTEGER;
ALTER TABLE core.sla_policies ADD COLUMN IF NOT EXISTS resolution_working_days INTEGER;
COMMENT ON TABLE core.sla_policies IS 'SLA rules: a ticket takes the lowest-rank policy whose non-null match fields all match it.';
COMMENT ON COLUMN core.sla_policies.policy_id IS 'Policy name';
COMMENT ON COLUMN core.sla_policies.rank IS 'Match order: lower wins';
COMMENT ON COLUMN core.sla_policies.ticket_type IS 'Match: ticket type (null = any)';
COMMENT ON COLUMN core.sla_policies.category IS 'Match: category (null = any)';
COMMENT ON COLUMN core.sla_policies.priority IS 'Match: priority (null = any)';
COMMENT ON COLUMN core.sla_policies.min_distance_km IS 'Match: distance_km >= this (null = any)';
COMMENT ON COLUMN core.sla_policies.max_distance_km IS 'Match: distance_km <= this; tickets without a distance match (null = any)';
COMMENT ON COLUMN core.sla_policies.first_response_minutes IS 'Target: created to first response, minutes (null = not measured)';
COMMENT ON COLUMN core.sla_policies.on_site_minutes IS 'Target: created to on site, minutes';
COMMENT ON COLUMN core.sla_policies.resolution_minutes IS 'Target: created to resolved, minutes';
COMMENT ON COLUMN core.sla_policies.first_response_working_days IS 'Target in working days: due at the close of business of the Nth working day after the day received (business calendar; instead of minutes)';
COMMENT ON COLUMN core.sla_policies.on_site_working_days IS 'Target in working days, as first_response_working_days';
COMMENT ON COLUMN core.sla_policies.resolution_working_days IS 'Target in working days, as first_response_working_days';
COMMENT ON COLUMN core.sla_policies.calendar IS '24x7 (wall-clock minutes) or business (working days of the mainland China calendar, business hours only)';

CREATE TABLE IF NOT EXISTS core.hotline_routing_rules (
    category VARCHAR NOT NULL,
    department VARCHAR NOT NULL,
    source VARCHAR
);
COMMENT ON TABLE core.hotline_routing_rules IS 'Routing by category ([hotline] routing, data/reference/hotline_routing.csv): the department a ticket of the category should go to (metrics.hotline_routing compares).';
COMMENT ON COLUMN core.hotline_routing_rules.category IS 'Ticket category (tickets.category), one row each';
COMMENT ON COLUMN core.hotline_routing_rules.department IS 'Department routing suggests for the category';
COMMENT ON COLUMN core.hotline_routing_rules.source IS 'Where the rule comes from (e.g. 004:43, a line of seed 004, or the organisation)';

CREATE TABLE IF NOT EXISTS core.key_accounts (
    customer_id VARCHAR NOT NULL
);
COMMENT ON TABLE core.key_accounts IS 'Key accounts (大客户, [hotline] key_accounts): their inquiries and complaints have their own satisfaction target (metrics.hotline_satisfaction).';
COMMENT ON COLUMN core.key_accounts.customer_id IS 'Customer id (tickets.customer_id)';

CREATE TABLE IF NOT EXISTS core.calendar_days (
    date_day DATE NOT NULL,
    is_workday BOOLEAN NOT NULL,
    holiday_name VARCHAR,
    calendar_source VARCHAR NOT NULL,
    business_minutes INTEGER NOT NULL,
    business_minutes_before BIGINT NOT NULL,
    business_opens_minute INTEGER NOT NULL
);
COMMENT ON TABLE core.calendar_days IS 'Calendar dimension: one row per day with the mainland China working-day schedule (holidays and adjusted workdays).';
COMMENT ON COLUMN core.calendar_days.date_day IS 'Day';
COMMENT ON COLUMN core.calendar_days.is_workday IS 'Working day: weekdays except public holidays, plus adjusted (调休) weekend workdays';
COMMENT ON COLUMN core.calendar_days.holiday_name IS 'Public holiday name, if any';
COMMENT ON COLUMN core.calendar_days.calendar_source IS 'chinese_calendar (official schedule), override (calendar_overrides file) or holidays_fallback (public holidays only; adjusted workdays unknown)';
COMMENT ON COLUMN core.calendar_days.business_minutes IS 'Business minutes in the day (0 on non-working days)';
COMMENT ON COLUMN core.calendar_days.business_minutes_before IS 'Business minutes in all earlier days of the table: business time is a difference of these';
COMMENT ON COLUMN core.calendar_days.business_opens_minute IS 'Minute of the day business hours open';

CREATE TABLE IF NOT EXISTS core.sites (
    site VARCHAR NOT NULL,
    region VARCHAR
);
COMMENT ON TABLE core.sites IS 'Site dimension: every site seen in tickets or surveys, with its region.';
COMMENT ON COLUMN core.sites.site IS 'Site name';
COMMENT ON COLUMN core.sites.region IS 'Region';

CREATE TABLE IF NOT EXISTS core.departments (
    department VARCHAR NOT NULL,
    loss_share DOUBLE
);
COMMENT ON TABLE core.departments IS 'Department dimension: departments seen in the data or configured, with their share of in-warranty losses.';
COMMENT ON COLUMN core.departments.department IS 'Department name';
COMMENT ON COLUMN core.departments.loss_share IS 'Share (0-1) of in-warranty losses this department bears; null when not one of the assessed departments';

CREATE TABLE IF NOT EXISTS core.categories (
    category VARCHAR NOT NULL,
    ticket_count BIGINT
);
COMMENT ON TABLE core.categories IS 'Category dimension: every ticket category seen.';
COMMENT ON COLUMN core.categories.category IS 'Category name';
COMMENT ON COLUMN core.categories.ticket_count IS 'Tickets in the category';

CREATE TABLE IF NOT EXISTS core.products (
    product VARCHAR NOT NULL,
    warranty_days INTEGER NOT NULL
);
COMMENT ON TABLE core.products IS 'Product dimension: every product seen, with its warranty window in days from the production date.';
COMMENT ON COLUMN core.products.product IS 'Product name';
COMMENT ON COLUMN core.products.warranty_days IS 'Warranty days (002: 80, white glue 100; configurable)';

-- ---------------------------------------------------------------- metadata
CREATE TABLE IF NOT EXISTS meta.settings (
    key VARCHAR NOT NULL,
    value VARCHAR NOT NULL
);
COMMENT ON TABLE meta.settings IS 'Settings the metric views read (timezone, targets), copied from the configuration file on publish.';
COMMENT ON COLUMN meta.settings.key IS 'Setting name';
COMMENT ON COLUMN meta.settings.value IS 'Setting value as text';

CREATE TABLE IF NOT EXISTS meta.load_log (
    load_id VARCHAR NOT NULL,
    dataset VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    file_hash VARCHAR NOT NULL,
    profile VARCHAR NOT NULL,
    started_at TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at TIMESTAMP WITH TIME ZONE NOT NULL,
    status VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_inserted BIGINT NOT NULL,
    rows_updated BIGINT NOT NULL,
    rows_unchanged BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    newest_record_at TIMESTAMP WITH TIME ZONE,
    message VARCHAR
);
COMMENT ON TABLE meta.load_log IS 'Load ledger: one row per file load attempt that reached the warehouse (published, unchanged or refused).';
COMMENT ON COLUMN meta.load_log.load_id IS 'Load id';
COMMENT ON COLUMN meta.load_log.dataset IS 'tickets, surveys, inspections, nonconformities, calls or roster';
COMMENT ON COLUMN meta.load_log.source_file IS 'File loaded';
COMMENT ON COLUMN meta.load_log.file_hash IS 'SHA-256 of the file';
COMMENT ON COLUMN meta.load_log.profile IS 'Mapping profile used';
COMMENT ON COLUMN meta.load_log.started_at IS 'Load start';
COMMENT ON COLUMN meta.load_log.finished_at IS 'Load end';
COMMENT ON COLUMN meta.load_log.status IS 'published, published_with_quarantine, already_loaded, refused';
COMMENT ON COLUMN meta.load_log.rows_read IS 'Rows in the file';
COMMENT ON COLUMN meta.load_log.rows_inserted IS 'New rows published';
COMMENT ON COLUMN meta.load_log.rows_updated IS 'Existing rows replaced by a changed version';
COMMENT ON COLUMN meta.load_log.rows_unchanged IS 'Rows identical to what was published';
COMMENT ON COLUMN meta.load_log.rows_quarantined IS 'Rows held back by row-level checks';
COMMENT ON COLUMN meta.load_log.newest_record_at IS 'Newest event time in the file (freshness)';
COMMENT ON COLUMN meta.load_log.message IS 'Why a load was refused, or notes';

-- ---------------------------------------------------------------- nonconformity workflow (issue 15)
CREATE TABLE IF NOT EXISTS core.nonconformity_events (
    event_id VARCHAR NOT NULL,
    nc_id VARCHAR NOT NULL,
    step VARCHAR NOT NULL,
    occurred_at TIMESTAMP WITH TIME ZONE NOT NULL,
    actor VARCHAR,
    owner VARCHAR,
    grade VARCHAR,
    disposition VARCHAR,
    reinspection_result VARCHAR,
    note VARCHAR,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    file_hash VARCHAR NOT NULL,
    loaded_at TIMESTAMP WITH TIME ZONE NOT NULL
);
COMMENT ON TABLE core.nonconformity_events IS 'One row per step of a nonconformity''s handling (不合格品处理): found, notified (通知责任人), reviewed (评审), decided (处置决定), approved (批准), executed (执行), reinspected (复检), closed (关闭). A nonconformity without events reads as "no steps recorded" (metrics.nc_workflow).';
COMMENT ON COLUMN core.nonconformity_events.event_id IS 'Key: nc_id|step|occurred_at (made by the loader when the file has no event id)';
COMMENT ON COLUMN core.nonconformity_events.nc_id IS 'Nonconformity report id (nonconformities.nc_id)';
COMMENT ON COLUMN core.nonconformity_events.step IS 'found, notified, reviewed, decided, approved, executed, reinspected, closed';
COMMENT ON COLUMN core.nonconformity_events.occurred_at IS 'When the step was done';
COMMENT ON COLUMN core.nonconformity_events.actor IS 'Who did the step (经办人)';
COMMENT ON COLUMN core.nonconformity_events.owner IS 'Who must do the next step (责任人); the notified step names the responsible person';
COMMENT ON COLUMN core.nonconformity_events.grade IS 'A (serious, 严重) or B (general, 一般), set at review (002 第五部 4.1.2)';
COMMENT ON COLUMN core.nonconformity_events.disposition IS 'Disposition decided or approved: rework, downgrade, repair, scrap, concession, use_as_is';
COMMENT ON COLUMN core.nonconformity_events.reinspection_result IS 'Re-inspection after rework or repair: pass or fail (a fail is disposed of again)';
COMMENT ON COLUMN core.nonconformity_events.note IS 'Free text';
COMMENT ON COLUMN core.nonconformity_events.load_id IS 'Lineage: the load that published this row';
COMMENT ON COLUMN core.nonconformity_events.source_file IS 'Lineage: file the row came from';
COMMENT ON COLUMN core.nonconformity_events.file_hash IS 'Lineage: SHA-256 of that file';
COMMENT ON COLUMN core.nonconformity_events.loaded_at IS 'Lineage: when the row was published';

CREATE TABLE IF NOT EXISTS core.corrective_actions (
    capa_id VARCHAR NOT NULL,
    source_type VARCHAR,
    source_ids VARCHAR,
    opened_at TIMESTAMP WITH TIME ZONE,
    root_cause VARCHAR,
    action VARCHAR NOT NULL,
    owner VARCHAR NOT NULL,
    due_date DATE NOT NULL,
    status VARCHAR,
    completed_on DATE,
    closed_on DATE,
    verified_on DATE,
    verified_by VARCHAR,
    verification_result VARCHAR,
    metric VARCHAR,
    product VARCHAR,
    department VARCHAR,
    site VARCHAR,
    window_days INTEGER,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    file_hash VARCHAR NOT NULL,
    loaded_at TIMESTAMP WITH TIME ZONE NOT NULL
);
COMMENT ON TABLE core.corrective_actions IS 'One row per corrective or preventive action (纠正预防措施, CAPA): its source, root cause, action, owner, due date, status and effectiveness check. Loaded from files and from the weekly-review page (state_dir/corrective_actions/entries.csv), docs/weekly-review.md';
COMMENT ON COLUMN core.corrective_actions.capa_id IS 'Key: the action''s id (page entries: WR-<period>-<n>)';
COMMENT ON COLUMN core.corrective_actions.source_type IS 'What raised it: nonconformity, complaint or review (a weekly-review decision)';
COMMENT ON COLUMN core.corrective_actions.source_ids IS 'The source records: nonconformity or ticket ids separated by ";", or the reviewed period''s label (2026-W47)';
COMMENT ON COLUMN core.corrective_actions.opened_at IS 'When the action was raised';
COMMENT ON COLUMN core.corrective_actions.root_cause IS 'Root cause found (原因分析)';
COMMENT ON COLUMN core.corrective_actions.action IS 'The corrective action (纠正措施)';
COMMENT ON COLUMN core.corrective_actions.owner IS 'Person responsible (责任人)';
COMMENT ON COLUMN core.corrective_actions.due_date IS 'Date it is due (local)';
COMMENT ON COLUMN core.corrective_actions.status IS 'open, in_progress, completed (done, awaiting verification), closed or cancelled';
COMMENT ON COLUMN core.corrective_actions.completed_on IS 'Date the action was carried out: the effectiveness windows meet here';
COMMENT ON COLUMN core.corrective_actions.closed_on IS 'Date the action was closed';
COMMENT ON COLUMN core.corrective_actions.verified_on IS 'Effectiveness check: date verified (验证日期)';
COMMENT ON COLUMN core.corrective_actions.verified_by IS 'Effectiveness check: by whom (验证人)';
COMMENT ON COLUMN core.corrective_actions.verification_result IS 'Effectiveness check: effective or not_effective';
COMMENT ON COLUMN core.corrective_actions.metric IS 'The KPI the check compares before and after (a metrics.kpi_facts metric: defect_rate, complaint_rate ...)';
COMMENT ON COLUMN core.corrective_actions.product IS 'Scope of the check: only this product (empty: all)';
COMMENT ON COLUMN core.corrective_actions.department IS 'Scope of the check: only this department (empty: all)';
COMMENT ON COLUMN core.corrective_actions.site IS 'Scope of the check: only this site (empty: all)';
COMMENT ON COLUMN core.corrective_actions.window_days IS 'Length of each effectiveness window in days (empty: 28)';
COMMENT ON COLUMN core.corrective_actions.load_id IS 'Lineage: the load that published this row';
COMMENT ON COLUMN core.corrective_actions.source_file IS 'Lineage: file the row came from';
COMMENT ON COLUMN core.corrective_actions.file_hash IS 'Lineage: SHA-256 of that file';
COMMENT ON COLUMN core.corrective_actions.loaded_at IS 'Lineage: when the row was published';

-- ---------------------------------------------------------------- work orders, materialised at publish
-- The time-independent part of the work-order views (pipelines/work_orders.py rebuilds the tickets a publish's
-- events touched): the metric views metrics.work_order_* read these and add what depends on now.
CREATE TABLE IF NOT EXISTS metrics.work_order_holds_base (
    ticket_id VARCHAR NOT NULL,
    hold_seq BIGINT NOT NULL,
    kind VARCHAR NOT NULL,
    department VARCHAR,
    received_at TIMESTAMP WITH TIME ZONE NOT NULL,
    deadline_at TIMESTAMP WITH TIME ZONE,
    end_step VARCHAR,
    ended_at TIMESTAMP WITH TIME ZONE,
    end_reason VARCHAR,
    resumed_at TIMESTAMP WITH TIME ZONE,
    first_replied_at TIMESTAMP WITH TIME ZONE,
    replies BIGINT NOT NULL
);
COMMENT ON TABLE metrics.work_order_holds_base IS 'Materialised at publish (pipelines/work_orders.py): one row per hand-over of a work order (dispatched, redispatched, transferred) and how the hold ended; read through metrics.work_order_holds.';
COMMENT ON COLUMN metrics.work_order_holds_base.ticket_id IS 'Ticket';
COMMENT ON COLUMN metrics.work_order_holds_base.hold_seq IS 'Position of the hand-over among the ticket''s steps (1 = first step)';
COMMENT ON COLUMN metrics.work_order_holds_base.kind IS 'dispatched, redispatched or transferred';
COMMENT ON COLUMN metrics.work_order_holds_base.department IS 'Department that received the work order (to_department)';
COMMENT ON COLUMN metrics.work_order_holds_base.received_at IS 'When it received it';
COMMENT ON COLUMN metrics.work_order_holds_base.deadline_at IS 'Deadline the hand-over gave';
COMMENT ON COLUMN metrics.work_order_holds_base.end_step IS 'Step that ended the hold (returned, transferred, redispatched, dispatched, archived, reviewed invalid); null = still held';
COMMENT ON COLUMN metrics.work_order_holds_base.ended_at IS 'When the hold ended';
COMMENT ON COLUMN metrics.work_order_holds_base.end_reason IS 'Reason of the return or transfer that ended it';
COMMENT ON COLUMN metrics.work_order_holds_base.resumed_at IS 'When the next department received it (or the archive), after the end';
COMMENT ON COLUMN metrics.work_order_holds_base.first_replied_at IS 'First reply while the department held it';
COMMENT ON COLUMN metrics.work_order_holds_base.replies IS 'Replies while the department held it';

CREATE TABLE IF NOT EXISTS metrics.work_order_tickets_base (
    ticket_id VARCHAR NOT NULL,
    first_event_at TIMESTAMP WITH TIME ZONE,
    last_event_at TIMESTAMP WITH TIME ZONE,
    received_at TIMESTAMP WITH TIME ZONE,
    first_dispatched_at TIMESTAMP WITH TIME ZONE,
    first_replied_at TIMESTAMP WITH TIME ZONE,
    last_replied_at TIMESTAMP WITH TIME ZONE,
    last_reopened_at TIMESTAMP WITH TIME ZONE,
    archived_at TIMESTAMP WITH TIME ZONE,
    received BIGINT NOT NULL,
    dispatches BIGINT NOT NULL,
    returns BIGINT NOT NULL,
    redispatches BIGINT NOT NULL,
    transfers BIGINT NOT NULL,
    replies BIGINT NOT NULL,
    reviews BIGINT NOT NULL,
    reminders BIGINT NOT NULL,
    escalations BIGINT NOT NULL,
    appeals BIGINT NOT NULL,
    archives BIGINT NOT NULL,
    reopens BIGINT NOT NULL,
    max_escalation_level VARCHAR,
    review_verdict VARCHAR,
    status VARCHAR,
    current_department VARCHAR,
    held_since TIMESTAMP WITH TIME ZONE,
    current_deadline_at TIMESTAMP WITH TIME ZONE,
    reply_due_at TIMESTAMP WITH TIME ZONE,
    reply_hold_replied_at TIMESTAMP WITH TIME ZONE,
    reply_hold_ended_at TIMESTAMP WITH TIME ZONE
);
COMMENT ON TABLE metrics.work_order_tickets_base IS 'Materialised at publish (pipelines/work_orders.py): one row per ticket with events, its step counts and times and the state its last status-changing step leaves it in; read through metrics.work_order_state, work_order_clock and hotline_lifecycle_flow.';
COMMENT ON COLUMN metrics.work_order_tickets_base.ticket_id IS 'Ticket';
COMMENT ON COLUMN metrics.work_order_tickets_base.first_event_at IS 'Its first step';
COMMENT ON COLUMN metrics.work_order_tickets_base.last_event_at IS 'Its last step';
COMMENT ON COLUMN metrics.work_order_tickets_base.received_at IS 'First received step';
COMMENT ON COLUMN metrics.work_order_tickets_base.first_dispatched_at IS 'First dispatched step';
COMMENT ON COLUMN metrics.work_order_tickets_base.first_replied_at IS 'First reply';
COMMENT ON COLUMN metrics.work_order_tickets_base.last_replied_at IS 'Last reply';
COMMENT ON COLUMN metrics.work_order_tickets_base.last_reopened_at IS 'Last reopen';
COMMENT ON COLUMN metrics.work_order_tickets_base.archived_at IS 'Last archive';
COMMENT ON COLUMN metrics.work_order_tickets_base.received IS 'received steps';
COMMENT ON COLUMN metrics.work_order_tickets_base.dispatches IS 'dispatched steps';
COMMENT ON COLUMN metrics.work_order_tickets_base.returns IS 'returned steps';
COMMENT ON COLUMN metrics.work_order_tickets_base.redispatches IS 'redispatched steps';
COMMENT ON COLUMN metrics.work_order_tickets_base.transfers IS 'transferred steps';
COMMENT ON COLUMN metrics.work_order_tickets_base.replies IS 'replied steps';
COMMENT ON COLUMN metrics.work_order_tickets_base.reviews IS 'reviewed steps';
COMMENT ON COLUMN metrics.work_order_tickets_base.reminders IS 'reminded steps';
COMMENT ON COLUMN metrics.work_order_tickets_base.escalations IS 'escalated steps';
COMMENT ON COLUMN metrics.work_order_tickets_base.appeals IS 'appealed steps';
COMMENT ON COLUMN metrics.work_order_tickets_base.archives IS 'archived steps';
COMMENT ON COLUMN metrics.work_order_tickets_base.reopens IS 'reopened steps';
COMMENT ON COLUMN metrics.work_order_tickets_base.max_escalation_level IS 'Highest level reached: reminder, department_head, vice_president';
COMMENT ON COLUMN metrics.work_order_tickets_base.review_verdict IS 'The last review''s verdict';
COMMENT ON COLUMN metrics.work_order_tickets_base.status IS 'State the last status-changing step leaves it in (open, in_progress, returned, redispatched, transferred, resolved, under_review, cancelled, appealed, archived)';
COMMENT ON COLUMN metrics.work_order_tickets_base.current_department IS 'Department holding it (its last hold not ended); null = none';
COMMENT ON COLUMN metrics.work_order_tickets_base.held_since IS 'Since when that department holds it';
COMMENT ON COLUMN metrics.work_order_tickets_base.current_deadline_at IS 'Deadline of that hold';
COMMENT ON COLUMN metrics.work_order_tickets_base.reply_due_at IS 'Deadline of the hold in which the first reply came, else of the current one';
COMMENT ON COLUMN metrics.work_order_tickets_base.reply_hold_replied_at IS 'First reply in that hold';
COMMENT ON COLUMN metrics.work_order_tickets_base.reply_hold_ended_at IS 'When that hold ended';
