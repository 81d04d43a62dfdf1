-- Nonconformities and losses by product, machine and responsible department (seed 000 §8.3 asks for each
-- machine's and team's monthly quality statistics), for the monthly and quarterly packs, which sum it over the
-- period.
-- Grain: one row per nonconformity (metrics.nonconformity_costs: losses with the loss rules applied), dated by
-- its local found_date.
--   machine  the production line (机台) of the lot it was traced to (core.inspections.line); empty for a field
--            failure that traces to no inspected lot
--   responsible_department  the department the loss is charged to. The data model records no production team
--            (班组): the seed's "by team" cannot be shown until a source carries one.
CREATE OR REPLACE VIEW metrics.period_nonconformities AS
SELECT
    c.nc_id,
    c.found_date,
    c.product,
    i.line AS machine,
    c.responsible_department,
    c.defect_type,
    c.is_field_failure,
    c.qty,
    c.total_cost
FROM metrics.nonconformity_costs AS c
LEFT JOIN core.inspections AS i ON i.lot_id = c.lot_id
