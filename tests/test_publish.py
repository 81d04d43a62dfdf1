"""Publish: an existing row is updated only in the columns its file carries, unless --replace-rows (issue 12)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.ingest import PUBLISHED, ingest_files
from pipelines.warehouse import connect

HEADER = "ticket_id,created_at,channel,ticket_type,category,site,status,resolved_at,distance_km,agent\n"
ROWS = [
    "T1,2026-01-05 09:00:00,phone,repair,water,Riverside,resolved,2026-01-05 11:00:00,3,Wang",
    "T2,2026-01-05 10:00:00,app,complaint,noise,Hillcrest,open,,,Li",
    "T3,2026-01-06 08:30:00,phone,inquiry,billing,Riverside,closed,2026-01-06 08:40:00,,Zhao",
]
NARROW = "ticket_id,created_at,status\n"
KEPT = "SELECT ticket_id, status, agent, site, channel, resolved_at IS NOT NULL FROM core.tickets ORDER BY 1"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def rows(cfg, sql: str) -> list[tuple]:
    con = connect(cfg)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def full_then_narrow(project, tmp_path, narrow_rows: list[str], **kwargs):
    ingest_files([write(tmp_path / "full.csv", HEADER + "\n".join(ROWS) + "\n")], project)
    return ingest_files([write(tmp_path / "narrow.csv", NARROW + "\n".join(narrow_rows) + "\n")], project,
                        **kwargs)


def test_narrower_export_updates_only_its_columns_and_says_so(project, tmp_path):
    [result] = full_then_narrow(project, tmp_path, ["T1,2026-01-05 09:00:00,closed", "T2,2026-01-05 10:00:00,closed",
                                                    "T3,2026-01-06 08:30:00,closed", "T4,2026-01-07 08:00:00,open"])
    assert (result.status, result.inserted, result.updated, result.unchanged) == (PUBLISHED, 1, 2, 1)
    assert rows(project, KEPT) == [
        ("T1", "closed", "Wang", "Riverside", "phone", True), ("T2", "closed", "Li", "Hillcrest", "app", False),
        ("T3", "closed", "Zhao", "Riverside", "phone", True),
        ("T4", "open", None, None, None, False)]          # a new row: NULL where the file has no column
    assert "updated 2 (columns: created_at, status" in result.message
    con = connect(project)
    try:
        [(ledger,)] = con.execute("SELECT message FROM meta.load_log WHERE load_id = ?", [result.load_id]).fetchall()
    finally:
        con.close()
    assert "updated 2 (columns: created_at, status" in ledger


def test_narrower_export_with_the_same_values_changes_nothing(project, tmp_path):
    [result] = full_then_narrow(project, tmp_path, ["T1,2026-01-05 09:00:00,resolved", "T2,2026-01-05 10:00:00,open",
                                                    "T3,2026-01-06 08:30:00,closed"])
    # Only the mapped columns are compared: the NULLs of the columns the file lacks are not "changes".
    assert (result.inserted, result.updated, result.unchanged) == (0, 0, 3)
    assert rows(project, "SELECT count(*) FROM core.tickets WHERE agent IS NULL") == [(0,)]


def test_replace_rows_replaces_whole_rows(project, tmp_path):
    [result] = full_then_narrow(project, tmp_path, ["T1,2026-01-05 09:00:00,closed"], replace_rows=True)
    assert result.updated == 1
    assert rows(project, KEPT)[0] == ("T1", "closed", None, None, None, False)
    assert rows(project, "SELECT agent FROM core.tickets WHERE ticket_id = 'T2'") == [("Li",)]


def test_cli_replace_rows_flag(project, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ingest_files([write(tmp_path / "full.csv", HEADER + "\n".join(ROWS) + "\n")], project)
    narrow = write(tmp_path / "narrow.csv", NARROW + "T2,2026-01-05 10:00:00,closed\n")
    run = CliRunner().invoke(app, ["ingest", str(narrow), "--config", str(project.source)])
    assert run.exit_code == 0, run.output
    assert rows(project, "SELECT status, agent FROM core.tickets WHERE ticket_id = 'T2'") == [("closed", "Li")]
    again = write(tmp_path / "narrow2.csv", NARROW + "T2,2026-01-05 10:00:00,open\n")
    run = CliRunner().invoke(app, ["ingest", str(again), "--replace-rows", "--config", str(project.source)])
    assert run.exit_code == 0, run.output
    assert rows(project, "SELECT status, agent FROM core.tickets WHERE ticket_id = 'T2'") == [("open", None)]


def test_sla_base_is_rederived_for_tickets_a_narrower_export_updates(project, tmp_path):
    sla = ("SELECT DISTINCT strftime(timezone('Asia/Shanghai', created_at), '%Y-%m-%d %H:%M') "
           "FROM metrics.ticket_sla_base WHERE ticket_id = 'T1'")
    ingest_files([write(tmp_path / "full.csv", HEADER + "\n".join(ROWS) + "\n")], project)
    assert rows(project, sla) == [("2026-01-05 09:00",)]
    ingest_files([write(tmp_path / "narrow.csv", NARROW + "T1,2026-01-05 08:00:00,resolved\n")], project)
    assert rows(project, sla) == [("2026-01-05 08:00",)]
    assert rows(project, "SELECT site FROM core.tickets WHERE ticket_id = 'T1'") == [("Riverside",)]
