"""Data-quality gate between mapping and publishing: the dataset's suite (expectations/<dataset>.json, run by
pipelines/validate.py) decides what of a batch may be published.

`check()` runs on the staged batch inside the load's transaction. The batch is a view (ingest.stage_view) that
hides the rows listed in `<staged>_excluded`; the gate takes rows out of the batch by adding them there.
- a failed blocking expectation, or more than [quality] max_failing_share of the rows failing row-level ones,
  raises GateRefused: nothing of the file is published, and `record()` stores the run after the rollback;
- rows failing a row-level expectation move to meta.quarantine (one entry per row and expectation, with the
  offending values) and out of the batch; the rest is published;
- warnings (freshness, volume) are recorded only.
Open quarantine entries of the keys this batch publishes are marked released (or superseded, when the key is
quarantined again), and the batch keeps one row per key: the file's last, which is the newer version of it.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import numpy as np

from pipelines import clock, quality, validate, waiting
from pipelines.config import Config, load_config
from pipelines.datasets import Dataset
from pipelines.publish import LoadInfo
from pipelines.quality import RunRecord
from pipelines.read import ROW
from pipelines.validate import Check, CheckResult, Source

ROW_EXAMPLES = 5
RELEASE_ROWS = 200_000   # a batch this large gives back the memory its GX frames held (release_memory)
SHARE_CHECK = "row_level_failures_within_share"


class GateRefused(Exception):
    """A blocking check failed; the message names the file, the expectation and the rows."""

    def __init__(self, message: str, run: RunRecord | None = None):
        super().__init__(message)
        self.run = run

    def record(self, con: duckdb.DuckDBPyConnection) -> None:
        """Store the failing results after the batch was rolled back."""
        if self.run is not None:
            quality.store_run(con, self.run)


class GateOutcome:
    def __init__(self, quarantined: int = 0, message: str | None = None, run: RunRecord | None = None):
        self.quarantined, self.message, self.run = quarantined, message, run


def check(con: duckdb.DuckDBPyConnection, dataset: Dataset, staged: str, load: LoadInfo, path,
          config: Config | None = None) -> GateOutcome:
    """Validate `staged` (canonical columns + __row); quarantine or refuse as the suite's severities say."""
    q = (config or load_config()).quality
    try:
        suite = validate.load_suite(dataset, q.expectations_dir)
    except validate.SuiteError as exc:
        raise GateRefused(f"{path}: cannot check this file: {exc}") from exc
    try:
        validation = validate.validate_batch(
            con, suite, Source(relation=staged), as_of=clock.now(),
            parameters=quality.parameters(con, dataset.name, q), mode="load",
            future_tolerance_minutes=q.future_tolerance_minutes, chunk_rows=q.chunk_rows,
            sample_rows=q.sample_rows)
    except Exception as exc:  # a suite that cannot run must not let the batch through
        raise GateRefused(f"{path}: the {suite.name} suite ({suite.path}) could not run: "
                          f"{type(exc).__name__}: {exc}") from exc
    run = RunRecord.of(validation, "load", load.source_file, load.load_id, load.started_at)
    if validation.rows >= RELEASE_ROWS:
        release_memory()

    row_level, blocking = run.failed("row-level"), run.failed("blocking")
    failing = (np.unique(np.concatenate([r.failing_rows for r in row_level])) if row_level
               else np.empty(0, np.int64))
    # rows only waiting for their parent (events of a ticket not loaded yet, pipelines/waiting.py) are held, not
    # broken: they do not count towards max_failing_share, so an events file may arrive before its tickets
    broken = [r.failing_rows for r in row_level if r.check.name not in waiting.waits_for(dataset.name)]
    share = (np.unique(np.concatenate(broken)).size if broken else 0) / validation.rows if validation.rows else 0.0
    if not blocking and share > q.max_failing_share:
        share_result = _share_result(round(share * validation.rows), validation.rows, share, q.max_failing_share)
        run.results.append(share_result)
        blocking.append(share_result)
    if blocking:
        lines = [r.describe() for r in blocking + row_level]
        run.message = (f"{path}: refused by the {suite.name} suite ({suite.path}); nothing of this file was "
                       "published:\n" + "\n".join(f"  - {line}" for line in lines))
        raise GateRefused(run.message, run)

    now = clock.stamp()
    con.execute("CREATE OR REPLACE TEMP TABLE dq_failing AS SELECT unnest($rows::BIGINT[]) AS row_number",
                {"rows": failing.tolist()})
    _release(con, dataset, staged, load, now)
    for r in row_level:
        _quarantine(con, dataset, staged, load, run, r, now)
    con.execute(f"INSERT INTO {staged}_excluded SELECT row_number FROM dq_failing")
    con.execute("DROP TABLE dq_failing")
    run.rows_quarantined = int(failing.size)
    run.message = _outcome_message(run, failing, validation.rows)
    quality.store_run(con, run)
    _keep_latest(con, dataset, staged, run.results)
    return GateOutcome(quarantined=int(failing.size), message=run.message, run=run)


def release_memory() -> None:
    """Give back to the system what the GX frames of a large batch left behind: Arrow's pool keeps the blocks it
    freed, and glibc the heap pandas freed, so the process's own memory stayed 0.1 GiB and more above what it holds
    through the publish's DuckDB steps (which then fill the load's memory limit on top of it)."""
    import ctypes

    import pyarrow as pa
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):   # not glibc: nothing to trim
        pass


def _share_result(failing: int, rows: int, share: float, limit: float) -> CheckResult:
    check = Check(name=SHARE_CHECK, type="sqd_row_level_failure_share", kwargs={"max_failing_share": limit},
                  meta={"name": SHARE_CHECK, "notes": "[quality] max_failing_share in sqd.toml: a batch "
                        "where more rows fail row-level expectations is refused as a whole"},
                  severity="blocking", kind="aggregate", columns=(), applies_to=("load",),
                  offending_columns=())
    return CheckResult(check=check, success=False, observed_value=share, element_count=rows,
                       unexpected_count=failing, kwargs={"max_failing_share": limit})


def _rows_text(rows: np.ndarray) -> str:
    shown = ", ".join(str(r) for r in rows[:ROW_EXAMPLES])
    if rows.size == 1:
        return f"row {shown}"
    return f"rows {shown}" + (", ..." if rows.size > ROW_EXAMPLES else "")


def _outcome_message(run: RunRecord, failing: np.ndarray, rows: int) -> str | None:
    parts = []
    row_level = run.failed("row-level")
    if row_level:
        reasons = ", ".join(f"{r.check.name} {r.failing_rows.size} ({_rows_text(r.failing_rows)})"
                            for r in row_level)
        parts.append(f"{failing.size:,} of {rows:,} row(s) quarantined: {reasons}")
    warnings = run.failed("warning")
    if warnings:
        parts.append("warnings: " + "; ".join(r.describe() for r in warnings))
    return "; ".join(parts) or None


def _release(con: duckdb.DuckDBPyConnection, dataset: Dataset, staged: str, load: LoadInfo,
             now: datetime) -> None:
    """Close open quarantine entries of the keys in this batch: released if the key is published now,
    superseded if it is quarantined again (a new entry follows)."""
    key = f's."{dataset.key}"::VARCHAR'
    con.execute(f"""
        UPDATE meta.quarantine AS q
        SET released_at = $now, released_by_load_id = $load_id,
            resolution = CASE WHEN q.record_key IN (
                SELECT {key} FROM {staged} AS s WHERE s.{ROW} IN (SELECT row_number FROM dq_failing))
                THEN 'superseded' ELSE 'released' END
        WHERE q.dataset = $dataset AND q.released_at IS NULL
          AND q.record_key IN (SELECT {key} FROM {staged} AS s)
    """, {"now": now, "load_id": load.load_id, "dataset": dataset.name})


def _quarantine(con: duckdb.DuckDBPyConnection, dataset: Dataset, staged: str, load: LoadInfo, run: RunRecord,
                result: CheckResult, now: datetime) -> None:
    check = result.check
    # Identifiers come from the canonical model (the suite's columns were checked against it on loading).
    offending = ", ".join(f'"{c}" := s."{c}"' for c in check.offending_columns if c in dataset.columns)
    whole = ", ".join(f'"{c}" := s."{c}"' for c in dataset.columns)
    con.execute(f"""
        INSERT INTO meta.quarantine
        SELECT $run_id, $load_id, $dataset, s."{dataset.key}"::VARCHAR, $source_file, s.{ROW}, $expectation,
               $type, $columns, {f"to_json(struct_pack({offending}))::VARCHAR" if offending else "NULL"},
               to_json(struct_pack({whole}))::VARCHAR, $now, NULL, NULL, NULL
        FROM {staged} AS s
        WHERE s.{ROW} IN (SELECT unnest($rows::BIGINT[]))
    """, {"run_id": run.run_id, "load_id": load.load_id, "dataset": dataset.name,
          "source_file": load.source_file, "expectation": check.name, "type": check.type,
          "columns": ", ".join(check.columns) or None, "now": now, "rows": result.failing_rows.tolist()})


def _keep_latest(con: duckdb.DuckDBPyConnection, dataset: Dataset, staged: str,
                 results: list[CheckResult]) -> None:
    """One row per key: the file's last row of a key is its newest version (if duplicates got through)."""
    unique = any(r.success and r.check.type == "expect_column_values_to_be_unique"
                 and r.check.kwargs.get("column") == dataset.key for r in results)
    if unique:
        return
    con.execute(f"""
        INSERT INTO {staged}_excluded
        SELECT {ROW} FROM {staged}
        QUALIFY row_number() OVER (PARTITION BY "{dataset.key}" ORDER BY {ROW} DESC) > 1
    """)


