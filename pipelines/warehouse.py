"""The one module that opens the warehouse.

Readers (dashboard, `sqd sql`, reports) open the file read-only. Writers never write the live file: `publishing()`
copies it, applies the change to the copy, checkpoints and closes it, and renames it over the live file
(`os.replace`, atomic on POSIX). So a load publishes completely or not at all, also when the process is killed,
and readers with the file open keep their snapshot while new connections see the new one (see docs/decisions.md).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipelines import clock, derived, rollups
from pipelines.config import SLA_TARGETS, Config

if TYPE_CHECKING:
    import polars as pl

SEARCH_PATH = "core,metrics,meta"

# Polars and the calendar are imported where used: `sqd status` opens the warehouse without them (CLI start)
Run = Callable[[str, Sequence[object]], "pl.DataFrame"]


def sql_string(text: str | Path) -> str:
    """A SQL string literal, for the places DuckDB takes no bound parameter (views, COPY targets, ATTACH, SET)."""
    return "'" + str(text).replace("'", "''") + "'"


# Session settings of every reading connection (dashboard, weekly report): an unknown table is an error (not a
# Python variable of that name), and DuckDB need not keep rows in insertion order (every query orders its result
# explicitly; this made the heavy view aggregations ~1.2-1.6x faster at 1M tickets).
SESSION_SETTINGS = ("SET python_enable_replacements = false", "SET preserve_insertion_order = false")


def direct(con: duckdb.DuckDBPyConnection) -> Run:
    """A query runner on an open connection, with the session settings applied (CLI, tests, benchmarks)."""
    for setting in SESSION_SETTINGS:
        con.execute(setting)

    def run(sql: str, params: Sequence[object] = ()) -> pl.DataFrame:
        return con.sql(sql, params=list(params)).pl()

    return run


class WarehouseBusy(RuntimeError):
    """Another load holds the writer lock."""


class NoSpaceForCopy(WarehouseBusy):
    """The disk cannot hold the load's copy of the warehouse. A kind of WarehouseBusy: like a running load, it
    means this load cannot start now, and every caller that reports one reports the other."""


# Room a publish needs beside its copy: the load's own growth of the file before DuckDB spills elsewhere.
COPY_HEADROOM = 64 * 2**20


def check_free_space(live: Path) -> None:
    """Refuse before copying when the copy of `live` (and some room to load into it) does not fit on its disk."""
    if not live.exists():
        return
    need = live.stat().st_size + COPY_HEADROOM
    free = shutil.disk_usage(live.parent).free
    if free < need:
        raise NoSpaceForCopy(
            f"{live}: not enough free disk space to load: a load works on a copy of the warehouse and needs "
            f"{need / 2**20:,.0f} MiB, {free / 2**20:,.0f} MiB are free in {live.parent}; free some space "
            "and load again (the warehouse is unchanged)")


def fsync_directory(folder: Path) -> None:
    """Make a rename in `folder` durable: without this a power loss can bring back the old directory entry."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sql_text(name: str) -> str:
    return resources.files("pipelines").joinpath("sql", name).read_text(encoding="utf-8")


def metric_view_files() -> list[tuple[str, str]]:
    folder = resources.files("pipelines").joinpath("sql", "metrics")
    return sorted((f.name.removesuffix(".sql"), f.read_text(encoding="utf-8"))
                  for f in folder.iterdir() if f.name.endswith(".sql"))


def session(con: duckdb.DuckDBPyConnection, config: Config) -> duckdb.DuckDBPyConnection:
    """Search path, time zone and the pinned clock (metrics.clock) on a connection or cursor: cursors do not
    inherit them, so the dashboard applies this to each one."""
    con.execute(f"SET search_path = '{SEARCH_PATH}'")
    con.execute("SET TimeZone = ?", [config.timezone])
    for statement, params in clock.session_statements():
        con.execute(statement, params)
    return con


def _prepare(con: duckdb.DuckDBPyConnection, config: Config) -> duckdb.DuckDBPyConnection:
    con.execute("SET enable_progress_bar = false")
    return session(con, config)


def connect(config: Config, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the live warehouse. Read-only by default; raises FileNotFoundError if it was never built."""
    path = config.warehouse_path
    if read_only and not path.exists():
        raise FileNotFoundError(f"{path}: no warehouse yet; run `sqd demo` or `sqd ingest FILE`")
    return _prepare(duckdb.connect(str(path), read_only=read_only), config)


def version_token(config: Config) -> tuple[int, int] | None:
    """Changes whenever a load is published (a new file is renamed in): caches key on it."""
    try:
        st = config.warehouse_path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns)


@contextmanager
def writer_lock(config: Config) -> Iterator[None]:
    config.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = config.warehouse_path.with_name(config.warehouse_path.name + ".lock")
    with open(lock_path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise WarehouseBusy(f"{config.warehouse_path}: another load is running") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def publishing(config: Config) -> Iterator[duckdb.DuckDBPyConnection]:
    """A writable copy of the warehouse; renamed over the live file only if the block finishes."""
    live = config.warehouse_path
    with writer_lock(config):
        for stale in live.parent.glob(live.name + ".loading-*"):
            stale.unlink(missing_ok=True)  # left by a killed load; never published
        work = live.with_name(f"{live.name}.loading-{uuid.uuid4().hex[:8]}")
        check_free_space(live)
        if live.exists():
            try:
                shutil.copyfile(live, work)
            except BaseException:
                work.unlink(missing_ok=True)  # a copy that did not fit (or a killed copy) is not left behind
                raise
        # A load's memory is bounded: past the limit DuckDB spills to a temp folder beside the warehouse
        # (10M tickets peaked at 12.8 GiB without it). Insertion order is not needed by any table.
        con = duckdb.connect(str(work), config={
            "memory_limit": config.load_memory_limit, "preserve_insertion_order": False,
            "temp_directory": str(live.with_name(live.name + ".tmp"))})
        # a view not created yet must be a CatalogException (create_metric_views retries it), never a Python
        # variable of that name in some caller's scope (a module called `clock`)
        con.execute("SET python_enable_replacements = false")
        con.execute(sql_text("schema.sql"))
        con.execute(sql_text("quality.sql"))
        con = _prepare(con, config)
        try:
            apply_schema(con, config)
            derived.start_tracking(con)
            yield con
            rollups.capture(con)  # the loads' keys, before refresh_reference clears them
            refresh_reference(con, config)
            derived.refresh(con)
            rollups.refresh(con)
            con.execute("CHECKPOINT")
            con.close()
            with open(work, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(work, live)
            fsync_directory(live.parent)  # the rename itself survives a power loss
        except BaseException:
            con.close()
            work.unlink(missing_ok=True)
            Path(str(work) + ".wal").unlink(missing_ok=True)
            raise


def apply_schema(con: duckdb.DuckDBPyConnection, config: Config) -> None:
    """After schema.sql and quality.sql (publishing() runs them before the search path can be set): derived
    tables and every metric view, (re)created; publishing() then refreshes reference tables."""
    derived.migrate(con)
    con.execute(sql_text("derived.sql"))
    create_metric_views(con)


def create_metric_views(con: duckdb.DuckDBPyConnection) -> None:
    # Views may read each other; create in passes until every one resolves (the files stay one view each).
    pending = metric_view_files()
    while pending:
        failed = []
        for name, text in pending:
            try:
                con.execute(text)
            except duckdb.CatalogException as exc:
                failed.append((name, text, exc))
        if len(failed) == len(pending):
            name, _, exc = failed[0]
            raise RuntimeError(f"metric view {name}: {exc}")
        pending = [(n, t) for n, t, _ in failed]


def refresh_reference(con: duckdb.DuckDBPyConnection, config: Config) -> None:
    """Rewrite tables that come from the configuration file and the calendar library."""
    import polars as pl

    from pipelines.calendar import build_calendar

    policies = pl.DataFrame(
        [{k: getattr(p, k) for k in p.__dataclass_fields__} for p in config.sla_policies],
        schema={
            "policy_id": pl.Utf8, "rank": pl.Int32, "calendar": pl.Utf8, "ticket_type": pl.Utf8,
            "category": pl.Utf8, "priority": pl.Utf8, "min_distance_km": pl.Float64,
            "max_distance_km": pl.Float64,
            **{f"{t}_minutes": pl.Int32 for t in SLA_TARGETS},
            **{f"{t}_working_days": pl.Int32 for t in SLA_TARGETS},
        },
    )
    opens = config.business_opens.hour * 60 + config.business_opens.minute
    closes = config.business_closes.hour * 60 + config.business_closes.minute
    calendar = build_calendar(opens, closes, config.calendar_overrides)
    contact = {f"cc_{k}": repr(getattr(config.contact_centre, k))
               for k in config.contact_centre.__dataclass_fields__}     # [contact_centre]: calls_* views
    settings = pl.DataFrame(
        {"key": ["timezone", *[f"target_{k}" for k in config.targets],
                 "follow_up_window_hours", "response_window_hours", "response_window_methods", *contact],
         "value": [config.timezone, *[repr(v) for v in config.targets.values()],
                   repr(config.follow_up.window_hours), repr(config.follow_up.response_window_hours),
                   ",".join(config.follow_up.response_window_methods), *contact.values()]}
    )
    shares = pl.DataFrame(
        {"department": list(config.loss_shares), "loss_share": [v / 100 for v in config.loss_shares.values()]},
        schema={"department": pl.Utf8, "loss_share": pl.Float64},
    )
    warranty = pl.DataFrame(
        {"product": list(config.warranty_days), "warranty_days": list(config.warranty_days.values())},
        schema={"product": pl.Utf8, "warranty_days": pl.Int32},
    )
    con.register("policies_frame", policies.to_arrow())
    con.register("calendar_frame", calendar.to_arrow())
    con.register("settings_frame", settings.to_arrow())
    con.register("shares_frame", shares.to_arrow())
    con.register("warranty_frame", warranty.to_arrow())
    con.execute("""
        DELETE FROM core.sla_policies;
        INSERT INTO core.sla_policies BY NAME SELECT * FROM policies_frame;
        DELETE FROM core.calendar_days;
        INSERT INTO core.calendar_days BY NAME SELECT * FROM calendar_frame;
        DELETE FROM meta.settings WHERE key IN (SELECT key FROM settings_frame);
        INSERT INTO meta.settings BY NAME SELECT * FROM settings_frame;
    """)
    refresh_dimensions(con, config.warranty_default_days)
    for name in ("policies_frame", "calendar_frame", "settings_frame", "shares_frame", "warranty_frame"):
        con.unregister(name)


def refresh_dimensions(con: duckdb.DuckDBPyConnection, warranty_default_days: int) -> None:
    """Dimensions = every value seen in the facts, joined with what the configuration says about it. The values
    come from meta.dimension_counts, which derived.refresh_dimension_counts keeps up to date per load (a small
    table: rebuilding the dimensions from it does not read the fact tables)."""
    derived.refresh_dimension_counts(con)
    con.execute("""
        CREATE OR REPLACE TEMP VIEW seen AS
        SELECT dimension, value, max(attribute) AS attribute, sum(rows) AS rows FROM meta.dimension_counts
        WHERE value IS NOT NULL AND rows > 0 GROUP BY dimension, value;

        DELETE FROM core.sites;
        INSERT INTO core.sites SELECT value, attribute FROM seen WHERE dimension = 'site';

        DELETE FROM core.departments;
        INSERT INTO core.departments
        SELECT coalesce(d.value, s.department), s.loss_share
        FROM (SELECT value FROM seen WHERE dimension = 'department') d
        FULL JOIN shares_frame s ON s.department = d.value
        WHERE coalesce(d.value, s.department) IS NOT NULL;

        DELETE FROM core.categories;
        INSERT INTO core.categories SELECT value, rows FROM seen WHERE dimension = 'category';

        DELETE FROM core.products;
        INSERT INTO core.products
        SELECT coalesce(p.value, w.product), coalesce(w.warranty_days, ?)
        FROM (SELECT value FROM seen WHERE dimension = 'product') p
        FULL JOIN warranty_frame w ON w.product = p.value
        WHERE coalesce(p.value, w.product) IS NOT NULL;
    """, [warranty_default_days])
    con.execute("DROP VIEW seen")
