"""Every expectation of every suite: a good fixture passes it, a bad fixture trips it (on the named rows).

The fixtures are tests/fixtures/dq/<dataset>.csv, read and mapped by the real profile
(data/profiles/*__canonical) into a staged batch, validated by GX through pipelines.validate on a frame
built by DuckDB. Each case below edits the good file in one way; `also` lists the other expectations that
edit must trip too.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from pipelines import quality, validate
from pipelines.config import QualityConfig, load_config
from pipelines.datasets import DATASETS
from pipelines.ingest import stage
from pipelines.mapping import load_profile
from pipelines.publish import LoadInfo, merge_staged
from pipelines.read import ROW
from pipelines.validate import Source, SuiteError, load_suite, validate_batch
from pipelines.warehouse import sql_text

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "dq"
SUITES = REPO / "expectations"
AS_OF = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)          # 12:00 in Asia/Shanghai, after the fixtures
CONFIG = load_config(REPO / "sqd.toml")


@pytest.fixture(scope="session", autouse=True)
def gx_context():
    """GX takes seconds to start: one context for the whole session."""
    return validate.gx_context()


def read_rows(dataset: str) -> tuple[list[str], list[dict]]:
    with open(FIXTURES / f"{dataset}.csv", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict]) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def template(tmp_path_factory) -> Path:
    """An empty warehouse file (core + meta tables) and one with the good tickets, copied per test."""
    folder = tmp_path_factory.mktemp("template")
    con = duckdb.connect(str(folder / "empty.duckdb"))
    con.execute(sql_text("schema.sql"))
    con.execute(sql_text("quality.sql"))
    con.close()
    shutil.copy(folder / "empty.duckdb", folder / "tickets.duckdb")
    con = duckdb.connect(str(folder / "tickets.duckdb"))
    con.execute("SET TimeZone = 'Asia/Shanghai'")
    stage_file(con, "tickets", FIXTURES / "tickets.csv", folder, "good_tickets")
    load = LoadInfo("L-fixture", "tickets.csv", "0" * 64, "tickets__canonical", AS_OF)
    merge_staged(con, DATASETS["tickets"], "good_tickets", load)
    con.close()
    return folder


@pytest.fixture
def warehouse(template, tmp_path) -> Callable[..., duckdb.DuckDBPyConnection]:
    def open_copy(with_tickets: bool = False) -> duckdb.DuckDBPyConnection:
        path = tmp_path / "warehouse.duckdb"
        shutil.copy(template / ("tickets.duckdb" if with_tickets else "empty.duckdb"), path)
        con = duckdb.connect(str(path))
        con.execute("SET TimeZone = 'Asia/Shanghai'")
        return con
    return open_copy


def stage_file(con, dataset: str, path: Path, tmp_path: Path, table: str = "staged") -> None:
    profile = load_profile(REPO / "data" / "profiles" / f"{dataset}__canonical.yaml")
    parquet, _, _ = stage(path, profile, CONFIG, tmp_path)
    cols = ", ".join(f'"{c}"' for c in DATASETS[dataset].columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {ROW}, {cols} FROM read_parquet(?)",
                [str(parquet)])


# ---------------------------------------------------------------- cases
def set_(index: int, **values: str) -> Callable[[list[dict]], list[dict]]:
    """Edit row `index` (0 = the first data row = line 2 of the file)."""
    def edit(rows: list[dict]) -> list[dict]:
        rows[index].update(values)
        return rows
    return edit


@dataclass(frozen=True)
class Case:
    edit: Callable[[list[dict]], list[dict]] | None = None
    lines: tuple[int, ...] | None = None     # failing lines in the file (row-by-row expectations)
    also: tuple[str, ...] = ()               # other expectations the same edit trips
    drop: str | None = None                  # drop this column from the staged batch instead
    as_of: datetime = AS_OF
    history: tuple[int, ...] = ()            # rows of earlier published loads (meta.load_log)
    strict: bool = True                      # False: other expectations may fail too (a dropped column)
    sql: str | None = None                   # run on the staged batch (a value the mapping itself refuses)


EMPTY = Case(edit=lambda rows: [], also=("fresh_within_days",))
STALE = Case(as_of=AS_OF + timedelta(days=30))
BIG_HISTORY = Case(history=(100, 120, 110))

CASES: dict[tuple[str, str], Case] = {
    # tickets
    ("tickets", "batch_not_empty"): EMPTY,
    ("tickets", "ticket_id_present"): Case(drop="ticket_id", strict=False),
    ("tickets", "created_at_present"): Case(drop="created_at", strict=False),
    ("tickets", "ticket_id_not_null"): Case(set_(2, ticket_id=""), (4,)),
    ("tickets", "ticket_id_unique"): Case(set_(3, ticket_id="T1"), (2, 5)),
    ("tickets", "created_at_not_null"): Case(set_(1, created_at=""), (3,)),
    ("tickets", "channel_in_set"): Case(set_(0, channel="wechat"), (2,)),
    ("tickets", "ticket_type_in_set"): Case(set_(4, ticket_type="refund"), (6,)),
    ("tickets", "priority_in_set"): Case(set_(5, priority="critical"), (7,)),
    ("tickets", "complaint_grade_in_set"): Case(set_(6, complaint_grade="class_3"), (8,)),
    ("tickets", "status_in_set"): Case(set_(7, status="done"), (9,)),
    ("tickets", "coordination_level_in_set"): Case(set_(1, coordination_level="cross_city"), (3,)),
    ("tickets", "complexity_in_set"): Case(set_(1, complexity="hard"), (3,)),
    ("tickets", "distance_km_not_negative"): Case(set_(0, distance_km="-2.5"), (2,)),
    ("tickets", "reopen_count_not_negative"): Case(set_(1, reopen_count="-1"), (3,)),
    ("tickets", "timestamps_in_order"): Case(set_(0, resolved_at="2026-11-10 08:00:00"), (2,)),
    ("tickets", "not_in_future"): Case(set_(0, closed_at="2026-11-25 10:00:00"), (2,)),
    ("tickets", "fresh_within_days"): STALE,
    ("tickets", "volume_near_trailing_average"): BIG_HISTORY,
    # surveys
    ("surveys", "batch_not_empty"): EMPTY,
    ("surveys", "survey_id_present"): Case(drop="survey_id", strict=False),
    ("surveys", "attempted_at_present"): Case(drop="attempted_at", strict=False),
    ("surveys", "outcome_present"): Case(drop="outcome", strict=False),
    ("surveys", "survey_id_not_null"): Case(set_(0, survey_id=""), (2,)),
    ("surveys", "survey_id_unique"): Case(set_(5, survey_id="S2"), (3, 7)),
    ("surveys", "attempted_at_not_null"): Case(set_(1, attempted_at=""), (3,)),
    ("surveys", "outcome_not_null"): Case(set_(1, outcome=""), (3,)),
    ("surveys", "method_in_set"): Case(set_(0, method="wechat"), (2,)),
    ("surveys", "outcome_in_set"): Case(set_(1, outcome="busy"), (3,)),
    ("surveys", "score_in_scale"): Case(set_(0, score="7"), (2,)),
    ("surveys", "score_attitude_in_scale"): Case(set_(0, score_attitude="0"), (2,)),
    ("surveys", "score_skill_in_scale"): Case(set_(2, score_skill="6"), (4,)),
    ("surveys", "score_timeliness_in_scale"): Case(set_(2, score_timeliness="-1"), (4,)),
    ("surveys", "score_promise_in_scale"): Case(set_(5, score_promise="9"), (7,)),
    ("surveys", "recommend_score_in_scale"): Case(set_(5, recommend_score="11"), (7,)),
    ("surveys", "timestamps_in_order"): Case(set_(0, responded_at="2026-11-11 14:00:00"), (2,)),
    ("surveys", "not_in_future"): Case(set_(5, responded_at="2026-11-30 09:00:00"), (7,)),
    ("surveys", "ticket_exists"): Case(set_(0, ticket_id="T404"), (2,)),
    ("surveys", "after_ticket_resolution"): Case(
        set_(0, attempted_at="2026-11-10 10:00:00", responded_at="2026-11-10 10:01:00"), (2,)),
    ("surveys", "fresh_within_days"): STALE,
    ("surveys", "volume_near_trailing_average"): BIG_HISTORY,
    # inspections
    ("inspections", "batch_not_empty"): EMPTY,
    ("inspections", "lot_id_present"): Case(drop="lot_id", strict=False),
    ("inspections", "product_present"): Case(drop="product", strict=False),
    ("inspections", "inspected_at_present"): Case(drop="inspected_at", strict=False),
    ("inspections", "inspected_qty_present"): Case(drop="inspected_qty", strict=False),
    ("inspections", "nonconforming_qty_present"): Case(drop="nonconforming_qty", strict=False),
    ("inspections", "lot_id_not_null"): Case(set_(0, lot_id=""), (2,)),
    ("inspections", "lot_id_unique"): Case(set_(1, lot_id="L1"), (2, 3)),
    ("inspections", "product_not_null"): Case(set_(2, product=""), (4,)),
    ("inspections", "inspected_at_not_null"): Case(set_(3, inspected_at=""), (5,)),
    ("inspections", "inspected_qty_not_null"): Case(set_(3, inspected_qty=""), (5,)),
    ("inspections", "nonconforming_qty_not_null"): Case(set_(3, nonconforming_qty=""), (5,)),
    ("inspections", "stage_in_set"): Case(set_(0, stage="outgoing"), (2,)),
    ("inspections", "lot_qty_not_negative"): Case(set_(0, lot_qty="-5"), (2,),
                                                  also=("inspected_within_lot",)),
    ("inspections", "inspected_qty_not_negative"): Case(set_(0, inspected_qty="-1"), (2,),
                                                        also=("nonconforming_within_inspected",)),
    ("inspections", "nonconforming_qty_not_negative"): Case(set_(0, nonconforming_qty="-2"), (2,)),
    ("inspections", "nonconforming_within_inspected"): Case(set_(1, nonconforming_qty="90"), (3,)),
    ("inspections", "inspected_within_lot"): Case(set_(1, inspected_qty="1200"), (3,)),
    ("inspections", "timestamps_in_order"): Case(set_(0, production_date="2026-11-10"), (2,)),
    ("inspections", "not_in_future"): Case(set_(5, inspected_at="2026-11-25 09:00:00"), (7,)),
    ("inspections", "fresh_within_days"): STALE,
    ("inspections", "volume_near_trailing_average"): BIG_HISTORY,
    # nonconformities
    ("nonconformities", "batch_not_empty"): EMPTY,
    ("nonconformities", "nc_id_present"): Case(drop="nc_id", strict=False),
    ("nonconformities", "found_at_present"): Case(drop="found_at", strict=False),
    ("nonconformities", "nc_id_not_null"): Case(set_(4, nc_id=""), (6,)),
    ("nonconformities", "nc_id_unique"): Case(set_(4, nc_id="N4"), (5, 6)),
    ("nonconformities", "found_at_not_null"): Case(set_(1, found_at=""), (3,)),
    ("nonconformities", "disposition_in_set"): Case(set_(3, disposition="scrapped"), (5,)),
    ("nonconformities", "qty_not_negative"): Case(set_(0, qty="-2"), (2,)),
    ("nonconformities", "material_cost_not_negative"): Case(set_(2, material_cost="-8.20"), (4,)),
    ("nonconformities", "labour_cost_not_negative"): Case(set_(0, labour_cost="-35.50"), (2,)),
    ("nonconformities", "discount_cost_not_negative"): Case(set_(1, discount_cost="-12.00"), (3,)),
    ("nonconformities", "external_cost_not_negative"): Case(set_(2, external_cost="-150"), (4,)),
    ("nonconformities", "timestamps_in_order"): Case(set_(0, production_date="2026-11-11"), (2,)),
    ("nonconformities", "not_in_future"): Case(set_(5, found_at="2026-12-01 08:00:00"), (7,)),
    ("nonconformities", "fresh_within_days"): STALE,
    ("nonconformities", "volume_near_trailing_average"): BIG_HISTORY,
    # calls (issue 16's bad input)
    ("calls", "batch_not_empty"): EMPTY,
    ("calls", "call_id_present"): Case(drop="call_id", strict=False),
    ("calls", "offered_at_present"): Case(drop="offered_at", strict=False),
    ("calls", "call_id_not_null"): Case(set_(1, call_id=""), (3,)),
    ("calls", "call_id_unique"): Case(set_(3, call_id="C1"), (2, 5)),
    ("calls", "offered_at_not_null"): Case(set_(1, offered_at=""), (3,)),
    ("calls", "outcome_in_set"): Case(set_(0, outcome="busy"), (2,)),
    ("calls", "answered_before_offered"): Case(set_(2, answered_at="2026-11-20 09:01:00"), (4,)),
    ("calls", "abandoned_before_offered"): Case(set_(1, abandoned_at="2026-11-20 09:00:30",
                                                     ended_at="2026-11-20 09:01:40"), (3,)),
    ("calls", "ended_before_start"): Case(set_(0, ended_at="2026-11-20 09:00:10"), (2,)),
    ("calls", "both_answered_and_abandoned"): Case(set_(0, abandoned_at="2026-11-20 09:00:20"), (2,)),
    ("calls", "wait_negative"): Case(set_(0, wait_seconds="-12"), (2,)),
    ("calls", "talk_negative"): Case(set_(2, talk_seconds="-1"), (4,)),
    ("calls", "wrap_negative"): Case(set_(4, wrap_seconds="-90"), (6,)),
    # a 40-hour call: A1 is still on it when answering C4
    ("calls", "call_over_4_hours"): Case(set_(0, ended_at="2026-11-22 01:00:12"), (2,), also=("agent_calls_overlap",)),
    ("calls", "talk_over_4_hours"): Case(set_(0, talk_seconds="144000"), (2,)),
    # C3 given to A1 while C1 runs, and C4 then answered while C3 runs: both flagged
    ("calls", "agent_calls_overlap"): Case(set_(2, agent="A1"), (4, 5)),
    ("calls", "not_in_future"): Case(set_(4, ended_at="2026-11-30 10:11:10"), (6,), also=("call_over_4_hours",)),
    ("calls", "fresh_within_days"): STALE,
    ("calls", "volume_near_trailing_average"): BIG_HISTORY,
    # roster (the key roster_slot = agent|interval_start, made by the mapping)
    ("roster", "batch_not_empty"): EMPTY,
    ("roster", "agent_present"): Case(drop="agent", strict=False),
    ("roster", "interval_start_present"): Case(drop="interval_start", strict=False),
    ("roster", "roster_slot_not_null"): Case(set_(0, agent=""), (2,)),
    ("roster", "roster_slot_unique"): Case(set_(2, interval_start="2026-11-20 09:00:00"), (2, 4)),
    ("roster", "interval_minutes_in_range"): Case(set_(0, interval_minutes="0"), (2,)),
    ("roster", "available_but_logged_out"): Case(set_(4, is_available="true"), (6,)),
    ("roster", "fresh_within_days"): STALE,
    ("roster", "volume_near_trailing_average"): BIG_HISTORY,
    # ticket_events (T8's ten steps; the fixture carries event ids, so the key is its own column)
    ("ticket_events", "batch_not_empty"): EMPTY,
    ("ticket_events", "ticket_id_present"): Case(drop="ticket_id", strict=False),
    ("ticket_events", "occurred_at_present"): Case(drop="occurred_at", strict=False),
    ("ticket_events", "step_present"): Case(drop="step", strict=False),
    ("ticket_events", "event_id_not_null"): Case(set_(0, event_id=""), (2,)),
    ("ticket_events", "event_id_unique"): Case(set_(1, event_id="E1"), (2, 3)),
    ("ticket_events", "ticket_id_not_null"): Case(set_(9, ticket_id=""), (11,), also=("ticket_exists",)),
    # the mapping refuses an unmapped step (Dataset.strict_values); the suite guards what reaches it otherwise
    ("ticket_events", "step_in_set"): Case(sql="UPDATE staged SET step = 'paused' WHERE __row = 11", lines=(11,)),
    ("ticket_events", "verdict_in_set"): Case(set_(6, verdict="maybe"), (8,)),
    ("ticket_events", "escalation_level_in_set"): Case(set_(7, escalation_level="ceo"), (9,)),
    ("ticket_events", "appeal_grade_in_set"): Case(set_(8, appeal_grade="urgent"), (10,)),
    ("ticket_events", "ticket_exists"): Case(set_(9, ticket_id="T99"), (11,)),
    ("ticket_events", "steps_in_order"): Case(set_(5, occurred_at="2026-11-20 09:18:00"), (7,)),
    ("ticket_events", "transfer_without_department"): Case(set_(4, to_department=""), (6,)),
    ("ticket_events", "review_without_verdict"): Case(set_(6, verdict=""), (8,)),
    ("ticket_events", "appeal_without_ticket"): Case(set_(8, appeal_ticket_id=""), (10,)),
    ("ticket_events", "not_in_future"): Case(set_(9, occurred_at="2026-11-30 10:00:00"), (11,)),
    ("ticket_events", "fresh_within_days"): STALE,
    ("ticket_events", "volume_near_trailing_average"): BIG_HISTORY,
    # nonconformity_events (issue 15: N1's route through a rework, N2 found and graded A; event ids in the file)
    ("nonconformity_events", "batch_not_empty"): EMPTY,
    ("nonconformity_events", "nc_id_present"): Case(drop="nc_id", strict=False),
    ("nonconformity_events", "step_present"): Case(drop="step", strict=False),
    ("nonconformity_events", "occurred_at_present"): Case(drop="occurred_at", strict=False),
    ("nonconformity_events", "event_id_not_null"): Case(set_(0, event_id=""), (2,)),
    ("nonconformity_events", "event_id_unique"): Case(set_(1, event_id="E1"), (2, 3)),
    ("nonconformity_events", "nc_id_not_null"): Case(set_(8, nc_id=""), (10,)),
    ("nonconformity_events", "step_not_null"): Case(set_(1, step=""), (3,)),
    ("nonconformity_events", "occurred_at_not_null"): Case(set_(1, occurred_at=""), (3,)),
    ("nonconformity_events", "step_in_set"): Case(sql="UPDATE staged SET step = 'paused' WHERE __row = 9",
                                                  lines=(9,)),
    ("nonconformity_events", "grade_in_set"): Case(sql="UPDATE staged SET grade = 'C' WHERE __row = 4", lines=(4,)),
    ("nonconformity_events", "disposition_in_set"): Case(sql="UPDATE staged SET disposition = 'melt' WHERE __row = 5",
                                                         lines=(5,)),
    ("nonconformity_events", "reinspection_result_in_set"): Case(
        sql="UPDATE staged SET reinspection_result = 'maybe' WHERE __row = 8", lines=(8,)),
    ("nonconformity_events", "step_not_before_found"): Case(set_(1, occurred_at="2026-11-20 07:00:00"), (3,)),
    ("nonconformity_events", "reinspection_has_result"): Case(set_(6, reinspection_result=""), (8,)),
    ("nonconformity_events", "grade_a_scrapped_or_returned"): Case(set_(9, disposition="rework"), (11,)),
    ("nonconformity_events", "not_in_future"): Case(set_(7, occurred_at="2026-11-30 08:00:00"), (9,)),
    ("nonconformity_events", "fresh_within_days"): STALE,
    ("nonconformity_events", "volume_near_trailing_average"): BIG_HISTORY,
    # issue 15: corrective actions (CAPA); no freshness check (an action list is not a stream)
    ("corrective_actions", "batch_not_empty"): Case(edit=lambda rows: []),
    ("corrective_actions", "capa_id_present"): Case(drop="capa_id", strict=False),
    ("corrective_actions", "action_present"): Case(drop="action", strict=False),
    ("corrective_actions", "owner_present"): Case(drop="owner", strict=False),
    ("corrective_actions", "due_date_present"): Case(drop="due_date", strict=False),
    ("corrective_actions", "capa_id_not_null"): Case(set_(2, capa_id=""), (4,)),
    ("corrective_actions", "capa_id_unique"): Case(set_(1, capa_id="CA-1"), (2, 3)),
    ("corrective_actions", "action_not_null"): Case(set_(0, action=""), (2,)),
    ("corrective_actions", "owner_not_null"): Case(set_(3, owner=""), (5,)),
    ("corrective_actions", "due_date_not_null"): Case(set_(4, due_date=""), (6,)),
    ("corrective_actions", "source_type_in_set"): Case(
        sql="UPDATE staged SET source_type = 'rumour' WHERE __row = 3", lines=(3,)),
    ("corrective_actions", "status_in_set"): Case(sql="UPDATE staged SET status = 'parked' WHERE __row = 4",
                                                  lines=(4,)),
    ("corrective_actions", "verification_result_in_set"): Case(
        sql="UPDATE staged SET verification_result = 'maybe' WHERE __row = 2", lines=(2,)),
    ("corrective_actions", "metric_in_set"): Case(sql="UPDATE staged SET metric = 'happiness' WHERE __row = 5",
                                                  lines=(5,)),
    ("corrective_actions", "window_days_in_range"): Case(set_(1, window_days="400"), (3,)),
    # issue 15: a scrap without its material cost for a product the configuration does not price (warning)
    ("nonconformities", "loss_rule_has_price"): Case(
        set_(3, material_cost=""), (5,), sql="INSERT INTO meta.settings VALUES ('nc_rule|scrap', 'material_cost')"),
}

SUITE_CHECKS = [(d, c.name) for d in DATASETS for c in load_suite(d, SUITES).checks]


def run_case(warehouse, dataset: str, case: Case, tmp_path: Path, good: bool = False) -> validate.Validation:
    con = warehouse(with_tickets=dataset in ("surveys", "ticket_events"))
    header, rows = read_rows(dataset)
    if not good and case.edit:
        rows = case.edit(rows)
    stage_file(con, dataset, write_rows(tmp_path / f"{dataset}.csv", header, rows), tmp_path)
    if not good and case.drop:
        con.execute(f'ALTER TABLE staged DROP COLUMN "{case.drop}"')
    if not good and case.sql:
        con.execute(case.sql)
    for i, n in enumerate(() if good else case.history):
        con.execute("INSERT INTO meta.load_log VALUES (?, ?, 'f.csv', 'h', 'p', ?, ?, 'published', ?, ?, "
                    "0, 0, 0, NULL, NULL)", [f"L{i}", dataset, AS_OF - timedelta(days=9 - i), AS_OF, n, n])
    q = QualityConfig()
    return validate_batch(con, load_suite(dataset, SUITES), Source("staged"),
                          as_of=AS_OF if good else case.as_of,
                          parameters=quality.parameters(con, dataset, q), mode="load")


def result_of(validation: validate.Validation, name: str) -> validate.CheckResult:
    return next(r for r in validation.results if r.check.name == name)


def test_every_expectation_has_a_case():
    assert sorted(SUITE_CHECKS) == sorted(CASES), "add a bad-fixture case for each new expectation"


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_good_fixture_passes_every_expectation(warehouse, dataset, tmp_path):
    validation = run_case(warehouse, dataset, Case(), tmp_path, good=True)
    failed = {r.check.name: r.describe() for r in validation.results if not r.success}
    assert failed == {}
    assert validation.rows == len(read_rows(dataset)[1])
    assert [r.check.name for r in validation.results] == [n for d, n in SUITE_CHECKS if d == dataset]


@pytest.mark.parametrize(("dataset", "expectation"), sorted(CASES))
def test_bad_fixture_trips_the_expectation(warehouse, dataset, expectation, tmp_path):
    case = CASES[(dataset, expectation)]
    validation = run_case(warehouse, dataset, case, tmp_path)
    results = {r.check.name: r for r in validation.results}
    result = results[expectation]
    assert not result.success, result.describe()
    failed = {name for name, r in results.items() if not r.success}
    if case.strict:
        assert failed == {expectation, *case.also}
    if case.lines is not None:
        assert result.failing_rows.tolist() == list(case.lines)
        assert result.unexpected_count == len(case.lines)
        assert [s["row"] for s in result.sample] == list(case.lines)
        key = DATASETS[dataset].key
        assert all(key in s["values"] for s in result.sample)


# ---------------------------------------------------------------- details of the results
def test_row_level_result_names_rows_and_offending_values(warehouse, tmp_path):
    case = Case(set_(0, channel="wechat"), (2,))
    result = result_of(run_case(warehouse, "tickets", case, tmp_path), "channel_in_set")
    assert result.sample == [{"row": 2, "values": {"ticket_id": "T1", "channel": "wechat"}}]
    assert result.element_count == 8 and result.unexpected_percent == pytest.approx(12.5)
    assert "row 2: ticket_id='T1', channel='wechat'" in result.describe()


def test_derived_check_shows_the_real_columns(warehouse, tmp_path):
    case = Case(set_(0, resolved_at="2026-11-10 08:00:00"), (2,))
    result = result_of(run_case(warehouse, "tickets", case, tmp_path), "timestamps_in_order")
    values = result.sample[0]["values"]
    assert set(values) == {"ticket_id", "created_at", "dispatched_at", "first_response_at", "on_site_at",
                           "resolved_at", "closed_at"}
    assert values["resolved_at"] < values["created_at"]


def test_aggregate_results_carry_the_observed_value(warehouse, tmp_path):
    results = {r.check.name: r for r in run_case(warehouse, "tickets", STALE, tmp_path).results}
    fresh = results["fresh_within_days"]
    newest = datetime(2026, 11, 20, 1, 15, tzinfo=UTC)            # T8, 09:15 in Shanghai
    assert fresh.observed_value == pytest.approx(30 + (AS_OF - newest).total_seconds() / 86400)
    assert fresh.kwargs["max_value"] == 7.0
    volume = {r.check.name: r for r in run_case(warehouse, "tickets", BIG_HISTORY, tmp_path).results}[
        "volume_near_trailing_average"]
    assert volume.observed_value == 8 and volume.kwargs == {"min_value": 55, "max_value": 166}


def test_volume_has_no_bounds_before_the_first_load(warehouse):
    con = warehouse()
    assert quality.volume_parameters(con, "tickets", QualityConfig()) == {"volume_min": 0, "volume_max": None}


def test_check_mode_skips_load_only_expectations_and_reads_published_rows(warehouse):
    con = warehouse(with_tickets=True)
    con.execute("UPDATE core.tickets SET channel = 'wechat' WHERE ticket_id = 'T3'")
    validation = validate_batch(con, load_suite("tickets", SUITES),
                                Source("core.tickets", row="rowid", lineage=True), as_of=AS_OF,
                                parameters={"freshness_days": 7}, mode="check")
    names = [r.check.name for r in validation.results]
    assert "volume_near_trailing_average" not in names
    channel = next(r for r in validation.results if r.check.name == "channel_in_set")
    assert not channel.success
    assert channel.sample == [{"values": {"ticket_id": "T3", "channel": "wechat", "load_id": "L-fixture",
                                          "source_file": "tickets.csv"}}]


def test_chunks_split_by_key_find_duplicates_and_the_same_rows(warehouse, tmp_path):
    header, rows = read_rows("tickets")
    rows = rows * 5                                       # every key five times, in five places
    rows[3]["channel"] = "wechat"
    con = warehouse()
    stage_file(con, "tickets", write_rows(tmp_path / "t.csv", header, [dict(r) for r in rows]), tmp_path)
    suite = load_suite("tickets", SUITES)
    whole = validate_batch(con, suite, Source("staged"), as_of=AS_OF, parameters={"freshness_days": 7})
    chunked = validate_batch(con, suite, Source("staged"), as_of=AS_OF, parameters={"freshness_days": 7},
                             chunk_rows=7)
    assert (whole.chunks, chunked.chunks) == (1, 6)

    def summary(v):
        return {r.check.name: (r.success, r.unexpected_count, r.failing_rows.tolist(), r.observed_value)
                for r in v.results}

    assert summary(chunked) == summary(whole)
    assert summary(whole)["ticket_id_unique"][1] == 40
    assert not summary(whole)["channel_in_set"][0]


def test_gx_runs_on_pandas_not_sql():
    """The path that works in GX 1.24 (STACK.md): a pandas batch; a bad value fails."""
    import pandas as pd

    check = next(c for c in load_suite("tickets", SUITES).checks if c.name == "channel_in_set")
    frame = pd.DataFrame({"channel": ["phone", "fax"]}, index=pd.Index([2, 3], name=ROW))
    result = validate._gx_run(frame, [check], validate.COMPLETE, {})["channel_in_set"]
    assert not result.success
    assert validate._index_rows(result.result["unexpected_index_list"]).tolist() == [3]


# ---------------------------------------------------------------- suites as files
def test_suite_value_sets_are_the_models():
    for name, dataset in DATASETS.items():
        suite = load_suite(name, SUITES)
        sets = {c.kwargs["column"]: tuple(c.kwargs["value_set"]) for c in suite.checks
                if c.type == "expect_column_values_to_be_in_set" and not c.kwargs["column"].startswith("__")}
        assert sets == dataset.value_sets, name


def test_every_required_column_and_key_is_guarded():
    for name, dataset in DATASETS.items():
        checks = load_suite(name, SUITES).checks
        present = {c.kwargs["column"] for c in checks if c.type == "expect_column_to_exist"}
        assert present == set(dataset.required)
        blocking = {(c.type, c.kwargs.get("column")) for c in checks if c.severity == "blocking"}
        assert ("expect_column_values_to_not_be_null", dataset.key) in blocking
        assert ("expect_column_values_to_be_unique", dataset.key) in blocking
        assert ("expect_table_row_count_to_be_between", None) in blocking


def write_suite(folder: Path, dataset: str, edit: Callable[[dict], None]) -> Path:
    folder.mkdir(exist_ok=True)
    doc = json.loads((SUITES / f"{dataset}.json").read_text(encoding="utf-8"))
    edit(doc)
    path = folder / f"{dataset}.json"
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def _set_meta(target: str, **meta):
    def edit(doc):
        next(e for e in doc["expectations"] if e["meta"]["name"] == target)["meta"].update(meta)
    return edit


@pytest.mark.parametrize(("edit", "message"), [
    (_set_meta("channel_in_set", severity="fatal"), "meta.severity must be one of"),
    (_set_meta("batch_not_empty", severity="row-level"), "only row-by-row expectations can be row-level"),
    (_set_meta("channel_in_set", name="ticket_id_unique"), "is used twice"),
    (_set_meta("volume_near_trailing_average", applies_to="sometimes"), "applies_to"),
    (lambda doc: doc["expectations"][6]["kwargs"].update(column="chanel"),
     "'chanel'] are not tickets columns"),
    (lambda doc: doc["expectations"].append({"type": "expect_the_moon", "kwargs": {}}),
     "not a Great Expectations"),
    (lambda doc: doc["expectations"][-2]["kwargs"].update(max_value={"$PARAMETER": "nope"}),
     "unknown parameter"),
])
def test_a_broken_suite_is_refused_with_file_and_expectation(tmp_path, edit, message):
    path = write_suite(tmp_path / "suites", "tickets", edit)
    with pytest.raises(SuiteError) as caught:
        load_suite("tickets", tmp_path / "suites")
    assert message in str(caught.value) and str(path) in str(caught.value)


def test_invalid_json_names_the_file(tmp_path):
    (tmp_path / "tickets.json").write_text("{ not json", encoding="utf-8")
    with pytest.raises(SuiteError, match="tickets.json: not valid JSON"):
        load_suite("tickets", tmp_path)


def test_a_project_without_suites_uses_the_shipped_ones(tmp_path):
    assert load_suite("tickets", tmp_path / "nowhere").path == SUITES / "tickets.json"


def test_gx_import_defers_scipy_stats_and_altair_until_used():
    """A fresh interpreter: importing GX through the gate leaves scipy.stats and altair unimported; the first use
    imports the real module (GX's KL-divergence expectation and statsmodels still find scipy.stats)."""
    script = """
from pipelines import deferred, validate
validate.gx_imported()
assert not deferred.is_loaded("scipy.stats") and not deferred.is_loaded("altair")
from great_expectations.expectations.core import expect_column_kl_divergence_to_be_less_than as kl
assert kl.stats.entropy([0.5, 0.5], [0.5, 0.5]) == 0.0
assert deferred.is_loaded("scipy.stats") and not deferred.is_loaded("altair")
from statsmodels.stats.proportion import proportion_confint
low, high = proportion_confint(45, 50, method="wilson")
assert 0.78 < low < 0.9 < high < 0.96
import altair
assert altair.Chart.__module__.startswith("altair.")
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"


def test_failed_results_are_classified_once_and_a_check_that_raised_blocks():
    checks = {c.severity: c for c in load_suite("tickets", SUITES).checks}
    results = [
        validate.CheckResult(check=checks["row-level"], success=False),
        validate.CheckResult(check=checks["warning"], success=False),
        validate.CheckResult(check=checks["warning"], success=False, exception="ValueError: boom"),
        validate.CheckResult(check=checks["blocking"], success=True),
    ]
    run = quality.RunRecord(kind="load", dataset="tickets", suite_name="tickets", suite_file="x", suite_sha256="0",
                            source_file="f.csv", started_at=AS_OF, rows_checked=10, results=results)
    assert run.failed("row-level") == [results[0]]
    assert run.failed("warning") == [results[1]]
    assert run.failed("blocking") == [results[2]]
    assert run.outcome == quality.BLOCKING
    run.results = results[:2]
    assert run.outcome == quality.ROW_LEVEL
    run.results = [results[1]]
    assert run.outcome == quality.WARNINGS
