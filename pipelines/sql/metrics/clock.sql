-- "Now" for every metric that depends on it (pending vs breached, ages, follow-up windows): one row, now_at.
-- The project's connections pin it through the session variable sqd_now (pipelines/clock.py, SQD_NOW); any other
-- client reads the current time. The only DuckDB-specific line a metric view needs: replace this view to port.
CREATE OR REPLACE VIEW metrics.clock AS
SELECT coalesce(CAST(getvariable('sqd_now') AS TIMESTAMPTZ), current_timestamp) AS now_at
