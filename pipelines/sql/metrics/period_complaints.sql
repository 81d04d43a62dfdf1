-- Complaints by the department responsible (seed 003: complaints analysed by responsible department, each
-- department's share), for the monthly and quarterly packs, which sum it over the period.
-- Grain: one row per complaint ticket received (ticket_type complaint, not cancelled: metrics.ticket_kpis),
-- dated by its local created_date. department is the ticket's (empty shows as "(none)").
CREATE OR REPLACE VIEW metrics.period_complaints AS
SELECT
    ticket_id,
    created_date,
    department,
    site,
    complaint_grade,
    is_attributable_complaint,
    is_repeat_complaint,
    is_open
FROM metrics.ticket_kpis
WHERE is_complaint
