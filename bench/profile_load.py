"""Where does a small load's time go? One process, the imports paid first, in-process timers around each step.

    .venv/bin/python bench/profile_load.py --size 5000000 [--kind update|new] [--runs 2] [--code DIR] [--folder DIR]
    .venv/bin/python bench/profile_load.py --rows 1000000 [--runs 2]

Uses load_growth.py's cached warehouse of N tickets (bench/out/wh-<N>/, built on first use; `--size 0`: a new empty
warehouse each run, as the warm loader's benchmark loads into) and its batch maker:
1,000 tickets with existing ids (update) or new ids (new), new values each run. Prints seconds and peak RSS (VmHWM, reset at each step's start) per step of
`ingest_files` (the publish's open/copy, schema, stage, gate, track, merge, reference tables, SLA refresh, rollup
refresh, checkpoint and rename), each run's total, and the steps' sum against the total.

`--rows N`: instead of a 1,000-row batch, N tickets generated as bench/ingest.py does, into a new empty warehouse
each run (where a bulk load's time goes: issue 13 targets 5 and 7).
`--code DIR`: another checkout's `pipelines` (a `git worktree add /tmp/before <commit>`), for side-by-side runs.
`--folder DIR`: a copy of the cached warehouse's project folder to load into (each checkout its own copy: checkouts
whose rollup fingerprints differ rebuild the rollups whole on each other's warehouse).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from load_growth import BATCH, NOW, batch, build, project

os.environ.setdefault("SQD_NOW", NOW)

TIMES: dict[str, float] = defaultdict(float)
PEAKS: dict[str, float] = defaultdict(float)    # GiB: the process's peak RSS while the step ran
LAST: dict[str, object] = {}


def _reset_peak() -> None:
    """Linux: writing 5 to clear_refs resets VmHWM, so the next reading is the peak since now."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def _peak_gib() -> float:
    with open("/proc/self/status") as f:
        kb = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    return kb / 2**20


def wrap(module, name: str, label: str | None = None) -> None:
    original = getattr(module, name)

    def timed(*args, **kwargs):
        t0 = time.perf_counter()
        _reset_peak()
        try:
            return original(*args, **kwargs)
        finally:
            TIMES[label or name] += time.perf_counter() - t0
            PEAKS[label or name] = max(PEAKS[label or name], _peak_gib())

    setattr(module, name, timed)


@contextmanager
def step(label: str):
    t0 = time.perf_counter()
    yield
    TIMES[label] += time.perf_counter() - t0


def instrument() -> None:
    import duckdb

    from pipelines import derived, gate, ingest, publish, rollups, warehouse
    wrap(ingest, "stage")
    wrap(gate, "check", "gate")
    wrap(derived, "track")
    wrap(ingest, "merge_staged")
    if hasattr(ingest, "existing_rows"):
        wrap(ingest, "existing_rows")
    wrap(rollups, "capture", "rollups.capture")
    wrap(warehouse, "refresh_reference")
    wrap(warehouse, "apply_schema")
    wrap(derived, "refresh", "derived.refresh")
    wrap(rollups, "refresh", "rollups.refresh")
    import importlib
    for module, name in (("backlog", "refresh"), ("work_orders", "refresh"), ("ticket_views", "refresh"),
                         ("nc_workflow", "refresh"), ("derived", "fix_inputs"), ("backlog", "capture")):
        try:   # the publish's other steps, where the checkout has them
            wrap(importlib.import_module(f"pipelines.{module}"), name, f"{module}.{name}")
        except (ImportError, AttributeError):
            pass
    wrap(ingest, "log_load")
    wrap(warehouse, "fsync_directory")
    for name in ("prepare_standby", "sync_standby", "swap_in"):  # the publish's own steps, where they exist
        if hasattr(warehouse, name):
            wrap(warehouse, name, f"publish.{name}")
    wrap(warehouse.shutil, "copyfile", "copy")
    if hasattr(warehouse, "prepare_standby"):
        timed_prepare = warehouse.prepare_standby

        def prepare(live):
            work, how, written = timed_prepare(live)
            LAST["prepare"] = f"{how}, {written / 2**20:,.1f} MiB written of {live.stat().st_size / 2**20 if live.exists() else 0:,.0f}"
            return work, how, written

        warehouse.prepare_standby = prepare
    _ = publish, duckdb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=5_000_000)
    parser.add_argument("--kind", choices=("update", "new"), default="update")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--rows", type=int, help="a generated batch of this many tickets into an empty warehouse")
    parser.add_argument("--code", type=Path, help="a checkout whose pipelines to run")
    parser.add_argument("--folder", type=Path, help="a copy of the cached warehouse folder of --size tickets")
    args = parser.parse_args()
    if args.code:
        sys.path.insert(0, str(args.code.resolve()))
    if args.rows:
        args.size = 0
    folder = args.folder if args.folder else build(args.size) if args.size else None
    instrument()
    from pipelines import ingest
    from pipelines.config import load_config

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        warm = project(tmp / "warm")                    # imports and first calls, not timed
        first = batch(tmp / "warm.csv", np.char.add("W", np.arange(BATCH).astype(str)), 1)
        ingest.ingest_files([first], load_config(warm), profile="tickets__canonical")
        config = load_config(folder / "sqd.toml") if folder else None
        rng = np.random.default_rng(int(time.time()))
        for run in range(args.runs):
            TIMES.clear()
            PEAKS.clear()
            if args.kind == "update" and args.size:
                ids = np.char.add("T", rng.choice(args.size, BATCH, replace=False).astype(str))
            else:
                ids = np.char.add(f"N{int(time.time())}-{run}-", np.arange(BATCH).astype(str))
            if args.rows:
                from ingest import generate
                path = tmp / f"rows-{args.rows}.csv"
                if not path.exists():
                    generate(path, args.rows)
            else:
                path = batch(tmp / f"b{run}.csv", ids, int(time.time()) % 100_000 + run)
            if folder is None:                              # --size 0: a new empty warehouse each run
                config = load_config(project(tmp / f"empty-{run}"))
            t0 = time.perf_counter()
            _reset_peak()
            [result] = ingest.ingest_files([path], config, profile="tickets__canonical")
            whole = max(_peak_gib(), *PEAKS.values())
            total = time.perf_counter() - t0
            print(f"run {run + 1} ({args.code or 'this checkout'}): {result.status}, inserted {result.inserted}, updated {result.updated}; "
                  f"total {total:.2f} s, peak RSS {whole:.2f} GiB (a step's peak: RSS while it ran, nested steps in it)")
            for label, seconds in sorted(TIMES.items(), key=lambda kv: -kv[1]):
                print(f"  {label:<24}{seconds:7.3f} s  {PEAKS[label]:5.2f} GiB")
            print(f"  {'(not in a step)':<24}{total - sum(TIMES.values()):7.3f}")
            if "prepare" in LAST:
                print(f"  publish's working file: {LAST['prepare']}")


if __name__ == "__main__":
    main()
