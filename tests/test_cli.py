"""`sqd` end to end: demo, a second load of the demo files, status, sql, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.warehouse import connect
from tests.conftest import make_project

runner = CliRunner(env={"COLUMNS": "200"})
COUNTS = "SELECT (SELECT count(*) FROM core.tickets), (SELECT count(*) FROM core.surveys), " \
         "(SELECT count(*) FROM core.inspections), (SELECT count(*) FROM core.nonconformities)"


def counts(cfg) -> tuple:
    con = connect(cfg)
    try:
        return con.execute(COUNTS).fetchall()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    cfg = make_project(folder)
    result = runner.invoke(app, ["demo", "--tickets", "3000", "--out", str(folder / "demo"),
                                 "--config", str(cfg.source)])
    assert result.exit_code == 0, result.output
    return cfg, folder


def test_cli_demo_builds_the_warehouse_through_ingest(demo):
    cfg, _ = demo
    tickets, surveys, inspections, nonconformities = counts(cfg)
    assert 2500 <= tickets <= 3100 and surveys > 1000 and inspections > 100 and nonconformities > 100
    con = connect(cfg)
    statuses = con.execute("SELECT DISTINCT status FROM meta.load_log").fetchall()
    con.close()
    assert set(statuses) <= {("published",), ("published_with_quarantine",)}


def test_cli_loading_the_demo_files_again_changes_no_row_count(demo):
    cfg, folder = demo
    before = counts(cfg)
    files = sorted(str(p) for p in (folder / "demo").iterdir())
    result = runner.invoke(app, ["ingest", *files, "--config", str(cfg.source)])
    assert result.exit_code == 0, result.output
    assert "already_loaded" in result.output
    assert counts(cfg) == before


def test_cli_status_lists_every_dataset(demo):
    cfg, _ = demo
    result = runner.invoke(app, ["status", "--config", str(cfg.source)])
    assert result.exit_code == 0
    for name in ("tickets", "surveys", "inspections", "nonconformities"):
        assert name in result.output
    # times to the second in the warehouse's zone, no microseconds or offsets
    import re
    assert re.search(r"20\d\d-\d\d-\d\d \d\d:\d\d:\d\d", result.output)
    assert not re.search(r"\d\d:\d\d:\d\d\.\d", result.output) and "+08:00" not in result.output
    assert "times in Asia/Shanghai" in result.output


def test_cli_sql_prints_a_table_and_errors_cleanly(demo):
    cfg, _ = demo
    ok = runner.invoke(app, ["sql", "SELECT count(*) AS n FROM tickets", "--config", str(cfg.source)])
    assert ok.exit_code == 0 and str(counts(cfg)[0]) in ok.output
    bad = runner.invoke(app, ["sql", "SELECT nope FROM tickets", "--config", str(cfg.source)])
    assert bad.exit_code == 1
    assert "nope" in bad.output and "Traceback" not in bad.output


def test_cli_ingest_refused_file_exits_2(demo, tmp_path):
    cfg, _ = demo
    bad = tmp_path / "bad.csv"
    bad.write_text("ticket_id,created_at\nT1,not a date\n")
    result = runner.invoke(app, ["ingest", str(bad), "--config", str(cfg.source)])
    assert result.exit_code == 2
    assert "row 2" in result.output and "created_at" in result.output


def test_cli_without_a_warehouse_says_how_to_build_one(tmp_path):
    cfg = make_project(tmp_path)
    result = runner.invoke(app, ["status", "--config", str(cfg.source)])
    assert result.exit_code == 1 and "sqd demo" in result.output


# ------------------------------------------------------------------ CLI start (issue 13, target 6)
# Each command imports what it needs when it runs. What makes `sqd --help`, `sqd status` and `sqd sql` start in
# about half a second is what they do NOT import: checked on a fresh interpreter per command (not by timing).
HEAVY = ("great_expectations", "pandas", "scipy", "pipelines.ingest", "pipelines.gate", "pipelines.validate")
RUN_AND_LIST_MODULES = """
import json, sys
sys.argv = ["sqd", *json.loads(sys.argv[1])]
from pipelines.cli import app
try:
    app()
except SystemExit as exc:
    code = exc.code
print("\\nMODULES " + json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def modules_after(args: list[str], cfg=None) -> tuple[int, set[str]]:
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "COLUMNS": "200", **({"SQD_CONFIG": str(cfg.source)} if cfg else {})}
    done = subprocess.run([sys.executable, "-c", RUN_AND_LIST_MODULES, json.dumps(args)], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    line = next(x for x in done.stdout.splitlines() if x.startswith("MODULES "))
    found = json.loads(line.removeprefix("MODULES "))
    return found["code"], set(found["modules"])


def test_cli_help_imports_neither_duckdb_nor_polars_nor_the_loader():
    code, modules = modules_after(["--help"])
    assert code == 0
    assert not modules & {*HEAVY, "duckdb", "polars", "pyarrow", "numpy", "pipelines.warehouse"}


# typer 0.29 converts option values through pydantic TypeAdapters; pipelines/cli_common.py converts ours directly
NO_PYDANTIC = {"pydantic", "pydantic_core", "typer._adapters"}


def test_cli_status_imports_duckdb_but_not_polars_pyarrow_or_gx(demo):
    cfg, _ = demo
    code, modules = modules_after(["status"], cfg)
    assert code == 0 and "duckdb" in modules
    assert not modules & {*HEAVY, *NO_PYDANTIC, "polars", "pyarrow", "numpy", "pytz", "pipelines.calendar"}


def test_cli_sql_imports_neither_gx_nor_the_loader(demo):
    cfg, _ = demo
    code, modules = modules_after(["sql", "--limit", "5", "--timeout", "10", "select 1"], cfg)
    assert code == 0
    assert not modules & {*HEAVY, *NO_PYDANTIC}


def test_cli_values_are_converted_and_checked_without_pydantic(demo, tmp_path):
    """The plain conversions (pipelines/cli_common.py) give click's checks and messages: a bad integer, a value
    under an option's minimum or over its maximum; lists, paths and numbers arrive typed, an enum through typer's own."""
    cfg, _ = demo
    bad_int = runner.invoke(app, ["audit", "-n", "abc", "--config", str(cfg.source)])
    assert bad_int.exit_code == 2 and "'abc' is not a valid integer" in bad_int.output
    too_short = runner.invoke(app, ["sql", "--timeout", "0.5", "select 1", "--config", str(cfg.source)])
    assert too_short.exit_code == 2 and "0.5 is not in the range x>=1" in too_short.output
    out = tmp_path / "one.csv"
    wrote = runner.invoke(app, ["sql", "--limit", "1", "--timeout", "5", "--out", str(out),
                                "SELECT 41 + 1 AS answer", "--config", str(cfg.source)])
    assert wrote.exit_code == 0, wrote.output
    assert out.read_text(encoding="utf-8-sig").splitlines() == ["answer", "42"]

    import typer

    from pipelines import cli_common  # noqa: F401  (the conversions are installed on import)

    seen = {}
    probe = typer.Typer()

    @probe.command()
    def main(paths: list[Path], n: int = 1, ratio: float = typer.Option(0.5, min=0, max=1),
             name: str | None = None, flag: bool = typer.Option(False, "--flag"), mode: Mode = Mode.fast) -> None:
        seen.update(paths=paths, n=n, ratio=ratio, name=name, flag=flag, mode=mode)

    assert runner.invoke(probe, ["a", "b/c", "-", "--n", "7", "--ratio", "0.25", "--flag", "--mode", "slow"]
                         ).exit_code == 0
    assert seen == {"paths": [Path("a"), Path("b/c"), Path("-")], "n": 7, "ratio": 0.25, "name": None,
                    "flag": True, "mode": Mode.slow}                       # the enum: typer's own conversion
    over = runner.invoke(probe, ["a", "--ratio", "2"])
    assert over.exit_code == 2 and "2.0 is not in the range x>=0 and x<=1" in over.output
    assert runner.invoke(probe, ["a", "--mode", "sideways"]).exit_code == 2


class Mode(str, __import__("enum").Enum):
    fast = "fast"
    slow = "slow"


def test_cli_copies_of_dataset_names_match_the_datasets():
    from pipelines.cli_check import DATASET_NAMES
    from pipelines.datasets import DATASETS
    from pipelines.status import EVENT_TIME

    assert set(DATASET_NAMES) == set(DATASETS)
    assert EVENT_TIME == {d.name: d.event_time for d in DATASETS.values()}


def test_output_to_a_pipe_is_not_cut_to_80_columns(demo):
    """A scheduler's log or `sqd status | tee`: no terminal, no COLUMNS. Rich would assume 80 columns and cut the
    cells; pipelines/cli_common.py gives piped output up to 200."""
    import os
    import subprocess
    import sys

    cfg, _ = demo
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    done = subprocess.run([sys.executable, "-m", "pipelines.cli", "status", "--config", str(cfg.source)], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert max(len(line) for line in done.stdout.splitlines()) > 80, done.stdout
    assert "…" not in done.stdout, done.stdout
    for name in ("tickets", "surveys", "inspections", "nonconformities", "calls", "ticket_events"):
        assert name in done.stdout
