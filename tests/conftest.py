"""Shared fixtures: a throw-away project folder (config + profiles + warehouse path) per test."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from pipelines import clock
from pipelines.config import Config, load_config
from pipelines.report import chromium_path

NO_CHROMIUM = "install Debian's chromium: apt-get install -y chromium"

# Every test reads "now" from the pinned clock (pipelines/clock.py), never the machine's: the day after the demo's
# default last day. A test that needs another moment marks itself: @pytest.mark.clock("2026-11-14T09:00:00+08:00").
# .ci/run also runs the suite with the machine's wall clock moved years ahead (SQD_TEST_WALL_CLOCK, `make
# test-moved-clock`), which proves no behaviour reads the real clock.
TEST_NOW = "2026-11-23T10:00:00+08:00"
WALL_CLOCK_ENV = "SQD_TEST_WALL_CLOCK"

REPO = Path(__file__).resolve().parents[1]


def make_project(folder: Path) -> Config:
    """sqd.toml, data/profiles and expectations/ copied into `folder`; the warehouse lives in folder/data."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "sqd.toml", folder / "sqd.toml")
    shutil.copytree(REPO / "data" / "profiles", folder / "data" / "profiles", dirs_exist_ok=True)
    shutil.copytree(REPO / "data" / "reference", folder / "data" / "reference", dirs_exist_ok=True)
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


def move_wall_clock(moment: str):
    """Move this process's wall clock (datetime.now, date.today, time.time...) to `moment`, ticking on; monotonic
    time is left alone, so timed waits still wait their real length (libfaketime moves both and hangs them)."""
    import time_machine
    traveller = time_machine.travel(datetime.fromisoformat(moment), tick=True)
    traveller.start()
    return traveller


def pytest_configure(config: pytest.Config) -> None:
    os.environ[clock.ENV] = TEST_NOW  # before session fixtures (the demo warehouses) are built
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # xdist hands its workers COLUMNS (80 without a terminal); the CLI tests read the CLI's output as it is
        # when piped, up to 200 columns wide (pipelines/cli_common.py), as in a run without workers
        os.environ.pop("COLUMNS", None)
    moved = os.environ.get(WALL_CLOCK_ENV)
    if moved:
        move_wall_clock(moved)


# Longest files first (seconds per file measured with --durations=0, session 9): `--dist loadfile` hands whole files
# to the two workers in collection order, and a long file handed out last keeps one worker busy after the other has
# finished (9:46 against 9:32 when the page x filter sweep got a file of its own and was handed out late; 9:54 when
# the 30-40 s files after these came last in alphabetical order).
SLOW_FILES = ("test_dashboard_sweep_filters.py", "browser/test_roles.py", "test_dashboard_sweep.py",
              "browser/test_dashboard_browser.py", "test_ingest.py", "test_gate_flow.py", "test_watch.py",
              "test_warehouse.py", "test_validate.py", "test_auth_app.py", "hostile/test_hostile.py", "test_report.py",
              "test_ticket_events.py", "test_rollups.py", "test_capa.py", "test_publish.py", "test_dashboard_app.py",
              "test_sandbox.py")


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return next((i for i, name in enumerate(SLOW_FILES) if path.endswith("tests/" + name)), len(SLOW_FILES))

    items.sort(key=rank)   # stable: the other files keep their order


def pytest_report_header(config: pytest.Config) -> str:
    moved = os.environ.get(WALL_CLOCK_ENV)
    return (f"wall clock moved to {moved} ({WALL_CLOCK_ENV}); the product's clock is pinned to {TEST_NOW}" if moved
            else f"the product's clock is pinned to {TEST_NOW}; wall clock not moved")


@pytest.fixture(autouse=True)
def pinned_clock(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    marker = request.node.get_closest_marker("clock")
    moment = marker.args[0] if marker else TEST_NOW
    monkeypatch.setenv(clock.ENV, moment)
    return moment


@pytest.fixture(scope="session", autouse=True)
def schema_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """New warehouses start from one empty file holding the DDL and bound views, as in the warm loader
    (pipelines/watch.py), instead of binding every view again for each of the suite's few hundred new warehouses.
    A test of the path without one clears `warehouse._TEMPLATES` (tests/test_warehouse.py `prepared`)."""
    from pipelines import warehouse
    return warehouse.schema_template(tmp_path_factory.mktemp("schema-template"))


@pytest.fixture
def project(tmp_path: Path) -> Config:
    return make_project(tmp_path)
