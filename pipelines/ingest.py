"""read -> map -> validate -> publish, for the files of one `sqd ingest` run.

Each file is its own load: it publishes completely or not at all. All files of a run are published into one
copy of the warehouse that replaces the live file at the end (warehouse.publishing), so a killed run publishes
nothing. Large files stream: Polars sinks the mapped batch to Parquet and DuckDB reads it from there.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import polars as pl

from pipelines import clock, derived, gate, validate, waiting
from pipelines.calendar import CalendarError, read_overrides
from pipelines.config import Config
from pipelines.mapping import (ERROR, MappingError, Profile, choose_profile, lenient_columns, map_frame, parse_hint,
                               profile_folders, profiles_in)
from pipelines.publish import (SNAPSHOT_ROWS, LoadInfo, MergeCounts, bounded, existing_rows, log_load,
                               merge_staged)
from pipelines.read import ROW, SourceError, other_sheets, read_headers, reading_failed, scan_source
from pipelines.warehouse import publishing, sql_string

PUBLISHED, WITH_QUARANTINE, ALREADY_LOADED, REFUSED = (
    "published", "published_with_quarantine", "already_loaded", "refused")
ERROR_EXAMPLES = 5
WORKDIR_PREFIX = "sqd-load-"     # a load's staging folder beside the warehouse (Parquet batch, UTF-8 copies)
DUCKDB_MAGIC = (8, b"DUCK")      # offset and bytes of a DuckDB database file's magic number


class LoadAborted(RuntimeError):
    """The run stopped without publishing anything: the warehouse is as it was. The message is one line."""


def _disk_full(exc: BaseException) -> bool:
    return (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or any(
        words in str(exc) for words in ("No space left on device", "os error 28"))


def _one_line(exc: BaseException, config: Config) -> str:
    """An error while publishing, as one line that names the live warehouse, never its temporary copy."""
    live = config.warehouse_path
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = re.sub(re.escape(live.name) + r"\.(?:loading-[0-9a-f]+|standby)", live.name, text)
    if _disk_full(exc):
        return (f"{live}: no space left on device in {live.parent}; nothing was published, the warehouse is as "
                "it was (free some space and load again)")
    if (isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS)
            and Path(exc.filename or live).parent == live.parent):
        return (f"{live.parent}: the warehouse folder is not writable ({exc.strerror}); nothing was published")
    return f"{text[:300]}; nothing was published, the warehouse is as it was"


def check_can_load(config: Config) -> None:
    """What would make a load fail after reading every file, checked before the first: the calendar overrides,
    a warehouse path that is a folder or not a DuckDB file, a warehouse folder that cannot be written."""
    try:
        read_overrides(config.calendar_overrides)
    except CalendarError as exc:
        raise LoadAborted(f"{exc}; nothing was loaded") from exc
    live, where = config.warehouse_path, f"[warehouse] path in {config.source}"
    if live.is_dir():
        raise LoadAborted(f"{live}: is a folder, not a DuckDB database file; set {where} to a file "
                          "such as data/warehouse.duckdb")
    if live.exists():
        offset, magic = DUCKDB_MAGIC
        try:
            with open(live, "rb") as handle:
                head = handle.read(offset + len(magic))
        except OSError as exc:
            raise LoadAborted(f"{live}: cannot read the warehouse ({exc.strerror})") from exc
        if head[offset:] != magic:
            raise LoadAborted(f"{live}: not a DuckDB database file, nothing was changed; set {where} to "
                              "the warehouse, or move this file away to start a new one")
    folder = next((p for p in (live.parent, *live.parent.parents) if p.exists()), None)
    if folder is not None and not os.access(folder, os.W_OK | os.X_OK):
        raise LoadAborted(f"{folder}: the warehouse folder is not writable; a load writes its new copy of "
                          f"{live.name} there")


@dataclass
class LoadResult:
    path: Path
    dataset: str
    profile: str
    status: str
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    load_id: str | None = None
    message: str | None = None


class ProfileNearMiss(MappingError):
    """No profile matches, but one would if the file had its required columns: `profile` is that one."""

    def __init__(self, message: str, profile: Profile) -> None:
        super().__init__(message)
        self.profile = profile


def near_miss(headers: Sequence[str], profiles: dict[str, Profile]) -> tuple[Profile, list[str]] | None:
    """The profile that maps the most of the file's headers (alone in that, and at least half of them) and the
    required columns it lacks; None when no profile stands out. Only asked after choose_profile found none."""
    present = set(headers)
    scored = sorted(((sum(p.source_name(c) in present for c in p.dataset.columns), name, p)
                     for name, p in profiles.items()), key=lambda s: (-s[0], s[1]))
    if not scored or scored[0][0] * 2 < max(len(present), 1) or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    profile = scored[0][2]
    lacking = [c for c in profile.dataset.required
               if c not in profile.constants and profile.source_name(c) not in present]
    return (profile, lacking) if lacking else None


def _fits(profile: Profile, headers: Sequence[str]) -> bool:
    return all(profile.source_name(c) in headers for c in profile.dataset.required if c not in profile.constants)


def _on_sheet(profile: Profile, path: Path) -> Profile:
    """The profile reading the first sheet of a workbook that holds its required columns, where it names no
    sheet and the first holds none (a cover or 填表说明 sheet before the data)."""
    later = other_sheets(path, profile.source)
    if not later or _fits(profile, read_headers(path)):
        return profile
    sheet = next((s for s in later if _fits(profile, read_headers(path, {"sheet": s}))), None)
    return profile if sheet is None else replace(profile, source={**profile.source, "sheet": sheet})


def resolve_profile(path: Path, config: Config, name: str | None, profiles: dict[str, Profile]) -> Profile:
    if name:
        if name in profiles:
            return _on_sheet(profiles[name], path)
        candidate = Path(name)
        if candidate.suffix in (".yaml", ".yml") and candidate.exists():
            from pipelines.mapping import load_profile
            return _on_sheet(load_profile(candidate), path)
        raise MappingError(f"profile {name!r} not found; available: {sorted(profiles)}")
    headers = read_headers(path)
    try:
        return choose_profile(headers, profiles, path, profile_folders(config.profiles_dir))
    except MappingError as exc:
        for sheet in other_sheets(path, {}):
            try:
                chosen = choose_profile(read_headers(path, {"sheet": sheet}), profiles, path)
            except MappingError:
                continue
            return replace(chosen, source={**chosen.source, "sheet": sheet})
        near = near_miss(headers, profiles)
        if near is None:
            raise
        profile, lacking = near
        named = ", ".join(profile.source_name(c) + (f" ({c})" if profile.source_name(c) != c else "")
                          for c in lacking)
        raise ProfileNearMiss(f"{path}: profile {profile.name} would fit but the file lacks required "
                              f"column(s) {named}", profile) from exc


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


_UNESCAPED = re.compile(r"could not parse `(.{0,60})", re.DOTALL)


def _line_of(path: Path, needle: bytes) -> int | None:
    """The 1-based line on which `needle` first occurs in `path` (read in chunks; only on the error path)."""
    if not needle:
        return None
    lines, tail = 1, b""
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 22):
            window = tail + chunk
            found = window.find(needle)
            if found >= 0:
                return lines + window.count(b"\n", 0, found)
            keep = max(len(window) - len(needle), 0)
            lines += window.count(b"\n", 0, keep)
            tail = window[keep:]
    return None


def short_cause(exc: BaseException, path: Path | None = None) -> str:
    """A reader's error in one bounded line: its first line cut to 200 characters, and for a quoted field that
    never closes, the line it starts on and a short excerpt. (Polars' message carries the rest of the file.)"""
    text = str(exc)
    match = _UNESCAPED.match(text)
    if match:
        excerpt = match.group(1).split("\n")[0]
        line = None
        if path is not None and excerpt:
            try:
                line = _line_of(path, excerpt.encode())
            except OSError:
                line = None
        where = f" at line {line}" if line else ""
        return (f"a quoted field{where} is never closed (an unclosed quote?); it starts {excerpt[:40]!r}")
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return first[:200] + (" ..." if len(first) > 200 or "\n" in text.strip() else "")


def carried_columns(profile: Profile, headers) -> list[str]:
    """The canonical columns a file fills: the profile's constants and the columns whose header it has."""
    return [c for c in profile.dataset.columns if c in profile.constants or profile.source_name(c) in headers]


def stage(path: Path, profile: Profile, config: Config, workdir: Path) -> tuple[Path, list[str], str | None]:
    """Read and map one file into a Parquet batch; raise MappingError naming the first bad rows.
    Returns the batch, the canonical columns the file carries (carried_columns), and a note when values outside
    the profile's formats were read by the lenient pass (said with the load, so a changed export is noticed)."""
    source = scan_source(path, profile.source, workdir)
    try:
        carried = carried_columns(profile, source.collect_schema())
    except pl.exceptions.PolarsError as exc:
        raise SourceError(f"{path}: cannot read: {short_cause(exc, path)}") from exc
    staged = workdir / f"{path.stem}.staged.parquet"
    errors = _sink(map_frame(source, profile, config.timezone, path), staged, path)
    count = errors.select(pl.len()).collect().item()
    lenient = errors.filter(pl.col(ERROR).is_in(lenient_columns(profile))) if count else None
    found = lenient.group_by(ERROR).len().sort(ERROR).collect().rows() if lenient is not None else []
    note = None
    if found:
        # dates, times or durations the profile's formats do not read: once more in more forms (mapping.py)
        errors = _sink(map_frame(source, profile, config.timezone, path, lenient=True), staged, path)
        count = errors.select(pl.len()).collect().item()
        columns = ", ".join(profile.source_name(c) for c, _ in found)
        note = (f"{sum(n for _, n in found):,} row(s) had dates, times or durations in a form profile "
                f"{profile.name!r} does not declare (first in {columns}), read as year-first dates and times or "
                "clock durations")
    if count:
        first = errors.head(ERROR_EXAMPLES).collect()
        raw = (scan_source(path, profile.source, workdir)
               .filter(pl.col(ROW).is_in(first[ROW].to_list()))
               .select(ROW, *{profile.source_name(c) for c in first[ERROR]}).collect())
        lines = []
        for row, column in first.iter_rows():
            header = profile.source_name(column)
            value = raw.filter(pl.col(ROW) == row)[header].cast(pl.Utf8).item() if header in raw.columns else None
            hint = parse_hint(profile, column, value)
            lines.append(f"  row {row}, column {header!r} -> {column}: cannot parse {value!r}{hint}")
        more = f"\n  ... and {count - len(first)} more row(s)" if count > len(first) else ""
        raise MappingError(f"{path}: {count} value(s) cannot be mapped with profile {profile.name!r}:\n"
                           + "\n".join(lines) + more)
    return staged, carried, note


def _sink(frame: pl.LazyFrame, staged: Path, path: Path) -> pl.LazyFrame:
    """Write the mapped batch to `staged`; returns its rows that did not map (__row, __error)."""
    try:
        frame.sink_parquet(staged, engine="streaming")
    except (pl.exceptions.PolarsError, OSError) as exc:
        if _disk_full(exc):
            raise OSError(errno.ENOSPC, "No space left on device", str(staged)) from exc
        raise reading_failed(path, exc) or SourceError(f"{path}: cannot read: {short_cause(exc, path)}") from exc
    return pl.scan_parquet(staged).filter(pl.col(ERROR).is_not_null()).select(ROW, ERROR)


def stage_view(con: duckdb.DuckDBPyConnection, name: str, parquet: Path, columns) -> None:
    """`name`: the batch as a view over its Parquet file, minus the rows listed in `<name>_excluded` (the gate
    adds quarantined rows there). A view, not a table: a 10M-row batch copied into a temp table filled DuckDB's
    memory limit and spilled, and it is read only a few times."""
    cols = ", ".join(f's."{c}"' for c in columns)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {name}_excluded ({ROW} BIGINT NOT NULL);
        CREATE OR REPLACE TEMP VIEW {name} AS
        SELECT s.{ROW}, {cols} FROM read_parquet({sql_string(parquet)}) AS s
        WHERE s.{ROW} NOT IN (SELECT {ROW} FROM {name}_excluded);
    """)


def new_load_id() -> str:
    return f"{clock.stamp():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def _hash_or_none(future) -> str | None:
    try:
        return future.result() if future is not None else None
    except OSError:
        return None


def log_refusal(con: duckdb.DuckDBPyConnection, result: LoadResult, file_hash: str | None) -> None:
    """A ledger row for a file refused before it reached mapping (empty, garbage, no profile, not found), so the
    refused-loads counts (dashboard, sqd status) see it: dataset '?' unless a profile was known."""
    result.load_id = new_load_id()
    load = LoadInfo(load_id=result.load_id, source_file=str(result.path.resolve()), file_hash=file_hash or "",
                    profile=result.profile, started_at=clock.stamp())
    log_load(con, result.dataset, load, REFUSED, 0, MergeCounts(), 0, 0, None, result.message)


def _load_one(con: duckdb.DuckDBPyConnection, path: Path, profile: Profile, config: Config,
              workdir: Path, file_hash: str, force: bool, replace_rows: bool = False,
              on_stage: Callable[[Path, str], None] = lambda path, stage: None) -> LoadResult:
    dataset = profile.dataset
    result = LoadResult(path=path, dataset=dataset.name, profile=profile.name, status=REFUSED)
    done = con.execute(
        "SELECT load_id FROM meta.load_log WHERE dataset = ? AND file_hash = ? AND status IN (?, ?) LIMIT 1",
        [dataset.name, file_hash, PUBLISHED, WITH_QUARANTINE],
    ).fetchall()
    if done and not force:
        result.status, result.load_id = ALREADY_LOADED, done[0][0]
        result.message = f"already loaded as {done[0][0]}; nothing changed"
        return result

    load = LoadInfo(load_id=new_load_id(), source_file=str(path.resolve()), file_hash=file_hash,
                    profile=profile.name, started_at=clock.stamp())
    result.load_id = load.load_id
    validate.warm_up()  # the gate needs GX; import it while this thread reads and maps the file
    newest = None
    con.execute("BEGIN TRANSACTION")
    try:
        on_stage(path, "reading and mapping")
        staged, carried, mapping_note = stage(path, profile, config, workdir)
        stage_view(con, "staged", staged, dataset.columns)
        # The newest event as text: fetching a TIMESTAMPTZ into Python makes pytz scan its whole zone list (0.8 s).
        result.rows_read, newest = con.execute(
            f'SELECT count(*), CAST(max("{dataset.event_time}") AS VARCHAR) FROM read_parquet(?)',
            [str(staged)]).fetchall()[0]
        on_stage(path, "checking")
        outcome = gate.check(con, dataset, "staged", load, path, config)
        on_stage(path, "publishing")
        partial = not replace_rows and len(carried) < len(dataset.columns)
        # a small batch's rows as the table holds them, read once (the merge and the snapshot use it)
        existing = existing_rows(con, dataset, "staged") if result.rows_read <= SNAPSHOT_ROWS else None
        derived.track(con, "staged", dataset.name, existing)  # before the merge: the rows' values before it
        counts = merge_staged(con, dataset, "staged", load, carried if partial else None, existing)
        if existing:
            con.execute(f"DROP TABLE {existing}")
        released = waiting.describe(waiting.release(con, dataset, load))  # held rows whose parent came now
        result.quarantined = outcome.quarantined
        result.status = WITH_QUARANTINE if outcome.quarantined else PUBLISHED
        result.message = "; ".join(m for m in (outcome.message, released, mapping_note) if m) or None
        if partial and counts.updated:
            updated_in = ", ".join(c for c in carried if c != dataset.key)
            note = f"updated {counts.updated:,} (columns: {updated_in}; the others kept)"
            result.message = f"{result.message}; {note}" if result.message else note
        result.inserted, result.updated = counts.inserted, counts.updated
        result.unchanged = result.rows_read - result.quarantined - counts.changed
        log_load(con, dataset.name, load, result.status, result.rows_read, counts, result.unchanged,
                 result.quarantined, newest, result.message)
        con.execute("COMMIT")
    except (MappingError, SourceError, gate.GateRefused, duckdb.Error) as exc:
        if _disk_full(exc):      # not this file's fault: the whole run stops, nothing is published
            raise
        con.execute("ROLLBACK")
        result.status, result.message = REFUSED, bounded(str(exc))
        result.inserted = result.updated = result.unchanged = result.quarantined = 0
        if isinstance(exc, gate.GateRefused):
            exc.record(con)
        log_load(con, dataset.name, load, REFUSED, result.rows_read, MergeCounts(), 0, 0, newest,
                 result.message)
    con.execute("DROP VIEW IF EXISTS staged; DROP TABLE IF EXISTS staged_excluded; "
                "DROP TABLE IF EXISTS staged_existing")
    return result


def ingest_files(paths: Sequence[Path], config: Config, profile: str | Sequence[str | None] | None = None,
                 force: bool = False, on_progress: Callable[[LoadResult], None] | None = None,
                 on_stage: Callable[[Path, str], None] | None = None,
                 replace_rows: bool = False) -> list[LoadResult]:
    """Load files in the order given; one publish for the whole run. Unreadable files are refused alone.

    `profile`: one profile for every file, a list with one per file, or None to choose by headers.
    `on_stage(path, stage)` is told as each file moves through reading, checking and publishing;
    `on_progress(result)` when a file is done. An existing row is updated only in the columns its file carries,
    unless `replace_rows` (then columns the file lacks become NULL).
    Raises LoadAborted, with one line and nothing published, when the run cannot start (check_can_load) or the
    disk fills up or the warehouse folder cannot be written while it runs.
    """
    per_file = [profile] * len(paths) if profile is None or isinstance(profile, str) else list(profile)
    profiles = read_profiles(config.profiles_dir)
    results: list[LoadResult] = []
    check_can_load(config)
    workdir: Path | None = None
    try:
        with ThreadPoolExecutor(max_workers=1) as hasher, publishing(config) as con:
            # Under the writer lock no other load runs: a staging folder still here is a killed load's.
            remove_stale_workdirs(config)
            workdir = Path(tempfile.mkdtemp(prefix=WORKDIR_PREFIX, dir=config.warehouse_path.parent))
            hashes = [hasher.submit(sha256, p) if p.exists() else None for p in paths]
            for path, file_hash, wanted in zip(paths, hashes, per_file, strict=True):
                try:
                    chosen = resolve_profile(path, config, wanted, profiles)
                    if file_hash is None:
                        raise SourceError(f"{path}: file not found")
                    result = _load_one(con, path, chosen, config, workdir, file_hash.result(), force, replace_rows,
                                       **({"on_stage": on_stage} if on_stage else {}))
                except (MappingError, SourceError) as exc:
                    known = exc.profile if isinstance(exc, ProfileNearMiss) else profiles.get(wanted or "")
                    result = LoadResult(path=path, dataset=known.dataset.name if known else "?",
                                        profile=known.name if known else wanted or "?", status=REFUSED,
                                        message=bounded(str(exc)))
                    log_refusal(con, result, _hash_or_none(file_hash))
                results.append(result)
                if on_progress:
                    on_progress(result)
    except (OSError, duckdb.IOException, duckdb.FatalException, duckdb.PermissionException) as exc:
        raise LoadAborted(_one_line(exc, config)) from exc
    except pl.exceptions.PolarsError as exc:
        if _disk_full(exc):
            raise LoadAborted(_one_line(exc, config)) from exc
        raise
    finally:
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
    return results


_PROFILES: dict[tuple, tuple[dict[str, Profile], list[Warning]]] = {}


def read_profiles(folder: Path) -> dict[str, Profile]:
    """profiles_in(folder), read again only when a profile file changed (name, size, modification time): a
    long-lived loader (sqd watch) parsed every YAML profile for every file (0.1 s of a 1,000-row load). The
    warnings of skipped profiles are given again each time, as profiles_in gives them."""
    import warnings
    files = tuple((str(p), st.st_mtime_ns, st.st_size) for where in profile_folders(folder) if where.is_dir()
                  for p in sorted(where.glob("*.yaml")) for st in [p.stat()])
    hit = _PROFILES.get(files)
    if hit is None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            found = profiles_in(folder)
        hit = (found, [w.message for w in caught])
        _PROFILES.clear()
        _PROFILES[files] = hit
    for message in hit[1]:
        warnings.warn(message, stacklevel=3)
    return dict(hit[0])


def remove_stale_workdirs(config: Config) -> list[Path]:
    """Remove the staging folders (`sqd-load-*` beside the warehouse) of loads that were killed. Call only under
    the writer lock (inside `publishing`), before this run makes its own."""
    stale = [p for p in config.warehouse_path.parent.glob(WORKDIR_PREFIX + "*") if p.is_dir()]
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    return stale
