"""metrics.kpi_facts for a few of its metrics, reading only the branches that yield them.

The view is one UNION ALL branch per source view (tickets, surveys, lots, calls ...). DuckDB evaluates every branch
even when a filter on `metric` rules it out (1M tickets: the defect rate of two months took 354 ms through the view,
4 ms from its own branch), so a reader of a few metrics (the CAPA check, the weekly pack's "what changed") takes the
view's own text, keeps the branches whose `-- @metrics` line names a metric it asks for, and filters each by the
metric and its dates. A branch whose marker also names `@instant <column>` (the source view's TIMESTAMPTZ whose
local date is the branch's metric_date) gets those dates as a range on that column inside it, so DuckDB skips the
rows outside them in the table scan instead of converting every instant to a local date first (the complaint rate
of eight weeks at 1M: 61 -> 24 ms). The rows are the view's: the definitions stay in
pipelines/sql/metrics/kpi_facts.sql (tests/test_kpi_facts.py holds every metric's narrowed rows equal to the
view's).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from importlib import resources

from pipelines.warehouse import Run

MARKER = re.compile(r"^-- @metrics ([a-z_ ]+?)(?: @instant ([a-z_]+))?\n", re.MULTILINE)
SOURCE = re.compile(r"^FROM (metrics\.[a-z_]+) AS ([a-z]+)$", re.MULTILINE)
VIEW_START = "CREATE OR REPLACE VIEW metrics.kpi_facts AS\n"


@dataclass(frozen=True)
class Branch:
    metrics: frozenset[str]
    select: str
    instant: str | None          # its source's TIMESTAMPTZ column whose local date metric_date is


@cache
def branches() -> tuple[Branch, ...]:
    """Each branch of the view, in the view's order."""
    text = resources.files("pipelines").joinpath("sql", "metrics", "kpi_facts.sql").read_text("utf-8")
    body = text.split(VIEW_START, 1)[1]
    parts = MARKER.split(body)            # ['', metrics, instant, select, metrics, instant, select, ...]
    if parts[0].strip() or len(parts) < 4:
        raise RuntimeError("kpi_facts.sql: every branch must start with a '-- @metrics' line")
    found = []
    for names, instant, select in zip(parts[1::3], parts[2::3], parts[3::3]):
        select = select.strip().removesuffix("UNION ALL").strip()
        if instant and len(SOURCE.findall(select)) != 1:
            raise RuntimeError(f"kpi_facts.sql: the @instant branch of {names} needs one 'FROM metrics.<view> AS x'")
        found.append(Branch(frozenset(names.split()), select, instant or None))
    return tuple(found)


def instants(start: date | None, stop: date | None) -> tuple[datetime | None, datetime | None]:
    """UTC bounds [low, high) holding every instant whose local date, in any time zone (UTC-12 to UTC+14), is in
    [start, stop): from the day before start to the day after stop. None stays open."""
    low = None if start is None else datetime.combine(start - timedelta(days=1), time(), UTC)
    high = None if stop is None else datetime.combine(stop + timedelta(days=1), time(), UTC)
    return low, high


def instant_filter(column: str, start: date | None, stop: date | None, params: list[object]) -> list[str]:
    """Conditions holding TIMESTAMPTZ `column` to instants(start, stop); their values are appended to `params`."""
    parts = []
    for op, value in zip((">=", "<"), instants(start, stop)):
        if value is not None:
            parts.append(f"{column} {op} CAST(? AS TIMESTAMPTZ)")
            params.append(value)
    return parts


def _bounded(branch: Branch, spans: list[tuple[date | None, date | None]], params: list[object]) -> str:
    """The branch's SELECT with its source narrowed to the instants the asked dates can hold."""
    starts, stops = [s for s, _ in spans], [s for _, s in spans]
    start = None if None in starts else min(starts)
    stop = None if None in stops else max(stops)
    if branch.instant is None or (start is None and stop is None):
        return branch.select
    bounds = " AND ".join(instant_filter(branch.instant, start, stop, params))
    return SOURCE.sub(lambda m: f"FROM (SELECT * FROM {m.group(1)} WHERE {bounds}) AS {m.group(2)}", branch.select)


def metrics() -> frozenset[str]:
    return frozenset().union(*(b.metrics for b in branches()))


def facts_sql(run: Run, windows: Mapping[str, tuple[date | None, date | None]]) -> tuple[str, list[object]]:
    """A parenthesised query with metrics.kpi_facts's columns and its rows for the asked metrics, each within its
    [start, stop) of metric_date (None: open), and its bound values. Metrics the view does not yield give no rows."""
    columns = run("""SELECT column_name FROM information_schema.columns
                     WHERE table_schema = 'metrics' AND table_name = 'kpi_facts' ORDER BY ordinal_position""",
                  []).to_series().to_list()
    selects: list[str] = []
    params: list[object] = []
    for branch in branches():
        asked = sorted(branch.metrics & windows.keys())
        if not asked:
            continue
        select = _bounded(branch, [windows[m] for m in asked], params)
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
