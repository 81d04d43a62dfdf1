"""Warehouses for the dashboard tests, built once per test session.

* `demo_project`: a temporary project (sqd.toml whose warehouse lives in it, data/profiles linked) loaded with
  the demo organisation at 3,000 tickets through the real generator and ingest path (what `sqd demo` runs).
* `empty_project`: the same layout with a published but empty warehouse (schema, views, reference tables only).
* `missing_project`: a configuration whose warehouse file does not exist.

Import the fixtures into a test module (`from tests.dashboard_fixtures import demo_project, ...`); the builds are
cached in this module, so every module shares one demo warehouse.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pipelines.config import Config, load_config
from pipelines.warehouse import publishing
from tests.shared_build import built_once

REPO = Path(__file__).resolve().parents[1]
DEMO_TICKETS = 3000
_BUILT: dict[str, Project] = {}


@dataclass(frozen=True)
class Project:
    folder: Path
    config_path: Path

    @property
    def config(self) -> Config:
        return load_config(self.config_path)


def make_project(folder: Path) -> Project:
    """sqd.toml and data/profiles (linked) in `folder`; the warehouse path resolves to folder/data."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "sqd.toml", folder / "sqd.toml")
    profiles = folder / "data" / "profiles"
    if not profiles.exists():
        os.symlink(REPO / "data" / "profiles", profiles)
    reference = folder / "data" / "reference"           # [hotline] routing
    if not reference.exists():
        os.symlink(REPO / "data" / "reference", reference)
    return Project(folder, folder / "sqd.toml")


def build_demo(folder: Path) -> Project:
    """What `sqd demo --tickets 3000 --out folder/demo` does (generate_demo, then each file through ingest with
    the profile it was written for), in this process to save the CLI's start-up."""
    from pipelines.demo import generate_demo
    from pipelines.ingest import REFUSED, ingest_files

    project = make_project(folder)
    config = project.config
    files = generate_demo(folder / "demo", tickets=DEMO_TICKETS)
    results = ingest_files([path for path, _ in files], config, [profile for _, profile in files])
    refused = [(r.path.name, r.message) for r in results if r.status == REFUSED]
    if refused or not config.warehouse_path.exists():
        pytest.fail(f"demo load failed: {refused}")
    return project


def build_empty(folder: Path) -> Project:
    project = make_project(folder)
    with publishing(project.config):
        pass
    return project


def _cached(name: str, factory, tmp_path_factory: pytest.TempPathFactory) -> Project:
    if name not in _BUILT:  # once per run, also under xdist (tests/shared_build.py)
        folder = built_once(name, factory, tmp_path_factory)
        _BUILT[name] = Project(folder, folder / "sqd.toml")
    return _BUILT[name]


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return _cached("demo", build_demo, tmp_path_factory)


@pytest.fixture(scope="session")
def empty_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return _cached("empty", build_empty, tmp_path_factory)


@pytest.fixture(scope="session")
def missing_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return _cached("missing", make_project, tmp_path_factory)


APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"


def open_app(project: Project, monkeypatch: pytest.MonkeyPatch, **params: str | list[str]) -> AppTest:
    """The app from its entry point (AppTest) on `project`'s warehouse, with these query parameters; it must not
    raise on its first run."""
    monkeypatch.setenv("SQD_CONFIG", str(project.config_path))
    at = AppTest.from_file(str(APP), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at
