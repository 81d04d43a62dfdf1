"""Data-quality results in the warehouse: store a suite run, read the latest results and the quarantine,
and re-validate the published tables (`sqd check`). Tables: sql/quality.sql; checks: pipelines/validate.py.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import polars as pl

from pipelines import clock
from pipelines.config import Config, QualityConfig
from pipelines.datasets import DATASETS
from pipelines.validate import CheckResult, Source, Validation, load_suite, validate_batch

PASSED, WARNINGS = "passed", "passed_with_warnings"
ROW_LEVEL, BLOCKING = "failed_row_level", "failed_blocking"


@dataclass
class RunRecord:
    """One suite run as stored in meta.dq_runs / meta.dq_results."""

    kind: str                               # "load" | "check"
    dataset: str
    suite_name: str
    suite_file: str
    suite_sha256: str
    source_file: str
    started_at: datetime
    rows_checked: int
    results: list[CheckResult]
    validation_seconds: float = 0.0
    load_id: str | None = None
    rows_quarantined: int = 0
    message: str | None = None
    run_id: str = field(
        default_factory=lambda: f"dq-{clock.stamp():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}")

    def failed(self, severity: str) -> list[CheckResult]:
        """Failed results of one severity ("blocking", "row-level", "warning"). A check that could not run counts
        as blocking, whatever its severity: the batch cannot be vouched for."""
        return [r for r in self.results if not r.success
                and ("blocking" if r.exception else r.check.severity) == severity]

    @property
    def outcome(self) -> str:
        if self.failed("blocking"):
            return BLOCKING
        if self.failed("row-level"):
            return ROW_LEVEL
        return WARNINGS if self.failed("warning") else PASSED

    @classmethod
    def of(cls, validation: Validation, kind: str, source_file: str, load_id: str | None = None,
           started_at: datetime | None = None) -> RunRecord:
        suite = validation.suite
        return cls(kind=kind, dataset=suite.dataset.name, suite_name=suite.name, suite_file=str(suite.path),
                   suite_sha256=suite.sha256, source_file=source_file,
                   started_at=started_at or validation.as_of,
                   rows_checked=validation.rows, results=list(validation.results),
                   validation_seconds=validation.seconds, load_id=load_id)


def _observed(result: CheckResult) -> str | None:
    if result.check.kind == "map" and result.exception is None:
        return f"{result.unexpected_count or 0:,} of {result.element_count or 0:,} rows unexpected"
    value = result.observed_value
    if value is None:
        return None
    return f"{value:.6g}" if isinstance(value, float) else json.dumps(value, default=str, ensure_ascii=False)


def store_run(con: duckdb.DuckDBPyConnection, run: RunRecord) -> None:
    """Insert the run and one row per expectation (in the caller's transaction, if any)."""
    con.execute(
        "INSERT INTO meta.dq_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [run.run_id, run.kind, run.load_id, run.dataset, run.suite_name, run.suite_file, run.suite_sha256,
         run.source_file, run.started_at, clock.stamp(), run.validation_seconds, run.rows_checked,
         run.rows_quarantined,
         len(run.results), sum(not r.success for r in run.results), run.outcome, run.message],
    )
    rows = []
    for position, r in enumerate(run.results, start=1):
        c = r.check
        rows.append([
            run.run_id, run.load_id, run.dataset, run.suite_name, run.source_file, position, c.name, c.type,
            ", ".join(c.columns) or None, c.severity, bool(r.success), _observed(r), r.element_count,
            r.unexpected_count, r.unexpected_percent,
            json.dumps(r.sample, default=str, ensure_ascii=False) if r.sample else None,
            json.dumps(r.kwargs or c.kwargs, default=str, ensure_ascii=False), r.exception, c.notes or None,
        ])
    if rows:
        stored_at = clock.stamp()
        con.executemany(
            "INSERT INTO meta.dq_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[*row, stored_at] for row in rows])


def volume_parameters(con: duckdb.DuckDBPyConnection, dataset: str, quality: QualityConfig) -> dict:
    """Bounds for the volume check: the trailing average of the dataset's last published loads
    x (1 ± tolerance). No bounds (always passes) before the first published load."""
    avg = con.execute("""
        SELECT avg(rows_read) FROM (
            SELECT rows_read FROM meta.load_log
            WHERE dataset = ? AND status IN ('published', 'published_with_quarantine')
            ORDER BY started_at DESC LIMIT ?)
    """, [dataset, quality.volume_window]).fetchall()[0][0]
    if avg is None:
        return {"volume_min": 0, "volume_max": None}
    return {"volume_min": int(avg * (1 - quality.volume_tolerance)),
            "volume_max": int(avg * (1 + quality.volume_tolerance)) + 1}


def parameters(con: duckdb.DuckDBPyConnection, dataset: str, quality: QualityConfig) -> dict:
    """Values of the suites' {"$PARAMETER": ...} placeholders for one run."""
    return {"freshness_days": quality.freshness_days, **volume_parameters(con, dataset, quality)}


def summary(run: RunRecord) -> str:
    failed = [r for r in run.results if not r.success]
    if not failed:
        return f"{run.dataset}: all {len(run.results)} expectations passed"
    return f"{run.dataset}: " + "; ".join(f"{r.check.name} [{r.check.severity}]" for r in failed)


def check_warehouse(con: duckdb.DuckDBPyConnection, config: Config,
                    datasets: Sequence[str] | None = None) -> list[RunRecord]:
    """Re-validate the published tables with their suites (mode "check") and store one run per dataset.
    Without `datasets`, tables that are still empty (nothing loaded yet) are skipped."""
    runs = []
    q = config.quality
    if datasets is None:
        datasets = [d for d in DATASETS
                    if con.execute(f"SELECT EXISTS (SELECT 1 FROM core.{d})").fetchall()[0][0]]
    for name in datasets:
        suite = load_suite(name, q.expectations_dir)
        started = clock.stamp()
        validation = validate_batch(
            con, suite, Source(relation=f"core.{name}", row="rowid", lineage=True), as_of=clock.now(),
            parameters=parameters(con, name, q), mode="check",
            future_tolerance_minutes=q.future_tolerance_minutes, chunk_rows=q.chunk_rows,
            sample_rows=q.sample_rows)
        run = RunRecord.of(validation, "check", f"core.{name}", started_at=started)
        run.message = summary(run)
        store_run(con, run)
        runs.append(run)
    return runs


TS = pl.Datetime("us", "UTC")
LATEST_SCHEMA = {
    "dataset": pl.Utf8, "kind": pl.Utf8, "run_id": pl.Utf8, "load_id": pl.Utf8, "source_file": pl.Utf8,
    "started_at": TS, "rows_checked": pl.Int64, "run_outcome": pl.Utf8, "position": pl.Int32,
    "expectation": pl.Utf8, "expectation_type": pl.Utf8, "column_name": pl.Utf8, "severity": pl.Utf8,
    "success": pl.Boolean, "observed_value": pl.Utf8, "element_count": pl.Int64, "unexpected_count": pl.Int64,
    "unexpected_percent": pl.Float64, "sample_rows": pl.Utf8, "exception": pl.Utf8, "notes": pl.Utf8,
}
QUARANTINE_SCHEMA = {
    "dataset": pl.Utf8, "record_key": pl.Utf8, "expectation": pl.Utf8, "column_name": pl.Utf8,
    "offending_values": pl.Utf8, "source_file": pl.Utf8, "source_row": pl.Int64, "load_id": pl.Utf8,
    "quarantined_at": TS, "released_at": TS, "resolution": pl.Utf8, "released_by_load_id": pl.Utf8,
    "row_values": pl.Utf8, "run_id": pl.Utf8, "expectation_type": pl.Utf8,
}


def has_quality_tables(con: duckdb.DuckDBPyConnection) -> bool:
    """False for a warehouse published before the data-quality tables existed (until its next load)."""
    return con.execute("SELECT count(*) FROM duckdb_views() WHERE schema_name = 'meta' "
                       "AND view_name = 'dq_latest_results'").fetchall()[0][0] > 0


def latest_results(con: duckdb.DuckDBPyConnection, dataset: str | None = None) -> pl.DataFrame:
    """The latest run of each dataset's suite with one row per expectation (meta.dq_latest_results)."""
    if not has_quality_tables(con):
        return pl.DataFrame(schema=LATEST_SCHEMA)
    return con.sql("SELECT * FROM meta.dq_latest_results WHERE ? IS NULL OR dataset = ? "
                   "ORDER BY dataset, position", params=[dataset, dataset]).pl()


def latest_runs(con: duckdb.DuckDBPyConnection, limit: int = 20) -> pl.DataFrame:
    """The most recent suite runs, newest first."""
    if not has_quality_tables(con):
        return pl.DataFrame()
    return con.sql("SELECT * FROM meta.dq_runs ORDER BY finished_at DESC LIMIT ?", params=[limit]).pl()


def quarantined_rows(con: duckdb.DuckDBPyConnection, dataset: str | None = None,
                     include_released: bool = False, limit: int | None = None) -> pl.DataFrame:
    """Rows held back by row-level expectations, newest first; open ones only unless include_released."""
    if not has_quality_tables(con):
        return pl.DataFrame(schema=QUARANTINE_SCHEMA)
    return con.sql("""
        SELECT dataset, record_key, expectation, column_name, offending_values, source_file, source_row,
               load_id, quarantined_at, released_at, resolution, released_by_load_id, row_values, run_id,
               expectation_type
        FROM meta.quarantine
        WHERE (? IS NULL OR dataset = ?) AND (? OR released_at IS NULL)
        ORDER BY quarantined_at DESC, dataset, source_file, source_row, expectation
        LIMIT ?
    """, params=[dataset, dataset, include_released, limit]).pl()


def open_quarantine_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    """(dataset, open quarantine entries), by dataset."""
    if not has_quality_tables(con):
        return []
    return con.execute("SELECT dataset, count(*) FROM meta.quarantine WHERE released_at IS NULL "
                       "GROUP BY dataset ORDER BY dataset").fetchall()
