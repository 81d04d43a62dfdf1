"""Read-only execution of analysts' SQL (the dashboard's SQL workspace and `sqd sql`), and the workspace's files.

Every run opens its own connection and closes it afterwards, so nothing an analyst does outlives the run:

* The connection is an in-memory DuckDB instance with the live warehouse ATTACHed `READ_ONLY` and made the default
  catalog. (Opening the file itself with a different configuration fails inside a process that already has it open,
  as the dashboard does: DuckDB shares one instance per path and refuses a second configuration.) Before any user
  text runs, `enable_external_access = false` (no files, no network, no INSTALL or LOAD of anything not built in),
  extension autoloading off, `memory_limit`, `threads`, no temp directory (nothing spills to disk) and finally
  `lock_configuration = true`, so the analyst cannot change any of it.
* The text must parse into exactly one statement (`extract_statements`), of an allowed type: SELECT or EXPLAIN (DESCRIBE, SHOW,
  SUMMARIZE, PIVOT ... IN (...) and FROM-first queries are SELECTs), which the binder says does not write. Anything
  else is refused before it runs: SET, PRAGMA, CALL, ATTACH, DETACH, USE, COPY, EXPORT, INSTALL, LOAD, DDL, DML,
  transactions, CHECKPOINT, VACUUM, several statements at once, and any statement type this DuckDB's Python API
  cannot even name (`UPDATE EXTENSIONS`): an allow-list, not a deny-list.
* The statement runs in a child process (`multiprocessing`: a fork from the CLI, a fork server preloaded with this
  module elsewhere, e.g. the dashboard), never in the caller's. The child caps its own address space
  (`RLIMIT_AS` = its size after opening the connection + `memory_limit` + 1 GiB), because DuckDB's `memory_limit`
  does not cover every allocation (a 4 GB `repeat()` string); an allocation beyond the ceiling fails and the run
  reports the memory limit. The caller waits at most `timeout_s` (default 30 s, at least 1 s) and then kills the
  child: the run reports the time limit. Results stream and stop at `row_cap` rows (the result says it was cut);
  they come back as Arrow IPC bytes through a pipe.
* DuckDB's own errors come back as text with the line and column DuckDB points at, never as a traceback.

Workspace files live in `config.state_dir` (beside the warehouse, outside it): `saved_queries.json` (name -> SQL)
and `sql_history.jsonl` (one line per run). Writes are atomic (a temporary file renamed over the old one) and
serialised with a lock file, so two dashboard sessions cannot lose each other's saves.
"""

from __future__ import annotations

import fcntl
import io
import json
import multiprocessing
import os
import re
import resource
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from pipelines import clock
from pipelines.config import Config
from pipelines.warehouse import metric_view_files, session, sql_string



class _Lazy:
    """A module imported on its first attribute looked up (Polars and pyarrow cost 0.3-0.7 s of imports; `sqd sql`
    prints text rows and needs neither: issue 13 target 6)."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str):
        import importlib  # noqa: PLC0415

        return getattr(importlib.import_module(self._name), attr)


pl = _Lazy("polars")
pa = _Lazy("pyarrow")

DEFAULT_TIMEOUT_S = 30.0
DEFAULT_ROW_CAP = 10_000
MAX_ROW_CAP = 200_000
DEFAULT_MEMORY_LIMIT = "1GB"
DEFAULT_THREADS = 2
MIN_TIMEOUT_S = 1.0
HEADROOM_BYTES = 1 << 30   # address space the child may use beyond memory_limit (Python, Arrow, DuckDB's own)
HISTORY_KEEP = 500          # lines kept in sql_history.jsonl
ALLOWED_TYPES = ("SELECT", "EXPLAIN")
CATALOG = "warehouse"

# statuses of a run
OK, REFUSED, ERROR, TIMEOUT, MEMORY = "ok", "refused", "error", "timeout", "memory"


class Refused(ValueError):
    """The statement is not allowed in the workspace; it was not run."""


@dataclass
class QueryResult:
    """What one run returned. `frame` is None unless status is "ok"."""

    sql: str
    status: str
    frame: pl.DataFrame | None = None
    rows: int = 0                      # rows in `frame` (at most the cap)
    truncated: bool = False            # the statement had more rows than the cap
    row_cap: int = DEFAULT_ROW_CAP
    elapsed_s: float = 0.0
    message: str = ""                  # DuckDB's message, or why the statement was refused
    error_type: str = ""               # e.g. "BinderException", "Refused"
    line: int | None = None            # 1-based position DuckDB points at, when it says
    column: int | None = None
    peak_memory_mb: float = 0.0        # the query process's peak resident memory (VmHWM), where measured
    # run_query(text=True), for printing (`sqd sql`): column names and rows of text (DuckDB's own VARCHAR casts,
    # None for NULL), `frame` None; no Polars or pyarrow imported on either side of the pipe
    columns: list[str] = field(default_factory=list)
    text_rows: list[tuple] | None = None

    @property
    def ok(self) -> bool:
        return self.status == OK

    def notice(self) -> str:
        """One line for a status bar (English; the dashboard translates from the fields)."""
        if self.ok:
            cut = f" (cut at the row cap of {self.row_cap:,})" if self.truncated else ""
            return f"{self.rows:,} row(s){cut} in {self.elapsed_s:.2f} s"
        where = f" at line {self.line}, column {self.column}" if self.line and self.column else (
            f" at line {self.line}" if self.line else "")
        return f"{self.status}: {self.message.splitlines()[0] if self.message else ''}{where}"


# ------------------------------------------------------------------ the connection

def open_sandbox(config: Config, memory_limit: str = DEFAULT_MEMORY_LIMIT,
                 threads: int = DEFAULT_THREADS) -> duckdb.DuckDBPyConnection:
    """A locked, read-only connection to the live warehouse (see the module docstring)."""
    path = config.warehouse_path
    if not path.exists():
        raise FileNotFoundError(f"{path}: no warehouse yet; run `sqd demo` or `sqd ingest FILE`")
    con = duckdb.connect(":memory:", config={
        "memory_limit": memory_limit,
        "threads": threads,
        "temp_directory": "",                 # no spilling to disk
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "allow_community_extensions": False,
        "allow_unsigned_extensions": False,
    })
    try:
        # Our own setup, before any analyst text: values are ours (path, time zone from the configuration).
        con.execute(f"ATTACH {sql_string(path)} AS {CATALOG} (READ_ONLY)")
        if getattr(config, "site_scope", None):  # a site-scoped account (pipelines.accounts.ScopedConfig)
            from pipelines.accounts import attach_scoped  # noqa: PLC0415

            attach_scoped(con, CATALOG, config.site_scope)  # its sites' rows, in views named like the warehouse's
        else:
            con.execute(f"USE {CATALOG}")
        session(con, config)                  # search path, time zone, the pinned clock (metrics.clock)
        con.execute("SET enable_progress_bar = false")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


def check_statement(con: duckdb.DuckDBPyConnection, sql: str) -> duckdb.Statement:
    """The one allowed statement of `sql`, or Refused (or DuckDB's parser error) without running anything."""
    statements = con.extract_statements(sql)
    if not statements:
        raise Refused("No statement to run.")
    if len(statements) > 1:
        raise Refused(f"One statement per run: this text holds {len(statements)}. Run them one at a time.")
    statement = statements[0]
    try:
        kind = statement.type.name
    except (ValueError, AttributeError):   # a statement type the Python API has no name for (UPDATE EXTENSIONS)
        raise Refused("This kind of statement is not allowed here: the workspace runs read-only queries "
                      "(SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN).") from None
    if kind not in ALLOWED_TYPES:
        shown = "PIVOT without an IN list" if kind == "MULTI" else kind
        raise Refused(f"{shown} statements are not allowed here: the workspace runs read-only queries "
                      f"(SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN).")
    writes = _binder_says_writes(con, statement)
    if writes:
        raise Refused("This statement would change the database; the workspace is read-only.")
    return statement


def _binder_says_writes(con: duckdb.DuckDBPyConnection, statement: duckdb.Statement) -> bool:
    """duckdb 2's binder reports whether a statement writes; older versions have no such call (then False, and
    the read-only attach still refuses the write)."""
    try:
        from duckdb import _seam  # noqa: PLC0415 (private, version-specific)
    except ImportError:
        return False
    try:
        return bool(_seam.bind(con, statement).writes)
    except duckdb.Error:
        return False        # the run itself reports the binder's error with its position
    except (AttributeError, TypeError):
        return False


_LINE = re.compile(r"^LINE (\d+): (.*)$", re.MULTILINE)


def error_position(sql: str, message: str) -> tuple[int | None, int | None]:
    """Line and column (1-based) that DuckDB's message points at with `LINE n: ...` and a caret line."""
    match = _LINE.search(message)
    if not match:
        return None, None
    line_no = int(match.group(1))
    context = match.group(2)
    rest = message[match.end():].lstrip("\n").splitlines()
    caret_line = rest[0] if rest else ""
    caret = caret_line.find("^")
    if caret < 0:
        return line_no, None
    prefix = len(f"LINE {line_no}: ")
    offset_in_context = caret - prefix
    lines = sql.splitlines()
    if not (0 < line_no <= len(lines)) or offset_in_context < 0:
        return line_no, None
    source = lines[line_no - 1]
    core = context
    if core.startswith("..."):
        core = core[3:]
        offset_in_context -= 3
    if core.endswith("..."):
        core = core[:-3]
    start = source.find(core) if core else -1
    if start < 0:
        return line_no, None
    return line_no, start + offset_in_context + 1


def _unique_names(table: pa.Table) -> pa.Table:
    seen: dict[str, int] = {}
    names = []
    for name in table.column_names:
        if name in seen:
            seen[name] += 1
            names.append(f"{name}_{seen[name]}")
        else:
            seen[name] = 0
            names.append(name)
    return table.rename_columns(names) if names != table.column_names else table


def _to_polars(table: pa.Table) -> pl.DataFrame:
    """Arrow -> Polars; a column Polars cannot hold (a MAP, a UNION...) comes across as text."""
    table = _unique_names(table)
    try:
        return pl.from_arrow(table)  # type: ignore[return-value]
    except Exception:  # noqa: BLE001 (Polars raises several kinds for unsupported Arrow types)
        columns = []
        for name, column in zip(table.column_names, table.columns):
            try:
                columns.append(pl.from_arrow(pa.table({name: column}))[name])
            except Exception:  # noqa: BLE001
                columns.append(pl.Series(name, [None if v is None else str(v) for v in column.to_pylist()],
                                         dtype=pl.Utf8))
        return pl.DataFrame(columns)


_BIND_TIME_ERRORS = (duckdb.BinderException, duckdb.CatalogException)


def _positioned_message(con: duckdb.DuckDBPyConnection, sql: str, message: str) -> str:
    """The relation API drops the `LINE n:` context of a binder error; binding the checked statement again through
    `execute` (it fails at bind time, before anything runs) returns the message with it."""
    try:
        statement = check_statement(con, sql)
        con.execute(statement)
    except duckdb.Error as again:
        return str(again) if "\nLINE " in str(again) else message
    except Refused:
        return message
    return message


def _bytes(size: str) -> int:
    """'1GB', '256MB', '1.5GiB' -> bytes (DuckDB's memory_limit syntax)."""
    match = re.fullmatch(r"\s*([\d.]+)\s*([KMGT]?)(I?B)?\s*", size.upper())
    if not match:
        raise ValueError(f"memory limit {size!r}: expected e.g. 1GB or 512MB")
    power = " KMGT".index(match.group(2) or " ")
    base = 1024 if match.group(3) == "IB" else 1000
    return int(float(match.group(1)) * base ** power)


def _status_kb(pid: int | str, field_name: str) -> int:
    """A `VmXxx:` field of /proc/<pid>/status in kB (0 where there is none)."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _memory_message(memory_limit: str, detail: str = "") -> str:
    return (f"Stopped at the memory limit of {memory_limit} (the query needed more memory than the workspace "
            f"allows; aggregate or filter first)" + (f": {detail}" if detail else "."))


def _text_rows(relation: duckdb.DuckDBPyRelation | None, row_cap: int) -> tuple[list[str], list[tuple], bool]:
    """The result's column names and its first `row_cap` rows as text (every column cast to VARCHAR by DuckDB),
    and whether it had more: what `sqd sql` prints, without Arrow or Polars."""
    if relation is None:
        return [], [], False
    names = list(relation.columns)
    rows = relation.query("sandbox_result", "SELECT COLUMNS(*)::VARCHAR FROM sandbox_result") \
        .limit(row_cap + 1).fetchall()
    return names, rows[:row_cap], len(rows) > row_cap


def _execute(config: Config, sql: str, row_cap: int, memory_limit: str, text: bool = False) -> dict:
    """In the child process: run the statement, return the outcome as plain values (the table as Arrow IPC, or
    with `text` as column names and rows of text)."""
    out: dict = {"status": ERROR, "message": "", "error_type": "", "line": None, "column": None,
                 "truncated": False, "arrow": None}
    con = open_sandbox(config, memory_limit=memory_limit)
    try:
        ceiling = _status_kb("self", "VmSize") * 1024 + _bytes(memory_limit) + HEADROOM_BYTES
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
        statement = check_statement(con, sql)
        if getattr(config, "site_scope", None):  # and nothing that reaches round its views
            from pipelines.accounts import scope_violation  # noqa: PLC0415

            if why := scope_violation(con, sql, CATALOG):
                raise Refused(why)
        relation = con.sql(statement)
        if text:
            out["columns"], out["text_rows"], out["truncated"] = _text_rows(relation, row_cap)
            out["status"] = OK
            return out
        if relation is None:
            table = pa.table({})
        else:
            reader = relation.to_arrow_reader(min(row_cap + 1, 8192))
            batches, count = [], 0
            for batch in reader:
                batches.append(batch)
                count += batch.num_rows
                if count > row_cap:
                    break
            table = pa.Table.from_batches(batches, schema=reader.schema)
            out["truncated"] = table.num_rows > row_cap
            table = table.slice(0, row_cap)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        out["arrow"] = sink.getvalue().to_pybytes()
        out["status"] = OK
    except Refused as exc:
        out.update(status=REFUSED, message=str(exc), error_type="Refused")
    except (duckdb.OutOfMemoryException, MemoryError) as exc:
        detail = str(exc).splitlines()[0].removeprefix("Out of Memory Error: ") if str(exc) else ""
        out.update(status=MEMORY, message=_memory_message(memory_limit, detail), error_type=type(exc).__name__)
    except duckdb.Error as exc:
        message = str(exc)
        if "bad_alloc" in message or "bad allocation" in message:
            out.update(status=MEMORY, message=_memory_message(memory_limit, message.splitlines()[0]),
                       error_type=type(exc).__name__)
        else:
            if isinstance(exc, _BIND_TIME_ERRORS) and "\nLINE " not in message:
                message = _positioned_message(con, sql, message)
            out.update(status=ERROR, message=message, error_type=type(exc).__name__)
            out["line"], out["column"] = error_position(sql, message)
    finally:
        con.close()
    return out


def _child(conn, config: Config, sql: str, row_cap: int, memory_limit: str, text: bool = False) -> None:
    """The child process's entry point: one run, its outcome sent through `conn`, then exit."""
    try:
        out = _execute(config, sql, row_cap, memory_limit, text)
    except MemoryError:
        out = {"status": MEMORY, "message": _memory_message(memory_limit), "error_type": "MemoryError"}
    except BaseException as exc:  # noqa: BLE001 (whatever happens, the caller gets a message, not a traceback)
        out = {"status": ERROR, "message": f"{type(exc).__name__}: {exc}"[:2000], "error_type": type(exc).__name__}
    out["peak_kb"] = _status_kb("self", "VmHWM")
    try:
        conn.send(out)
    except MemoryError:
        conn.send({"status": MEMORY, "message": _memory_message(memory_limit), "error_type": "MemoryError"})
    conn.close()


_CONTEXT_LOCK = threading.Lock()


def _context(start_method: str | None):
    """`fork` when asked (the CLI: one thread, no DuckDB instance yet), otherwise a fork server preloaded with this
    module (forking a threaded server such as Streamlit's is unsafe; a fresh interpreter per run costs ~1 s)."""
    if start_method == "fork":
        return multiprocessing.get_context("fork")
    with _CONTEXT_LOCK:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["pipelines.sandbox", "pyarrow"])  # the child sends Arrow IPC
        return ctx


def warm_up() -> None:
    """Start the fork server now (the dashboard's first query then does not pay for it)."""
    from multiprocessing import forkserver  # noqa: PLC0415

    _context(None)
    forkserver.ensure_running()


def run_query(config: Config, sql: str, *, timeout_s: float = DEFAULT_TIMEOUT_S, row_cap: int = DEFAULT_ROW_CAP,
              memory_limit: str = DEFAULT_MEMORY_LIMIT, record: bool = True, source: str = "",
              start_method: str | None = None, text: bool = False) -> QueryResult:
    """Run one analyst statement in the sandbox, in a child process with a memory ceiling, killed at `timeout_s`.
    Never raises for the statement's sake: the result carries the status and DuckDB's message. Raises
    FileNotFoundError when there is no warehouse. `text`: the rows come back as text (`columns`, `text_rows`)
    instead of a Polars frame, with neither Polars nor pyarrow imported (what `sqd sql` prints)."""
    row_cap = max(1, min(int(row_cap), MAX_ROW_CAP))
    result = QueryResult(sql=sql, status=ERROR, row_cap=row_cap)
    if not config.warehouse_path.exists():
        raise FileNotFoundError(f"{config.warehouse_path}: no warehouse yet; run `sqd demo` or `sqd ingest FILE`")
    if not timeout_s >= MIN_TIMEOUT_S:        # also NaN
        result.status, result.error_type = REFUSED, "Refused"
        result.message = f"The time limit must be at least {MIN_TIMEOUT_S:g} s (got {timeout_s})."
        _record(config, result, record, source)
        return result
    ctx = _context(start_method)
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(sender, config, sql, row_cap, memory_limit, text), daemon=True,
                        name="sqd-sandbox")
    started = time.perf_counter()
    deadline = started + timeout_s
    child.start()
    sender.close()
    out, peak_kb, timed_out = None, 0, False
    try:
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                timed_out = True
                break
            if receiver.poll(min(left, 0.1)):
                try:
                    out = receiver.recv()
                except (EOFError, OSError):
                    out = None                 # the child died without a word (killed by the kernel, aborted)
                break
            peak_kb = max(peak_kb, _status_kb(child.pid, "VmHWM"))
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receiver.close()
    result.elapsed_s = time.perf_counter() - started
    result.peak_memory_mb = max(peak_kb, (out or {}).get("peak_kb", 0)) / 1024
    if out is None:
        if timed_out:
            result.status, result.error_type = TIMEOUT, "Timeout"
            result.message = f"Stopped at the time limit of {timeout_s:g} s (the query was interrupted)."
        else:
            result.status, result.error_type = MEMORY, "ProcessDied"
            result.message = _memory_message(memory_limit, f"the query process ended (exit code {child.exitcode})")
    else:
        result.status = out["status"]
        result.message, result.error_type = out.get("message", ""), out.get("error_type", "")
        result.line, result.column = out.get("line"), out.get("column")
        if result.status == OK and text:
            result.columns, result.text_rows = out["columns"], out["text_rows"]
            result.rows, result.truncated = len(result.text_rows), bool(out["truncated"])
        elif result.status == OK:
            table = pa.ipc.open_stream(out["arrow"]).read_all()
            result.frame = _to_polars(table)
            result.rows, result.truncated = result.frame.height, bool(out["truncated"])
    _record(config, result, record, source)
    return result


def _record(config: Config, result: QueryResult, record: bool, source: str) -> None:
    if not record:
        return
    try:
        append_history(config, result, source=source)
    except OSError:
        pass  # a read-only state folder must not break the query


# ------------------------------------------------------------------ schema browser and examples

def schema_objects(config: Config) -> pl.DataFrame:
    """(schema_name, object_name, kind, comment) of every table and view an analyst can query. A metric view's
    comment is the header comment of its file in pipelines/sql/metrics."""
    con = open_sandbox(config)
    try:
        frame = con.sql(f"""
            SELECT schema_name, table_name AS object_name, 'table' AS kind, comment
            FROM duckdb_tables() WHERE database_name = '{CATALOG}' AND NOT internal
            UNION ALL
            SELECT schema_name, view_name, 'view', comment
            FROM duckdb_views() WHERE database_name = '{CATALOG}' AND NOT internal
            ORDER BY schema_name, object_name
        """).pl()
    finally:
        con.close()
    headers = {name: view_header(text) for name, text in metric_view_files()}
    return frame.with_columns(
        pl.when(pl.col("comment").is_null() & (pl.col("schema_name") == "metrics"))
        .then(pl.col("object_name").replace_strict(headers, default=None, return_dtype=pl.Utf8))
        .otherwise(pl.col("comment")).alias("comment"))


def view_header(text: str) -> str:
    """The leading `--` comment of a view file, as one paragraph."""
    lines = []
    for raw in text.splitlines():
        if not raw.startswith("--"):
            break
        lines.append(raw[2:].strip())
    return " ".join(x for x in lines if x)


def schema_columns(config: Config) -> pl.DataFrame:
    """(schema_name, object_name, column_name, data_type, comment, column_index) from duckdb_columns()."""
    con = open_sandbox(config)
    try:
        return con.sql(f"""
            SELECT schema_name, table_name AS object_name, column_name, data_type, comment, column_index
            FROM duckdb_columns() WHERE database_name = '{CATALOG}' AND NOT internal
            ORDER BY schema_name, object_name, column_index
        """).pl()
    finally:
        con.close()


# The last full ISO week of ticket data: Monday of the week that ended on or before the last ticket date.
_LAST_WEEK = """last_week AS (
    SELECT CAST(date_trunc('week', max(created_date) + 1) AS DATE) - 7 AS week_start FROM metrics.ticket_kpis
)"""

EXAMPLES: dict[str, tuple[str, str, str]] = {
    # key: (English title, Chinese title, SQL)
    "breaches_by_site": ("SLA breaches by site, last full week", "上一完整周各站点超时情况", f"""\
-- SLA attainment per site in the last full ISO week of data (docs/metrics.md, metrics.ticket_sla)
WITH {_LAST_WEEK}
SELECT site,
       count(*) FILTER (WHERE NOT is_met) AS breached,
       count(is_met) AS decided,
       count(*) FILTER (WHERE is_met) / count(is_met) AS attainment_rate
FROM metrics.ticket_sla, last_week
WHERE created_date >= last_week.week_start AND created_date < last_week.week_start + 7
GROUP BY site
ORDER BY breached DESC"""),
    "csat_by_agent": ("CSAT by agent with 95 % intervals, last 13 weeks", "近 13 周各坐席满意度及 95% 区间", """\
-- CSAT = satisfied / scored responses (metrics.csat_daily), with the 95 % Wilson interval of docs/metrics.md
WITH s AS (
    SELECT agent, CAST(sum(satisfied) AS DOUBLE) AS x, CAST(sum(scored_responses) AS BIGINT) AS n
    FROM metrics.csat_daily
    WHERE attempted_date > (SELECT max(attempted_date) FROM metrics.csat_daily) - 91
    GROUP BY agent
)
SELECT agent, CAST(x AS BIGINT) AS satisfied, n AS scored_responses,
       x / n AS csat_rate,
       (x / n + 1.96 * 1.96 / (2 * n) - 1.96 * sqrt(x / n * (1 - x / n) / n + 1.96 * 1.96 / (4 * n * n)))
           / (1 + 1.96 * 1.96 / n) AS csat_rate_low,
       (x / n + 1.96 * 1.96 / (2 * n) + 1.96 * sqrt(x / n * (1 - x / n) / n + 1.96 * 1.96 / (4 * n * n)))
           / (1 + 1.96 * 1.96 / n) AS csat_rate_high
FROM s
WHERE n > 0
ORDER BY csat_rate"""),
    "lots_out_of_control": ("Lots out of control (p-chart)", "失控批次（p 控制图）", """\
-- Lots outside their own 3-sigma limits or firing a Western Electric rule (metrics.defect_lots)
SELECT lot_id, product, stage, line, inspected_date, material_batch_id,
       inspected_qty, nonconforming_qty, defect_rate, lcl, ucl, is_out_of_control, signal
FROM metrics.defect_lots
WHERE is_out_of_control OR signal IS NOT NULL
ORDER BY inspected_at DESC
LIMIT 200"""),
    "weekly_complaint_rate": ("Attributable complaint rate per week and site", "各站点每周有效投诉率", """\
-- Complaint rate = attributable complaints / all tickets (metrics.ticket_kpis), last 12 weeks
SELECT week_start, site,
       count(*) FILTER (WHERE is_attributable_complaint) AS complaints,
       count(*) AS tickets,
       count(*) FILTER (WHERE is_attributable_complaint) / count(*) AS complaint_rate
FROM metrics.ticket_kpis
WHERE week_start > (SELECT max(week_start) FROM metrics.ticket_kpis) - 84
GROUP BY ALL
ORDER BY week_start, site"""),
    "open_class_1": ("Open class-1 complaints", "未结一类投诉", """\
-- Class-1 complaints still open now (metrics.backlog: not resolved, not closed, not cancelled)
SELECT ticket_id, created_at, site, department, category, status, round(age_hours / 24, 1) AS age_days,
       is_breached
FROM metrics.backlog
WHERE complaint_grade = 'class_1'
ORDER BY created_at"""),
}


# ------------------------------------------------------------------ exports

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Spreadsheets also read a formula after leading blanks or line breaks, and from the full-width signs an IME types.
FORMULA_SIGNS = "=+-@\uff1d\uff0b\uff0d\uff20"
_FORMULA = re.compile(r"^(?:[\t\r]|\s*[" + re.escape(FORMULA_SIGNS) + "])")
CSV_DATETIME = "%Y-%m-%d %H:%M:%S"


def _stringify_nested(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists, structs and other nested columns as JSON text (CSV and XLSX cells hold scalars only), BLOBs as
    hexadecimal text. Row by row, but only for the nested columns of a capped result."""
    frame = frame.with_columns(pl.col(c).bin.encode("hex") for c, t in frame.schema.items() if t == pl.Binary)
    nested = [c for c, t in frame.schema.items() if t.is_nested() or t == pl.Object]
    if not nested:
        return frame
    return frame.with_columns(
        pl.Series(c, [None if v is None else json.dumps(v, default=str, ensure_ascii=False)
                      for v in frame[c].to_list()], dtype=pl.Utf8)
        for c in nested)


def neutralise_formulas(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells (and headers) that a spreadsheet would read as a formula get a leading apostrophe: starting with
    =, +, -, @ (also full-width, also after spaces or line breaks), tab or carriage return."""
    def safe(name: str) -> str:
        return "'" + name if _FORMULA.match(name) else name

    frame = _stringify_nested(frame)
    text = [c for c, t in frame.schema.items() if t in (pl.Utf8, pl.Categorical) or isinstance(t, pl.Enum)]
    out = frame.with_columns(
        pl.when(pl.col(c).cast(pl.Utf8).str.contains(_FORMULA.pattern))
        .then(pl.lit("'") + pl.col(c).cast(pl.Utf8))
        .otherwise(pl.col(c).cast(pl.Utf8)).alias(c)
        for c in text)
    return out.rename({c: safe(c) for c in out.columns if safe(c) != c})


def local_wall_time(frame: pl.DataFrame) -> pl.DataFrame:
    """Zoned timestamps as naive wall time in their zone (the sandbox's session zone: the warehouse's)."""
    return frame.with_columns(
        pl.col(c).dt.replace_time_zone(None)
        for c, t in frame.schema.items() if isinstance(t, pl.Datetime) and t.time_zone)


def to_csv_bytes(frame: pl.DataFrame) -> bytes:
    """UTF-8 with BOM (spreadsheet programs then read Chinese), formulas neutralised, BLOBs as hex, timestamps as
    `2024-11-23 16:53:30` in the warehouse's time zone (a form spreadsheets read as a date; no offset, no
    microseconds)."""
    buffer = io.BytesIO()
    buffer.write("\ufeff".encode())
    neutralise_formulas(local_wall_time(frame)).write_csv(buffer, datetime_format=CSV_DATETIME)
    return buffer.getvalue()


def to_parquet_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def to_xlsx_bytes(frame: pl.DataFrame, sheet: str = "result") -> bytes:
    """An XLSX workbook; text is written as text (xlsxwriter's strings_to_formulas off), time zones dropped (Excel
    has none: times are the warehouse's local wall time)."""
    from xlsxwriter import Workbook  # noqa: PLC0415

    frame = local_wall_time(_stringify_nested(frame))
    buffer = io.BytesIO()
    with Workbook(buffer, {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}) as book:
        frame.write_excel(workbook=book, worksheet=sheet, autofit=frame.height <= 5000)
    return buffer.getvalue()


def export_bytes(frame: pl.DataFrame, fmt: str) -> bytes:
    fmt = fmt.lower().lstrip(".")
    if fmt == "csv":
        return to_csv_bytes(frame)
    if fmt == "parquet":
        return to_parquet_bytes(frame)
    if fmt == "xlsx":
        return to_xlsx_bytes(frame)
    raise ValueError(f"unknown export format {fmt!r}: csv, parquet or xlsx")


# ------------------------------------------------------------------ saved queries and history (state_dir)

@dataclass(frozen=True)
class SavedQuery:
    name: str
    sql: str
    saved_at: str
    description: str = ""


def _saved_path(config: Config) -> Path:
    return config.state_dir / "saved_queries.json"


def _history_path(config: Config) -> Path:
    return config.state_dir / "sql_history.jsonl"


@contextmanager
def _locked(config: Config, name: str) -> Iterator[None]:
    config.state_dir.mkdir(parents=True, exist_ok=True)
    with open(config.state_dir / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_atomic(path: Path, text: str) -> None:
    """Write a file completely or not at all (temporary file, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _read_saved(config: Config) -> dict[str, dict]:
    try:
        data = json.loads(_saved_path(config).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except json.JSONDecodeError:
        return {}
    return data.get("queries", {}) if isinstance(data, dict) else {}


def saved_queries(config: Config) -> list[SavedQuery]:
    """Saved queries, by name."""
    return [SavedQuery(name=name, sql=q.get("sql", ""), saved_at=q.get("saved_at", ""),
                       description=q.get("description", ""))
            for name, q in sorted(_read_saved(config).items(), key=lambda kv: kv[0].lower())]


def save_query(config: Config, name: str, sql: str, description: str = "") -> SavedQuery:
    """Save (or replace) a named query."""
    name = name.strip()
    if not name:
        raise ValueError("a saved query needs a name")
    if not sql.strip():
        raise ValueError("nothing to save: the query is empty")
    saved = SavedQuery(name=name, sql=sql, saved_at=_logged_at(), description=description.strip())
    with _locked(config, "saved_queries"):
        queries = _read_saved(config)
        queries[name] = {"sql": saved.sql, "saved_at": saved.saved_at, "description": saved.description}
        write_atomic(_saved_path(config), json.dumps({"version": 1, "queries": queries}, ensure_ascii=False,
                                                     indent=2))
    return saved


def delete_query(config: Config, name: str) -> bool:
    with _locked(config, "saved_queries"):
        queries = _read_saved(config)
        if name not in queries:
            return False
        del queries[name]
        write_atomic(_saved_path(config), json.dumps({"version": 1, "queries": queries}, ensure_ascii=False,
                                                     indent=2))
    return True


@dataclass(frozen=True)
class HistoryEntry:
    ran_at: str
    sql: str
    status: str
    rows: int
    elapsed_s: float
    truncated: bool = False
    message: str = ""
    source: str = ""
    extra: dict = field(default_factory=dict)


def _logged_at() -> str:
    """When a query ran or was saved, for the history file: the clock's log stamp (clock.stamp), which tests do
    not pin so the history keeps its order; nothing is judged against it."""
    return clock.stamp().isoformat(timespec="seconds")


def append_history(config: Config, result: QueryResult, source: str = "") -> None:
    entry = HistoryEntry(ran_at=_logged_at(), sql=result.sql, status=result.status, rows=result.rows,
                         elapsed_s=round(result.elapsed_s, 4), truncated=result.truncated,
                         message=result.message.splitlines()[0] if result.message else "", source=source)
    line = json.dumps({k: v for k, v in asdict(entry).items() if k != "extra"}, ensure_ascii=False)
    path = _history_path(config)
    with _locked(config, "sql_history"):
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
        # keep the file short: rewrite with the newest HISTORY_KEEP lines once it doubles
        with open(path, encoding="utf-8") as handle:
            lines = handle.readlines()
        if len(lines) > 2 * HISTORY_KEEP:
            write_atomic(path, "".join(lines[-HISTORY_KEEP:]))


def history(config: Config, limit: int = 100) -> list[HistoryEntry]:
    """Runs, newest first (unreadable lines are skipped)."""
    try:
        lines = _history_path(config).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    out = []
    for raw in reversed(lines):
        try:
            data = json.loads(raw)
            out.append(HistoryEntry(**{k: data[k] for k in HistoryEntry.__dataclass_fields__ if k in data}))
        except (json.JSONDecodeError, TypeError, KeyError):
            continue
        if len(out) >= limit:
            break
    return out
