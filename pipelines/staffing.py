"""Erlang C staffing (issue 16): the agents each interval needed to meet the service-level target, against the
agents it had, and the gap in agent-hours per day.

Erlang C over a vector of intervals with numpy: the Erlang B recursion B(n) = A·B(n-1) / (n + A·B(n-1)) runs once
per agent count n for every interval at the same time (no loop over rows), and each interval keeps the first n
whose service level 1 − C(n, A)·exp(−(n − A)·T / AHT) reaches the target. Why not pyworkforce: docs/decisions.md
"Erlang C without pyworkforce".

Inputs are metrics.calls_interval (calls = offered − short abandons, AHT = handle seconds / answered); the target
and its seconds come from [contact_centre] (service_level_target, service_level_seconds). Available agents come
from the roster (metrics.roster_interval: agents available on average over the interval) when the period has
roster rows, else from the distinct agents who answered a call in the interval (the export has no agent states;
then the gap is a lower bound of the shortfall); `available_from` says which.

The agents needed are cached by their inputs (`needed_cached`): a digest of each interval's calls and AHT, the
interval length and the target. The dashboard redraws the Contact-centre page on every view and its SQL result is
cached per warehouse version (dashboard/db.py), so the Erlang C pass ran again each time (40-120 ms at 10.7M
calls, whole history): now a view that shows the same figures reuses them, and a load that changes any interval's
calls or AHT, or a change of the target, gives other inputs and so a fresh computation (docs/decisions.md
"Staffing cached by its inputs").
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np
import polars as pl

Run = Callable[[str, Sequence[object]], pl.DataFrame]    # pipelines.warehouse.Run: sql, params -> frame

MAX_AGENTS = 10_000
CACHE_ENTRIES = 64                 # distinct (period, warehouse contents, target) results kept; each a few kB


def erlang_c(traffic: np.ndarray, agents: np.ndarray) -> np.ndarray:
    """Probability that a call waits, for each (traffic in Erlangs, agents) pair; 1 where agents <= traffic."""
    traffic = np.asarray(traffic, dtype=float)
    agents = np.asarray(agents, dtype=int)
    b = np.ones_like(traffic)
    for n in range(1, int(agents.max(initial=0)) + 1):
        step = traffic * b / (n + traffic * b)
        b = np.where(agents >= n, step, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = agents * b / (agents - traffic * (1 - b))
    return np.where(agents > traffic, np.clip(c, 0.0, 1.0), 1.0)


def service_level(traffic: np.ndarray, agents: np.ndarray, aht_seconds: np.ndarray,
                  target_seconds: float) -> np.ndarray:
    """Share of calls answered within target_seconds with `agents` agents (Erlang C); 0 where agents <= traffic."""
    traffic, aht = np.asarray(traffic, dtype=float), np.asarray(aht_seconds, dtype=float)
    agents = np.asarray(agents, dtype=int)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        sl = 1 - erlang_c(traffic, agents) * np.exp(-(agents - traffic) * target_seconds / aht)
    return np.where(agents > traffic, sl, 0.0)


def agents_needed(calls: np.ndarray, aht_seconds: np.ndarray, interval_seconds: float, target: float,
                  target_seconds: float) -> np.ndarray:
    """Fewest agents per interval whose Erlang C service level reaches `target` (0 for an interval without
    calls or handle time). Vectorised over the intervals; one pass per agent count over the intervals not yet
    met (an interval leaves the arrays once its count is found, so quiet intervals stop costing at their few
    agents instead of running up to the busiest interval's count)."""
    calls = np.asarray(calls, dtype=float)
    aht = np.asarray(aht_seconds, dtype=float)
    traffic = np.where((calls > 0) & (aht > 0), calls * aht / interval_seconds, 0.0)
    needed = np.zeros(traffic.shape, dtype=np.int64)
    live = np.flatnonzero(traffic > 0)              # intervals still looking for their count
    a, h = traffic[live], aht[live]
    b = np.ones_like(a)                             # Erlang B with n agents, the live intervals at once
    n = 0
    while live.size:
        n += 1
        if n > MAX_AGENTS:
            raise ValueError(f"more than {MAX_AGENTS} agents needed in an interval (traffic {a.max():.0f} E)")
        b = a * b / (n + a * b)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            c = n * b / (n - a * (1 - b))
            sl = 1 - c * np.exp(-(n - a) * target_seconds / h)
        met = (n > a) & (sl >= target)
        if met.any():
            needed[live[met]] = n
            keep = ~met
            live, a, h, b = live[keep], a[keep], h[keep], b[keep]
    return needed


_CACHE: OrderedDict[bytes, np.ndarray] = OrderedDict()
_CACHE_LOCK = threading.Lock()
CACHE_STATS = {"hits": 0, "misses": 0}


def needed_cached(calls: np.ndarray, aht_seconds: np.ndarray, interval_seconds: float, target: float,
                  target_seconds: float) -> np.ndarray:
    """agents_needed, kept per inputs: the key is a digest of the calls and AHT of every interval (in order),
    the interval length and the target, so equal inputs give the stored figures and any other input a fresh
    computation. Bounded (CACHE_ENTRIES, least recently used first out); thread-safe (the dashboard serves
    sessions from threads). The returned array is read-only: it is shared."""
    calls = np.ascontiguousarray(calls, dtype=np.float64)
    aht = np.ascontiguousarray(aht_seconds, dtype=np.float64)
    digest = hashlib.blake2b(digest_size=20)
    digest.update(np.array([calls.size, interval_seconds, target, target_seconds], dtype=np.float64).tobytes())
    digest.update(calls.tobytes())
    digest.update(aht.tobytes())
    key = digest.digest()
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
            CACHE_STATS["hits"] += 1
            return found
    needed = agents_needed(calls, aht, interval_seconds, target, target_seconds)
    needed.setflags(write=False)
    with _CACHE_LOCK:
        CACHE_STATS["misses"] += 1
        _CACHE[key] = needed
        while len(_CACHE) > CACHE_ENTRIES:
            _CACHE.popitem(last=False)
    return needed


def clear_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()
        CACHE_STATS.update(hits=0, misses=0)


def staffing(run: Run, start=None, end=None, sources: dict[str, str] | None = None,
             cached: bool = True) -> pl.DataFrame:
    """One row per interval in [start, end] (local dates; None = open): calls, AHT, traffic, agents needed
    (Erlang C, the queues pooled), agents available (distinct agents answering), the gap and its agent-hours.
    `run` is pipelines.warehouse.direct(con) or the dashboard's cached runner. `sources`: the dashboard's tables
    maintained at publish (pipelines/rollups.py CC_TABLES) in place of the views: calls_interval, roster_interval,
    agents_answering (interval_start, interval_date, agents_answering). `cached`: the agents needed from
    `needed_cached` (False: computed afresh, as the tests' reference)."""
    src = sources or {}
    agents_from = (f"SELECT interval_start, agents_answering AS agents_available FROM {src['agents_answering']} "
                   f"WHERE {{period}}" if "agents_answering" in src else
                   "SELECT interval_start, count(DISTINCT agent) AS agents_available FROM metrics.call_facts "
                   "WHERE {period} AND is_answered AND agent IS NOT NULL GROUP BY interval_start")
    period = "interval_date BETWEEN coalesce(CAST(? AS DATE), DATE '0001-01-01') " \
             "AND coalesce(CAST(? AS DATE), DATE '9999-12-31')"
    frame = run(f"""
        WITH settings AS (
            SELECT CAST(max(value) FILTER (WHERE key = 'cc_service_level_target') AS DOUBLE) AS target,
                   CAST(max(value) FILTER (WHERE key = 'cc_service_level_seconds') AS DOUBLE) AS target_seconds
            FROM meta.settings
        ),
        intervals AS (
            SELECT interval_start, any_value(interval_date) AS interval_date, any_value(weekday) AS weekday,
                   any_value(time_of_day) AS time_of_day, any_value(interval_minutes) AS interval_minutes,
                   sum(calls) AS calls, sum(answered) AS answered,
                   sum(answered_within_service_level) AS answered_within_service_level,
                   sum(handle_seconds) AS handle_seconds
            FROM {src.get("calls_interval", "metrics.calls_interval")}
            WHERE {period}
            GROUP BY interval_start
        ),
        agents AS ({agents_from.format(period=period)}),
        rostered AS (
            SELECT interval_start, agents_available FROM {src.get("roster_interval", "metrics.roster_interval")}
            WHERE {period}
        ),
        overall AS (SELECT sum(handle_seconds) / nullif(sum(answered), 0) AS aht FROM intervals),
        source AS (SELECT EXISTS (FROM rostered) AS from_roster)
        SELECT i.*, coalesce(i.handle_seconds / nullif(i.answered, 0), o.aht) AS aht_seconds,
               CAST(CASE WHEN src.from_roster THEN coalesce(r.agents_available, 0)
                         ELSE coalesce(a.agents_available, 0) END AS DOUBLE) AS agents_available,
               CASE WHEN src.from_roster THEN 'roster' ELSE 'answering' END AS available_from,
               s.target, s.target_seconds
        FROM intervals AS i CROSS JOIN overall AS o CROSS JOIN settings AS s CROSS JOIN source AS src
        LEFT JOIN agents AS a USING (interval_start)
        LEFT JOIN rostered AS r USING (interval_start)
        ORDER BY i.interval_start
    """, [start, end, start, end, start, end])
    if frame.is_empty():
        return frame.with_columns(pl.lit(None, pl.Float64).alias("traffic_erlangs"),
                                  pl.lit(None, pl.Int64).alias("agents_needed"),
                                  pl.lit(None, pl.Float64).alias("agent_gap"),
                                  pl.lit(None, pl.Float64).alias("gap_agent_hours"))
    minutes = frame["interval_minutes"].to_numpy().astype(float)
    calls = frame["calls"].to_numpy().astype(float)
    aht = frame["aht_seconds"].fill_null(0).to_numpy().astype(float)
    target, target_seconds = float(frame["target"][0]), float(frame["target_seconds"][0])
    interval_seconds = float(minutes[0] * 60)
    needed = (needed_cached if cached else agents_needed)(calls, aht, interval_seconds, target, target_seconds)
    return frame.with_columns(
        pl.Series("traffic_erlangs", calls * aht / interval_seconds),
        pl.Series("agents_needed", needed, dtype=pl.Int64),
    ).with_columns(
        (pl.col("agents_needed") - pl.col("agents_available")).clip(lower_bound=0).cast(pl.Float64)
        .alias("agent_gap"),
    ).with_columns(
        (pl.col("agent_gap") * pl.col("interval_minutes") / 60).alias("gap_agent_hours"),
    )


def gap_per_day(frame: pl.DataFrame) -> pl.DataFrame:
    """Agent-hours short per local day: the sum of each interval's gap × its length."""
    return (frame.group_by("interval_date").agg(
        pl.col("gap_agent_hours").sum(), pl.col("calls").sum(),
        (pl.col("agents_needed") * pl.col("interval_minutes") / 60).sum().alias("needed_agent_hours"),
        (pl.col("agents_available") * pl.col("interval_minutes") / 60).sum().alias("available_agent_hours"),
    ).sort("interval_date"))
