-- Data-quality results: every run of an expectation suite (expectations/<dataset>.json), on a load's batch
-- (pipelines/gate.py) or on the published tables (`sqd check`), and the rows a load held back.
-- Written by pipelines/gate.py and pipelines/quality.py; read by `sqd check` and the dashboard's data-quality page.
-- JSON values are stored as VARCHAR text (portable types only, like schema.sql).

CREATE SCHEMA IF NOT EXISTS meta;

CREATE TABLE IF NOT EXISTS meta.dq_runs (
    run_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    load_id VARCHAR,
    dataset VARCHAR NOT NULL,
    suite_name VARCHAR NOT NULL,
    suite_file VARCHAR NOT NULL,
    suite_sha256 VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    started_at TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at TIMESTAMP WITH TIME ZONE NOT NULL,
    validation_seconds DOUBLE NOT NULL,
    rows_checked BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    checks_run INTEGER NOT NULL,
    checks_failed INTEGER NOT NULL,
    outcome VARCHAR NOT NULL,
    message VARCHAR
);
COMMENT ON TABLE meta.dq_runs IS 'One row per run of an expectation suite: on a load''s batch before it is published (kind load) or on a published table (kind check, `sqd check`).';
COMMENT ON COLUMN meta.dq_runs.run_id IS 'Run id; meta.dq_results and meta.quarantine refer to it';
COMMENT ON COLUMN meta.dq_runs.kind IS 'load (a file''s batch, before publishing) or check (a published table, `sqd check`)';
COMMENT ON COLUMN meta.dq_runs.load_id IS 'The load validated (meta.load_log.load_id); null for kind check';
COMMENT ON COLUMN meta.dq_runs.dataset IS 'tickets, surveys, inspections, nonconformities, calls or roster';
COMMENT ON COLUMN meta.dq_runs.suite_name IS 'Name of the expectation suite';
COMMENT ON COLUMN meta.dq_runs.suite_file IS 'Suite file that ran (expectations/<dataset>.json)';
COMMENT ON COLUMN meta.dq_runs.suite_sha256 IS 'SHA-256 of the suite file: which version of the suite ran';
COMMENT ON COLUMN meta.dq_runs.source_file IS 'File validated (kind load) or the table validated, e.g. core.tickets (kind check)';
COMMENT ON COLUMN meta.dq_runs.started_at IS 'When the run started (for a load: the load''s start, the "now" of freshness and future checks)';
COMMENT ON COLUMN meta.dq_runs.finished_at IS 'When the run''s results were stored';
COMMENT ON COLUMN meta.dq_runs.validation_seconds IS 'Wall time of the validation itself (building frames and running GX), seconds';
COMMENT ON COLUMN meta.dq_runs.rows_checked IS 'Rows in the batch or table validated';
COMMENT ON COLUMN meta.dq_runs.rows_quarantined IS 'Rows moved to meta.quarantine by this run (0 when refused or for kind check)';
COMMENT ON COLUMN meta.dq_runs.checks_run IS 'Expectations evaluated';
COMMENT ON COLUMN meta.dq_runs.checks_failed IS 'Expectations that failed, any severity';
COMMENT ON COLUMN meta.dq_runs.outcome IS 'passed, passed_with_warnings, failed_row_level (a load: published with quarantine) or failed_blocking (a load: refused)';
COMMENT ON COLUMN meta.dq_runs.message IS 'Summary of the failures, as printed by the CLI';

CREATE TABLE IF NOT EXISTS meta.dq_results (
    run_id VARCHAR NOT NULL,
    load_id VARCHAR,
    dataset VARCHAR NOT NULL,
    suite_name VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    expectation VARCHAR NOT NULL,
    expectation_type VARCHAR NOT NULL,
    column_name VARCHAR,
    severity VARCHAR NOT NULL,
    success BOOLEAN NOT NULL,
    observed_value VARCHAR,
    element_count BIGINT,
    unexpected_count BIGINT,
    unexpected_percent DOUBLE,
    sample_rows VARCHAR,
    kwargs VARCHAR,
    exception VARCHAR,
    notes VARCHAR,
    checked_at TIMESTAMP WITH TIME ZONE NOT NULL
);
COMMENT ON TABLE meta.dq_results IS 'One row per expectation per run (meta.dq_runs): pass or fail, what was observed and which rows failed.';
COMMENT ON COLUMN meta.dq_results.run_id IS 'The run (meta.dq_runs.run_id)';
COMMENT ON COLUMN meta.dq_results.load_id IS 'The load validated; null for `sqd check` runs';
COMMENT ON COLUMN meta.dq_results.dataset IS 'tickets, surveys, inspections, nonconformities, calls or roster';
COMMENT ON COLUMN meta.dq_results.suite_name IS 'Name of the expectation suite';
COMMENT ON COLUMN meta.dq_results.source_file IS 'File validated, or the table for `sqd check` runs';
COMMENT ON COLUMN meta.dq_results.position IS 'Position of the expectation in its suite file (1 = first)';
COMMENT ON COLUMN meta.dq_results.expectation IS 'The expectation''s short name (meta.name in the suite), e.g. ticket_id_unique';
COMMENT ON COLUMN meta.dq_results.expectation_type IS 'Great Expectations expectation type, e.g. expect_column_values_to_be_unique';
COMMENT ON COLUMN meta.dq_results.column_name IS 'Column(s) the expectation reads, comma-separated; __name = a column derived for the check (docs/data-quality.md)';
COMMENT ON COLUMN meta.dq_results.severity IS 'blocking (refuses the batch), row-level (quarantines failing rows) or warning (recorded only)';
COMMENT ON COLUMN meta.dq_results.success IS 'True when the expectation held';
COMMENT ON COLUMN meta.dq_results.observed_value IS 'What was measured: the value for batch-level expectations (row count, youngest record''s age in days), else "n of m rows unexpected"';
COMMENT ON COLUMN meta.dq_results.element_count IS 'Rows evaluated (row-by-row expectations)';
COMMENT ON COLUMN meta.dq_results.unexpected_count IS 'Rows that failed (row-by-row expectations); 0 when it held';
COMMENT ON COLUMN meta.dq_results.unexpected_percent IS 'unexpected_count as a percentage of the non-null values evaluated';
COMMENT ON COLUMN meta.dq_results.sample_rows IS 'JSON list of the first failing rows: row (line in the file, loads only) and values (key and the columns judged)';
COMMENT ON COLUMN meta.dq_results.kwargs IS 'JSON of the expectation''s arguments as evaluated (suite parameters resolved)';
COMMENT ON COLUMN meta.dq_results.exception IS 'Error message when the expectation could not be evaluated (counts as a failure)';
COMMENT ON COLUMN meta.dq_results.notes IS 'What the expectation protects (meta.notes in the suite)';
COMMENT ON COLUMN meta.dq_results.checked_at IS 'When the result was stored';

CREATE TABLE IF NOT EXISTS meta.quarantine (
    run_id VARCHAR NOT NULL,
    load_id VARCHAR NOT NULL,
    dataset VARCHAR NOT NULL,
    record_key VARCHAR,
    source_file VARCHAR NOT NULL,
    source_row BIGINT NOT NULL,
    expectation VARCHAR NOT NULL,
    expectation_type VARCHAR NOT NULL,
    column_name VARCHAR,
    offending_values VARCHAR,
    row_values VARCHAR NOT NULL,
    quarantined_at TIMESTAMP WITH TIME ZONE NOT NULL,
    released_at TIMESTAMP WITH TIME ZONE,
    released_by_load_id VARCHAR,
    resolution VARCHAR
);
COMMENT ON TABLE meta.quarantine IS 'Rows a load held back because they failed a row-level expectation: one row per failing source row and expectation. Released when a later load publishes the same key.';
COMMENT ON COLUMN meta.quarantine.run_id IS 'The run that quarantined the row (meta.dq_runs.run_id)';
COMMENT ON COLUMN meta.quarantine.load_id IS 'The load the row came with (meta.load_log.load_id)';
COMMENT ON COLUMN meta.quarantine.dataset IS 'tickets, surveys, inspections, nonconformities, calls or roster';
COMMENT ON COLUMN meta.quarantine.record_key IS 'Natural key of the row (ticket_id, survey_id, lot_id or nc_id)';
COMMENT ON COLUMN meta.quarantine.source_file IS 'File the row came from';
COMMENT ON COLUMN meta.quarantine.source_row IS 'Line of the row in that file (header = line 1; Parquet/NDJSON: record number)';
COMMENT ON COLUMN meta.quarantine.expectation IS 'The expectation the row failed (meta.name in the suite)';
COMMENT ON COLUMN meta.quarantine.expectation_type IS 'Great Expectations expectation type';
COMMENT ON COLUMN meta.quarantine.column_name IS 'Column(s) the expectation reads, comma-separated';
COMMENT ON COLUMN meta.quarantine.offending_values IS 'JSON object of the values the expectation judged (the real columns behind a derived one)';
COMMENT ON COLUMN meta.quarantine.row_values IS 'JSON object of the whole row as mapped (canonical columns)';
COMMENT ON COLUMN meta.quarantine.quarantined_at IS 'When the row was quarantined';
COMMENT ON COLUMN meta.quarantine.released_at IS 'When a later load published the same key or quarantined it again; null while open';
COMMENT ON COLUMN meta.quarantine.released_by_load_id IS 'The later load that closed this entry';
COMMENT ON COLUMN meta.quarantine.resolution IS 'released (a later load published the key) or superseded (a later load quarantined the key again); null while open';

CREATE OR REPLACE VIEW meta.dq_latest_results AS
-- The latest run of each dataset's suite (a load or `sqd check`, whichever came last) with its results.
-- Grain: one row per dataset and expectation of that run.
WITH latest AS (
    SELECT *
    FROM meta.dq_runs
    QUALIFY row_number() OVER (PARTITION BY dataset ORDER BY finished_at DESC, started_at DESC) = 1
)
SELECT
    l.dataset, l.kind, l.run_id, l.load_id, l.source_file, l.started_at, l.rows_checked, l.outcome AS run_outcome,
    r.position, r.expectation, r.expectation_type, r.column_name, r.severity, r.success, r.observed_value,
    r.element_count, r.unexpected_count, r.unexpected_percent, r.sample_rows, r.exception, r.notes
FROM latest AS l
JOIN meta.dq_results AS r USING (run_id)
ORDER BY l.dataset, r.position;
COMMENT ON VIEW meta.dq_latest_results IS 'Latest suite run per dataset (load or `sqd check`) with one row per expectation; what `sqd check` prints.';
