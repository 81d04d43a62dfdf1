"""Shared fixtures: a throw-away project folder (config + profiles + warehouse path) per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipelines.config import Config, load_config

REPO = Path(__file__).resolve().parents[1]


def make_project(folder: Path) -> Config:
    """sqd.toml, data/profiles and expectations/ copied into `folder`; the warehouse lives in folder/data."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "sqd.toml", folder / "sqd.toml")
    shutil.copytree(REPO / "data" / "profiles", folder / "data" / "profiles", dirs_exist_ok=True)
    shutil.copytree(REPO / "expectations", folder / "expectations", dirs_exist_ok=True)
    return load_config(folder / "sqd.toml")


@pytest.fixture
def project(tmp_path: Path) -> Config:
    return make_project(tmp_path)
