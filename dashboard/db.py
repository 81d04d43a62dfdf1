"""The dashboard's read-only connection and query cache.

* One connection per warehouse version (`pipelines.warehouse.version_token`, which changes whenever a load renames
  a new file over the warehouse), kept by `st.cache_resource`. Inside one process DuckDB reuses the database it
  has open for a path, so before the new version is opened every connection to the old one is closed; queries hold
  a lock so none is in flight on the old connection when that happens.
* Results are cached by `st.cache_data` on (SQL, parameters, warehouse path, version token): a new load changes
  the token, so the next rerun misses the cache and reads the new file; nothing has to be cleared.
* Every query runs on a short-lived cursor of that connection, with the search path and time zone that
  `pipelines.warehouse.connect` sets (cursors do not inherit session settings).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import duckdb
import polars as pl
import streamlit as st

from dashboard.queries import SESSION_SETTINGS, Run, to_frame
from pipelines.config import Config
from pipelines.status import warehouse_status
from pipelines.warehouse import connect, session, version_token

Token = tuple[int, int] | None

_LOCK = threading.RLock()
_OPEN: dict[str, list[tuple[Token, duckdb.DuckDBPyConnection]]] = {}


def _close(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.close()
    except duckdb.Error:
        pass


def _is_open(con: duckdb.DuckDBPyConnection) -> bool:
    with _LOCK:
        try:
            con.execute("SELECT 1").fetchall()
            return True
        except duckdb.Error:
            return False


def close_all(path: str | None = None) -> None:
    """Close every dashboard connection (to one warehouse path, or all)."""
    with _LOCK:
        for p in [path] if path else list(_OPEN):
            for _, con in _OPEN.pop(p, []):
                _close(con)


@st.cache_resource(max_entries=4, show_spinner=False, on_release=_close, validate=_is_open)
def _connection(_config: Config, path: str, token: Token) -> duckdb.DuckDBPyConnection:
    with _LOCK:
        close_all(path)  # older versions of this file: DuckDB would hand their instance back otherwise
        con = connect(_config, read_only=True)
        _OPEN[path] = [(token, con)]
        return con


def _cursor(config: Config, token: Token) -> duckdb.DuckDBPyConnection:
    cur = session(_connection(config, str(config.warehouse_path), token).cursor(), config)
    for setting in SESSION_SETTINGS:
        cur.execute(setting)
    return cur


@st.cache_data(max_entries=5000, show_spinner=False)
def _query(sql: str, params: tuple, path: str, token: Token, timezone: str, _config: Config) -> pl.DataFrame:
    with _LOCK:
        cur = _cursor(_config, token)
        try:
            return to_frame(cur.sql(sql, params=list(params)))
        finally:
            cur.close()


@st.cache_data(max_entries=20, show_spinner=False)
def _status(path: str, token: Token, timezone: str, _config: Config) -> pl.DataFrame:
    with _LOCK:
        cur = _cursor(_config, token)
        try:
            return warehouse_status(cur)
        finally:
            cur.close()


def token(config: Config) -> Token:
    return version_token(config)


def runner(config: Config, tok: Token) -> Run:
    """`run(sql, params)` for the dashboard: cached per SQL, parameters and warehouse version."""
    path = str(config.warehouse_path)

    def run(sql: str, params: Sequence[object] = ()) -> pl.DataFrame:
        return _query(sql, tuple(params), path, tok, config.timezone, config)

    return run


def status(config: Config, tok: Token) -> pl.DataFrame:
    """pipelines.status.warehouse_status, cached per warehouse version."""
    return _status(str(config.warehouse_path), tok, config.timezone, config)
