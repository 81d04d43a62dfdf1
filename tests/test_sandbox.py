"""The SQL workspace's sandbox (pipelines/sandbox.py): hostile statements are refused or stopped and the warehouse
stays as it was; results are capped and timed; errors carry DuckDB's message and position; exports are safe;
saved queries and the history live in state_dir and survive a restart."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from pipelines import sandbox
from pipelines.cli import app
from pipelines.warehouse import connect
from tests.review_fixtures import REPO, page_harness, review_project, state_config  # noqa: F401

TABLES = ("core.tickets", "core.surveys", "core.inspections", "core.nonconformities", "core.sla_policies",
          "meta.load_log", "meta.settings", "metrics.ticket_sla_base")


def fingerprint(config) -> tuple[str, dict[str, int], list[str]]:
    """SHA-256 of the warehouse file, row counts of its tables, and its catalog (schemas, tables, views)."""
    digest = hashlib.sha256(config.warehouse_path.read_bytes()).hexdigest()
    con = connect(config)
    try:
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES}
        catalog = [f"{s}.{n}" for s, n in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() UNION ALL "
            "SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1, 2").fetchall()]
    finally:
        con.close()
    return digest, counts, catalog


def hostile_statements(out: Path) -> list[str]:
    """At least 20 statements an analyst's connection must not be able to run, with `out` a folder they would
    write into."""
    return [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_csv_auto('/etc/passwd', header = false)",
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM read_blob('/etc/hostname')",
        "SELECT * FROM '/etc/passwd'",
        "SELECT * FROM glob('/etc/*')",
        "SELECT * FROM sniff_csv('/etc/passwd')",
        "SELECT * FROM read_json_auto('/etc/os-release')",
        "SELECT * FROM read_parquet('https://example.com/x.parquet')",
        f"COPY core.tickets TO '{out}/tickets.csv'",
        f"COPY (SELECT 1 AS x) TO '{out}/x.parquet' (FORMAT parquet)",
        f"EXPORT DATABASE '{out}/export'",
        f"ATTACH '{out}/evil.duckdb' AS evil",
        "ATTACH ':memory:' AS scratch",
        "DETACH warehouse",
        "USE memory",
        "INSTALL httpfs",
        "LOAD httpfs",
        "LOAD json",
        "SET enable_external_access = true",
        "SET memory_limit = '100GB'",
        "RESET lock_configuration",
        "SET lock_configuration = false",
        "PRAGMA memory_limit = '100GB'",
        "PRAGMA enable_profiling",
        "CALL pragma_version()",
        "SET VARIABLE secret = 1",
        "CREATE TABLE core.evil AS SELECT 1 AS x",
        "CREATE TEMP TABLE scratch AS SELECT * FROM core.tickets",
        "CREATE OR REPLACE VIEW metrics.ticket_kpis AS SELECT 1 AS x",
        "CREATE MACRO evil() AS 1",
        "CREATE SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')",
        "DROP TABLE core.tickets",
        "DROP VIEW metrics.csat_daily",
        "ALTER TABLE core.tickets ADD COLUMN evil INTEGER",
        "DELETE FROM core.tickets",
        "UPDATE core.tickets SET site = 'evil'",
        "INSERT INTO core.sites VALUES ('evil', 'evil')",
        "TRUNCATE core.surveys",
        "BEGIN TRANSACTION",
        "CHECKPOINT",
        "VACUUM",
        "SELECT 1; DROP TABLE core.tickets",
        "SELECT * FROM core.tickets LIMIT 1; SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM query('DROP TABLE core.tickets')",
        "SELECT * FROM duckdb_secrets()",
        "PIVOT core.tickets ON site USING count(*)",
    ]


def test_sandbox_hostile_statements_refused_and_warehouse_unchanged(review_project, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    before = fingerprint(review_project)
    statements = hostile_statements(out)
    assert len(statements) >= 20
    outcomes = {}
    for sql in statements:
        result = sandbox.run_query(review_project, sql, timeout_s=5, record=False)
        outcomes[sql] = (result.status, result.message.splitlines()[0] if result.message else "")
        assert result.status in (sandbox.REFUSED, sandbox.ERROR), (sql, result.status, result.frame)
        assert result.frame is None
        assert "root:" not in result.message  # nothing of /etc/passwd leaks into a message
    # every refusal says why, in words a user can act on
    assert all(message for _, message in outcomes.values()), outcomes
    assert outcomes["SELECT 1; DROP TABLE core.tickets"][0] == sandbox.REFUSED
    assert "one statement" in outcomes["SELECT 1; DROP TABLE core.tickets"][1].lower()
    assert "disabled by configuration" in outcomes["SELECT * FROM read_csv('/etc/passwd')"][1]
    # nothing was written anywhere
    assert list(out.iterdir()) == []
    assert not Path("memory").exists()
    after = fingerprint(review_project)
    assert after == before


def test_sandbox_runaway_query_is_interrupted(review_project):
    before = fingerprint(review_project)
    started = time.perf_counter()
    result = sandbox.run_query(review_project,
                               "SELECT count(*) FROM range(1000000) AS a, range(1000000) AS b", timeout_s=1,
                               record=False)
    took = time.perf_counter() - started
    assert result.status == sandbox.TIMEOUT, result.message
    assert "time limit" in result.message
    assert took < 10
    # a recursive CTE without an end: stopped by the time or the memory limit, never left running
    result = sandbox.run_query(review_project, """
        WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r""",
                               timeout_s=1, memory_limit="256MB", record=False)
    assert result.status in (sandbox.TIMEOUT, sandbox.MEMORY), result.message
    # a cross join that streams rows is cut at the row cap instead
    result = sandbox.run_query(review_project, "SELECT * FROM range(1000000) AS a, range(1000000) AS b",
                               timeout_s=5, row_cap=500, record=False)
    assert result.ok and result.truncated and result.rows == 500
    assert fingerprint(review_project) == before


def test_sandbox_memory_limit_stops_a_query(review_project):
    result = sandbox.run_query(review_project, "SELECT count(DISTINCT a.range * 1000000 + b.range) "
                               "FROM range(200000) AS a, range(100) AS b", memory_limit="64MB", timeout_s=20,
                               record=False)
    assert result.status == sandbox.MEMORY, (result.status, result.message)
    assert "memory limit" in result.message


def test_sandbox_reads_metric_views_with_row_cap_and_timing(review_project):
    result = sandbox.run_query(review_project, "SELECT * FROM ticket_kpis ORDER BY ticket_id", row_cap=250,
                               record=False)
    assert result.ok and result.rows == 250 and result.truncated
    assert result.frame["ticket_id"].to_list() == sorted(result.frame["ticket_id"].to_list())
    assert "cut at the row cap" in result.notice()
    assert result.elapsed_s > 0
    con = connect(review_project)
    try:
        expected = con.execute("SELECT count(*) FROM metrics.ticket_kpis").fetchall()[0][0]
    finally:
        con.close()
    whole = sandbox.run_query(review_project, "SELECT count(*) AS n FROM tickets_kpis_missing", record=False)
    assert whole.status == sandbox.ERROR
    counted = sandbox.run_query(review_project, "FROM metrics.ticket_kpis SELECT count(*) AS n", record=False)
    assert counted.ok and counted.frame["n"][0] == expected and not counted.truncated
    # the analyst's helpers: DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, PIVOT with an IN list
    for sql in ("DESCRIBE tickets", "SHOW TABLES", "SUMMARIZE core.sites", "EXPLAIN SELECT * FROM tickets",
                "PIVOT core.tickets ON site IN ('Hillcrest', 'Riverside') USING count(*) GROUP BY channel"):
        assert sandbox.run_query(review_project, sql, record=False).ok, sql


def test_sandbox_works_beside_an_open_dashboard_connection(review_project):
    con = connect(review_project)   # the dashboard keeps one open in the same process
    try:
        result = sandbox.run_query(review_project, "SELECT count(*) AS n FROM core.tickets", record=False)
        assert result.ok
        assert result.frame["n"][0] == con.execute("SELECT count(*) FROM core.tickets").fetchall()[0][0]
    finally:
        con.close()


def test_sandbox_error_message_and_position(review_project):
    result = sandbox.run_query(review_project, "SELECT 1,\n  2 +, 3", record=False)
    assert result.status == sandbox.ERROR and result.error_type == "ParserException"
    assert (result.line, result.column) == (2, 6)
    assert "Traceback" not in result.message and "syntax error" in result.message
    result = sandbox.run_query(review_project, "SELECT ticket_id, site, no_such_column FROM tickets", record=False)
    assert result.error_type == "BinderException" and "no_such_column" in result.message
    assert (result.line, result.column) == (1, 25)


def test_sandbox_csv_neutralises_formulas_and_exports(review_project):
    result = sandbox.run_query(review_project, """
        SELECT '=HYPERLINK("http://x","y")' AS a, '+1' AS b, '-2+3' AS c, '@SUM(A1)' AS d, 'plain' AS e,
               -5 AS n, 'x' AS "=bad", [1, 2] AS l, current_timestamp AS t""", record=False)
    raw = sandbox.to_csv_bytes(result.frame)
    assert raw.startswith("\ufeff".encode())
    back = pl.read_csv(io.BytesIO(raw[3:]), infer_schema=False)
    assert back.columns[:7] == ["a", "b", "c", "d", "e", "n", "'=bad"]
    row = back.row(0, named=True)
    assert row["a"] == "'=HYPERLINK(\"http://x\",\"y\")" and row["b"] == "'+1" and row["c"] == "'-2+3"
    assert row["d"] == "'@SUM(A1)" and row["e"] == "plain" and row["n"] == "-5"   # numbers stay numbers
    assert row["l"] == "[1, 2]"
    xlsx = sandbox.to_xlsx_bytes(result.frame)
    with zipfile.ZipFile(io.BytesIO(xlsx)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet   # written as text, never as a formula
    parquet = pl.read_parquet(io.BytesIO(sandbox.to_parquet_bytes(result.frame)))
    assert parquet["a"][0] == '=HYPERLINK("http://x","y")'


def test_sandbox_saved_queries_survive_a_restart(state_config):
    sandbox.save_query(state_config, "Breaches by site", "SELECT site, count(*) FROM ticket_sla GROUP BY 1",
                       "for the Monday meeting")
    sandbox.save_query(state_config, "队列", "SELECT 1")
    sandbox.save_query(state_config, "Breaches by site", "SELECT site FROM ticket_sla")   # replaced
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from pipelines.config import load_config\n"
        "from pipelines import sandbox\n"
        "from tests.review_fixtures import with_state_dir\n"
        f"cfg = with_state_dir(load_config({str(state_config.source)!r}), Path({str(state_config.state_dir)!r}))\n"
        "print(json.dumps([[q.name, q.sql] for q in sandbox.saved_queries(cfg)], ensure_ascii=False))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [["Breaches by site", "SELECT site FROM ticket_sla"], ["队列", "SELECT 1"]]
    assert sandbox.delete_query(state_config, "队列")
    assert [q.name for q in sandbox.saved_queries(state_config)] == ["Breaches by site"]
    assert (state_config.state_dir / "saved_queries.json").exists()
    assert not list(state_config.warehouse_path.parent.glob("*.duckdb.loading-*"))


def test_sandbox_history_records_runs_newest_first(state_config):
    sandbox.run_query(state_config, "SELECT 1 AS one", source="test")
    sandbox.run_query(state_config, "DROP TABLE core.tickets", source="test")
    entries = sandbox.history(state_config, limit=5)
    assert [e.sql for e in entries[:2]] == ["DROP TABLE core.tickets", "SELECT 1 AS one"]
    assert [e.status for e in entries[:2]] == [sandbox.REFUSED, sandbox.OK]
    assert entries[1].rows == 1 and entries[1].source == "test"


def test_sandbox_schema_browser_lists_comments(review_project):
    objects = sandbox.schema_objects(review_project)
    tickets = objects.filter((pl.col("schema_name") == "core") & (pl.col("object_name") == "tickets"))
    assert tickets["kind"][0] == "table" and "ticket" in tickets["comment"][0].lower()
    csat = objects.filter(pl.col("object_name") == "csat_daily")
    assert csat["kind"][0] == "view" and csat["comment"][0].startswith("CSAT")
    columns = sandbox.schema_columns(review_project)
    commented = columns.filter((pl.col("object_name") == "tickets") & pl.col("comment").is_not_null())
    assert commented.height > 10


def test_sandbox_example_queries_run(review_project):
    for key, (_, _, sql) in sandbox.EXAMPLES.items():
        result = sandbox.run_query(review_project, sql, record=False)
        assert result.ok, (key, result.message)
    breaches = sandbox.run_query(review_project, sandbox.EXAMPLES["breaches_by_site"][2], record=False).frame
    assert set(breaches["site"]) >= {"Hillcrest", "Riverside"}


def test_cli_sql_runs_in_the_sandbox(state_config, monkeypatch, tmp_path):
    monkeypatch.setenv("SQD_CONFIG", str(state_config.source))
    runner = CliRunner()
    done = runner.invoke(app, ["sql", "SELECT site, count(*) AS n FROM tickets GROUP BY site ORDER BY site",
                               "--out", str(tmp_path / "sites.csv")])
    assert done.exit_code == 0, done.output
    assert "Hillcrest" in done.output
    assert (tmp_path / "sites.csv").read_text(encoding="utf-8-sig").startswith("site,n")
    for hostile in ("DROP TABLE core.tickets", "SELECT * FROM read_csv('/etc/passwd')", "SELECT 1; SELECT 2"):
        done = runner.invoke(app, ["sql", hostile])
        assert done.exit_code == 1, hostile
        assert "Traceback" not in done.output
    done = runner.invoke(app, ["sql", "SELECT count(*) FROM range(1000000) a, range(1000000) b",
                               "--timeout", "1"])
    assert done.exit_code == 1 and "time limit" in done.output


@pytest.mark.parametrize("sql", ["", "   ", "-- just a comment"])
def test_sandbox_empty_text_is_refused(review_project, sql):
    result = sandbox.run_query(review_project, sql, record=False)
    assert result.status == sandbox.REFUSED and result.message == "No statement to run."


def test_sql_workspace_page_runs_and_refuses(review_project, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SQD_CONFIG", str(review_project.source))
    at = AppTest.from_file(str(page_harness(tmp_path)), default_timeout=120)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    at.text_area(key="sqlws_editor").set_value("SELECT site, count(*) AS n FROM tickets GROUP BY site ORDER BY site")
    next(b for b in at.button if b.label == "Run").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert any(c.value.startswith("6 row(s) in") for c in at.caption)
    assert any(d.value.shape == (6, 2) for d in at.dataframe)
    at.text_area(key="sqlws_editor").set_value("COPY core.tickets TO '/tmp/x.csv'")
    next(b for b in at.button if b.label == "Run").click()
    at.run()
    assert any("Refused" in e.value for e in at.error)
    # Chinese labels
    zh = AppTest.from_file(str(page_harness(tmp_path)), default_timeout=120)
    zh.query_params["lang"] = "zh"
    zh.run()
    assert not zh.exception and zh.title[0].value == "SQL 工作台"


# Issue 12 item 3: allocations DuckDB's memory_limit does not see (a 4 GB string) took 7.8-14 GB of the caller's
# memory. The statement runs in a child process with an address-space ceiling; the caller's memory does not grow.
HUNGRY = ("SELECT length(repeat('x', 4000000000))",
          "SELECT max(length(repeat('ab', 900000000 + r))) FROM range(8) t(r)")


@pytest.mark.parametrize("start_method", [None, "fork"])
@pytest.mark.parametrize("sql", HUNGRY)
def test_sandbox_memory_ceiling_holds_outside_duckdbs_limit(review_project, sql, start_method):
    import resource

    parent_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = sandbox.run_query(review_project, sql, timeout_s=60, record=False, start_method=start_method)
    assert result.status == sandbox.MEMORY, (result.status, result.message)
    assert "memory limit" in result.message and "\n" not in result.message
    # the child's peak (its own VmHWM, or sampled while it ran) stayed far below the 4 GB the statement wanted
    assert 0 < result.peak_memory_mb < 1500, result.peak_memory_mb
    # the caller's high-water mark did not move by the size of the allocation
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - parent_before < 300 * 1024


def test_sandbox_time_limit_kills_the_query_process_at_the_deadline(review_project):
    result = sandbox.run_query(review_project, "SELECT count(*) FROM range(1000000) AS a, range(1000000) AS b",
                               timeout_s=2, record=False)
    assert result.status == sandbox.TIMEOUT and "time limit of 2 s" in result.message
    assert 2 <= result.elapsed_s < 4


@pytest.mark.parametrize("timeout", [0, -1, 0.5, float("nan")])
def test_sandbox_refuses_a_time_limit_below_one_second(review_project, timeout):
    result = sandbox.run_query(review_project, "SELECT 1", timeout_s=timeout, record=False)
    assert result.status == sandbox.REFUSED and "at least 1 s" in result.message


@pytest.mark.parametrize("timeout", ["0", "-5"])
def test_cli_sql_refuses_a_time_limit_below_one_second(state_config, monkeypatch, timeout):
    monkeypatch.setenv("SQD_CONFIG", str(state_config.source))
    done = CliRunner().invoke(app, ["sql", "SELECT 1", "--timeout", timeout])
    assert done.exit_code == 2 and "Traceback" not in done.output


def test_sandbox_refuses_statement_types_it_cannot_name(review_project):
    result = sandbox.run_query(review_project, "UPDATE EXTENSIONS", record=False)
    assert result.status == sandbox.REFUSED and "not allowed" in result.message


# ------------------------------------------------------------------ start-up (issue 13 target 6)

SANDBOX_START = """
import json, sys
from pipelines.config import load_config
from pipelines import sandbox
config = load_config()
result = sandbox.run_query(config, "SELECT 42 AS answer", record=False, start_method="fork", text=True)
# the child's work, in this process (last: it caps this process's address space)
out = sandbox._execute(config, "SELECT 1 AS a, TIMESTAMPTZ '2026-11-23 10:00:00+08' AS b, [1, 2] AS c", 10, "1GB",
                       text=True)
print("OUT " + json.dumps({"child": out, "parent": [result.columns, result.text_rows, result.frame is None],
                           "modules": sorted(sys.modules)}, default=str))
"""


def test_sql_text_path_imports_neither_polars_nor_pyarrow(state_config):
    """`sqd sql` prints text rows: neither the caller nor the child's work (run here in-process) imports Polars,
    pyarrow or numpy, which cost 0.3-0.7 s of its start."""
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "SQD_CONFIG": str(state_config.source)}
    done = subprocess.run([sys.executable, "-c", SANDBOX_START], env=env, capture_output=True, text=True,
                          timeout=120, check=True)
    found = json.loads(next(x for x in done.stdout.splitlines() if x.startswith("OUT ")).removeprefix("OUT "))
    assert found["child"]["status"] == "ok" and found["child"]["columns"] == ["a", "b", "c"]
    assert found["child"]["text_rows"][0][0] == "1" and found["child"]["text_rows"][0][2] == "[1, 2]"
    assert found["parent"] == [["answer"], [["42"]], True]
    assert not set(found["modules"]) & {"polars", "pyarrow", "numpy", "pytz"}


def test_sql_frame_path_still_returns_a_polars_frame(state_config):
    result = sandbox.run_query(state_config, "SELECT 1 AS a, 'x' AS a", record=False, start_method="fork")
    assert result.ok and result.frame.columns == ["a", "a_1"] and result.text_rows is None
