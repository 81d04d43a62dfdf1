"""Time every dashboard page's queries (dashboard/queries.py, called directly, no Streamlit) on a warehouse.

    python bench/dashboard.py                         # the warehouse of ./sqd.toml (or $SQD_CONFIG)
    python bench/dashboard.py --config path/sqd.toml
    python bench/dashboard.py --build 1000000         # build a 1M-ticket demo warehouse in a temp folder first

Each query runs `--repeat` times on a fresh read-only connection (no result cache: what a first visitor after a
load waits for; a page's functions that share one SQL statement, e.g. volumes and the scorecard's ticket rates from
`ticket_overview`, appear once, as in the app where the second call is a cache hit); the table shows the median and the slowest run in ms, and each page's total (sum of medians).
Filters are the dashboard's defaults (the last 13 weeks of data, nothing else) unless --all-dates is given.
Budget (issue 13 target 2): each page's queries <= 150 ms at 1M tickets and <= 500 ms at 10M, for the default
period and the whole history. Groups named "... on demand" run only when the reader switches them on.

    python bench/dashboard.py --config ... --vs-views [--all-dates]

times each query alternately with the rollups (as the app reads them) and with the metric views (as before the
rollups: `built_rollups` empty), in the same process and rounds, and prints both and their ratio. Which rollups the
warehouse holds is looked up once (the app's result cache answers that lookup after the first page), so the times
are the page queries' own.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dashboard import queries as q
from dashboard.queries import Filters
from pipelines import clock
from pipelines.config import load_config
from pipelines.warehouse import connect


def measure(config_path: Path | None, repeat: int, all_dates: bool, vs_views: bool = False) -> pl.DataFrame:
    config = load_config(config_path)
    con = connect(config)
    run = q.direct(con)
    built = q.built_rollups(run)
    modes = {"ms": built, **({"views_ms": frozenset()} if vs_views else {})}
    q.built_rollups = lambda run: current[0]  # noqa: E731 (looked up once, as the app's cache does)
    current = [built]
    start, end = (None, None) if all_dates else q.default_period(run, clock.today(config.timezone))
    f = Filters(start=start, end=end)
    tickets = con.sql("SELECT count(*) FROM core.tickets").fetchall()[0][0]
    print(f"warehouse {config.warehouse_path}: {tickets:,} tickets; period {start} – {end}")
    plan = q.page_queries(run, f)
    rows = []
    for page, items in plan.items():
        for name, fn in items:
            times: dict[str, list[float]] = {m: [] for m in modes}
            for _ in range(repeat):
                for mode, rolled in modes.items():  # alternately: noise hits both alike
                    current[0] = rolled
                    t0 = time.perf_counter()
                    fn(run, f)
                    times[mode].append((time.perf_counter() - t0) * 1000)
            row = {"page": page, "query": name}
            for mode in modes:
                row[mode] = round(statistics.median(times[mode]), 1)
                row[mode.replace("ms", "max_ms")] = round(max(times[mode]), 1)
            rows.append(row)
    con.close()
    return pl.DataFrame(rows)


def build(tickets: int) -> Path:
    """A demo warehouse with `tickets` tickets in a temporary project folder; returns its sqd.toml."""
    folder = Path(tempfile.mkdtemp(prefix=f"sqd-bench-{tickets}-"))
    (folder / "data").mkdir()
    shutil.copy(REPO / "sqd.toml", folder / "sqd.toml")
    os.symlink(REPO / "data" / "profiles", folder / "data" / "profiles")
    sqd = Path(sys.executable).with_name("sqd")
    started = time.perf_counter()
    subprocess.run([str(sqd), "demo", "--tickets", str(tickets), "--out", str(folder / "demo"),
                    "--config", str(folder / "sqd.toml")], check=True, stdout=subprocess.DEVNULL)
    print(f"built {tickets:,}-ticket demo warehouse in {time.perf_counter() - started:.0f} s under {folder}")
    return folder / "sqd.toml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, help="sqd.toml of the warehouse to measure")
    parser.add_argument("--build", type=int, metavar="TICKETS", help="build a demo warehouse of this size first")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--all-dates", action="store_true", help="no date filter (the whole history)")
    parser.add_argument("--keep", action="store_true", help="keep the built warehouse")
    parser.add_argument("--vs-views", action="store_true", help="also time each query on the views, alternately")
    args = parser.parse_args()
    config_path = build(args.build) if args.build else args.config
    try:
        result = measure(config_path, args.repeat, args.all_dates, args.vs_views)
    finally:
        if args.build and not args.keep:
            shutil.rmtree(config_path.parent, ignore_errors=True)
    with pl.Config(tbl_rows=200, tbl_hide_dataframe_shape=True, tbl_formatting="ASCII_MARKDOWN",
                   tbl_hide_column_data_types=True, tbl_width_chars=120):
        print(result)
        totals = [pl.col("ms").sum().round(1).alias("page_total_ms"), pl.col("max_ms").sum().round(1).alias("worst_ms")]
        if "views_ms" in result.columns:
            totals += [pl.col("views_ms").sum().round(1).alias("views_total_ms"),
                       (pl.col("views_ms").sum() / pl.col("ms").sum()).round(1).alias("views_over_rollups")]
        print(result.group_by("page", maintain_order=True).agg(totals))


if __name__ == "__main__":
    main()
