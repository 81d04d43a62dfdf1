"""Issue 13 target 3: the first visitor after a load waits no longer than the second.

    python bench/first_visit.py --config bench/out/<folder>/sqd.toml [--repeat 3] [--delays 0 5]

Copies the warehouse of `--config` into a temporary project, then does what a dashboard server does, in this
process: starts the warmer thread (dashboard/db.py `start_warmer`) and answers "visits" through the same cached
runner a page uses (`db.runner`; a visit = every page's default queries, `queries.page_queries` without the
on-demand groups: what the pages run at their defaults). Each round loads a batch of 1,000 new tickets with
`sqd ingest` in a child process (a real load: a new warehouse file and version token), waits `delay` seconds after
the load returns, and times the first visit after the load and then a second one. It also logs when the warmer
finished the new version (seconds after the load returned). Page drawing is not included (bench/pages_browser.py
times that, and `--publish-after` there gives the browser's first and second visitor).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.append(str(REPO / "bench"))  # after the repo: bench/dashboard.py must not shadow the package

from load_growth import batch  # noqa: E402 (1,000 generated tickets with given ids)

# load_growth puts bench/ first: bench/dashboard.py must not shadow the dashboard package
sys.path[:] = [p for p in sys.path if Path(p).resolve() != REPO / "bench"] + [str(REPO / "bench")]
sys.modules.pop("dashboard", None)

logging.getLogger("streamlit").setLevel(logging.ERROR)


class Warmed(logging.Handler):
    """Records when the warmer logs 'prewarmed ... for <path>'."""

    def __init__(self) -> None:
        super().__init__()
        self.at: list[float] = []
        self.event = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("prewarmed"):
            self.at.append(time.perf_counter())
            self.event.set()


SLOW = ("defects (workflow, corrective actions)", "hotline")  # seconds each at 1M: warmed last (queries.page_queries)


def visit(config, db, queries, clock) -> tuple[float, float]:
    """Every page's default queries through the server's cache, as a visitor's pages run them, in the warmer's
    order; returns the whole visit's seconds and those of the pages before the slow groups (SLOW)."""
    started = time.perf_counter()
    run = db.runner(config, db.token(config))
    f = queries.Filters(*queries.default_period(run, clock.today(config.timezone)))
    quick = None
    for page, items in queries.page_queries(run, f).items():
        if "on demand" in page:
            continue
        if page in SLOW and quick is None:
            quick = time.perf_counter() - started
        for _, fn in items:
            fn(run, f)
    total = time.perf_counter() - started
    return total, total if quick is None else quick


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--delays", type=float, nargs="+", default=[0.0, 5.0],
                        help="seconds between the load's end and the first visit (one round per delay per repeat)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="sqd-first-visit-"))
    (folder / "data").mkdir()
    shutil.copy(args.config, folder / "sqd.toml")
    os.symlink(REPO / "data" / "profiles", folder / "data" / "profiles")
    source = args.config.parent / "data" / "warehouse.duckdb"
    shutil.copy(source, folder / "data" / "warehouse.duckdb")
    os.environ["SQD_CONFIG"] = str(folder / "sqd.toml")

    from dashboard import db, queries
    from pipelines import clock
    from pipelines.config import load_config

    config = load_config(folder / "sqd.toml")
    handler = Warmed()
    db.LOG.addHandler(handler)
    db.LOG.setLevel(logging.INFO)
    db.start_warmer(config)
    handler.event.wait(600)
    print(f"warehouse copy {folder}; warmed the first version", flush=True)
    rows = []
    next_id = 90_000_000
    try:
        for round_no in range(args.repeat):
            for delay in args.delays:
                ids = np.arange(next_id, next_id + 1000)
                next_id += 1000
                path = batch(folder / f"batch_{next_id}.csv", np.char.add("FV", ids.astype(str)), seed=next_id)
                handler.event.clear()
                started = time.perf_counter()
                done = subprocess.run([sys.executable, "-m", "pipelines.cli", "ingest", str(path), "--profile",
                                       "tickets__canonical", "--config", str(folder / "sqd.toml")],
                                      env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                                      check=False)
                if done.returncode not in (0, 3):  # published, or published with rows quarantined
                    raise SystemExit(f"the load failed ({done.returncode}): {done.stdout[-2000:]}{done.stderr[-2000:]}")
                loaded = time.perf_counter()
                time.sleep(delay)
                first, first_quick = visit(config, db, queries, clock)
                second, second_quick = visit(config, db, queries, clock)
                handler.event.wait(120)
                warmed = handler.at[-1] - loaded if handler.at and handler.at[-1] > loaded else float("nan")
                rows.append((delay, loaded - started, warmed, first, second, first_quick, second_quick))
                print(f"round {round_no + 1} delay {delay:.0f} s: load {loaded - started:.1f} s, warmer done "
                      f"{warmed:.2f} s after it; first visit {first:.3f} s, second {second:.3f} s; the pages "
                      f"before {', '.join(SLOW)}: first {first_quick:.3f} s, second {second_quick:.3f} s",
                      flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for delay in args.delays:
        part = [r for r in rows if r[0] == delay]
        firsts, seconds = [r[3] for r in part], [r[4] for r in part]
        ratios = [a / b for a, b in zip(firsts, seconds, strict=True)]
        print(f"delay {delay:.0f} s: first visit median {statistics.median(firsts):.3f} s "
              f"({min(firsts):.3f}-{max(firsts):.3f}), second {statistics.median(seconds):.3f} s "
              f"({min(seconds):.3f}-{max(seconds):.3f}); first / second median {statistics.median(ratios):.2f} "
              f"({min(ratios):.2f}-{max(ratios):.2f}); warmer done after the load "
              f"{statistics.median([r[2] for r in part]):.2f} s")


if __name__ == "__main__":
    main()
