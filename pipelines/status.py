"""Warehouse summary for `sqd status` and the dashboard's freshness badge."""

from __future__ import annotations

import duckdb
import polars as pl

from pipelines import clock
from pipelines.datasets import DATASETS


def warehouse_status(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per dataset: rows, last load, newest record and its age in days."""
    parts = " UNION ALL ".join(
        f"SELECT '{d.name}' AS dataset, count(*) AS rows, max({d.event_time}) AS newest_record_at "
        f"FROM core.{d.name}" for d in DATASETS.values()
    )
    return con.sql(f"""
        WITH counts AS ({parts}),
        loads AS (
            SELECT dataset, max(finished_at) FILTER (WHERE status LIKE 'published%') AS last_load_at,
                   count(*) FILTER (WHERE status LIKE 'published%') AS loads,
                   count(*) FILTER (WHERE status = 'refused') AS refused_loads
            FROM meta.load_log GROUP BY dataset
        )
        SELECT c.dataset, c.rows, coalesce(l.loads, 0) AS loads, coalesce(l.refused_loads, 0) AS refused_loads,
               l.last_load_at, c.newest_record_at,
               date_diff('day', c.newest_record_at, $now) AS newest_record_age_days
        FROM counts c LEFT JOIN loads l USING (dataset)
        ORDER BY c.dataset
    """, params={"now": clock.now()}).pl()
