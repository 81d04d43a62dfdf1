"""Publish: an existing row is updated only in the columns its file carries, unless --replace-rows (issue 12)."""

from __future__ import annotations

from pathlib import Path

import duckdb
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


# -- a small batch reads the table once (issue 13 target 1) ----------------------------------------------------

class Profiled:
    """A real DuckDB connection that keeps, for each statement run through it, DuckDB's own profile (JSON):
    which tables each statement scanned, which columns and how many rows."""

    def __init__(self, con, folder: Path) -> None:
        self.con, self.output = con, folder / "profile.json"
        self.scans: list[tuple[str, list[str], int]] = []   # table, columns, rows: scans that read the rows
        self.by_rowid: list[tuple[str, int]] = []              # table, rows: fetches of given row ids

    def execute(self, sql: str, params=()):
        import json
        self.con.execute("PRAGMA enable_profiling = 'json'")
        self.con.execute(f"SET profiling_output = '{self.output}'")
        rows = self.con.execute(sql, list(params)).fetchall()
        self.con.execute("PRAGMA disable_profiling")
        stack = list(json.loads(self.output.read_text())["operator"])
        while stack:
            node = stack.pop()
            stack.extend(node.get("children", []))
            info = node.get("extra_info") or {}
            if node.get("type") == "TABLE_SCAN" and "Table" in info:
                projections = info.get("Projections", [])
                if "rowid IN" in str(info.get("Dynamic Filters", "")):  # publish.copy_rows' second read
                    self.by_rowid.append((info["Table"], node.get("rows_scanned", 0)))
                    continue
                self.scans.append((info["Table"], [projections] if isinstance(projections, str) else projections,
                                   node.get("rows_scanned", 0)))
        return Rows(rows)


class Rows:
    def __init__(self, rows) -> None:
        self.rows = rows

    def fetchall(self):
        return self.rows


def key_scans_of_tickets(scans) -> list[int]:
    return [n for table, columns, n in scans if table.endswith("core.tickets") and "ticket_id" in columns]


def test_a_small_batch_reads_the_tables_keys_once_and_deletes_old_versions_by_row_id(project, tmp_path):
    from pipelines import clock, derived
    from pipelines.datasets import DATASETS
    from pipelines.publish import LoadInfo, existing_rows, merge_staged
    from pipelines.warehouse import publishing
    with publishing(project) as con:
        con.execute("""INSERT INTO core.tickets BY NAME SELECT 'T' || i AS ticket_id, 'open' AS status,
                       TIMESTAMPTZ '2026-11-02 09:00:00+08' AS created_at, 'site' || (i % 7) AS site,
                       'L0' AS load_id, 'f' AS source_file, 'h' AS file_hash,
                       TIMESTAMPTZ '2026-11-02 09:00:00+08' AS loaded_at FROM range(20000) AS r(i)""")
    with publishing(project) as con:
        # 30 scattered tickets: 10 closed (changed), 20 as they are, and 5 new ones
        con.execute("""CREATE TEMP TABLE batch AS
                       SELECT * EXCLUDE (load_id, source_file, file_hash, loaded_at)
                              REPLACE (CASE WHEN ticket_id < 'T2' THEN 'closed' ELSE status END AS status)
                       FROM core.tickets WHERE ticket_id IN (SELECT 'T' || (i * 613) FROM range(30) AS r(i))
                       UNION ALL BY NAME SELECT 'N' || i AS ticket_id, 'open' AS status,
                       TIMESTAMPTZ '2026-11-02 09:00:00+08' AS created_at FROM range(5) AS r(i)""")
        changed = con.execute("SELECT count(*) FROM batch WHERE status = 'closed'").fetchall()[0][0]
        profiled = Profiled(con, tmp_path)
        tickets = DATASETS["tickets"]
        existing = existing_rows(profiled, tickets, "batch")
        derived.track(profiled, "batch", "tickets", existing)
        load = LoadInfo("L1", "b.csv", "h1", "tickets__canonical", clock.stamp())
        counts = merge_staged(profiled, tickets, "batch", load, None, existing)
        assert (counts.updated, counts.inserted) == (changed, 5) and changed > 0
        # one read of the 20,000 keys (existing_rows, then its rows by row id); the snapshot, the merge and the
        # deletions read none
        assert key_scans_of_tickets(profiled.scans) == [20_000], profiled.scans
        assert [table for table, _ in profiled.by_rowid if table.endswith("core.tickets")], profiled.by_rowid
        assert con.execute("SELECT count(*), count(DISTINCT ticket_id) FROM core.tickets").fetchall() == [
            (20_005, 20_005)]
        assert con.execute("SELECT count(*) FROM core.tickets WHERE load_id = 'L1'").fetchall() == [(changed + 5,)]
        assert con.execute("SELECT count(*) FROM dim_before_tickets").fetchall() == [(30,)]
    # the old path, for comparison: the same work read the keys four times
    with publishing(project) as con:
        con.execute("CREATE TEMP TABLE batch AS SELECT * EXCLUDE (load_id, source_file, file_hash, loaded_at) "
                    "REPLACE ('resolved' AS status) FROM core.tickets WHERE ticket_id IN ('T613', 'T1226')")
        profiled = Profiled(con, tmp_path)
        derived.track(profiled, "batch", "tickets")
        merge_staged(profiled, DATASETS["tickets"], "batch",
                     LoadInfo("L2", "c.csv", "h2", "tickets__canonical", clock.stamp()))
        assert len(key_scans_of_tickets(profiled.scans)) >= 3


def test_a_load_into_an_empty_table_inserts_without_comparing(project, tmp_path):
    """Into an empty table every key is new: the merge inserts the batch without reading the table's keys (no
    anti-join; the UPDATE half was skipped already). Into a table with rows it reads them to find the new keys."""
    from pipelines import clock
    from pipelines.datasets import DATASETS
    from pipelines.publish import LoadInfo, merge_staged
    from pipelines.warehouse import publishing
    tickets = DATASETS["tickets"]
    batch = ("CREATE OR REPLACE TEMP TABLE batch AS SELECT * EXCLUDE (load_id, source_file, file_hash, loaded_at) "
             "FROM core.tickets LIMIT 0; INSERT INTO batch BY NAME SELECT 'T' || i AS ticket_id, 'open' AS status, "
             "TIMESTAMPTZ '2026-11-02 09:00:00+08' AS created_at FROM range(?, ?) AS r(i)")
    with publishing(project) as con:
        con.execute(batch, [0, 500])
        profiled = Profiled(con, tmp_path)
        counts = merge_staged(profiled, tickets, "batch", LoadInfo("L1", "a.csv", "h1", "p", clock.stamp()))
        assert (counts.inserted, counts.updated) == (500, 0)
        assert key_scans_of_tickets(profiled.scans) == [], profiled.scans
        con.execute(batch, [400, 600])
        profiled = Profiled(con, tmp_path)
        counts = merge_staged(profiled, tickets, "batch", LoadInfo("L2", "b.csv", "h2", "p", clock.stamp()))
        assert (counts.inserted, counts.updated) == (100, 0)
        assert key_scans_of_tickets(profiled.scans), profiled.scans
        assert con.execute("SELECT count(*), count(DISTINCT ticket_id) FROM core.tickets").fetchall() == [(600, 600)]


def test_lean_reads_lower_the_memory_limit_inside_a_publish_and_restore_the_loads(project):
    """Scattered reads of a big table run under a limit just above what DuckDB holds (publish.lean_reads: it lets go
    of each block once read), never below it (a refused limit aborts the transaction); then the load's configured
    limit is back. Outside a publish, or when the lean limit would not be lower, nothing changes."""
    from pipelines.config import size_bytes
    from pipelines.publish import LEAN_BYTES, LEAN_HEADROOM, LOAD_LIMIT_VARIABLE, lean_reads
    from pipelines.warehouse import publishing

    def limit(con) -> int:   # DuckDB shows it as '1.1 GiB' or '95.3 MiB'
        return size_bytes(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])

    with publishing(project) as con:
        configured = limit(con)
        assert abs(configured - size_bytes(project.load_memory_limit)) < 2**27   # DuckDB shows it rounded
        con.execute("BEGIN TRANSACTION")      # as the publish's steps run them
        with lean_reads(con):
            held = con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchall()[0][0]
            inside = limit(con)
            assert con.execute("SELECT count(*) FROM core.tickets").fetchall()   # reads work
        con.execute("COMMIT")
        assert limit(con) == configured
        assert held <= inside < configured and abs(inside - max(LEAN_BYTES, held + LEAN_HEADROOM)) < 2**21
        con.execute(f"SET VARIABLE {LOAD_LIMIT_VARIABLE} = ?", [LEAN_BYTES])   # a limit the lean one is not below
        with lean_reads(con):
            assert limit(con) == configured
        con.execute(f"SET VARIABLE {LOAD_LIMIT_VARIABLE} = ?", [size_bytes(project.load_memory_limit)])
    plain = duckdb.connect()
    before = plain.execute("SELECT current_setting('memory_limit')").fetchall()
    with lean_reads(plain):
        assert plain.execute("SELECT current_setting('memory_limit')").fetchall() == before


def test_a_failure_inside_lean_reads_is_the_one_reported(project):
    """A statement that fails inside lean_reads aborts the transaction; restoring the limit then fails too, and
    must not hide the first error."""
    from pipelines.publish import lean_reads
    from pipelines.warehouse import publishing

    with publishing(project) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            with lean_reads(con):
                con.execute("SELECT CAST('not a number' AS INTEGER)")
        except duckdb.ConversionException as exc:
            reported = exc
        else:
            reported = None
        con.execute("ROLLBACK")
    assert isinstance(reported, duckdb.ConversionException)


def test_let_go_hands_back_cached_blocks_between_steps_and_never_aborts_a_step(tmp_path):
    """publish.let_go, between a publish's steps: the blocks earlier reads left cached go back (the load's peak no
    longer adds up every step's reads); the load's limit is restored; inside a step's open transaction it tries
    nothing (a refused limit would abort that transaction), and a limit DuckDB refuses (blocks it cannot evict)
    leaves the connection usable."""
    from pipelines.publish import LEAN_BYTES, LOAD_LIMIT_VARIABLE, let_go

    path = tmp_path / "w.duckdb"
    made = duckdb.connect(str(path))
    made.execute("CREATE TABLE t AS SELECT range AS i, md5(range::VARCHAR) AS s FROM range(5000000)")
    made.close()
    con = duckdb.connect(str(path), config={"memory_limit": "1GiB"})
    con.execute(f"SET VARIABLE {LOAD_LIMIT_VARIABLE} = {2**30}")

    def held() -> int:
        return con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchall()[0][0]

    def limit() -> str:
        return con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]

    configured = limit()
    con.execute("SELECT max(s), sum(i) FROM t").fetchall()
    assert held() > 1.2 * LEAN_BYTES
    let_go(con)
    assert held() <= LEAN_BYTES and limit() == configured

    con.execute("SELECT max(s), sum(i) FROM t").fetchall()
    con.execute("BEGIN TRANSACTION")
    con.execute("UPDATE t SET s = s || 'x' WHERE i % 2 = 0")
    cached = held()
    let_go(con)                                   # a step's transaction: untouched
    assert held() == cached and limit() == configured
    con.execute("COMMIT")
    assert con.execute("SELECT count(*) FROM t WHERE s LIKE '%x'").fetchall() == [(2500000,)]

    con.execute("SET temp_directory = ''")        # nothing can spill: a temp table's blocks cannot be let go of
    con.execute("CREATE TEMP TABLE pinned AS SELECT md5(range::VARCHAR) AS s FROM range(3000000)")
    let_go(con)                                   # every lower limit refused
    assert limit() == configured
    assert con.execute("SELECT count(*) FROM pinned").fetchall() == [(3000000,)]
    con.execute("BEGIN TRANSACTION")              # no transaction was left open
    con.execute("COMMIT")
    con.close()


def test_a_publish_lets_go_of_cached_blocks_outside_its_steps_transactions(project, tmp_path, monkeypatch):
    """The publish calls let_go between its steps, where no step's transaction is open (a try inside one would
    abort it), and the load still publishes."""
    from pipelines import publish, warehouse
    from pipelines.publish import _in_transaction

    seen: list[bool] = []

    def watched(con):
        seen.append(_in_transaction(con))
        publish.let_go(con)

    monkeypatch.setattr(warehouse, "let_go", watched)
    [result] = ingest_files([write(tmp_path / "full.csv", HEADER + "\n".join(ROWS) + "\n")], project)
    assert result.status == PUBLISHED
    assert seen == [False, False]
    assert rows(project, "SELECT count(*) FROM metrics.ticket_sla_base WHERE ticket_id = 'T1'")[0][0] > 0
