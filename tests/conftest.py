"""Shared fixtures: a throw-away project folder (config + profiles + warehouse path) per test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pipelines.config import Config, load_config
from pipelines.report import chromium_path

NO_CHROMIUM = "install Debian's chromium: apt-get install -y chromium"

REPO = Path(__file__).resolve().parents[1]


def make_project(folder: Path) -> Config:
    """sqd.toml, data/profiles and expectations/ copied into `folder`; the warehouse lives in folder/data."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "sqd.toml", folder / "sqd.toml")
    shutil.copytree(REPO / "data" / "profiles", folder / "data" / "profiles", dirs_exist_ok=True)
    shutil.copytree(REPO / "expectations", folder / "expectations", dirs_exist_ok=True)
    return load_config(folder / "sqd.toml")


def require_chromium(why: str = "") -> Path:
    """The browser for the browser and PDF tests. Missing: skip with how to install it, or fail where the
    browser is promised (.ci/run sets SQD_REQUIRE_BROWSER=1 after installing it, so CI never skips them)."""
    found = chromium_path()
    if found is None:
        message = f"{why}{NO_CHROMIUM}"
        if os.environ.get("SQD_REQUIRE_BROWSER") == "1":
            pytest.fail(f"SQD_REQUIRE_BROWSER=1 but no Chromium: {message}")
        pytest.skip(message)
    return found


@pytest.fixture
def project(tmp_path: Path) -> Config:
    return make_project(tmp_path)
