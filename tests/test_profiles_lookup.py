"""Where profiles are found: the configuration's folder, then the shipped ones; a broken one is skipped."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from pipelines.cli import app

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner(env={"COLUMNS": "250"})
TICKETS = REPO / "tests" / "fixtures" / "dq" / "tickets.csv"


def _elsewhere(tmp_path: Path) -> Path:
    """A configuration kept outside the repository, with no data/profiles of its own."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    shutil.copy(REPO / "sqd.toml", folder / "sqd.toml")
    return folder / "sqd.toml"


def test_a_config_outside_the_repository_finds_the_shipped_profiles(tmp_path, monkeypatch):
    config = _elsewhere(tmp_path)
    monkeypatch.setenv("SQD_CONFIG", str(config))
    result = runner.invoke(app, ["ingest", str(TICKETS)])
    assert result.exit_code == 0, result.output
    assert "tickets__canonical" in result.output


def test_a_broken_profile_is_skipped_with_a_warning_naming_it(tmp_path):
    config = _elsewhere(tmp_path)
    profiles = config.parent / "data" / "profiles"
    profiles.mkdir(parents=True)
    (profiles / "tickets__broken.yaml").write_text("dataset: tickets\ncolumns: {ticket_id: [unclosed\n")
    (profiles / "tickets__unknown_column.yaml").write_text("dataset: tickets\ncolumns: {ticket_colour: x}\n")
    (profiles / "x__no_dataset.yaml").write_text("dataset: parcels\n")
    result = runner.invoke(app, ["ingest", str(TICKETS), "--profile", "tickets__canonical", "-c", str(config)])
    assert result.exit_code == 0, result.output
    for name in ("tickets__broken.yaml", "tickets__unknown_column.yaml", "x__no_dataset.yaml"):
        assert name in result.output
    assert "warning: profile skipped" in result.output


def test_no_matching_profile_names_the_folders_searched(tmp_path):
    config = _elsewhere(tmp_path)
    odd = tmp_path / "odd.csv"
    odd.write_text("colour,weight\nred,3\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(odd), "-c", str(config)])
    assert result.exit_code == 2
    joined = "".join(result.output.split())            # Rich may wrap a long path anywhere
    assert "noprofilematches" in joined
    assert str((config.parent / "data" / "profiles").resolve()) in joined      # the configuration's folder
    assert str(REPO / "data" / "profiles") in joined                           # then the shipped profiles
