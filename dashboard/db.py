"""The dashboard's read-only connection and query cache.

* One connection per warehouse version (`pipelines.warehouse.version_token`, which changes whenever a load renames
  a new file over the warehouse), kept by `st.cache_resource`. Inside one process DuckDB reuses the database it
  has open for a path, so before the new version is opened every connection to the old one is closed; queries hold
  a lock so none is in flight on the old connection when that happens.
* Results are cached by `st.cache_data` on (SQL, parameters, warehouse path, version token): a new load changes
  the token, so the next rerun misses the cache and reads the new file; nothing has to be cleared.
* Every query runs on a short-lived cursor of that connection, with the search path and time zone that
  `pipelines.warehouse.connect` sets (cursors do not inherit session settings).
* The first visitor after a load does not pay for the new version's queries: a warmer thread per server process
  (`start_warmer`, started by the first `runner` call) checks the version token every WARM_EVERY seconds and, when
  it changes, runs every page's default queries (`queries.page_queries`) through the same cache (`prewarm`).
* Visitors go first: queries run side by side (dashboard/connections.py: the lock covers only opening and closing
  connections, which waits for the queries in flight on the version it closes), and the warmer starts no query
  while a visitor's script run is in progress (`visiting`, around each run in dashboard/app.py). Holding the lock through every query had put
  the first visitor's queries in a queue with the warmer's 73 (2 s at 1M tickets): first visits took 0.5-1.4 s
  longer than with no warmer at all (bench/pages_browser.py).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import duckdb
import polars as pl
import streamlit as st

from dashboard import queries
from dashboard.connections import Connections
from dashboard.queries import SESSION_SETTINGS, Filters, Run, to_frame
from pipelines import clock
from pipelines.config import Config
from pipelines.status import warehouse_status
from pipelines.warehouse import connect, session, version_token

Token = tuple[int, int] | None
WARM_EVERY = 2.0  # seconds between two looks at the version token
LOG = logging.getLogger(__name__)

_CONNECTIONS = Connections()   # per warehouse path: its open version, queries in flight (dashboard/connections.py)
_LOCK = _CONNECTIONS.lock
_SETTLED = _CONNECTIONS.settled          # also notified when a visitor's run ends
_VISITORS = [0]                          # visitors' script runs in progress (visiting)


def close_all(path: str | None = None) -> None:
    """Close every dashboard connection (to one warehouse path, or all), once the queries running on each have
    ended."""
    _CONNECTIONS.close_all(lambda key: path is None or key == path)


@st.cache_resource(max_entries=4, show_spinner=False, on_release=_CONNECTIONS.release,
                   validate=_CONNECTIONS.is_open)
def _connection(_config: Config, path: str, token: Token) -> duckdb.DuckDBPyConnection:
    # the older version of this file is closed first: DuckDB would hand its instance back otherwise
    return _CONNECTIONS.open(path, lambda: connect(_config, read_only=True))


@contextmanager
def _cursor(config: Config, token: Token) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of this version's connection, counted in flight while in use (dashboard/connections.py)."""
    path = str(config.warehouse_path)
    with _CONNECTIONS.using(path, lambda: _connection(config, path, token)) as con:
        cur = session(con.cursor(), config)
        try:
            for setting in SESSION_SETTINGS:
                cur.execute(setting)
            yield cur
        finally:
            cur.close()


@st.cache_data(max_entries=5000, show_spinner=False)
def _query(sql: str, params: tuple, path: str, token: Token, timezone: str, _config: Config) -> pl.DataFrame:
    with _cursor(_config, token) as cur:
        return to_frame(cur.sql(sql, params=list(params)))


@st.cache_data(max_entries=20, show_spinner=False)
def _status(path: str, token: Token, timezone: str, _config: Config) -> pl.DataFrame:
    with _cursor(_config, token) as cur:
        return warehouse_status(cur)


@contextmanager
def visiting() -> Iterator[None]:
    """Around a visitor's script run: the warmer starts no query until no run is in progress."""
    with _LOCK:
        _VISITORS[0] += 1
    try:
        yield
    finally:
        with _LOCK:
            _VISITORS[0] -= 1
            _SETTLED.notify_all()


def _wait_for_visitors(stop: threading.Event | None) -> None:
    with _LOCK:
        while _VISITORS[0] and not (stop is not None and stop.is_set()):
            _SETTLED.wait(0.25)


def token(config: Config) -> Token:
    return version_token(config)


def _runner(config: Config, tok: Token) -> Run:
    path = str(config.warehouse_path)

    def run(sql: str, params: Sequence[object] = ()) -> pl.DataFrame:
        return _query(sql, tuple(params), path, tok, config.timezone, config)

    return run


def runner(config: Config, tok: Token) -> Run:
    """`run(sql, params)` for the dashboard: cached per SQL, parameters and warehouse version."""
    start_warmer(config)
    return _runner(config, tok)


def prewarm(config: Config, tok: Token, stop: threading.Event | None = None) -> int:
    """Run every page's default queries for warehouse version `tok` through the cache; returns how many ran (a
    query that fails, e.g. data-quality tables a warehouse lacks, is left to the page to report). Each query waits
    until no visitor's run is in progress."""
    cached = _runner(config, tok)

    def run(sql: str, params: Sequence[object] = ()) -> pl.DataFrame:
        _wait_for_visitors(stop)
        return cached(sql, params)

    _wait_for_visitors(stop)
    status(config, tok)
    done = 0
    f = Filters(*queries.default_period(run, clock.today(config.timezone)))
    for items in queries.page_queries(run, f).values():
        for _, fn in items:
            if stop is not None and stop.is_set():
                return done
            try:
                fn(run, f)
                done += 1
            except duckdb.Error:
                pass
    return done


# Set at interpreter exit: the warmer stops between two queries and is joined, so no DuckDB query is still
# running in a daemon thread while Python tears down (that ended a test run with a native crash).
_STOP = threading.Event()


def _warm(config: Config) -> None:
    seen: Token = None
    while not _STOP.is_set():
        try:
            tok = token(config)
            if tok is not None and tok != seen:
                started = time.perf_counter()
                ran = prewarm(config, tok, stop=_STOP)
                LOG.info("prewarmed %d queries for %s in %.2f s", ran, config.warehouse_path,
                         time.perf_counter() - started)
                seen = tok
        except Exception:  # the next look tries again; a page shows the error to its visitor
            LOG.exception("prewarming %s failed", config.warehouse_path)
        _STOP.wait(WARM_EVERY)


_WARMERS: list[threading.Thread] = []


@atexit.register
def stop_warmers(timeout: float = 30.0) -> None:
    """Stop every warmer thread and wait for its current query (at exit; tests call it too)."""
    _STOP.set()
    for thread in _WARMERS:
        thread.join(timeout)


@st.cache_resource(show_spinner=False)
def _warmer(_config: Config, path: str) -> threading.Thread:
    thread = threading.Thread(target=_warm, args=(_config,), name=f"sqd-warmer {path}", daemon=True)
    _WARMERS.append(thread)
    thread.start()
    return thread


def start_warmer(config: Config) -> threading.Thread:
    """The warmer thread of this warehouse path (one per server process)."""
    return _warmer(config, str(config.warehouse_path))


def status(config: Config, tok: Token) -> pl.DataFrame:
    """pipelines.status.warehouse_status, cached per warehouse version."""
    return _status(str(config.warehouse_path), tok, config.timezone, config)
