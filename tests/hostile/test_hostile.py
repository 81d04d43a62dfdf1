"""The hostile-input corpus (tests/hostile/README.md): each case with the refusal or output it must get."""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from pipelines import sandbox
from pipelines.cli import app
from pipelines.ingest import ingest_files
from tests.review_fixtures import review_project  # noqa: F401

HERE = Path(__file__).parent


def cases(name: str) -> list[dict]:
    return tomllib.loads((HERE / name).read_text(encoding="utf-8"))["case"]


def ids(items: list[dict], key: str) -> list[str]:
    return [str(c[key])[:40] for c in items]


SQL, FILES, EXPORTS = cases("sql.toml"), cases("files.toml"), cases("exports.toml")


@pytest.mark.parametrize("case", SQL, ids=ids(SQL, "sql"))
def test_hostile_sql(review_project, case):  # noqa: F811
    result = sandbox.run_query(review_project, case["sql"], timeout_s=case.get("timeout", 60), record=False)
    assert result.status == case["status"], (case["issue"], result.status, result.message)
    assert case["says"] in result.message, (case["issue"], result.message)
    assert result.frame is None and "Traceback" not in result.message
    if case["status"] == "timeout":
        assert result.elapsed_s < case["timeout"] + 2


@pytest.mark.parametrize("case", FILES, ids=ids(FILES, "file"))
def test_hostile_file(project, tmp_path, monkeypatch, case):
    path = HERE / "files" / case["file"]
    [result] = ingest_files([path], project)
    assert result.status == case["status"], (case["issue"], result.message)
    assert len(result.message) <= case["max_message"], result.message
    for words in case["says"]:
        assert words in result.message, (case["issue"], result.message)
    # the CLI prints the message as is (markup in data stays literal) and returns
    monkeypatch.setenv("SQD_CONFIG", str(project.source))
    done = CliRunner().invoke(app, ["ingest", str(path), "--force"])
    assert done.exit_code == 2
    for words in case["says"]:
        assert words in done.output, done.output


@pytest.mark.parametrize("case", EXPORTS, ids=ids(EXPORTS, "sql"))
def test_hostile_export(review_project, case):  # noqa: F811
    result = sandbox.run_query(review_project, case["sql"], record=False)
    assert result.ok, result.message
    raw = sandbox.to_csv_bytes(result.frame)
    back = pl.read_csv(io.BytesIO(raw[3:]), infer_schema=False)
    assert back["v"].to_list() == [case["csv"]], case["issue"]
    assert sandbox.to_xlsx_bytes(result.frame)[:2] == b"PK"


CLI = cases("cli.toml")


@pytest.mark.parametrize("case", CLI, ids=ids(CLI, "args"))
def test_hostile_command_line(review_project, tmp_path, monkeypatch, case):  # noqa: F811
    monkeypatch.setenv("SQD_CONFIG", str(review_project.source))
    monkeypatch.chdir(tmp_path)
    args = [a.replace("{files}", str(HERE / "files")) for a in case["args"]]   # files/ holds the configs
    done = CliRunner().invoke(app, args)
    assert done.exit_code == case["exit"], done.output
    assert case["says"] in done.output, (case["issue"], done.output)


RESAVED = cases("resaved.toml")


def _canonical_rows(config, dataset: str) -> list[tuple]:
    """Every canonical column of the dataset's table, ordered: what a load made of the file (lineage left out)."""
    import duckdb

    from pipelines.datasets import DATASETS
    columns = ", ".join(f'"{c}"' for c in DATASETS[dataset].columns)
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        return con.execute(f"SELECT {columns} FROM core.{dataset} ORDER BY 1").fetchall()


@pytest.fixture(scope="module")
def original_rows(tmp_path_factory):
    """rows(original file, profile): the original's load, once per module."""
    from tests.conftest import make_project
    loaded: dict[str, tuple[str, list[tuple]]] = {}

    def rows(name: str, profile: str) -> tuple[str, list[tuple]]:
        if name not in loaded:
            config = make_project(tmp_path_factory.mktemp("resaved-original"))
            [result] = ingest_files([HERE / "files" / name], config, profile=profile)
            assert result.status == "published" and result.inserted >= 3, result.message
            loaded[name] = result.dataset, _canonical_rows(config, result.dataset)
        return loaded[name]
    return rows


@pytest.mark.parametrize("case", RESAVED, ids=ids(RESAVED, "file"))
def test_a_resaved_export_reads_as_the_original(project, original_rows, case):
    profile = case.get("profile")
    shipped = (profile or "tickets__hotline_zh").removesuffix(".yaml")
    dataset, expected = original_rows(case.get("original", "resaved_original.csv"),
                                      profile if profile and not profile.endswith(".yaml") else "tickets__hotline_zh")
    if profile and (HERE / "files" / profile).exists():
        profile = str(HERE / "files" / profile)
    [result] = ingest_files([HERE / "files" / case["file"]], project, profile=profile)
    assert result.status == "published", (case["was"], result.message)
    assert result.profile == shipped
    assert _canonical_rows(project, dataset) == expected, case["was"]
    # a value read by the lenient mapping pass is said with the load; a file that did not need it says nothing
    assert ("read as year-first dates and times" in (result.message or "")) == case.get("lenient", False), (
        result.message)
