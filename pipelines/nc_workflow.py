"""The nonconformity workflow's time-independent part, materialised at publish (issue 13 target 2).

metrics.nc_workflow and the views over it (nc_backlog, nc_lot_quality, nc_pass_rate_bands, nc_reinspections) were
planned from the whole step-by-step definition on every query: 7-18 ms of planning each for a handful of rows, eight
queries on the Defects page. metrics.nc_workflow_base holds metrics.nc_workflow_schedule (every column that does not
depend on now) and metrics.nc_workflow reads it, adding the status and the limits met from metrics.clock.

Nonconformities are few (about 3 % as many rows as tickets), so the table is rebuilt whole, and only when its inputs
changed: a fingerprint of the nonconformities, their steps, the inspections' lot columns it reads, the settings
and the views' schema, stored in meta.settings.
"""

from __future__ import annotations

import hashlib

import duckdb

# meta.settings: the fingerprint of the inputs of the last build (not nc_*: pipelines/nc_rules.py rewrites those)
KEY = "nonconformity_workflow_built"

# an order-independent sum of row hashes (no pair of equal hashes cancels, as an XOR would) and the row counts
INPUTS = """
    SELECT (SELECT count(*) || ':' || coalesce(sum(CAST(hash(n) AS HUGEINT)), 0) FROM core.nonconformities AS n),
           (SELECT count(*) || ':' || coalesce(sum(CAST(hash(e) AS HUGEINT)), 0) FROM core.nonconformity_events AS e),
           (SELECT count(*) || ':' || coalesce(sum(CAST(hash(i.lot_id, i.product, i.line, i.plant) AS HUGEINT)), 0)
            FROM core.inspections AS i),
           (SELECT string_agg(key || '=' || value, '|' ORDER BY key) FROM meta.settings
            WHERE key IN ('timezone', 'schema_fingerprint') OR starts_with(key, 'nc_'))
"""


def fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    return hashlib.sha256(repr(con.execute(INPUTS).fetchall()).encode()).hexdigest()


def refresh(con: duckdb.DuckDBPyConnection) -> bool:
    """Rebuild metrics.nc_workflow_base if its inputs changed since the last build; returns whether it did."""
    current = fingerprint(con)
    stored = con.execute("SELECT value FROM meta.settings WHERE key = ?", [KEY]).fetchall()
    if stored and stored[0][0] == current:
        return False
    con.execute("CREATE OR REPLACE TABLE metrics.nc_workflow_base AS FROM metrics.nc_workflow_schedule")
    _describe(con)      # CREATE OR REPLACE dropped the comments
    con.execute("DELETE FROM meta.settings WHERE key = ?", [KEY])
    con.execute("INSERT INTO meta.settings VALUES (?, ?)", [KEY, current])
    return True


def _describe(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("COMMENT ON TABLE metrics.nc_workflow_base IS 'Materialised at publish (pipelines/nc_workflow.py): "
                "metrics.nc_workflow_schedule, the part of the nonconformity workflow that does not depend on now "
                "(one row per nonconformity); read through metrics.nc_workflow, which adds the status and the "
                "limits met.'")
    columns = [r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE schema_name = 'metrics' "
                                         "AND table_name = 'nc_workflow_base'").fetchall()]
    for column in columns:   # identifiers from the catalog, the text is this module's
        con.execute(f'COMMENT ON COLUMN metrics.nc_workflow_base."{column}" IS '
                    f"'As metrics.nc_workflow.{column} (definitions: pipelines/sql/metrics/nc_workflow.sql)'")
