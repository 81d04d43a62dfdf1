"""Canonical batch -> Great Expectations results, one suite per dataset. Reads DuckDB; never writes.

A suite is `expectations/<dataset>.json` in GX's own format (`name`, `expectations`: `type`, `kwargs`,
`meta`) so a data steward can read and edit it; each expectation's `meta` adds what GX does not know:
  name        a short stable id (results and quarantine refer to it)
  severity    "blocking" (refuse the batch), "row-level" (quarantine the failing rows), "warning" (record)
  applies_to  "load", "check" or both (default): e.g. the volume check only means something for a load
  notes       what it protects, for the steward and the dashboard
Values that depend on the run are GX suite parameters: {"$PARAMETER": "freshness_days"} etc. (`PARAMETERS`).

The batch reaches GX through its pandas path: GX 1.24's SQL datasource over duckdb-engine fails every
expectation (GX #10738, #11579). DuckDB selects only the columns the suite refers to, plus derived columns for
what GX cannot see from one row of one table (`DERIVED`: the ticket of a survey, the load time); the frame's
index is the batch's `__row` (the line in the source file), so GX's `unexpected_index_list` names the lines.
Batches larger than `chunk_rows` are validated in chunks split by a hash of the key (so duplicates of a key
meet in one chunk); aggregate expectations then run once on a frame of only the columns they need.
"""

from __future__ import annotations

import hashlib
import json
import math
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from pipelines import deferred
from pipelines.datasets import DATASETS, Dataset
from pipelines.read import ROW
from pipelines.warehouse import sql_string

if TYPE_CHECKING:  # pandas is imported with GX (warm_up's thread), not by every `sqd` command
    import pandas as pd

SEVERITIES = ("blocking", "row-level", "warning")
CHUNK = "__chunk"
MODES = ("load", "check")
PARAMETERS = ("freshness_days", "volume_min", "volume_max")
SUITES_SHIPPED = Path(__file__).resolve().parent.parent / "expectations"
SCHEMA_TYPES = ("expect_column_to_exist",)          # and every expect_table_column* expectation
COLUMN_KWARGS = ("column", "column_A", "column_B")
SET_TYPES = ("expect_column_values_to_be_in_set", "expect_column_values_to_not_be_in_set")


class SuiteError(ValueError):
    """A suite file that cannot be used; the message names the file and the expectation."""


# ---------------------------------------------------------------- derived columns
@dataclass(frozen=True)
class Derived:
    """A column computed by DuckDB for GX: an SQL expression over the batch `s` (and `join`)."""

    sql: str
    columns: tuple[str, ...]              # the real columns it reads: the offending values of a failure
    description: str
    join: str = ""


def _least_after(first: str, later: Sequence[str]) -> str:
    return f"coalesce(s.{first} <= least({', '.join(f's.{c}' for c in later)}), true)"


def _not_in_future(timestamps: Sequence[str], dates: Sequence[str] = ()) -> Derived:
    values = [f"s.{c}" for c in timestamps] + [f"CAST(s.{c} AS TIMESTAMPTZ)" for c in dates]
    return Derived(f"coalesce(greatest({', '.join(values)}) <= $future_limit, true)", (*timestamps, *dates),
                   "no timestamp or date later than the load time (plus the allowed clock skew)")


def _age_days(column: str) -> Derived:
    return Derived(f"(epoch($as_of) - epoch(s.{column})) / 86400.0", (column,),
                   f"age of {column} at the load time, in days (freshness = the youngest record's age)")


TICKET_TIMES = ("created_at", "recorded_at", "dispatched_at", "first_response_at", "on_site_at",
                "resolved_at", "closed_at")
TICKETS_OF_SURVEYS = ("LEFT JOIN (SELECT ticket_id, max(resolved_at) AS resolved_at FROM core.tickets "
                      "GROUP BY ticket_id) AS t ON t.ticket_id = s.ticket_id")

EVENTS_TICKETS = "LEFT JOIN core.tickets AS tk ON tk.ticket_id = s.ticket_id"
# per ticket of the batch, once (grouped, joined back): its receipt, and its first
# dispatch and reopen in the batch or among its events already published (read for the batch's tickets only).
# One grouped pass instead of the windows over the batch and the grouping of every published event it replaces.
EVENTS_FIRSTS = ("LEFT JOIN (SELECT b.ticket_id, t.created_at, "
                 "least(b.first_dispatched_at, p.first_dispatched_at) AS first_dispatched_at, "
                 "least(b.first_reopened_at, p.first_reopened_at) AS first_reopened_at "
                 "FROM (SELECT ticket_id, min(occurred_at) FILTER (WHERE step = 'dispatched') AS first_dispatched_at, "
                 "min(occurred_at) FILTER (WHERE step = 'reopened') AS first_reopened_at "
                 "FROM {batch} GROUP BY ticket_id) AS b "
                 "LEFT JOIN core.tickets AS t ON t.ticket_id = b.ticket_id "
                 "LEFT JOIN (SELECT ticket_id, min(occurred_at) FILTER (WHERE step = 'dispatched') AS first_dispatched_at, "
                 "min(occurred_at) FILTER (WHERE step = 'reopened') AS first_reopened_at "
                 "FROM core.ticket_events WHERE ticket_id IN (SELECT ticket_id FROM {batch}) "
                 "GROUP BY ticket_id) AS p ON p.ticket_id = t.ticket_id) AS ev "
                 "ON ev.ticket_id IS NOT DISTINCT FROM s.ticket_id")

DERIVED: dict[str, dict[str, Derived]] = {
    "tickets": {
        "__timestamps_in_order": Derived(
            " AND ".join([
                _least_after("created_at", ("dispatched_at", "first_response_at", "on_site_at", "resolved_at",
                                            "closed_at")),
                _least_after("first_response_at", ("resolved_at", "closed_at")),
                _least_after("resolved_at", ("closed_at",)),
            ]),
            ("created_at", "dispatched_at", "first_response_at", "on_site_at", "resolved_at", "closed_at"),
            "created <= first response <= resolved <= closed, and dispatch and on-site not before creation "
            "(missing steps skipped)"),
        "__not_in_future": _not_in_future(TICKET_TIMES),
        "__age_days": _age_days("created_at"),
    },
    "surveys": {
        "__timestamps_in_order": Derived(_least_after("attempted_at", ("responded_at",)),
                                         ("attempted_at", "responded_at"),
                                         "responded_at not before attempted_at"),
        "__not_in_future": _not_in_future(("attempted_at", "responded_at")),
        "__age_days": _age_days("attempted_at"),
        "__ticket_exists": Derived("s.ticket_id IS NULL OR t.ticket_id IS NOT NULL", ("ticket_id",),
                                   "the survey's ticket is in core.tickets (published before or in this run)",
                                   TICKETS_OF_SURVEYS),
        "__after_ticket_resolution": Derived("coalesce(s.attempted_at >= t.resolved_at, true)",
                                             ("ticket_id", "attempted_at"),
                                             "the follow-up was attempted after its ticket was resolved",
                                             TICKETS_OF_SURVEYS),
    },
    "inspections": {
        "__timestamps_in_order": Derived("coalesce(s.production_date <= CAST(s.inspected_at AS DATE), true)",
                                         ("production_date", "inspected_at"),
                                         "production_date not after the inspection day (local time)"),
        "__not_in_future": _not_in_future(("inspected_at",), ("production_date",)),
        "__age_days": _age_days("inspected_at"),
    },
    "nonconformities": {
        "__timestamps_in_order": Derived("coalesce(s.production_date <= CAST(s.found_at AS DATE), true)",
                                         ("production_date", "found_at"),
                                         "production_date not after the day the nonconformity was found"),
        "__not_in_future": _not_in_future(("found_at",), ("production_date",)),
        "__age_days": _age_days("found_at"),
        # issue 15: the disposition's loss rule ([loss_rules]) needs a price the configuration lacks for the product
        # and the source gives no amount: metrics.nonconformity_costs marks the row loss_rule = 'no_price'
        "__loss_rule_priced": Derived(
            "NOT coalesce(nr.rule IN ('material_cost', 'price_difference', 'revenue_share') AND np.product IS NULL "
            "AND s.qty IS NOT NULL AND (CASE WHEN nr.rule = 'material_cost' THEN s.material_cost "
            "ELSE s.discount_cost END) IS NULL, false)",
            ("product", "disposition", "qty", "material_cost", "discount_cost"),
            "the disposition's loss rule has the product's price, or the source gives the amount",
            "LEFT JOIN (SELECT split_part(key, '|', 2) AS disposition, value AS rule FROM meta.settings "
            "WHERE starts_with(key, 'nc_rule|')) AS nr ON nr.disposition = s.disposition "
            "LEFT JOIN (SELECT DISTINCT split_part(key, '|', 2) AS product FROM meta.settings "
            "WHERE starts_with(key, 'nc_price|')) AS np ON np.product = s.product"),
    },
    "calls": {
        "__answered_after_offered": Derived("coalesce(s.answered_at >= s.offered_at, true)",
                                            ("offered_at", "answered_at"), "answered_at not before offered_at"),
        "__abandoned_after_offered": Derived("coalesce(s.abandoned_at >= s.offered_at, true)",
                                             ("offered_at", "abandoned_at"), "abandoned_at not before offered_at"),
        "__ended_after_start": Derived("coalesce(s.ended_at >= greatest(s.offered_at, s.answered_at, s.abandoned_at),"
                                       " true)", ("offered_at", "answered_at", "abandoned_at", "ended_at"),
                                       "ended_at not before the call was offered, answered or abandoned"),
        "__answered_or_abandoned": Derived("NOT (s.answered_at IS NOT NULL AND s.abandoned_at IS NOT NULL)",
                                           ("answered_at", "abandoned_at"),
                                           "a call is answered or abandoned, not both"),
        "__call_hours": Derived("(epoch(s.ended_at) - epoch(s.offered_at)) / 3600.0", ("offered_at", "ended_at"),
                                "hours from offered to ended"),
        # the agent's previous call (by answer time, within the batch) ended after this one was answered; calls
        # without an agent are no one's (PARTITION BY would put them all in one partition and compare them)
        "__agent_free": Derived("s.agent IS NULL OR coalesce(s.answered_at >= lag(s.ended_at) OVER "
                                "(PARTITION BY s.agent ORDER BY s.answered_at), true)", ("agent", "answered_at", "ended_at"),
                                "the agent's previous call in the batch had ended when this one was answered"),
        "__not_in_future": _not_in_future(("offered_at", "answered_at", "abandoned_at", "ended_at")),
        "__age_days": _age_days("offered_at"),
    },
    "ticket_events": {
        # events of a ticket the warehouse does not hold wait in quarantine; pipelines/waiting.py publishes them
        # when a later load brings the ticket
        "__ticket_exists": Derived("tk.ticket_id IS NOT NULL", ("ticket_id",),
                                   "the event's ticket is in core.tickets (published before or in this run)",
                                   EVENTS_TICKETS),
        # a department's step (reply, return, transfer, re-dispatch) before the ticket's first dispatch (in the
        # warehouse or this batch), unless the ticket was reopened in between; nothing before its receipt
        "__steps_in_order": Derived(
            "coalesce(s.occurred_at >= ev.created_at, true) AND NOT coalesce("
            "s.step IN ('replied', 'returned', 'transferred', 'redispatched') AND s.occurred_at < "
            "ev.first_dispatched_at AND NOT coalesce(ev.first_reopened_at BETWEEN s.occurred_at AND "
            "ev.first_dispatched_at, false), false)",
            ("ticket_id", "step", "occurred_at"),
            "no step before the ticket was received, and no reply, return, transfer or re-dispatch before its "
            "first dispatch (unless reopened in between)",
            EVENTS_FIRSTS),
        "__transfer_has_department": Derived("s.step IS DISTINCT FROM 'transferred' OR s.to_department IS NOT NULL",
                                             ("step", "to_department"),
                                             "a transfer names the department receiving it"),
        "__review_has_verdict": Derived("s.step IS DISTINCT FROM 'reviewed' OR s.verdict IS NOT NULL",
                                        ("step", "verdict"), "a review records its verdict"),
        "__appeal_has_ticket": Derived("s.step IS DISTINCT FROM 'appealed' OR s.appeal_ticket_id IS NOT NULL",
                                       ("step", "appeal_ticket_id"),
                                       "an appeal names the appeal ticket it opened"),
        "__not_in_future": _not_in_future(("occurred_at",)),
        "__age_days": _age_days("occurred_at"),
    },
    # issue 15: a step is not before the nonconformity was found (the found step of this file or published, or
    # nonconformities.found_at, whichever is earliest); a re-inspection carries its result
    "nonconformity_events": {
        "__after_found": Derived(
            "coalesce(s.occurred_at >= least(min(s.occurred_at) FILTER (WHERE s.step = 'found') OVER "
            "(PARTITION BY s.nc_id), ncf.found_at), true)", ("nc_id", "step", "occurred_at"),
            "the step is not earlier than the nonconformity's finding",
            "LEFT JOIN (SELECT nc_id, min(found_at) AS found_at FROM (SELECT nc_id, found_at FROM core.nonconformities "
            "UNION ALL SELECT nc_id, occurred_at FROM core.nonconformity_events WHERE step = 'found') "
            "GROUP BY nc_id) AS ncf ON ncf.nc_id = s.nc_id"),
        "__reinspection_has_result": Derived("(s.step = 'reinspected') = (s.reinspection_result IS NOT NULL)",
                                             ("step", "reinspection_result"),
                                             "a reinspected step has a result, and no other step has one"),
        "__grade_a_route": Derived("NOT coalesce(s.grade = 'A' AND s.disposition <> 'scrap', false)",
                                   ("grade", "disposition"), "grade A is only scrapped (002 第五部 4.1.2)"),
        "__not_in_future": _not_in_future(("occurred_at",)),
        "__age_days": _age_days("occurred_at"),
    },
    "roster": {
        "__available_when_logged_in": Derived("NOT coalesce(s.is_available AND NOT s.is_logged_in, false)",
                                              ("is_logged_in", "is_available"),
                                              "not available while logged out"),
        "__age_days": _age_days("interval_start"),
    },
}


# ---------------------------------------------------------------- suites
@dataclass(frozen=True)
class Check:
    """One expectation of a suite, with our severity and the columns it reads."""

    name: str
    type: str
    kwargs: dict
    meta: dict
    severity: str
    kind: str                             # "schema" | "aggregate" | "map" (row by row: can quarantine)
    columns: tuple[str, ...]              # columns in kwargs (real or derived)
    applies_to: tuple[str, ...]
    offending_columns: tuple[str, ...]    # real columns to show for a failing row

    @property
    def label(self) -> str:
        cols = ", ".join(self.columns)
        return f"{self.type}({cols})" if cols else self.type

    @property
    def notes(self) -> str:
        return str(self.meta.get("notes", ""))

    def gx(self):
        gx_imported()
        from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

        return ExpectationConfiguration(type=self.type, kwargs=self.kwargs, meta=self.meta).to_domain_obj()


@dataclass(frozen=True)
class Suite:
    dataset: Dataset
    name: str
    path: Path
    sha256: str
    checks: tuple[Check, ...]


def suite_path(dataset: str, folder: Path) -> Path:
    """`folder/<dataset>.json`; a project without its own suite uses the one shipped beside the code."""
    path = Path(folder) / f"{dataset}.json"
    if not path.exists() and (SUITES_SHIPPED / f"{dataset}.json").exists():
        return SUITES_SHIPPED / f"{dataset}.json"
    return path


def load_suite(dataset: Dataset | str, folder: Path) -> Suite:
    dataset = DATASETS[dataset] if isinstance(dataset, str) else dataset
    path = suite_path(dataset.name, folder)
    try:
        stat = path.stat()
    except FileNotFoundError as exc:
        raise SuiteError(f"{path}: no expectation suite for {dataset.name}") from exc
    return _load_suite(dataset.name, str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _load_suite(dataset_name: str, path_text: str, _mtime: int, _size: int) -> Suite:
    path, dataset = Path(path_text), DATASETS[dataset_name]
    data = path.read_bytes()
    try:
        raw = json.loads(data)
    except json.JSONDecodeError as exc:
        raise SuiteError(f"{path}: not valid JSON: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("expectations"), list):
        raise SuiteError(f"{path}: expected an object with a list 'expectations'")
    checks, names = [], set()
    for i, item in enumerate(raw["expectations"], start=1):
        check = _check(item, dataset, f"{path}: expectation #{i}")
        if check.name in names:
            raise SuiteError(f"{path}: expectation #{i}: meta.name {check.name!r} is used twice")
        names.add(check.name)
        checks.append(check)
    return Suite(dataset=dataset, name=str(raw.get("name") or dataset.name), path=path,
                 sha256=hashlib.sha256(data).hexdigest(), checks=tuple(checks))


def _kind(type_: str, where: str) -> str:
    gx_imported()
    from great_expectations.expectations.expectation import (
        ColumnMapExpectation,
        ColumnPairMapExpectation,
        MulticolumnMapExpectation,
    )
    from great_expectations.expectations.registry import get_expectation_impl

    try:
        impl = get_expectation_impl(type_)
    except Exception as exc:  # GX raises its own error types for unknown names
        raise SuiteError(f"{where}: {type_!r} is not a Great Expectations expectation") from exc
    if type_ in SCHEMA_TYPES or type_.startswith("expect_table_column"):
        return "schema"
    if issubclass(impl, ColumnMapExpectation | ColumnPairMapExpectation | MulticolumnMapExpectation):
        return "map"
    return "aggregate"


def _check(item: dict, dataset: Dataset, where: str) -> Check:
    if not isinstance(item, dict) or not isinstance(item.get("type"), str):
        raise SuiteError(f"{where}: needs a 'type' (the GX expectation name)")
    type_, kwargs, meta = item["type"], dict(item.get("kwargs") or {}), dict(item.get("meta") or {})
    kind = _kind(type_, where)
    columns = [kwargs[k] for k in COLUMN_KWARGS if isinstance(kwargs.get(k), str)]
    columns += [c for c in kwargs.get("column_list") or [] if isinstance(c, str)]
    derived = DERIVED.get(dataset.name, {})
    if kind != "schema":
        unknown = [c for c in columns if c not in dataset.columns and c not in derived]
        if unknown:
            raise SuiteError(f"{where} ({type_}): {unknown} are not {dataset.name} columns; columns are "
                             f"{list(dataset.columns)}, derived columns {list(derived)}")
    name = str(meta.get("name") or f"{type_.removeprefix('expect_')}:{','.join(columns)}")
    meta["name"] = name
    severity = meta.get("severity", "blocking")
    if severity not in SEVERITIES:
        raise SuiteError(f"{where} ({name}): meta.severity must be one of {SEVERITIES}, not {severity!r}")
    if severity == "row-level" and kind != "map":
        raise SuiteError(f"{where} ({name}): only row-by-row expectations can be row-level; {type_} judges "
                         "the whole batch: use blocking or warning")
    applies = meta.get("applies_to", list(MODES))
    applies = (applies,) if isinstance(applies, str) else tuple(applies)
    if not applies or set(applies) - set(MODES):
        raise SuiteError(f"{where} ({name}): meta.applies_to must be 'load', 'check' or both")
    for value in kwargs.values():
        if isinstance(value, dict) and "$PARAMETER" in value and value["$PARAMETER"] not in PARAMETERS:
            raise SuiteError(f"{where} ({name}): unknown parameter {value['$PARAMETER']!r}; "
                             f"known: {PARAMETERS}")
    offending: list[str] = []
    for c in columns:
        for real in (derived[c].columns if c in derived else (c,)):
            if real not in offending:
                offending.append(real)
    return Check(name=name, type=type_, kwargs=kwargs, meta=meta, severity=severity, kind=kind,
                 columns=tuple(columns), applies_to=applies, offending_columns=tuple(offending))


# ---------------------------------------------------------------- GX, once per process
_GX_LOCK = threading.RLock()
_GX: dict[str, object] = {}


def gx_imported() -> None:
    """Wait until GX is fully imported. Importing a GX module while warm_up()'s thread is half-way through the
    package would see its expectation registry half-filled; the lock makes the two imports take turns.
    scipy.stats and altair, which GX imports but the gate never uses, are imported only if something uses them
    (pipelines/deferred.py): 2 of GX's 5 s."""
    with _GX_LOCK:
        deferred.defer("scipy.stats", "altair")
        import great_expectations  # noqa: F401


def gx_context():
    """An ephemeral GX context with one pandas dataframe asset; creating it is slow, so it is made once."""
    with _GX_LOCK:
        if "context" not in _GX:
            gx_imported()
            import great_expectations as gx
            import great_expectations.execution_engine.pandas_execution_engine as pandas_engine

            # GX fingerprints every pandas batch under 1 GB with hash_pandas_object (about 1 s per million rows,
            # twice per validation); the fingerprint is only a batch marker, which we do not use.
            pandas_engine.HASH_THRESHOLD = 0
            context = gx.get_context(mode="ephemeral")
            context.variables.progress_bars = {"globally": False}
            _GX["context"] = context
        return _GX["context"]


def _batch_definition():
    with _GX_LOCK:
        if "batch" not in _GX:
            source = gx_context().data_sources.add_pandas("sqd_batches")
            _GX["batch"] = source.add_dataframe_asset("batch").add_batch_definition_whole_dataframe("whole")
        return _GX["batch"]


def warm_up() -> None:
    """Import GX and make its context in a background thread (about 5 s, pure Python) while the caller reads
    and maps a file: Polars and DuckDB release the GIL, so the import overlaps that work. Once per process."""
    with _GX_LOCK:
        if "batch" in _GX or "warm_up" in _GX:
            return
        _GX["warm_up"] = threading.Thread(target=_batch_definition, name="gx-warm-up", daemon=True)
    _GX["warm_up"].start()


def _gx_run(frame: pd.DataFrame, checks: Sequence[Check], result_format, parameters: dict) -> dict:
    definition = _batch_definition()
    from great_expectations.core import ExpectationSuite

    suite = ExpectationSuite(name="sqd", expectations=[c.gx() for c in checks])
    batch = definition.get_batch(batch_parameters={"dataframe": frame})
    outcome = batch.validate(suite, result_format=result_format, expectation_parameters=parameters)
    return {r.expectation_config.meta["name"]: r for r in outcome.results}


COMPLETE = {"result_format": "COMPLETE", "return_unexpected_index_query": False,
            "partial_unexpected_count": 5}


# ---------------------------------------------------------------- results
@dataclass(eq=False)
class CheckResult:
    check: Check
    success: bool
    observed_value: object = None
    element_count: int | None = None
    unexpected_count: int | None = None
    missing_count: int | None = None
    failing_rows: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    sample: list[dict] = field(default_factory=list)
    exception: str | None = None
    kwargs: dict = field(default_factory=dict)

    @property
    def unexpected_percent(self) -> float | None:
        if self.unexpected_count is None or not self.element_count:
            return None
        base = self.element_count - (self.missing_count or 0)
        return 100.0 * self.unexpected_count / base if base else None

    def describe(self) -> str:
        """One line: what failed and where (file lines in a load, keys in a check)."""
        c = self.check
        if self.exception:
            return f"{c.name} [{c.severity}] {c.label}: could not be evaluated: {self.exception}"
        if c.kind == "map":
            head = (f"{c.name} [{c.severity}] {c.label}: {self.unexpected_count:,} of {self.element_count:,} "
                    "row(s) fail")
            examples = "; ".join(_sample_text(s) for s in self.sample)
            return head + (f"; e.g. {examples}" if examples else "")
        expected = {k: v for k, v in self.kwargs.items() if k not in ("batch_id", "column") and v is not None}
        observed = _display(self.observed_value)
        return f"{c.name} [{c.severity}] {c.label}: observed {observed}, expected {expected}"


def _sample_text(sample: dict) -> str:
    where = f"row {sample['row']}" if "row" in sample else "record"
    values = ", ".join(f"{k}={v!r}" for k, v in sample["values"].items())
    return f"{where}: {values}"


def _display(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return json.dumps(value, default=str) if isinstance(value, dict | list) else str(value)


def _exception(result) -> str | None:
    info = result.exception_info or {}
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


def _plain(value):
    """GX observed values -> JSON-able Python."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, datetime | date):  # pandas.Timestamp is a datetime
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _index_rows(items: Iterable) -> np.ndarray:
    rows = [item[ROW] if isinstance(item, dict) else item for item in items]
    return np.asarray(rows, dtype=np.int64)


# ---------------------------------------------------------------- the batch as frames
@dataclass(frozen=True)
class Source:
    """What to validate: the staged batch (`__row` = line in the file) or a published table (`rowid`)."""

    relation: str
    row: str = ROW
    lineage: bool = False                 # show load_id / source_file beside failing rows (published tables)


def _select(dataset: Dataset, source: Source, columns: Iterable[str],
            proxies: frozenset[str] = frozenset()) -> tuple[str, str]:
    """SELECT list and joins for the given real/derived columns (identifiers from the model only); a column in
    `proxies` is given as its 63-bit hash (KEY_PROXIES)."""
    derived = DERIVED.get(dataset.name, {})
    items, joins = [f"s.{source.row} AS {ROW}"], []
    for c in columns:
        if c in derived:
            d = derived[c]
            items.append(f'({d.sql}) AS "{c}"')
            join = d.join.replace("{batch}", source.relation)   # a join may read the batch itself
            if join and join not in joins:
                joins.append(join)
            continue
        dtype = dataset.columns[c]
        if c in proxies:
            items.append(f'CAST(hash(s."{c}") >> 1 AS BIGINT) AS "{c}"')
        elif dtype.is_integer():
            items.append(f's."{c}"::BIGINT AS "{c}"')      # int64 / float64: GX's vectorised numeric path
        elif isinstance(dtype, pl.Decimal):
            items.append(f's."{c}"::DOUBLE AS "{c}"')
        else:
            items.append(f's."{c}"')
    return ", ".join(items), " ".join(joins)


def _frame(con, dataset: Dataset, source: Source, columns: Sequence[str], categorical: set[str],
           params: dict, proxies: frozenset[str] = frozenset()) -> pd.DataFrame:
    select, joins = _select(dataset, source, columns, proxies)
    sql = f"SELECT {select} FROM {source.relation} AS s {joins}"
    bind = {k: v for k, v in params.items() if f"${k}" in sql}
    return _pandas(con.sql(sql, params=bind).to_arrow_table(), categorical)


def _partition(con, dataset: Dataset, source: Source, columns: Sequence[str], params: dict, chunks: int,
               folder: Path, proxies: frozenset[str] = frozenset()) -> None:
    """Split a large batch by a hash of its key into `chunks` Parquet folders, in one pass (so duplicates of a key
    meet in one chunk). Filtering the batch once per chunk instead read it `chunks` times: 10M tickets, 23 s."""
    select, joins = _select(dataset, source, columns, proxies)
    sql = (f"COPY (SELECT {select}, hash(s.\"{dataset.key}\") % {int(chunks)} AS {CHUNK} "
           f"FROM {source.relation} AS s {joins}) "
           f"TO {sql_string(folder)} (FORMAT parquet, PARTITION_BY ({CHUNK}), OVERWRITE_OR_IGNORE)")
    con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql})


def _spill_folder(con) -> str | None:
    """DuckDB's temp_directory when it is set to a real folder (a load's is beside the warehouse), else the system's."""
    folder = con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0]
    if folder and folder != ".tmp":
        Path(folder).mkdir(parents=True, exist_ok=True)
        return folder
    return None


def _pandas(table: pa.Table, categorical: set[str]) -> pd.DataFrame:
    if categorical:
        # Low-cardinality text as pandas categoricals: value-set checks and row filters on codes, not strings.
        table = pa.table([pc.dictionary_encode(col) if name in categorical else col
                          for name, col in zip(table.column_names, table.columns, strict=True)],
                         names=table.column_names)
    return table.to_pandas().set_index(ROW)


# A long text key made of other columns (ticket_events' event_id: ticket|step|time, about 45 characters) cost the
# gate more than any expectation: written to Parquet per chunk, turned into Python strings, hashed again by pandas
# for uniqueness (1-2 s per million rows). When every expectation reading it only compares its values for equality
# or nullness, GX is given a 63-bit hash of it instead when none is null. Equal keys have equal hashes, so when GX
# finds the hashes unique the keys are; should an expectation on the hash fail (duplicates, or two keys whose hashes
# collide), validate_batch runs again on the text, which decides. Failing rows are shown with their real values
# (_samples reads the batch). Any other expectation on the column (a pattern, a length) keeps the text.
# calls' call_id too (issue 16 speed): its two checks at 1M calls 1.16-1.53 s on the text, 0.33-0.42 s on the hash.
KEY_PROXIES: dict[str, str] = {"ticket_events": "event_id", "calls": "call_id"}
EQUALITY_ONLY = ("expect_column_values_to_be_unique", "expect_column_values_to_not_be_null")


def _proxies(con, dataset: Dataset, source: Source, checks: Sequence[Check], present: set[str]) -> frozenset[str]:
    column = KEY_PROXIES.get(dataset.name)
    if column is None or column not in present:
        return frozenset()
    # schema checks (expect_column_to_exist) read an empty frame of the text columns, never the proxied one
    readers = [c for c in checks if column in c.columns and c.kind != "schema"]
    if not readers or any(c.type not in EQUALITY_ONLY for c in readers):
        return frozenset()
    # identifiers from the registry (a null's hash is not null: with a null key the text is checked)
    nulls = con.execute(f'SELECT count(*) FROM {source.relation} WHERE "{column}" IS NULL').fetchall()[0][0]
    return frozenset({column}) if nulls == 0 else frozenset()


def _columns_for(checks: Iterable[Check], available: set[str]) -> list[str]:
    out: list[str] = []
    for check in checks:
        for c in check.columns:
            if c in available and c not in out:
                out.append(c)
    return out


# ---------------------------------------------------------------- validation
@dataclass
class Validation:
    suite: Suite
    rows: int
    results: list[CheckResult]
    seconds: float
    chunks: int
    as_of: datetime

    def failed(self, *severities: str) -> list[CheckResult]:
        return [r for r in self.results
                if not r.success and (not severities or r.check.severity in severities)]


def run_parameters(as_of: datetime, future_tolerance_minutes: int) -> dict:
    import datetime as dt

    return {"as_of": as_of, "future_limit": as_of + dt.timedelta(minutes=future_tolerance_minutes)}


def validate_batch(con: duckdb.DuckDBPyConnection, suite: Suite, source: Source, *, as_of: datetime,
                   parameters: dict, mode: str = "load", future_tolerance_minutes: int = 10,
                   chunk_rows: int = 1_000_000, sample_rows: int = 5, key_proxy: bool = True) -> Validation:
    """Run the suite on `source`; results in suite order. Map checks carry their failing rows. `key_proxy`: may
    a long key be checked through its hash (KEY_PROXIES; off for the re-run that decides on the text)."""
    started = time.perf_counter()
    dataset = suite.dataset
    checks = [c for c in suite.checks if mode in c.applies_to]
    gx_params = {k: parameters.get(k) for k in PARAMETERS}
    sql_params = run_parameters(as_of, future_tolerance_minutes)
    present = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source.relation}").fetchall()}
    available = (present & set(dataset.columns)) | {
        name for name, d in DERIVED.get(dataset.name, {}).items() if set(d.columns) <= present}
    rows = con.execute(f"SELECT count(*) FROM {source.relation}").fetchall()[0][0]
    chunks = max(1, math.ceil(rows / chunk_rows))

    schema = [c for c in checks if c.kind == "schema"]
    aggregate = [c for c in checks if c.kind == "aggregate"]
    mapped = [c for c in checks if c.kind == "map"]
    proxies = _proxies(con, dataset, source, checks, present) if key_proxy else frozenset()
    categorical = {c.kwargs["column"] for c in mapped
                   if c.type in SET_TYPES and c.kwargs.get("column") in present
                   and dataset.columns.get(c.kwargs["column"]) == pl.Utf8}
    results: dict[str, CheckResult] = {}

    if schema:
        cols = [c for c in dataset.columns if c in present]
        quoted = ", ".join(f'"{c}"' for c in cols) or "NULL AS none"
        empty = con.sql(f"SELECT {quoted} FROM {source.relation} LIMIT 0").to_arrow_table().to_pandas()
        for name, r in _gx_run(empty, schema, "SUMMARY", gx_params).items():
            results[name] = _aggregate_result(_by_name(schema, name), r)

    map_cols = _columns_for(mapped, available)
    agg_cols = _columns_for(aggregate, available)
    acc = {c.name: CheckResult(check=c, success=True, element_count=0, unexpected_count=0, missing_count=0)
           for c in mapped}
    parts: dict[str, list[np.ndarray]] = {c.name: [] for c in mapped}
    with tempfile.TemporaryDirectory(prefix="sqd-gx-", dir=_spill_folder(con)) as folder:
        if chunks > 1:
            _partition(con, dataset, source, map_cols, sql_params, chunks, Path(folder), proxies)
        for i in range(chunks):
            if chunks == 1:
                cols = map_cols + [c for c in agg_cols if c not in map_cols]
                frame = _frame(con, dataset, source, cols, categorical, sql_params, proxies)
            else:
                files = Path(folder) / f"{CHUNK}={i}"
                if not files.exists():      # no key hashed to this chunk
                    continue
                frame = _pandas(con.sql(f"SELECT * FROM read_parquet({sql_string(f'{files}/*.parquet')}, "
                                        "hive_partitioning = false)").to_arrow_table(), categorical)
            if mapped:
                _run_map_checks(frame, mapped, gx_params, acc, parts)
            if aggregate and chunks == 1:
                for name, r in _gx_run(frame, aggregate, "SUMMARY", gx_params).items():
                    results[name] = _aggregate_result(_by_name(aggregate, name), r)
            del frame
    if aggregate and chunks > 1:
        frame = _frame(con, dataset, source, agg_cols, set(), sql_params, proxies)
        for name, r in _gx_run(frame, aggregate, "SUMMARY", gx_params).items():
            results[name] = _aggregate_result(_by_name(aggregate, name), r)
        del frame

    for check in mapped:
        result = acc[check.name]
        if parts[check.name]:
            result.failing_rows = np.unique(np.concatenate(parts[check.name]))
        mostly = check.kwargs.get("mostly")
        if isinstance(mostly, int | float) and result.exception is None and result.element_count:
            nonmissing = result.element_count - (result.missing_count or 0)
            result.success = nonmissing == 0 or 1 - result.unexpected_count / nonmissing >= mostly
        if result.failing_rows.size and sample_rows:
            result.sample = _samples(con, dataset, source, check, result.failing_rows[:sample_rows])
        results[check.name] = result
    ordered = [results[c.name] for c in checks]
    if any(not r.success and proxies & set(r.check.columns) for r in ordered):
        # duplicate keys, or two keys whose hashes collide: the text decides
        return validate_batch(con, suite, source, as_of=as_of, parameters=parameters, mode=mode,
                              future_tolerance_minutes=future_tolerance_minutes, chunk_rows=chunk_rows,
                              sample_rows=sample_rows, key_proxy=False)
    return Validation(suite=suite, rows=rows, results=ordered, seconds=time.perf_counter() - started,
                      chunks=chunks, as_of=as_of)


def _by_name(checks: Sequence[Check], name: str) -> Check:
    return next(c for c in checks if c.name == name)


def _aggregate_result(check: Check, r) -> CheckResult:
    kwargs = {k: _plain(v) for k, v in r.expectation_config.kwargs.items() if k != "batch_id"}
    exception = _exception(r)
    return CheckResult(check=check, success=bool(r.success) and exception is None,
                       observed_value=_plain((r.result or {}).get("observed_value")), exception=exception,
                       kwargs=kwargs)


def _run_map_checks(frame: pd.DataFrame, checks: Sequence[Check], params: dict, acc: dict,
                    parts: dict) -> None:
    """A cheap pass/fail first (GX's BOOLEAN_ONLY); only failing expectations are re-run for their failing
    rows. Expectations with `mostly` need the counts, so they always run in full."""
    quick = [c for c in checks if "mostly" not in c.kwargs]
    detail = [c for c in checks if c not in quick]
    for name, r in (_gx_run(frame, quick, "BOOLEAN_ONLY", params) if quick else {}).items():
        result = acc[name]
        result.kwargs = {k: _plain(v) for k, v in r.expectation_config.kwargs.items() if k != "batch_id"}
        result.element_count += len(frame)
        if r.success and _exception(r) is None:
            continue
        detail.append(_by_name(checks, name))
    if not detail:
        return
    for name, r in _gx_run(frame, detail, COMPLETE, params).items():
        result = acc[name]
        result.kwargs = {k: _plain(v) for k, v in r.expectation_config.kwargs.items() if k != "batch_id"}
        exception = _exception(r)
        if exception is not None:
            result.success, result.exception = False, exception
            continue
        res = r.result or {}
        if result.check not in quick:
            result.element_count += int(res.get("element_count") or 0)
        result.unexpected_count += int(res.get("unexpected_count") or 0)
        result.missing_count = (result.missing_count or 0) + int(res.get("missing_count") or 0)
        rows = _index_rows(res.get("unexpected_index_list") or [])
        parts[name].append(rows)
        if not r.success:
            result.success = False


def _samples(con, dataset: Dataset, source: Source, check: Check, rows: np.ndarray) -> list[dict]:
    """The first failing rows with their key and the values the expectation judged."""
    cols = [dataset.key] + [c for c in check.offending_columns if c != dataset.key]
    if source.lineage:
        cols += ["load_id", "source_file"]
    select = ", ".join(f's."{c}"' for c in cols)
    found = con.sql(f"SELECT s.{source.row} AS {ROW}, {select} FROM {source.relation} AS s "
                    f"WHERE s.{source.row} IN (SELECT unnest($rows)) ORDER BY 1",
                    params={"rows": [int(r) for r in rows]}).fetchall()
    out = []
    for row in found:
        values = {c: _plain(v) for c, v in zip(cols, row[1:], strict=True)}
        sample = {"row": int(row[0])} if source.row == ROW else {}
        sample["values"] = values
        out.append(sample)
    return out
