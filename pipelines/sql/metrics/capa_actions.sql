-- Corrective and preventive actions (CAPA) with their state as of now: the CAPA tracker's one definition.
-- Grain: one row per core.corrective_actions row.
--   is_open                  not closed or cancelled (open, in progress, or completed and awaiting closure)
--   is_overdue               open, not carried out (completed_on empty) and due before today (local, metrics.clock)
--   days_overdue             today - due_date for an overdue action, else null
--   is_closed_unverified     closed without an effectiveness check (verified_on empty)
--   source_count             how many records source_ids names (";"-separated)
-- An action's state at the end of an earlier period (the pack's list) is judged from opened_at, closed_on and
-- completed_on by pipelines/weekly.py capa_open_at.
CREATE OR REPLACE VIEW metrics.capa_actions AS
WITH

today AS (
    SELECT CAST(timezone((SELECT value FROM meta.settings WHERE key = 'timezone'), now_at) AS DATE) AS today
    FROM metrics.clock
)

SELECT
    a.capa_id,
    a.source_type,
    a.source_ids,
    CASE WHEN nullif(trim(a.source_ids), '') IS NULL THEN 0
         ELSE len(string_split(a.source_ids, ';')) END AS source_count,
    a.opened_at,
    CAST(timezone((SELECT value FROM meta.settings WHERE key = 'timezone'), a.opened_at) AS DATE) AS opened_date,
    a.root_cause,
    a.action,
    a.owner,
    a.due_date,
    coalesce(a.status, 'open') AS status,
    a.completed_on,
    a.closed_on,
    a.verified_on,
    a.verified_by,
    a.verification_result,
    a.metric,
    a.product,
    a.department,
    a.site,
    coalesce(a.status, 'open') NOT IN ('closed', 'cancelled') AS is_open,
    coalesce(a.status, 'open') NOT IN ('closed', 'cancelled') AND a.completed_on IS NULL
        AND a.due_date < d.today AS is_overdue,
    CASE WHEN coalesce(a.status, 'open') NOT IN ('closed', 'cancelled') AND a.completed_on IS NULL
              AND a.due_date < d.today THEN date_diff('day', a.due_date, d.today) END AS days_overdue,
    coalesce(a.status = 'closed', FALSE) AND a.verified_on IS NULL AS is_closed_unverified
FROM core.corrective_actions AS a
CROSS JOIN today AS d
