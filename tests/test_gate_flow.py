"""The gate inside real loads (pipelines.ingest.ingest_files into a temporary warehouse): blocking failures
refuse the file and leave the warehouse as it was, row-level failures quarantine rows and publish the rest, a
corrected file releases them, warnings only record; the CLI's exit codes tell a scheduler which happened."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines import quality, validate
from pipelines.cli import app
from pipelines.config import Config, load_config
from pipelines.ingest import PUBLISHED, REFUSED, WITH_QUARANTINE, ingest_files
from pipelines.warehouse import connect

# the tickets suite's size: the counts below follow the suite instead of repeating it
TICKET_CHECKS = len(json.loads((Path(__file__).resolve().parents[1] / "expectations" / "tickets.json")
                               .read_text(encoding="utf-8"))["expectations"])

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "dq"
# The fixtures' rows are from 9-20 Nov 2026; the pinned clock (tests/conftest.py TEST_NOW, 23 Nov) keeps them
# inside fresh_within_days whatever the machine's date.
COPIES = 5                                   # 8 tickets x 5 = 40 rows: one bad row is 2.5 %
CORE = ("tickets", "surveys", "inspections", "nonconformities")


@pytest.fixture(scope="session", autouse=True)
def gx_context():
    return validate.gx_context()


@pytest.fixture
def cfg(tmp_path) -> Config:
    base = load_config(REPO / "sqd.toml")
    return dataclasses.replace(base, warehouse_path=tmp_path / "data" / "warehouse.duckdb")


def fixture_rows(dataset: str, copies: int = COPIES) -> tuple[list[str], list[dict]]:
    """The good fixture repeated with suffixed keys (T1-1, T1-2, ...), references kept consistent."""
    with open(FIXTURES / f"{dataset}.csv", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames), list(reader)
    out = []
    for copy in range(1, copies + 1):
        for row in rows:
            row = dict(row)
            for key in ("ticket_id", "survey_id", "lot_id", "nc_id"):
                if row.get(key):
                    row[key] = f"{row[key]}-{copy}"
            out.append(row)
    return header, out


def write(path: Path, header: list[str], rows: list[dict]) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def query(cfg: Config, sql: str, params=None) -> list[tuple]:
    con = connect(cfg)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def snapshot(cfg: Config) -> dict[str, list[tuple]]:
    return {t: query(cfg, f"SELECT * EXCLUDE (loaded_at) FROM core.{t} ORDER BY ALL") for t in CORE}


def load_good_tickets(cfg: Config, tmp_path: Path):
    [result] = ingest_files([write(tmp_path / "tickets_good.csv", *fixture_rows("tickets"))], cfg)
    assert result.status == PUBLISHED, result.message
    return result


# ---------------------------------------------------------------- blocking
def test_blocking_failure_refuses_the_file_and_leaves_the_warehouse_unchanged(cfg, tmp_path):
    load_good_tickets(cfg, tmp_path)
    before = snapshot(cfg)
    header, rows = fixture_rows("tickets", copies=6)          # 8 new tickets T?-6 ...
    rows[-1]["ticket_id"] = rows[-2]["ticket_id"]             # ... two rows with the same key
    rows[3]["channel"] = "wechat"                             # a row-level failure too: nothing published
    src = write(tmp_path / "tickets_dup.csv", header, rows)
    [result] = ingest_files([src], cfg)

    assert result.status == REFUSED
    assert str(src) in result.message and "ticket_id_unique [blocking]" in result.message
    assert "2 of 48 row(s) fail" in result.message and "row 48: ticket_id='T7-6'" in result.message
    assert "row 49: ticket_id='T7-6'" in result.message
    assert "channel_in_set [row-level]" in result.message
    assert snapshot(cfg) == before
    assert query(cfg, "SELECT count(*) FROM meta.quarantine") == [(0,)]
    run = query(cfg, "SELECT kind, load_id, outcome, rows_checked, rows_quarantined, source_file "
                     "FROM meta.dq_runs WHERE load_id = ?", [result.load_id])
    assert run == [("load", result.load_id, quality.BLOCKING, 48, 0, str(src.resolve()))]
    failed = query(cfg, "SELECT expectation, severity, unexpected_count, sample_rows FROM meta.dq_results "
                        "WHERE load_id = ? AND NOT success ORDER BY position", [result.load_id])
    assert [f[:3] for f in failed] == [("ticket_id_unique", "blocking", 2),
                                       ("channel_in_set", "row-level", 1)]
    assert [s["row"] for s in json.loads(failed[0][3])] == [48, 49]
    # The ledger says what the result says: 48 rows read, none published, none counted as unchanged.
    assert query(cfg, "SELECT status, rows_read, rows_inserted, rows_updated, rows_unchanged FROM meta.load_log "
                      "WHERE load_id = ?", [result.load_id]) == [(REFUSED, 48, 0, 0, 0)]


def test_empty_file_is_refused(cfg, tmp_path):
    header, _ = fixture_rows("tickets")
    [result] = ingest_files([write(tmp_path / "empty.csv", header, [])], cfg)
    assert result.status == REFUSED and "batch_not_empty [blocking]" in result.message
    assert query(cfg, "SELECT count(*) FROM core.tickets") == [(0,)]


def test_too_many_failing_rows_refuse_the_whole_file(cfg, tmp_path):
    header, rows = fixture_rows("tickets")
    for row in rows[:5]:
        row["channel"] = "wechat"                             # 5 of 40 = 12.5 % > max_failing_share 10 %
    [result] = ingest_files([write(tmp_path / "t.csv", header, rows)], cfg)
    assert result.status == REFUSED
    assert "row_level_failures_within_share [blocking]" in result.message
    assert "observed 0.125" in result.message
    assert query(cfg, "SELECT count(*) FROM core.tickets") == [(0,)]
    lenient = dataclasses.replace(cfg, quality=dataclasses.replace(cfg.quality, max_failing_share=0.2))
    [again] = ingest_files([tmp_path / "t.csv"], lenient)
    assert (again.status, again.quarantined) == (WITH_QUARANTINE, 5)


def test_a_suite_that_cannot_be_read_refuses_loads(cfg, tmp_path):
    folder = tmp_path / "suites"
    folder.mkdir()
    (folder / "tickets.json").write_text('{"expectations": [{"type": "expect_the_moon"}]}', encoding="utf-8")
    broken = dataclasses.replace(cfg, quality=dataclasses.replace(cfg.quality, expectations_dir=folder))
    [result] = ingest_files([write(tmp_path / "t.csv", *fixture_rows("tickets"))], broken)
    assert result.status == REFUSED and "not a Great Expectations expectation" in result.message


# ---------------------------------------------------------------- row-level: quarantine and release
def test_row_level_failure_publishes_good_rows_and_quarantines_the_rest(cfg, tmp_path):
    header, rows = fixture_rows("tickets")
    rows[0]["channel"] = "wechat"                             # line 2, T1-1
    rows[9]["resolved_at"] = "2026-11-11 09:00:00"            # line 11, T2-2: resolved before created
    [result] = ingest_files([write(tmp_path / "t.csv", header, rows)], cfg)

    counts = (result.status, result.rows_read, result.inserted, result.quarantined)
    assert counts == (WITH_QUARANTINE, 40, 38, 2)
    assert "2 of 40 row(s) quarantined" in result.message and "channel_in_set 1 (row 2)" in result.message
    published = {r[0] for r in query(cfg, "SELECT ticket_id FROM core.tickets")}
    assert len(published) == 38 and not {"T1-1", "T2-2"} & published
    held = query(cfg, "SELECT record_key, source_row, expectation, offending_values, load_id, released_at "
                      "FROM meta.quarantine ORDER BY source_row")
    assert [h[:3] for h in held] == [("T1-1", 2, "channel_in_set"), ("T2-2", 11, "timestamps_in_order")]
    assert json.loads(held[0][3]) == {"channel": "wechat"}
    assert json.loads(held[1][3])["resolved_at"].startswith("2026-11-11 09:00:00")
    assert {h[4] for h in held} == {result.load_id} and {h[5] for h in held} == {None}
    row = json.loads(query(cfg, "SELECT row_values FROM meta.quarantine WHERE source_row = 2")[0][0])
    assert row["ticket_id"] == "T1-1" and row["site"] == "Riverside"
    assert query(cfg, "SELECT rows_quarantined, status FROM meta.load_log") == [(2, WITH_QUARANTINE)]

    con = connect(cfg)
    try:
        listed = quality.quarantined_rows(con)
        latest = quality.latest_results(con)
    finally:
        con.close()
    assert listed["record_key"].to_list() == ["T1-1", "T2-2"]
    failed = latest.filter(~latest["success"])["expectation"].to_list()
    assert failed == ["channel_in_set", "timestamps_in_order"]
    assert set(latest["run_outcome"]) == {quality.ROW_LEVEL}

    # The steward fixes the export and loads it again: the held rows are published and released.
    rows[0]["channel"] = "phone"
    rows[9]["resolved_at"] = "2026-11-12 16:00:00"
    [fixed] = ingest_files([write(tmp_path / "t_fixed.csv", header, rows)], cfg)
    assert (fixed.status, fixed.inserted, fixed.unchanged) == (PUBLISHED, 2, 38)
    assert query(cfg, "SELECT count(*) FROM core.tickets") == [(40,)]
    released = query(cfg, "SELECT record_key, resolution, released_by_load_id, released_at IS NOT NULL "
                           "FROM meta.quarantine ORDER BY source_row")
    assert released == [("T1-1", "released", fixed.load_id, True), ("T2-2", "released", fixed.load_id, True)]
    con = connect(cfg)
    try:
        assert quality.quarantined_rows(con).is_empty()
        assert quality.quarantined_rows(con, include_released=True).height == 2
    finally:
        con.close()


def test_a_key_quarantined_again_supersedes_its_old_entry(cfg, tmp_path):
    header, rows = fixture_rows("tickets")
    rows[0]["channel"] = "wechat"
    ingest_files([write(tmp_path / "a.csv", header, rows)], cfg)
    rows[0]["channel"] = "fax"
    [second] = ingest_files([write(tmp_path / "b.csv", header, rows)], cfg)
    entries = query(cfg, "SELECT json_extract_string(offending_values, '$.channel'), resolution, "
                         "released_by_load_id FROM meta.quarantine ORDER BY quarantined_at")
    assert entries == [("wechat", "superseded", second.load_id), ("fax", None, None)]


def test_orphan_survey_is_quarantined_until_its_ticket_is_loaded(cfg, tmp_path):
    t_header, tickets = fixture_rows("tickets")
    missing = [t for t in tickets if t["ticket_id"] == "T1-1"]
    load = [t for t in tickets if t["ticket_id"] != "T1-1"]
    ingest_files([write(tmp_path / "tickets.csv", t_header, load)], cfg)
    s_header, surveys = fixture_rows("surveys")
    survey_file = write(tmp_path / "surveys.csv", s_header, surveys)
    [first] = ingest_files([survey_file], cfg)
    assert (first.status, first.quarantined) == (WITH_QUARANTINE, 1)
    assert query(cfg, "SELECT record_key, expectation FROM meta.quarantine") == [("S1-1", "ticket_exists")]

    # The missing ticket arrives; the same survey file loaded again (--force) releases the survey.
    ingest_files([write(tmp_path / "late.csv", t_header, missing)], cfg)
    [again] = ingest_files([survey_file], cfg, force=True)
    assert (again.status, again.inserted) == (PUBLISHED, 1)
    assert query(cfg, "SELECT resolution FROM meta.quarantine") == [("released",)]


def test_survey_before_its_ticket_was_resolved_is_quarantined(cfg, tmp_path):
    load_good_tickets(cfg, tmp_path)
    header, surveys = fixture_rows("surveys")
    surveys[0].update(attempted_at="2026-11-10 10:00:00", responded_at="2026-11-10 10:05:00")
    [result] = ingest_files([write(tmp_path / "s.csv", header, surveys)], cfg)
    assert result.quarantined == 1
    held = query(cfg, "SELECT record_key, expectation FROM meta.quarantine")
    assert held == [("S1-1", "after_ticket_resolution")]


@pytest.mark.parametrize(("dataset", "edit", "expectation"), [
    ("inspections", {"nonconforming_qty": "500"}, "nonconforming_within_inspected"),
    ("nonconformities", {"disposition": "scrapped"}, "disposition_in_set"),
    ("nonconformities", {"labour_cost": "-1.00"}, "labour_cost_not_negative"),
])
def test_other_datasets_quarantine_through_the_same_gate(cfg, tmp_path, dataset, edit, expectation):
    header, rows = fixture_rows(dataset)
    rows[1].update(edit)
    [result] = ingest_files([write(tmp_path / f"{dataset}.csv", header, rows)], cfg)
    assert (result.status, result.quarantined) == (WITH_QUARANTINE, 1)
    assert query(cfg, "SELECT source_row, expectation FROM meta.quarantine") == [(3, expectation)]
    assert query(cfg, f"SELECT count(*) FROM core.{dataset}") == [(len(rows) - 1,)]


# ---------------------------------------------------------------- warnings, suite edits, duplicates
def test_warnings_are_recorded_and_do_not_block(cfg, tmp_path):
    header, rows = fixture_rows("tickets")
    stale = dataclasses.replace(cfg, quality=dataclasses.replace(cfg.quality, freshness_days=0.5))
    [result] = ingest_files([write(tmp_path / "t.csv", header, rows)], stale)
    assert result.status == PUBLISHED and "warnings: fresh_within_days [warning]" in result.message
    assert query(cfg, "SELECT outcome FROM meta.dq_runs") == [(quality.WARNINGS,)]
    # A much smaller batch than the loads before it: a volume warning.
    [small] = ingest_files([write(tmp_path / "one.csv", header, [dict(rows[0], ticket_id="X1")])], cfg)
    assert small.status == PUBLISHED and "volume_near_trailing_average [warning]" in small.message
    assert query(cfg, "SELECT observed_value, kwargs FROM meta.dq_results WHERE load_id = ? "
                      "AND expectation = 'volume_near_trailing_average'", [small.load_id]) == [
        ("1", '{"min_value": 20, "max_value": 61}')]


def test_duplicates_pass_when_the_steward_makes_uniqueness_a_warning(cfg, tmp_path):
    folder = tmp_path / "suites"
    folder.mkdir()
    doc = json.loads((REPO / "expectations" / "tickets.json").read_text(encoding="utf-8"))
    unique = next(e for e in doc["expectations"] if e["meta"]["name"] == "ticket_id_unique")
    unique["meta"]["severity"] = "warning"
    (folder / "tickets.json").write_text(json.dumps(doc), encoding="utf-8")
    relaxed = dataclasses.replace(cfg, quality=dataclasses.replace(cfg.quality, expectations_dir=folder))
    header, rows = fixture_rows("tickets")
    rows.append(dict(rows[0], status="resolved"))            # a later version of T1-1, at the end of the file
    [result] = ingest_files([write(tmp_path / "t.csv", header, rows)], relaxed)
    assert result.status == PUBLISHED and "ticket_id_unique [warning]" in result.message
    assert query(cfg, "SELECT status FROM core.tickets WHERE ticket_id = 'T1-1'") == [("resolved",)]
    assert query(cfg, "SELECT count(*) FROM core.tickets") == [(40,)]


def test_chunked_gate_refuses_duplicates_in_different_chunks(cfg, tmp_path):
    small = dataclasses.replace(cfg, quality=dataclasses.replace(cfg.quality, chunk_rows=7))
    header, rows = fixture_rows("tickets")
    rows[-1]["ticket_id"] = rows[0]["ticket_id"]
    [result] = ingest_files([write(tmp_path / "t.csv", header, rows)], small)
    assert result.status == REFUSED and "ticket_id_unique" in result.message
    header, rows = fixture_rows("tickets")
    rows[20]["channel"] = "wechat"
    [ok] = ingest_files([write(tmp_path / "t2.csv", header, rows)], small)
    assert (ok.status, ok.quarantined) == (WITH_QUARANTINE, 1)
    assert query(cfg, "SELECT source_row FROM meta.quarantine") == [(22,)]


# ---------------------------------------------------------------- tables
def test_quality_tables_document_every_column(cfg, tmp_path):
    load_good_tickets(cfg, tmp_path)
    missing = query(cfg, """
        SELECT table_name, column_name FROM duckdb_columns()
        WHERE schema_name = 'meta' AND table_name IN ('dq_runs', 'dq_results', 'quarantine')
          AND (comment IS NULL OR comment = '')""")
    assert missing == []
    tables = query(cfg, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'meta' AND table_name IN "
                        "('dq_runs', 'dq_results', 'quarantine') AND comment IS NOT NULL ORDER BY 1")
    assert tables == [("dq_results",), ("dq_runs",), ("quarantine",)]


# ---------------------------------------------------------------- the CLI
@pytest.fixture
def project_cfg(tmp_path) -> Path:
    """A project folder of its own (sqd.toml + profiles; suites come from the code's expectations/)."""
    from tests.conftest import make_project

    make_project(tmp_path / "project")
    return tmp_path / "project" / "sqd.toml"


def test_cli_exit_codes_tell_a_scheduler_what_happened(project_cfg, tmp_path):
    runner = CliRunner()
    header, rows = fixture_rows("tickets")
    good = write(tmp_path / "good.csv", header, rows[:20])
    assert runner.invoke(app, ["ingest", str(good), "-c", str(project_cfg)]).exit_code == 0
    rows[25]["channel"] = "wechat"
    src = write(tmp_path / "q.csv", header, rows)
    quarantined = runner.invoke(app, ["ingest", str(src), "-c", str(project_cfg)])
    assert quarantined.exit_code == 3
    rows[30]["ticket_id"] = rows[31]["ticket_id"]
    src = write(tmp_path / "r.csv", header, rows)
    refused = runner.invoke(app, ["ingest", str(src), "-c", str(project_cfg)])
    assert refused.exit_code == 2


@pytest.mark.clock("2026-12-20T09:00:00+08:00")
def test_sqd_ingest_prints_the_warnings_of_a_published_load(project_cfg, tmp_path):
    """Exit 0 with warnings stored (passed_with_warnings) must not read as a clean "published"."""
    header, rows = fixture_rows("tickets")
    result = CliRunner().invoke(app, ["ingest", str(write(tmp_path / "old.csv", header, rows)),
                                      "-c", str(project_cfg)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "published with warnings:" in result.output and "fresh_within_days" in result.output


def test_sqd_check_revalidates_the_warehouse_and_prints_the_latest_results(project_cfg, tmp_path):
    runner = CliRunner()
    header, rows = fixture_rows("tickets")
    runner.invoke(app, ["ingest", str(write(tmp_path / "t.csv", header, rows)), "-c", str(project_cfg)])
    cfg = load_config(project_cfg)

    result = runner.invoke(app, ["check", "-c", str(project_cfg)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Data quality" in result.output and "tickets" in result.output
    assert f"all {TICKET_CHECKS - 1} passed" in result.output   # the volume check is for loads only
    runs = query(cfg, "SELECT dataset, kind, load_id, outcome FROM meta.dq_runs WHERE kind = 'check'")
    assert runs == [("tickets", "check", None, quality.PASSED)]     # empty tables are skipped

    # Asked for explicitly, an empty table is checked too: batch_not_empty fails.
    result = runner.invoke(app, ["check", "-d", "surveys", "-c", str(project_cfg)], env={"COLUMNS": "200"})
    assert result.exit_code == 2 and "batch_not_empty" in result.output

    # A published row that breaks a rule now (e.g. after a suite edit) is reported with its key and file.
    con = duckdb.connect(str(cfg.warehouse_path))
    con.execute("UPDATE core.tickets SET channel = 'fax' WHERE ticket_id = 'T3-2'")
    con.close()
    result = runner.invoke(app, ["check", "-d", "tickets", "-c", str(project_cfg)], env={"COLUMNS": "250"})
    assert result.exit_code == 3, result.output
    assert "channel_in_set" in result.output and "T3-2" in result.output and "fax" in result.output

    listed = runner.invoke(app, ["check", "--no-run", "-d", "tickets", "-c", str(project_cfg)],
                           env={"COLUMNS": "250"})
    assert listed.exit_code == 3 and "channel_in_set" in listed.output
    assert query(cfg, "SELECT count(*) FROM meta.dq_runs WHERE kind = 'check'") == [(3,)]


def test_sqd_check_lists_quarantined_rows(project_cfg, tmp_path):
    runner = CliRunner()
    header, rows = fixture_rows("tickets")
    rows[4]["channel"] = "wechat"
    runner.invoke(app, ["ingest", str(write(tmp_path / "t.csv", header, rows)), "-c", str(project_cfg)])
    result = runner.invoke(app, ["check", "--no-run", "--quarantine", "-c", str(project_cfg)],
                           env={"COLUMNS": "250"})
    assert result.exit_code == 3, result.output
    assert "Quarantined rows" in result.output and "T5-1" in result.output and "wechat" in result.output


def test_sqd_check_without_a_warehouse_says_so(tmp_path):
    from tests.conftest import make_project

    make_project(tmp_path / "p")
    result = CliRunner().invoke(app, ["check", "-c", str(tmp_path / "p" / "sqd.toml")])
    assert result.exit_code == 1 and "no warehouse yet" in result.output


def test_quality_frames_have_a_fixed_shape_also_before_any_run(cfg, tmp_path):
    bare = duckdb.connect()
    assert quality.latest_results(bare).columns == list(quality.LATEST_SCHEMA)
    assert quality.quarantined_rows(bare).is_empty()
    header, rows = fixture_rows("tickets")
    rows[0]["channel"] = "wechat"
    ingest_files([write(tmp_path / "t.csv", header, rows)], cfg)
    con = connect(cfg)
    try:
        latest, held = quality.latest_results(con), quality.quarantined_rows(con)
    finally:
        con.close()
    same = {k: v for k, v in latest.schema.items() if k != "started_at"}   # started_at: session time zone
    assert same == {k: v for k, v in quality.LATEST_SCHEMA.items() if k != "started_at"}
    assert latest.columns == list(quality.LATEST_SCHEMA) and latest.height == TICKET_CHECKS
    assert held.columns == list(quality.QUARANTINE_SCHEMA) and held.height == 1


def test_sqd_check_counts_the_whole_quarantine_and_lists_only_the_newest(project_cfg, tmp_path):
    runner = CliRunner()
    header, rows = fixture_rows("tickets")
    rows[4]["channel"] = rows[6]["channel"] = "wechat"
    runner.invoke(app, ["ingest", str(write(tmp_path / "t.csv", header, rows)), "-c", str(project_cfg)])
    result = runner.invoke(app, ["check", "--no-run", "--quarantine", "--limit", "1", "-c", str(project_cfg)],
                           env={"COLUMNS": "250"})
    assert result.exit_code == 3, result.output
    assert "open quarantine: tickets 2" in result.output
    assert "2 open entr(y/ies), newest 1 shown" in result.output
    con = duckdb.connect(str(load_config(project_cfg).warehouse_path), read_only=True)
    try:
        assert quality.quarantined_rows(con, limit=1).height == 1        # the LIMIT is SQL's
        assert quality.open_quarantine_counts(con) == [("tickets", 2)]
    finally:
        con.close()


def test_a_large_batch_gives_back_the_memory_its_gx_frames_held(cfg, tmp_path, monkeypatch):
    """From gate.RELEASE_ROWS rows on, the gate returns what its pandas and Arrow frames left behind before the
    publish's DuckDB steps fill the load's memory limit (10M tickets' peak sat on top of it); a small batch does
    not pay for the call. The threshold is lowered here instead of loading 200,000 rows."""
    from pipelines import gate
    released = []
    real = gate.release_memory
    monkeypatch.setattr(gate, "release_memory", lambda: released.append(1) or real())
    header, rows = fixture_rows("tickets")
    [result] = ingest_files([write(tmp_path / "small.csv", header, rows)], cfg)
    assert result.status == PUBLISHED and released == []
    monkeypatch.setattr(gate, "RELEASE_ROWS", len(rows))
    header, rows = fixture_rows("tickets", COPIES + 1)
    [result] = ingest_files([write(tmp_path / "large.csv", header, rows)], cfg)
    assert result.status == PUBLISHED and released == [1]
