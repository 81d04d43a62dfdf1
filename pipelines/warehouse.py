"""The one module that opens the warehouse.

Readers (dashboard, `sqd sql`, reports) open the file read-only. Writers never write the live file: `publishing()`
brings the standby file (the previous live one) up to the live file's bytes, applies the change to it, checkpoints
and closes it, and renames it over the live file (`os.replace`, atomic on POSIX); the old live file becomes the
next standby. So a load publishes completely or not at all, also when the process is killed, readers with the
file open keep their snapshot while new connections see the new one, and a file a reader has open is never
written (see docs/decisions.md, "The standby file").
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipelines import backlog, clock, derived, nc_rules, nc_workflow, rollups, ticket_views, work_orders
from pipelines.config import SLA_TARGETS, Config, edited_text, size_bytes
from pipelines.publish import LOAD_LIMIT_VARIABLE, let_go

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


# Room a publish needs beside its working file: the load's own growth of the file before DuckDB spills elsewhere.
COPY_HEADROOM = 64 * 2**20


def check_free_space(live: Path, have: int = 0) -> None:
    """Refuse before writing when the working file (a copy of `live`, of which `have` bytes are already on disk:
    the standby) and some room to load into it do not fit on its disk."""
    if not live.exists():
        return
    need = max(live.stat().st_size - have, 0) + COPY_HEADROOM
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


# ------------------------------------------------------------------ the standby file (docs/decisions.md)
# A load writes `<live>.standby`: the previous live file, kept when a publish renames the new one in. Before the
# load, the standby is brought up to the live file's bytes by writing only the blocks that differ, compared byte
# for byte (DuckDB's own block checksums collide), so a load writes what the previous load wrote instead of the
# whole file. `<live>.standby.dirty` exists while the standby may hold a killed load's or sync's writes: the next
# load then copies the whole file, as before (the comparison would find them too; a copy also drops a torn tail).
STANDBY, DIRTY, PREVIOUS = ".standby", ".standby.dirty", ".previous"
HEADER_BYTES = 3 * 4096          # DuckDB's main header and its two database headers
BLOCK_BYTES = 262_144            # the block size this is checked against (DuckDB's default block_alloc_size)


def standby_path(live: Path) -> Path:
    return live.with_name(live.name + STANDBY)


def _sibling(live: Path, suffix: str) -> Path:
    return live.with_name(live.name + suffix)


def block_layout(path: Path) -> tuple[bytes, int] | None:
    """(DuckDB's storage version field, block size) of a database file, or None when the file is not one whose
    layout the standby sync knows: the magic number, both database headers' block size equal to BLOCK_BYTES."""
    import struct
    try:
        with open(path, "rb") as handle:
            head = handle.read(HEADER_BYTES)
    except OSError:
        return None
    if len(head) < HEADER_BYTES or head[8:12] != b"DUCK":
        return None
    # each database header: checksum, iteration, meta block, free list, block count, block_alloc_size
    sizes = {struct.unpack_from("<Q", head, offset + 8 + 4 * 8)[0] for offset in (4096, 8192)}
    if sizes != {BLOCK_BYTES}:
        return None
    return head[12:20], BLOCK_BYTES


def _open_here(path: Path) -> bool:
    """Does this process hold a file descriptor on `path`'s file (a DuckDB connection of the dashboard's server
    that opened it as the live file)? POSIX locks cannot say: a process's own close of any descriptor of the file
    drops all its locks on it."""
    target = os.stat(path)
    for fd in os.listdir("/proc/self/fd"):      # Linux; elsewhere the OSError makes held_open say "held"
        try:
            st = os.stat(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if (st.st_dev, st.st_ino) == (target.st_dev, target.st_ino):
            return True
    return False


def held_open(path: Path) -> bool:
    """Does a DuckDB connection (of any process, this one included) have `path` open? In this process: any
    descriptor on the file. In others: DuckDB's POSIX lock on its file (shared when read-only), which an
    open-file-description lock probe conflicts with."""
    import struct
    if not path.exists():
        return False
    if not hasattr(fcntl, "F_OFD_SETLK"):
        return True                               # cannot tell: never write it (the load copies instead)
    try:
        if _open_here(path):
            return True
        fd = os.open(path, os.O_RDWR)
    except OSError:                               # no /proc (not Linux), or the file cannot be opened to probe
        return True
    try:
        fcntl.fcntl(fd, fcntl.F_OFD_SETLK, struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0))
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


def sync_standby(live: Path, standby: Path) -> int:
    """Make `standby` byte-for-byte equal to `live`, writing only the blocks that differ (and the headers, and the
    length). Returns the bytes written. Only for a standby that is an earlier live file (clean: no DIRTY marker)
    with the same block_layout().

    Blocks are compared by their bytes, not by the checksum each starts with: DuckDB's block checksum XORs a hash
    of every 8-byte word, so a block whose words moved, or whose equal pairs changed, keeps its checksum (CI
    caught a standby left different that way). Both files are read whole, a block at a time (larger reads were
    slower): at 5M tickets (600 MiB) about 0.1 s from the page cache."""
    size = live.stat().st_size
    written = 0
    src, dst = os.open(live, os.O_RDONLY), os.open(standby, os.O_RDWR)
    try:
        if os.fstat(dst).st_size != size:
            os.ftruncate(dst, size)
        head = os.pread(src, HEADER_BYTES, 0)
        os.pwrite(dst, head, 0)
        written += len(head)
        for offset in range(HEADER_BYTES, size, BLOCK_BYTES):     # bytes: == is one memcmp per block
            block = os.pread(src, BLOCK_BYTES, offset)
            if block != os.pread(dst, BLOCK_BYTES, offset):
                os.pwrite(dst, block, offset)
                written += len(block)
    finally:
        os.close(src)
        os.close(dst)
    return written


def _remove_standby(live: Path) -> None:
    for suffix in (STANDBY, STANDBY + ".wal", PREVIOUS):
        _sibling(live, suffix).unlink(missing_ok=True)


def prepare_standby(live: Path) -> tuple[Path, str, int]:
    """The file this load writes (the standby), made equal to the live file. Returns it, how ('new': no live file
    yet; 'delta': blocks that differ; 'copy': the whole file) and the bytes written. Under the writer lock."""
    work, dirty = standby_path(live), _sibling(live, DIRTY)
    _sibling(live, PREVIOUS).unlink(missing_ok=True)       # a publish killed between its two renames
    if not live.exists():
        _remove_standby(live)
        dirty.unlink(missing_ok=True)
        template = _TEMPLATES.get(schema_fingerprint())
        if template is not None and template.exists():   # a long-lived loader made one (schema_template)
            shutil.copyfile(template, work)
            return work, "template", template.stat().st_size
        return work, "new", 0
    layout = block_layout(live)
    usable = (work.exists() and not dirty.exists() and not _sibling(live, STANDBY + ".wal").exists()
              and layout is not None and block_layout(work) == layout)
    if work.exists() and held_open(work):
        # a reader still reads this version (it opened the live file before the last publish): never write it;
        # unlinking the name leaves the reader its file
        usable = False
    if not usable:
        _remove_standby(live)
    check_free_space(live, have=work.stat().st_size if usable else 0)
    dirty.touch()
    fsync_directory(live.parent)       # the marker is on disk before the standby is written
    if usable:
        return work, "delta", sync_standby(live, work)
    try:
        shutil.copyfile(live, work)
    except BaseException:
        work.unlink(missing_ok=True)  # a copy that did not fit (or a killed copy) is not left behind
        raise
    return work, "copy", live.stat().st_size


def swap_in(work: Path, live: Path) -> None:
    """Publish `work` (checkpointed, closed, fsynced): rename it over the live file, keep the live one as the next
    standby. Each step leaves the live name on a whole file: before the rename the old one, after it the new."""
    previous, dirty = _sibling(live, PREVIOUS), _sibling(live, DIRTY)
    had_live = live.exists()
    if had_live:
        previous.unlink(missing_ok=True)
        os.link(live, previous)        # the old live file gets a second name: it becomes the standby
    os.replace(work, live)
    fsync_directory(live.parent)       # the rename itself survives a power loss
    if had_live:
        os.replace(previous, work)
        dirty.unlink(missing_ok=True)  # the standby is now an unwritten earlier live file
        fsync_directory(live.parent)


@contextmanager
def publishing(config: Config) -> Iterator[duckdb.DuckDBPyConnection]:
    """A writable copy of the warehouse (the standby, synced to the live file); renamed over the live file only if
    the block finishes."""
    live = config.warehouse_path
    with writer_lock(config):
        for stale in live.parent.glob(live.name + ".loading-*"):
            stale.unlink(missing_ok=True)  # left by a killed load of the earlier copy-per-load design
        work, _how, _bytes = prepare_standby(live)
        try:
            # A load's memory is bounded: past the limit DuckDB spills to a temp folder beside the warehouse
            # (10M tickets peaked at 12.8 GiB without it). Insertion order is not needed by any table.
            con = duckdb.connect(str(work), config={
                "memory_limit": config.load_memory_limit, "preserve_insertion_order": False,
                "temp_directory": str(live.with_name(live.name + ".tmp"))})
        except BaseException:
            _remove_standby(live)
            raise
        try:
            # a view not created yet must be a CatalogException (create_metric_views retries it), never a Python
            # variable of that name in some caller's scope (a module called `clock`)
            con.execute("SET python_enable_replacements = false")
            fingerprint = schema_fingerprint()
            current = schema_is_current(con, fingerprint)
            if not current:
                con.execute(sql_text("schema.sql"))
                con.execute(sql_text("quality.sql"))
            con = _prepare(con, config)
            con.execute(f"SET VARIABLE {LOAD_LIMIT_VARIABLE} = ?",    # publish.lean_reads restores it
                        [size_bytes(config.load_memory_limit)])
            apply_schema(con, config, None if current else fingerprint)
            derived.start_tracking(con)
            yield con
            rollups.capture(con)  # the loads' keys, before refresh_reference clears them
            refresh_reference(con, config)
            let_go(con)   # the blocks the loads read, let go of before the derived steps read theirs
            derived.fix_inputs(con)  # the SLA inputs are final now: fingerprinted once for the steps below
            backlog.capture(con)  # the loads' tickets, before derived.refresh clears them
            derived.refresh(con)
            backlog.refresh(con)  # the open tickets, stored per load (issue 13 target 2)
            work_orders.refresh(con)  # the work-order views' materialised part (issue 14)
            let_go(con)
            ticket_views.refresh(con)  # repeat complaints, first-contact resolution: after the complaint limits
            nc_workflow.refresh(con)  # the nonconformity workflow's materialised part (issue 13 target 2)
            rollups.refresh(con)
            con.execute("CHECKPOINT")
            con.close()
            with open(work, "rb") as handle:
                os.fsync(handle.fileno())
            swap_in(work, live)
        except BaseException:
            con.close()
            _remove_standby(live)   # half-written: the next load starts from a copy (and the disk is freed now)
            raise


SCHEMA_KEY = "schema_fingerprint"
_TEMPLATES: dict[str, Path] = {}     # schema fingerprint -> an empty warehouse file with that schema


def schema_template(folder: Path) -> Path:
    """An empty warehouse file with the current DDL and views, in `folder`, for this process's later publishes
    into a new warehouse: they copy it (a few MiB) instead of binding every view again. The warm loader makes one
    when it starts (a cold `sqd ingest` would pay the same to make it)."""
    fingerprint = schema_fingerprint()
    path = folder / f"template-{fingerprint[:12]}.duckdb"
    if not path.exists():
        con = duckdb.connect(str(path))
        try:
            con.execute("SET python_enable_replacements = false")
            con.execute(sql_text("schema.sql"))
            con.execute(sql_text("quality.sql"))
            con.execute(f"SET search_path = '{SEARCH_PATH}'")
            derived.migrate(con)
            con.execute(sql_text("derived.sql"))
            create_metric_views(con)
            con.execute("INSERT INTO meta.settings VALUES (?, ?)", [SCHEMA_KEY, fingerprint])
            con.execute("CHECKPOINT")
        finally:
            con.close()
    _TEMPLATES[fingerprint] = path
    return path


def use_template(path: Path) -> None:
    """This process's later publishes into a new warehouse start from `path` (an empty warehouse of the current
    schema, e.g. one a publish of nothing made: the warm loader's, watch.py) instead of schema_template's file."""
    _TEMPLATES[schema_fingerprint()] = path


def schema_fingerprint() -> str:
    """What the warehouse's DDL and views are made of: schema.sql, quality.sql, derived.sql, every metric view's
    text, and DuckDB's version. A file holding the same (meta.settings) need not run them again."""
    import hashlib
    texts = [duckdb.__version__, sql_text("schema.sql"), sql_text("quality.sql"), sql_text("derived.sql"),
             *(f"{name}\n{text}" for name, text in metric_view_files())]
    return hashlib.sha256("\x00".join(texts).encode()).hexdigest()


def schema_is_current(con: duckdb.DuckDBPyConnection, fingerprint: str) -> bool:
    """Did the last publish of this file apply this very DDL and views, and are all the views there?"""
    try:
        stored = con.execute("SELECT value FROM meta.settings WHERE key = ?", [SCHEMA_KEY]).fetchall()
    except duckdb.CatalogException:
        return False
    if stored != [(fingerprint,)]:
        return False
    views = {r[0] for r in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE schema_name = 'metrics' AND NOT internal").fetchall()}
    return {name for name, _ in metric_view_files()} <= views


def apply_schema(con: duckdb.DuckDBPyConnection, config: Config, fingerprint: str | None = "") -> None:
    """After schema.sql and quality.sql (publishing() runs them before the search path can be set): derived
    tables and every metric view, (re)created; publishing() then refreshes reference tables.
    `fingerprint`: None when the file already holds this schema (schema_is_current: nothing to create; binding
    the 40-odd views took 0.25 s of every small load); else recorded once the schema is applied."""
    if derived.migrate(con) and fingerprint is None:   # an older derived table dropped: made again below
        fingerprint = ""
    if fingerprint is not None:
        con.execute(sql_text("derived.sql"))
        create_metric_views(con)
        con.execute("DELETE FROM meta.settings WHERE key = ?", [SCHEMA_KEY])
        con.execute("INSERT INTO meta.settings VALUES (?, ?)", [SCHEMA_KEY, fingerprint or schema_fingerprint()])
    nc_rules.write_settings(con, config)   # [nc_workflow], [loss_rules]: before the loads' gates read them


STORED_TABLE = re.compile(r"CREATE TABLE IF NOT EXISTS (metrics\.\w+) AS FROM (metrics\.\w+)\s+WITH NO DATA;")


def create_metric_views(con: duckdb.DuckDBPyConnection) -> None:
    # Views may read each other; create in passes until every one resolves (the files stay one view each).
    pending = metric_view_files()
    relaid = False
    while pending:
        failed = []
        for name, text in pending:
            try:
                con.execute(text)
            except (duckdb.CatalogException, duckdb.BinderException) as exc:
                failed.append((name, text, exc))
        if len(failed) == len(pending):
            if not relaid:   # a view binding a column a stored table of the previous code lacks
                relaid = True
                if _relay_stored_tables(con):
                    pending = [(n, t) for n, t, _ in failed]
                    continue
            name, _, exc = failed[0]
            raise RuntimeError(f"metric view {name}: {exc}")
        pending = [(n, t) for n, t, _ in failed]


def _relay_stored_tables(con: duckdb.DuckDBPyConnection) -> bool:
    """Stored tables (`CREATE TABLE IF NOT EXISTS <table> AS FROM <schedule> WITH NO DATA` in the view files)
    whose columns differ from their schedule view's, as a warehouse of the previous code holds them: made again
    from the schedule, rows and all, so that no refresh that judges a table by its layout or its inputs can take
    an empty one for current (a rare, whole evaluation: only when the code changed a schedule's columns). Returns
    whether any was."""
    def layout(name: str) -> list[tuple[str, str]]:
        schema, table = name.split(".")
        return con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? "
                           "AND table_name = ? ORDER BY ordinal_position", [schema, table]).fetchall()

    changed = False
    for _, text in metric_view_files():
        for match in STORED_TABLE.finditer(text):
            table, view = match.groups()
            if layout(view) and layout(table) != layout(view):   # identifiers: the view files' own
                con.execute(f"DROP TABLE IF EXISTS {table}")
                con.execute(f"CREATE TABLE {table} AS FROM {view}")
                changed = True
    return changed


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
    refresh_hotline(con, config)
    for name in ("policies_frame", "calendar_frame", "settings_frame", "shares_frame", "warranty_frame"):
        con.unregister(name)


def refresh_hotline(con: duckdb.DuckDBPyConnection, config: Config) -> None:
    """[hotline]: the complaint limits and repeat window as meta.settings rows (hotline_*), the routing table
    (category -> suggested department, from the CSV `routing` names) and the key accounts (docs/metrics.md
    "Hotline")."""
    import polars as pl

    h = config.hotline
    keys = [k for k in h.__dataclass_fields__ if k not in ("routing", "key_accounts")]
    settings = pl.DataFrame({"key": [f"hotline_{k}" for k in keys], "value": [repr(getattr(h, k)) for k in keys]})
    routing = pl.DataFrame(schema={"category": pl.Utf8, "department": pl.Utf8, "source": pl.Utf8})
    if h.routing is not None and h.routing.exists():
        raw = pl.read_csv(edited_text(h.routing.read_bytes()).encode(), infer_schema=False)  # Excel's GBK too
        missing = {"category", "department"} - set(raw.columns)
        if missing:
            raise ValueError(f"{h.routing}: [hotline] routing needs the columns category,department "
                             f"(missing {', '.join(sorted(missing))})")
        source = pl.col("source") if "source" in raw.columns else pl.lit(None, pl.Utf8)
        routing = raw.select(pl.col("category").str.strip_chars(), pl.col("department").str.strip_chars(),
                             source.alias("source")).filter(pl.col("category").is_not_null()
                                                            & pl.col("department").is_not_null())
        routing = routing.unique("category", keep="first", maintain_order=True)
    accounts = pl.DataFrame({"customer_id": list(h.key_accounts)}, schema={"customer_id": pl.Utf8}).unique()
    con.register("hotline_settings_frame", settings.to_arrow())
    con.register("hotline_routing_frame", routing.to_arrow())
    con.register("key_accounts_frame", accounts.to_arrow())
    con.execute("""
        DELETE FROM meta.settings WHERE key IN (SELECT key FROM hotline_settings_frame);
        INSERT INTO meta.settings BY NAME SELECT * FROM hotline_settings_frame;
        DELETE FROM core.hotline_routing_rules;
        INSERT INTO core.hotline_routing_rules BY NAME SELECT * FROM hotline_routing_frame;
        DELETE FROM core.key_accounts;
        INSERT INTO core.key_accounts BY NAME SELECT * FROM key_accounts_frame;
    """)
    for name in ("hotline_settings_frame", "hotline_routing_frame", "key_accounts_frame"):
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
