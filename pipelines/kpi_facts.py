"""metrics.kpi_facts for a few of its metrics, reading only the branches that yield them.

The view is one UNION ALL branch per source view (tickets, surveys, lots, calls ...). DuckDB evaluates every branch
even when a filter on `metric` rules it out (1M tickets: the defect rate of two months took 354 ms through the view,
4 ms from its own branch), so a reader of a few metrics (the CAPA check, the weekly pack's "what changed") takes the
view's own text, keeps the branches whose `-- @metrics` line names a metric it asks for, and filters each by the
metric and its dates. The rows are the view's: the definitions stay in pipelines/sql/metrics/kpi_facts.sql
(tests/test_kpi_facts.py holds every metric's narrowed rows equal to the view's).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from functools import cache
from importlib import resources

from pipelines.warehouse import Run

MARKER = re.compile(r"^-- @metrics ([a-z_ ]+)\n", re.MULTILINE)
VIEW_START = "CREATE OR REPLACE VIEW metrics.kpi_facts AS\n"


@cache
def branches() -> tuple[tuple[frozenset[str], str], ...]:
    """(the metrics it yields, its SELECT) for each branch of the view, in the view's order."""
    text = resources.files("pipelines").joinpath("sql", "metrics", "kpi_facts.sql").read_text("utf-8")
    body = text.split(VIEW_START, 1)[1]
    parts = MARKER.split(body)            # ['', metrics, select, metrics, select, ...]
    if parts[0].strip() or len(parts) < 3:
        raise RuntimeError("kpi_facts.sql: every branch must start with a '-- @metrics' line")
    found = []
    for names, select in zip(parts[1::2], parts[2::2]):
        select = select.strip()
        select = select.removesuffix("UNION ALL").strip()
        found.append((frozenset(names.split()), select))
    return tuple(found)


def metrics() -> frozenset[str]:
    return frozenset().union(*(names for names, _ in branches()))


def facts_sql(run: Run, windows: Mapping[str, tuple[date | None, date | None]]) -> tuple[str, list[object]]:
    """A parenthesised query with metrics.kpi_facts's columns and its rows for the asked metrics, each within its
    [start, stop) of metric_date (None: open), and its bound values. Metrics the view does not yield give no rows."""
    columns = run("""SELECT column_name FROM information_schema.columns
                     WHERE table_schema = 'metrics' AND table_name = 'kpi_facts' ORDER BY ordinal_position""",
                  []).to_series().to_list()
    selects: list[str] = []
    params: list[object] = []
    for names, select in branches():
        asked = sorted(names & windows.keys())
        if not asked:
            continue
        conditions = []
        for metric in asked:
            start, stop = windows[metric]
            condition = ["f.metric = ?"]
            params.append(metric)
            if start is not None:
                condition.append("f.metric_date >= CAST(? AS DATE)")
                params.append(start)
            if stop is not None:
                condition.append("f.metric_date < CAST(? AS DATE)")
                params.append(stop)
            conditions.append("(" + " AND ".join(condition) + ")")
        selects.append(f"SELECT * FROM ({select}) AS f({', '.join(columns)})\nWHERE {' OR '.join(conditions)}")
    if not selects:
        return "(SELECT * FROM metrics.kpi_facts WHERE FALSE)", []
    return "(" + "\nUNION ALL\n".join(selects) + ")", params
