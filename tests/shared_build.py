"""Build an expensive test folder (a demo warehouse) once per test run, also under pytest-xdist.

Without xdist this is `build(tmp_path_factory.mktemp(name))`. Under xdist (`make test` runs two workers) the first
worker to ask builds the folder in the run's shared temporary root, under an exclusive lock, and every worker then
copies it to a folder of its own: DuckDB lets only one process open a file for writing, so no warehouse is shared
between workers, and no worker builds what another already has.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

DONE = ".built"


def built_once(name: str, build: Callable[[Path], object], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder that `build(folder)` fills, built once per run; returns this worker's own folder."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        folder = tmp_path_factory.mktemp(name)
        build(folder)
        return folder
    root = tmp_path_factory.getbasetemp().parent  # shared by the run's workers
    shared = root / f"built-{name}"
    with open(root / f"built-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if the build fails
        if not (shared / DONE).exists():
            if shared.exists():  # a build that failed part-way
                shutil.rmtree(shared)
            shared.mkdir()
            build(shared)
            (shared / DONE).touch()
    own = tmp_path_factory.mktemp(name)
    shutil.copytree(shared, own, symlinks=True, dirs_exist_ok=True, ignore=shutil.ignore_patterns(DONE, "*.lock"))
    return own
