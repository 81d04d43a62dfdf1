"""Ingestion end to end on small files: formats, encodings, profiles, idempotence, upserts, errors, atomicity."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.ingest import ALREADY_LOADED, PUBLISHED, REFUSED, ingest_files
from pipelines.warehouse import connect

HEADER = "ticket_id,created_at,channel,ticket_type,category,site,status,resolved_at,distance_km\n"
ROWS = [
    "T1,2026-01-05 09:00:00,phone,repair,water,Riverside,resolved,2026-01-05 11:00:00,3",
    "T2,2026-01-05 10:00:00,app,complaint,noise,Hillcrest,open,,",
    "T3,2026-01-06 08:30:00,phone,inquiry,billing,Riverside,closed,2026-01-06 08:40:00,",
]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def table(cfg, sql: str) -> list[tuple]:
    con = connect(cfg)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_ingest_canonical_csv_publishes_rows_with_lineage(project, tmp_path):
    src = write(tmp_path / "tickets.csv", HEADER + "\n".join(ROWS) + "\n")
    [result] = ingest_files([src], project)
    assert (result.status, result.rows_read, result.inserted) == (PUBLISHED, 3, 3)
    rows = table(project, "SELECT ticket_id, strftime(timezone('Asia/Shanghai', created_at), '%Y-%m-%d %H:%M'), "
                          "distance_km, source_file, length(file_hash), load_id FROM core.tickets ORDER BY 1")
    assert [r[:3] for r in rows] == [("T1", "2026-01-05 09:00", 3.0), ("T2", "2026-01-05 10:00", None),
                                     ("T3", "2026-01-06 08:30", None)]
    assert {r[3] for r in rows} == {str(src.resolve())}
    assert {r[4] for r in rows} == {64}
    assert {r[5] for r in rows} == {result.load_id}
    ledger = table(project, "SELECT dataset, status, rows_read, rows_inserted, "
                            "strftime(timezone('Asia/Shanghai', newest_record_at), '%Y-%m-%d %H:%M') FROM meta.load_log")
    assert ledger == [("tickets", PUBLISHED, 3, 3, "2026-01-06 08:30")]


def test_ingest_same_file_twice_changes_nothing(project, tmp_path):
    src = write(tmp_path / "tickets.csv", HEADER + "\n".join(ROWS) + "\n")
    ingest_files([src], project)
    before = table(project, "SELECT * FROM core.tickets ORDER BY ticket_id")
    [again] = ingest_files([src], project)
    assert again.status == ALREADY_LOADED
    assert table(project, "SELECT * FROM core.tickets ORDER BY ticket_id") == before
    # Forcing a re-read still rewrites nothing: every row is unchanged.
    [forced] = ingest_files([src], project, force=True)
    assert (forced.inserted, forced.updated, forced.unchanged) == (0, 0, 3)
    assert table(project, "SELECT * FROM core.tickets ORDER BY ticket_id") == before


def test_ingest_later_export_replaces_the_ticket_by_natural_key(project, tmp_path):
    ingest_files([write(tmp_path / "a.csv", HEADER + "\n".join(ROWS) + "\n")], project)
    later = ROWS[:1] + ["T2,2026-01-05 10:00:00,app,complaint,noise,Hillcrest,resolved,2026-01-07 09:00:00,",
                        "T4,2026-01-07 12:00:00,phone,repair,power,Hillcrest,open,,"]
    [result] = ingest_files([write(tmp_path / "b.csv", HEADER + "\n".join(later) + "\n")], project)
    assert (result.inserted, result.updated, result.unchanged) == (1, 1, 1)
    assert table(project, "SELECT ticket_id, status FROM core.tickets ORDER BY 1") == [
        ("T1", "resolved"), ("T2", "resolved"), ("T3", "closed"), ("T4", "open")]


def test_ingest_bad_value_names_file_row_and_column_and_publishes_nothing(project, tmp_path):
    ingest_files([write(tmp_path / "a.csv", HEADER + "\n".join(ROWS) + "\n")], project)
    before = table(project, "SELECT * FROM core.tickets ORDER BY ticket_id")
    bad = write(tmp_path / "bad.csv", HEADER + ROWS[0].replace("T1", "T9") + "\n"
                + "T10,2026-02-30 09:00:00,phone,repair,water,Riverside,open,,\n"
                + "T11,2026-01-05 09:00:00,phone,repair,water,Riverside,open,,far\n")
    [result] = ingest_files([bad], project)
    assert result.status == REFUSED
    assert str(bad) in result.message
    assert "row 3, column 'created_at'" in result.message and "2026-02-30 09:00:00" in result.message
    assert "row 4, column 'distance_km'" in result.message and "'far'" in result.message
    assert table(project, "SELECT * FROM core.tickets ORDER BY ticket_id") == before
    assert table(project, "SELECT status FROM meta.load_log ORDER BY started_at") == [(PUBLISHED,), (REFUSED,)]


def test_ingest_missing_required_column_is_refused(project, tmp_path):
    src = write(tmp_path / "a.csv", "ticket_id,channel\nT1,phone\n")
    [result] = ingest_files([src], project, profile="tickets__canonical")
    assert result.status == REFUSED
    assert "created_at" in result.message and str(src) in result.message


CHINESE_PROFILE = """
dataset: tickets
description: test hotline export
source: {encoding: auto}
timezone: Asia/Shanghai
datetime_format: "%Y/%m/%d %H:%M"
columns: {ticket_id: 工单编号, created_at: 受理时间, ticket_type: 工单类型, status: 状态, is_escalated: 是否升级}
values:
  ticket_type: {报修: repair, 投诉: complaint}
  status: {已完成: resolved, 处理中: in_progress}
constants: {region: 华东}
"""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_ingest_chinese_headers_in_any_encoding(project, tmp_path, encoding):
    profile = write(tmp_path / "tickets__test_zh.yaml", CHINESE_PROFILE)
    src = write(tmp_path / "export.csv",
                "工单编号,受理时间,工单类型,状态,是否升级\nZ1,2026/01/05 09:00,报修,已完成,是\n"
                "Z2,2026/01/05 21:15, 投诉 ,处理中,否\n", encoding)
    [result] = ingest_files([src], project, profile=str(profile))
    assert result.status == PUBLISHED, result.message
    assert table(project, "SELECT ticket_id, ticket_type, status, is_escalated, region, "
                          "strftime(timezone('Asia/Shanghai', created_at), '%H:%M') FROM core.tickets ORDER BY 1") == [
        ("Z1", "repair", "resolved", True, "华东", "09:00"), ("Z2", "complaint", "in_progress", False, "华东", "21:15")]


def test_ingest_chooses_the_profile_by_headers(project, tmp_path):
    # Headers no shipped profile knows: only the new profile's required columns are all present.
    write(project.source.parent / "data" / "profiles" / "tickets__test_zh.yaml",
          CHINESE_PROFILE.replace("工单编号", "单据号").replace("受理时间", "来电时间"))
    src = write(tmp_path / "export.csv", "单据号,来电时间,工单类型\nZ1,2026/01/05 09:00,报修\n", "gb18030")
    [result] = ingest_files([src], project)
    assert (result.profile, result.status) == ("tickets__test_zh", PUBLISHED)


def test_ingest_reads_xlsx_parquet_and_ndjson(project, tmp_path):
    frame = pl.DataFrame({"ticket_id": ["X1", "X2"], "created_at": ["2026-01-05 09:00:00", "2026-01-05 10:00:00"],
                          "ticket_type": ["repair", "inquiry"]})
    frame.write_excel(tmp_path / "a.xlsx")
    frame.with_columns(ticket_id=pl.Series(["P1", "P2"]),
                       created_at=pl.col("created_at").str.to_datetime()).write_parquet(tmp_path / "b.parquet")
    frame.with_columns(ticket_id=pl.Series(["N1", "N2"])).write_ndjson(tmp_path / "c.ndjson")
    results = ingest_files([tmp_path / "a.xlsx", tmp_path / "b.parquet", tmp_path / "c.ndjson"], project)
    assert [r.status for r in results] == [PUBLISHED] * 3, [r.message for r in results]
    assert table(project, "SELECT ticket_id, strftime(timezone('Asia/Shanghai', created_at), '%H:%M') "
                          "FROM core.tickets ORDER BY 1") == [
        ("N1", "09:00"), ("N2", "10:00"), ("P1", "09:00"), ("P2", "10:00"), ("X1", "09:00"), ("X2", "10:00")]


def test_ingest_unreadable_file_is_refused_with_its_name(project, tmp_path):
    src = write(tmp_path / "binary.csv", "")
    src.write_bytes(b"\xff\xfe\x00\x81\x00\xff" * 100)
    [result] = ingest_files([src], project, profile="tickets__canonical")
    assert result.status == REFUSED and str(src) in result.message


def test_reader_keeps_its_snapshot_while_a_load_publishes(project, tmp_path):
    ingest_files([write(tmp_path / "a.csv", HEADER + ROWS[0] + "\n")], project)
    reader = connect(project)
    ingest_files([write(tmp_path / "b.csv", HEADER + "\n".join(ROWS[1:]) + "\n")], project)
    assert reader.execute("SELECT count(*) FROM core.tickets").fetchall() == [(1,)]
    reader.close()
    assert table(project, "SELECT count(*) FROM core.tickets") == [(3,)]


def test_killed_load_leaves_the_warehouse_as_it_was(project, tmp_path):
    ingest_files([write(tmp_path / "a.csv", HEADER + "\n".join(ROWS) + "\n")], project)
    before = table(project, "SELECT * FROM core.tickets ORDER BY ticket_id")
    big = tmp_path / "big.csv"
    n = 400_000
    pl.DataFrame({"ticket_id": [f"B{i}" for i in range(n)]}).with_columns(
        created_at=pl.lit("2026-01-05 09:00:00"), ticket_type=pl.lit("repair")).write_csv(big)
    env = {**os.environ, "SQD_CONFIG": str(project.source)}
    proc = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "ingest", str(big)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    live = project.warehouse_path
    deadline = time.monotonic() + 60
    standby = live.with_name(live.name + ".standby")     # the file a load writes (docs/decisions.md)
    while not standby.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "the load finished before it could be killed"
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert table(project, "SELECT * FROM core.tickets ORDER BY ticket_id") == before
    # The next load cleans up the killed one's work file and publishes normally.
    [result] = ingest_files([big], project)
    assert result.inserted == n
    assert not list(live.parent.glob(live.name + ".loading-*"))
    assert not live.with_name(live.name + ".standby.dirty").exists()   # the standby is the earlier live file


def test_warehouse_file_is_valid_duckdb_after_every_publish(project, tmp_path):
    ingest_files([write(tmp_path / "a.csv", HEADER + "\n".join(ROWS) + "\n")], project)
    con = duckdb.connect(str(project.warehouse_path), read_only=True)
    assert con.execute("SELECT count(*) FROM core.tickets").fetchall() == [(3,)]
    con.close()


def test_ingest_reports_each_stage_for_the_progress_bar(project, tmp_path):
    src = write(tmp_path / "tickets.csv", HEADER + "\n".join(ROWS) + "\n")
    stages, done = [], []
    ingest_files([src], project, on_stage=lambda path, step: stages.append((path.name, step)),
                 on_progress=lambda result: done.append(result.status))
    assert stages == [("tickets.csv", "reading and mapping"), ("tickets.csv", "checking"),
                      ("tickets.csv", "publishing")]
    assert done == [PUBLISHED]


def test_file_name_with_a_quote_loads(project, tmp_path):
    # The staged batch is a view over a Parquet file named after the source; the name must not break its SQL.
    src = write(tmp_path / "O'Brien's tickets.csv", HEADER + "\n".join(ROWS) + "\n")
    [result] = ingest_files([src], project)
    assert (result.status, result.inserted) == (PUBLISHED, 3)
    assert table(project, "SELECT count(*) FROM core.tickets") == [(3,)]


def test_a_warehouse_with_the_old_wide_sla_base_is_migrated_on_the_next_load(project, tmp_path):
    # Earlier versions stored the ticket's attributes in metrics.ticket_sla_base; the next load drops and rebuilds it.
    ingest_files([write(tmp_path / "a.csv", HEADER + ROWS[0] + "\n")], project)
    con = duckdb.connect(str(project.warehouse_path))
    con.execute("ALTER TABLE metrics.ticket_sla_base ADD COLUMN site VARCHAR")
    con.execute("UPDATE metrics.ticket_sla_base SET site = 'stale'")
    con.close()
    ingest_files([write(tmp_path / "b.csv", HEADER + "\n".join(ROWS[1:]) + "\n")], project)
    columns = {r[0] for r in table(project, "DESCRIBE metrics.ticket_sla_base")}
    assert "site" not in columns
    # Rebuilt for every ticket, not only the ones the second load touched.
    assert table(project, "SELECT count(DISTINCT ticket_id) FROM metrics.ticket_sla_base") == [(3,)]
    assert table(project, "SELECT DISTINCT site FROM metrics.ticket_sla WHERE ticket_id = 'T1'") == [("Riverside",)]


def test_unclosed_quote_in_a_large_file_gives_a_short_message_and_the_cli_returns(project, tmp_path):
    """Issue 12 item 2: Polars' error carried the rest of the file (x3) into the ledger and through Rich (a hang)."""
    big = tmp_path / "unclosed.csv"
    body = "".join(f"T{i},2026-01-05 09:00:00,open\n" for i in range(1, 120_000))
    big.write_text("ticket_id,created_at,status\nT0,2026-01-05 09:00:00,open\n"
                   'Q1,2026-01-05 09:00:00,"open [red]x[/red]\n' + body, encoding="utf-8")
    assert big.stat().st_size > 3_000_000
    env = {**os.environ, "SQD_CONFIG": str(project.source)}
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "pipelines.cli", "ingest", str(big)], env=env, check=False,
                         capture_output=True, text=True, timeout=120)
    assert time.monotonic() - started < 60
    assert run.returncode == 2, run.stderr
    assert len(run.stderr) < 3000
    assert "line 3" in run.stderr and "never closed" in run.stderr
    assert "[red]x[/red]" in run.stderr          # printed as is, not read as Rich markup
    [(message,)] = table(project, "SELECT message FROM meta.load_log")
    assert len(message) < 2000 and "line 3" in message
    assert project.warehouse_path.stat().st_size < 20_000_000


def test_ledger_message_is_capped():
    from pipelines.publish import MESSAGE_CAP, bounded

    assert bounded("x" * 10 * MESSAGE_CAP) is not None and len(bounded("x" * 10 * MESSAGE_CAP)) == MESSAGE_CAP
    assert bounded("short") == "short" and bounded(None) is None


def test_errors_name_the_physical_line_after_a_multi_line_field(project, tmp_path):
    """A survey comment spanning three lines: the bad value two records later is on line 6, not record 3 + 2."""
    src = write(tmp_path / "surveys.csv",
                "survey_id,ticket_id,attempted_at,outcome,score,comment\n"
                "S1,,2026-01-05 09:00:00,responded,5,\"fine\"\n"
                "S2,,2026-01-05 10:00:00,responded,4,\"came late,\nbut fixed it\nin the end\"\n"
                "S3,,2026-01-05 11:00:00,responded,five,\"ok\"\n")
    [result] = ingest_files([src], project, "surveys__canonical")
    assert result.status == REFUSED
    assert "line 6" in result.message or "row 6" in result.message, result.message
    assert "row 4," not in result.message and "line 4" not in result.message


def test_line_numbers_of_a_plain_file_are_record_plus_header(project, tmp_path):
    src = write(tmp_path / "surveys.csv",
                "survey_id,ticket_id,attempted_at,outcome,score\n"
                "S1,,2026-01-05 09:00:00,responded,5\n"
                "S2,,2026-01-05 10:00:00,responded,five\n")
    [result] = ingest_files([src], project, "surveys__canonical")
    assert result.status == REFUSED and "row 3" in result.message, result.message


def test_a_killed_loads_staging_folder_is_removed_by_the_next_load(project, tmp_path):
    # a load killed mid-way leaves its staging folder (Parquet batch, UTF-8 copies) beside the warehouse
    stale = project.warehouse_path.parent / "sqd-load-killed1"
    (stale / "nested").mkdir(parents=True)
    (stale / "nested" / "tickets.staged.parquet").write_bytes(b"x" * 1000)
    keep = project.warehouse_path.parent / "sqd-loader-notes.txt"     # not a staging folder: kept
    keep.write_text("mine")
    [result] = ingest_files([write(tmp_path / "a.csv", HEADER + "\n".join(ROWS) + "\n")], project)
    assert result.status == PUBLISHED
    assert not stale.exists()
    assert keep.exists()
    assert not list(project.warehouse_path.parent.glob("sqd-load-*"))   # this run's own folder is gone too


# -- a run that cannot load stops with one line, before reading a file, and leaves nothing behind --------------

def _leftovers(cfg) -> list[str]:
    folder = cfg.warehouse_path.parent
    return sorted(p.name for p in folder.iterdir()
                  if p.name.startswith("sqd-load-") or ".loading-" in p.name)


def _cli_ingest(cfg, *files: Path):
    from typer.testing import CliRunner

    from pipelines.cli import app
    done = CliRunner().invoke(app, ["ingest", *map(str, files), "--config", str(cfg.source)])
    done.flat = done.output.replace("\n", "")    # Rich wraps long lines at the runner's 80 columns
    return done


def _project_with(tmp_path: Path, warehouse: str):
    """A project whose sqd.toml names another warehouse path."""
    from pipelines.config import load_config
    from tests.conftest import make_project
    cfg = make_project(tmp_path / "proj")
    text = cfg.source.read_text(encoding="utf-8")
    assert 'path = "data/warehouse.duckdb"' in text
    cfg.source.write_text(text.replace('path = "data/warehouse.duckdb"', f'path = "{warehouse}"', 1),
                          encoding="utf-8")
    return load_config(cfg.source)


def test_a_malformed_calendar_overrides_file_stops_the_load_before_any_file(project, tmp_path):
    from pipelines.ingest import LoadAborted
    src = write(tmp_path / "a.csv", HEADER + "\n".join(ROWS) + "\n")
    ingest_files([src], project)
    before = project.warehouse_path.read_bytes()
    project.calendar_overrides.write_text("date,is_workday,holiday_name\n2027-02-20,true,\n2027-02-31,maybe,\n")
    staged = []
    with pytest.raises(LoadAborted) as err:
        ingest_files([src], project, force=True, on_stage=lambda path, step: staged.append(step))
    # was reported only after every file had been read, checked and staged
    assert staged == []
    assert f"{project.calendar_overrides}: line 3" in str(err.value)
    assert project.warehouse_path.read_bytes() == before and _leftovers(project) == []
    done = _cli_ingest(project, src)
    assert done.exit_code == 1 and "Traceback" not in done.flat
    assert "calendar_overrides.csv: line 3" in done.flat


@pytest.mark.parametrize("kind", ["folder", "not duckdb", "empty file"])
def test_a_warehouse_path_that_is_no_duckdb_file_gives_one_line(tmp_path, kind):
    from pipelines.ingest import LoadAborted
    cfg = _project_with(tmp_path, "data/wh.duckdb")
    live = cfg.warehouse_path
    if kind == "folder":
        live.mkdir()
    else:
        live.write_bytes(b"" if kind == "empty file" else b"ticket_id,created_at\nT1,2026-01-05\n" * 50)
    before = sorted(p.name for p in live.parent.iterdir())
    src = write(tmp_path / "a.csv", HEADER + "\n".join(ROWS) + "\n")
    with pytest.raises(LoadAborted) as err:
        ingest_files([src], cfg)
    message = str(err.value)
    assert message.startswith(f"{live}: ") and "\n" not in message and ".loading-" not in message
    assert ("is a folder" if kind == "folder" else "not a DuckDB database file") in message
    assert sorted(p.name for p in live.parent.iterdir()) == before          # nothing left behind
    done = _cli_ingest(cfg, src)
    assert done.exit_code == 1, done.output
    assert "Traceback" not in done.flat and ".loading-" not in done.flat and str(live.name) in done.flat
    from typer.testing import CliRunner

    from pipelines.cli import app
    status = CliRunner().invoke(app, ["status", "--config", str(cfg.source)])
    assert status.exit_code == 1 and isinstance(status.exception, SystemExit), status.output
    assert "cannot open the warehouse" in status.output


def _mount_tmpfs(folder: Path, options: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True,
                          text=True, check=False)
    if done.returncode:
        pytest.skip(f"needs a tmpfs mount (root): mount failed: {done.stderr.strip() or done.returncode}")


@pytest.fixture
def mounted(tmp_path):
    points: list[Path] = []
    yield points
    for point in reversed(points):
        subprocess.run(["umount", str(point)], check=False)


def test_disk_full_during_a_load_gives_one_line_and_leaves_nothing(tmp_path, mounted):
    # A disk that fills up while loading (publishing() checks the room for its copy of an existing warehouse
    # before it starts, so this is a first load: 2 MiB hold less than the new warehouse). Was a DuckDB traceback
    # naming the temporary copy warehouse.duckdb.loading-<id>.
    from pipelines.ingest import LoadAborted
    small = tmp_path / "small"
    _mount_tmpfs(small, "size=2m")
    mounted.append(small)
    cfg = _project_with(tmp_path, f"{small}/warehouse.duckdb")
    src = write(tmp_path / "a.csv", HEADER + "\n".join(ROWS) + "\n")
    with pytest.raises(LoadAborted) as err:
        ingest_files([src], cfg)
    message = str(err.value)
    assert message == (f"{cfg.warehouse_path}: no space left on device in {small}; nothing was published, the "
                       "warehouse is as it was (free some space and load again)")
    assert not cfg.warehouse_path.exists() and _leftovers(cfg) == []
    done = _cli_ingest(cfg, src)
    assert done.exit_code == 1 and "no space left on device" in done.flat, done.output
    assert "Traceback" not in done.output and ".loading-" not in done.flat and _leftovers(cfg) == []


def test_a_read_only_warehouse_folder_gives_one_line(tmp_path, mounted):
    from pipelines.ingest import LoadAborted
    folder = tmp_path / "ro"
    _mount_tmpfs(folder, "size=16m")
    mounted.append(folder)
    cfg = _project_with(tmp_path, f"{folder}/warehouse.duckdb")
    src = write(tmp_path / "a.csv", HEADER + "\n".join(ROWS) + "\n")
    ingest_files([src], cfg)
    if subprocess.run(["mount", "-o", "remount,ro", str(folder)], capture_output=True, check=False).returncode:
        pytest.skip("cannot remount the tmpfs read-only")
    with pytest.raises(LoadAborted) as err:
        ingest_files([src], cfg, force=True)
    assert str(err.value) == (f"{folder}: the warehouse folder is not writable; a load writes its new copy of "
                              "warehouse.duckdb there")
    done = _cli_ingest(cfg, src)
    assert done.exit_code == 1 and "not writable" in done.flat and "Traceback" not in done.flat
    assert table(cfg, "SELECT count(*) FROM core.tickets") == [(3,)]


# -- refusals before mapping are in the ledger; a near-miss profile names the missing columns ------------------

def test_refusals_before_mapping_are_recorded_in_the_load_log(project, tmp_path):
    empty = write(tmp_path / "empty.csv", "")
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(bytes(range(256)) * 40)
    utf16 = write(tmp_path / "utf16.csv", HEADER + ROWS[0] + "\n", encoding="utf-16")
    strange = write(tmp_path / "strange.csv", "alpha,beta,gamma\n1,2,3\n")
    missing = tmp_path / "missing.csv"
    good = write(tmp_path / "good.csv", HEADER + "\n".join(ROWS) + "\n")
    results = ingest_files([empty, garbage, utf16, strange, missing, good], project)
    # UTF-16 with its byte-order mark (Excel's "Unicode text") is read since session 12; the rest are refused
    assert [r.status for r in results] == [REFUSED, REFUSED, PUBLISHED, REFUSED, REFUSED, PUBLISHED]
    ledger = table(project, "SELECT source_file, dataset, profile, status, rows_read, message, length(file_hash) "
                            "FROM meta.load_log ORDER BY started_at, source_file")
    refused = {Path(r[0]).name: r for r in ledger if r[3] == REFUSED}
    assert sorted(refused) == ["empty.csv", "garbage.bin", "missing.csv", "strange.csv"]
    for name, row in refused.items():
        assert (row[1], row[2], row[4]) == ("?", "?", 0), row
        assert row[5] and len(row[5]) <= 2000 and name in row[5], row
    assert refused["strange.csv"][6] == 64 and refused["missing.csv"][6] == 0
    assert all(r.load_id for r in results[:5])
    # the dashboard's and sqd status's count of refused loads sees them
    assert table(project, "SELECT count(*) FROM meta.load_log WHERE status = 'refused'") == [(4,)]


def test_a_profile_named_on_the_command_line_that_does_not_exist_is_recorded(project, tmp_path):
    src = write(tmp_path / "a.csv", HEADER + "\n".join(ROWS) + "\n")
    [result] = ingest_files([src], project, profile="tickets__nope")
    assert result.status == REFUSED and "not found" in result.message
    assert table(project, "SELECT dataset, profile, status FROM meta.load_log") == [("?", "tickets__nope", REFUSED)]


def test_a_file_lacking_a_required_column_names_it_and_the_profile_that_would_fit(project, tmp_path):
    # was: "no profile matches its headers [...]"
    src = write(tmp_path / "a.csv", "ticket_id,channel,ticket_type,category,site,status\n"
                                    "T1,phone,repair,water,Riverside,open\n")
    [result] = ingest_files([src], project)
    assert result.status == REFUSED
    assert result.message == (f"{src}: profile tickets__canonical would fit but the file lacks required "
                              "column(s) created_at")
    assert (result.dataset, result.profile) == ("tickets", "tickets__canonical")
    assert table(project, "SELECT dataset, profile, status FROM meta.load_log") == [
        ("tickets", "tickets__canonical", REFUSED)]


def test_a_near_miss_of_a_chinese_profile_names_the_files_header(project, tmp_path):
    src = write(tmp_path / "a.csv", "工单编号,来源渠道,工单类型,问题分类,服务站点\nHX-1,电话,报修,水电,东区\n",
                encoding="gb18030")
    [result] = ingest_files([src], project)
    assert result.message.endswith("profile tickets__hotline_zh would fit but the file lacks required column(s) "
                                   "受理时间 (created_at)"), result.message


def test_headers_no_profile_stands_out_for_still_list_the_folders(project, tmp_path):
    src = write(tmp_path / "a.csv", "alpha,beta,site\n1,2,3\n")
    [result] = ingest_files([src], project)
    assert "no profile matches its headers" in result.message and "would fit" not in result.message


def test_sqd_check_with_malformed_calendar_overrides_gives_one_line(project, tmp_path):
    # sqd check republishes (reference tables, calendar): it was a CalendarError traceback after the whole suite
    from typer.testing import CliRunner

    from pipelines.cli import app
    ingest_files([write(tmp_path / "a.csv", HEADER + "\n".join(ROWS) + "\n")], project)
    before = project.warehouse_path.read_bytes()
    project.calendar_overrides.write_text("date,is_workday\n2027-01-01,true\n2027-01-01,false\n")
    done = CliRunner().invoke(app, ["check", "--config", str(project.source)])
    assert done.exit_code == 1 and isinstance(done.exception, SystemExit), done.output
    assert "calendar_overrides.csv: line 3: 2027-01-01 is already listed on line 2" in done.output
    assert project.warehouse_path.read_bytes() == before


def test_profiles_are_parsed_again_only_when_a_profile_file_changes(project, tmp_path):
    """The warm loader reads the profiles for every file: parsed once, again after an edit; a broken profile's
    warning is given every time."""
    import warnings

    from pipelines.ingest import read_profiles
    from pipelines.mapping import ProfileSkipped
    folder = project.profiles_dir
    first = read_profiles(folder)
    assert read_profiles(folder)["tickets__canonical"] is first["tickets__canonical"]     # not parsed again
    (folder / "broken.yaml").write_text("dataset: nothing\n", encoding="utf-8")
    for _ in range(2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            again = read_profiles(folder)
        assert [w.category for w in caught] == [ProfileSkipped] and "broken" not in again
    assert again["tickets__canonical"] is not first["tickets__canonical"]                 # the folder changed
