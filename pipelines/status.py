"""Warehouse summary for `sqd status` and the dashboard's freshness badge."""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from pipelines import clock
from pipelines.datasets import DATASETS

if TYPE_CHECKING:
    import polars as pl

# Each dataset's freshness column, from the registry (pipelines.datasets imports no Polars at import time).
EVENT_TIME = {name: dataset.event_time for name, dataset in DATASETS.items()}


def status_relation(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyRelation:
    """One row per dataset: rows, last load, newest record and its age in days (a relation, not yet fetched)."""
    parts = " UNION ALL ".join(
        f"SELECT '{name}' AS dataset, count(*) AS rows, max({column}) AS newest_record_at "
        f"FROM core.{name}" for name, column in EVENT_TIME.items()
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
    """, params={"now": clock.now()})


def warehouse_status(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per dataset: rows, last load, newest record and its age in days."""
    return status_relation(con).pl()


# Years within this many days of "now" count as in use: a deadline set in late December falls in January.
CALENDAR_LOOKAHEAD_DAYS = 31


# Years whose working days all come from the fallback (core.calendar_days.calendar_source = 'holidays_fallback':
# public holidays, weekends off, the adjusted 调休 workdays unknown): neither chinese-calendar nor
# data/calendar_overrides.csv covers them, so working-day SLAs and complaint limits there are approximate.
FALLBACK_YEARS_SQL = """
    SELECT year(date_day) AS year FROM core.calendar_days
    GROUP BY year(date_day) HAVING bool_and(calendar_source = 'holidays_fallback')
"""
# Those of the years in use: from the first ticket's to the clock's and the year CALENDAR_LOOKAHEAD_DAYS ahead.
# `sqd status` and the dashboard name them.
APPROXIMATE_CALENDAR_SQL = f"""
    WITH tz AS (SELECT coalesce(max(value), 'UTC') AS tz FROM meta.settings WHERE key = 'timezone'),
    today AS (SELECT CAST(timezone((SELECT tz FROM tz), (SELECT now_at FROM metrics.clock)) AS DATE) AS today),
    span AS (
        SELECT year(coalesce((SELECT CAST(timezone((SELECT tz FROM tz), min(created_at)) AS DATE)
                              FROM core.tickets), today)) AS first_year,
               year(today + INTERVAL {CALENDAR_LOOKAHEAD_DAYS} DAY) AS last_year
        FROM today
    )
    SELECT year FROM ({FALLBACK_YEARS_SQL}) AS f, span
    WHERE year BETWEEN least(first_year, last_year) AND last_year
    ORDER BY year
"""


def approximate_calendar_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """APPROXIMATE_CALENDAR_SQL's years."""
    return [int(r[0]) for r in con.execute(APPROXIMATE_CALENDAR_SQL).fetchall()]
