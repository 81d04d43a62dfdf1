"""The warm loader (`sqd watch`, pipelines/watch.py; issue 13 target 5): files dropped into a folder are loaded in
arrival order and moved to done/ or failed/ (with a reason file), one log line each; files still being written are
left alone; the writer lock is taken per load; SIGTERM stops the watcher cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.warehouse import connect, writer_lock
from pipelines.watch import BUSY, DONE, FAILED, REASON_SUFFIX, WarmLoader, Watcher, is_candidate
from tests.conftest import make_project

HEADER = "ticket_id,created_at,channel,ticket_type,priority,site,status\n"


def tickets_file(path: Path, rows: list[tuple[str, str]], mtime: float | None = None) -> Path:
    """A canonical ticket CSV: (ticket_id, status) per row."""
    path.write_text(HEADER + "".join(f"{t},2026-11-20 09:00:00,phone,repair,normal,north,{s}\n" for t, s in rows),
                    encoding="utf-8")
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def ticket_statuses(cfg) -> dict[str, str]:
    con = connect(cfg)
    try:
        return dict(con.execute("SELECT ticket_id, status FROM core.tickets").fetchall())
    finally:
        con.close()


@pytest.fixture(scope="module")
def loader_warm(tmp_path_factory):
    """One WarmLoader made with its warm-up run: everything imported, GX's context made."""
    cfg = make_project(tmp_path_factory.mktemp("warm"))
    return WarmLoader(cfg)


def test_warm_up_runs_a_real_load_into_a_throwaway_warehouse(loader_warm):
    from pipelines import validate

    assert loader_warm._warm_run() == "published"
    assert "context" in validate._GX                          # GX's context made before the first file
    assert not loader_warm.config.warehouse_path.exists()      # the warm-up never touched the real warehouse


def test_watch_once_loads_good_files_and_moves_bad_ones_to_failed_with_a_reason(tmp_path):
    cfg = make_project(tmp_path / "project")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    tickets_file(inbox / "good.csv", [("W1", "open"), ("W2", "resolved")])
    (inbox / "bad.csv").write_text("ticket_id,created_at\nT1,not a date\n", encoding="utf-8")
    (inbox / ".hidden.csv").write_text(HEADER, encoding="utf-8")         # a dotfile: being written
    (inbox / "coming.csv.part").write_text(HEADER, encoding="utf-8")     # renamed in when complete
    done = CliRunner(env={"COLUMNS": "300"}).invoke(
        app, ["watch", str(inbox), "--once", "--settle", "0", "--config", str(cfg.source)])
    assert done.exit_code == 2, done.output                           # a file failed
    assert (inbox / "done" / "good.csv").exists() and not (inbox / "good.csv").exists()
    assert (inbox / "failed" / "bad.csv").exists()
    reason = (inbox / "failed" / f"bad.csv{REASON_SUFFIX}").read_text(encoding="utf-8")
    assert "refused" in reason and "row 2" in reason and "created_at" in reason
    assert (inbox / ".hidden.csv").exists() and (inbox / "coming.csv.part").exists()   # left alone
    lines = [x for x in done.output.splitlines() if " -> " in x]
    assert len(lines) == 2                                            # one log line per file
    assert any("good.csv -> done (published; tickets, read 2, new 2" in x for x in lines)
    assert any("bad.csv -> failed (refused)" in x and "cannot be mapped" in x for x in lines)
    assert ticket_statuses(cfg) == {"W1": "open", "W2": "resolved"}


def test_files_are_loaded_in_arrival_order_not_name_order(tmp_path, loader_warm):
    cfg = make_project(tmp_path / "project")
    loader = WarmLoader(cfg, warm=False)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    now = time.time()
    tickets_file(inbox / "a_later.csv", [("W1", "resolved")], mtime=now - 10)   # arrived second
    tickets_file(inbox / "z_first.csv", [("W1", "open")], mtime=now - 20)      # arrived first
    watcher = Watcher(inbox, loader, settle=0, log=lambda line: None)
    outcomes = watcher.run_once()
    assert [o.source.name for o in outcomes] == ["z_first.csv", "a_later.csv"]
    assert ticket_statuses(cfg) == {"W1": "resolved"}                # the later export won


def test_a_file_still_growing_waits_until_it_settles(tmp_path, loader_warm):
    cfg = make_project(tmp_path / "project")
    watcher = Watcher(tmp_path / "inbox", WarmLoader(cfg, warm=False), settle=0.3, log=lambda line: None)
    growing = tickets_file(watcher.inbox / "growing.csv", [("W1", "open")])
    assert watcher.ready() == []                                       # just seen
    time.sleep(0.2)
    with open(growing, "a", encoding="utf-8") as handle:                # still being written
        handle.write("W2,2026-11-20 09:00:00,phone,repair,normal,north,open\n")
    time.sleep(0.2)
    assert watcher.ready() == []                                       # changed 0.2 s ago: the wait restarts
    time.sleep(0.35)
    assert watcher.ready() == [growing]
    assert not is_candidate(watcher.inbox / "done")                     # folders are never files to load


def test_the_watcher_takes_the_writer_lock_per_load_and_retries_when_busy(tmp_path, loader_warm):
    cfg = make_project(tmp_path / "project")
    lines: list[str] = []
    watcher = Watcher(tmp_path / "inbox", WarmLoader(cfg, warm=False), settle=0, log=lines.append)
    waiting = tickets_file(watcher.inbox / "t.csv", [("W1", "open")])
    with writer_lock(cfg):                                              # another load is publishing
        outcome = watcher.handle(waiting)
        watcher.handle(waiting)
        assert outcome.state == BUSY and waiting.exists()               # left in the inbox, nothing written
        assert len(lines) == 1 and "another load is running" in lines[0]  # said once, not once per poll
    [outcome] = watcher.run_once()                                       # the lock released: loaded
    assert outcome.state == DONE and (watcher.done_dir / "t.csv").exists()
    assert ticket_statuses(cfg) == {"W1": "open"}


def test_a_file_that_breaks_the_loader_goes_to_failed_and_the_watcher_carries_on(tmp_path, loader_warm):
    cfg = make_project(tmp_path / "project")
    watcher = Watcher(tmp_path / "inbox", WarmLoader(cfg, warm=False), settle=0, log=lambda line: None)
    (watcher.inbox / "a.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    tickets_file(watcher.inbox / "b.csv", [("W1", "open")])
    (watcher.done_dir / "b.csv").write_text("an earlier file of the same name", encoding="utf-8")
    outcomes = watcher.run_once()
    assert [o.state for o in outcomes] == [FAILED, DONE]
    assert (watcher.failed_dir / f"a.xlsx{REASON_SUFFIX}").read_text(encoding="utf-8").strip()
    assert (watcher.done_dir / "b-2.csv").exists()                      # the earlier done/b.csv is kept
    assert (watcher.done_dir / "b.csv").read_text(encoding="utf-8") == "an earlier file of the same name"


def test_sqd_watch_loads_a_dropped_file_and_stops_on_sigterm(tmp_path):
    cfg = make_project(tmp_path / "project")
    inbox = tmp_path / "inbox"
    env = {**os.environ, "SQD_CONFIG": str(cfg.source), "COLUMNS": "300"}
    proc = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "watch", str(inbox), "--settle", "0.2"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        first = proc.stdout.readline()                                  # printed once warm
        assert first.startswith("watching "), first
        staging = tmp_path / "t.csv"
        tickets_file(staging, [("W1", "open")])
        os.replace(staging, inbox / "t.csv")                            # renamed in: complete
        line = proc.stdout.readline()
        assert "t.csv -> done (published" in line, line
        assert (inbox / "done" / "t.csv").exists()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        assert "stopping (SIGTERM)" in proc.stdout.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_watch_once_puts_the_previous_signal_handlers_back(tmp_path):
    cfg = make_project(tmp_path / "project")
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    done = CliRunner().invoke(app, ["watch", str(tmp_path / "inbox"), "--once", "--config", str(cfg.source)])
    assert done.exit_code == 0, done.output
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


def test_a_new_warehouse_starts_from_the_loaders_schema_template(tmp_path, loader_warm, monkeypatch):
    """The warm loader makes an empty warehouse with the DDL and views once; a load into a new warehouse copies it
    instead of binding every view again, and ends as a warehouse made from scratch does."""
    import duckdb

    from pipelines import warehouse
    hows = []
    real = warehouse.prepare_standby
    monkeypatch.setattr(warehouse, "prepare_standby", lambda live: (r := real(live), hows.append(r[1]))[0])
    cfg = make_project(tmp_path / "a")
    loader = WarmLoader(cfg, warm=False)
    hows.clear()                      # its own template's publish of nothing started from the schema's template
    outcome = loader.load(tickets_file(tmp_path / "t.csv", [("T1", "open"), ("T2", "closed")]))
    assert outcome.state == DONE and hows == ["template"], (outcome, hows)
    scratch = make_project(tmp_path / "b")
    monkeypatch.setattr(warehouse, "_TEMPLATES", {})
    from pipelines.ingest import ingest_files
    ingest_files([tmp_path / "t.csv"], scratch)
    assert hows == ["template", "new"]
    catalog = ("SELECT schema_name, table_name, column_name, data_type, comment FROM duckdb_columns() "
               "WHERE schema_name IN ('core', 'meta', 'metrics') ORDER BY ALL")
    tables = ("SELECT schema_name, table_name, comment, estimated_size FROM duckdb_tables() "
              "WHERE schema_name IN ('core', 'metrics') ORDER BY ALL")
    got = []
    for c in (cfg, scratch):
        con = duckdb.connect(str(c.warehouse_path), read_only=True)
        got.append((con.execute(catalog).fetchall(), con.execute(tables).fetchall(),
                    con.execute("SELECT ticket_id, status FROM core.tickets ORDER BY 1").fetchall(),
                    con.execute("SELECT count(*) FROM metrics.ticket_sla_base").fetchall()))
        con.close()
    assert got[0] == got[1] and got[0][2] == [("T1", "open"), ("T2", "closed")]


def test_the_loaders_template_holds_the_publish_steps_tables_described(tmp_path, loader_warm, monkeypatch):
    """The template is a publish of nothing with the loader's configuration: the first load into a new warehouse
    finds the backlog's, the work orders' and the rollups' tables made and commented (describing them cost up to
    a second); here, the rollups are not described again. (A first file that adds departments or products still
    rebuilds and re-describes the rollups: their fingerprint holds core.departments and core.products.)"""
    from pipelines import rollups
    described = []
    real = rollups._document
    monkeypatch.setattr(rollups, "_document", lambda con, only=None: described.append(only) or real(con, only))
    loader = WarmLoader(make_project(tmp_path / "a"), warm=False)
    assert described == [None]          # the template's publish described them all, once
    described.clear()
    outcome = loader.load(tickets_file(tmp_path / "t.csv", [("T1", "open")]))
    assert outcome.state == DONE and described == [], described
