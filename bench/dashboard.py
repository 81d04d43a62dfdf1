"""Time every dashboard page's queries (dashboard/queries.py, called directly, no Streamlit) on a warehouse.

    python bench/dashboard.py                         # the warehouse of ./sqd.toml (or $SQD_CONFIG)
    python bench/dashboard.py --config path/sqd.toml
    python bench/dashboard.py --build 1000000         # build a 1M-ticket demo warehouse in a temp folder first

Each query runs `--repeat` times on a fresh read-only connection (no result cache: what a first visitor after a
load waits for; a page's functions that share one SQL statement, e.g. volumes and the scorecard's ticket rates from
`ticket_overview`, appear once, as in the app where the second call is a cache hit); the table shows the median and the slowest run in ms, and each page's total (sum of medians).
Filters are the dashboard's defaults (the last 13 weeks of data, nothing else) unless --all-dates is given.
Budget (issue): each page's queries <= 300 ms at the demo size, <= 1 s at 1M tickets.
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
from collections.abc import Callable
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dashboard import present
from dashboard import queries as q
from dashboard.queries import Filters, Run
from pipelines import clock
from pipelines.config import load_config
from pipelines.warehouse import connect

Query = Callable[[Run, Filters], object]


def page_queries(run: Run, f: Filters) -> dict[str, list[tuple[str, Query]]]:
    """What each page runs with its default selections (resolved from the data like the page does)."""
    policies = q.sla_policies(run, f, "resolution")
    policy = policies["policy_id"][0] if policies.height else "default"
    series = q.defect_series(run, f)
    product = series["product"][0] if series.height else ""
    stage = "final"
    lots = q.p_chart(run, f, product, stage) if product else pl.DataFrame()
    flagged = lots.filter(pl.col("signal").is_not_null() | pl.col("is_out_of_control")) if lots.height else lots
    signal_lot = flagged["lot_id"][-1] if flagged.height else ""
    shared: list[tuple[str, Query]] = [
        ("meta_tables", lambda r, f: q.meta_tables(r)),
        ("dimension_values", lambda r, f: q.dimension_values(r)),
        ("date_bounds", lambda r, f: q.date_bounds(r)),
        ("gate_summary", lambda r, f: q.gate_summary(r)),
    ]
    return {
        "(sidebar)": shared,
        "overview": [
            ("ticket_overview (scorecard, volumes)", q.ticket_overview),
            *[(fn.__name__, fn) for fn in q.SCORECARD_QUERIES if fn is not q.scorecard_tickets],
        ],
        "sla": [
            ("sla_attainment (summary, weekly)", q.sla_attainment),
            ("sla_heatmap", lambda r, f: q.sla_heatmap(r, f, "resolution")),
            ("sla_policies", lambda r, f: q.sla_policies(r, f, "resolution")),
            ("sla_time_histogram", lambda r, f: q.sla_time_histogram(r, f, "resolution", policy)),
            ("sla_survival+KM (policy)", lambda r, f: present.km_summary(q.sla_survival(r, f, "resolution", policy))),
            ("sla_policy_times", lambda r, f: q.sla_times(r, f, "resolution", policy)),
            ("sla_times", q.sla_times),
            ("sla_survival+KM (all)", lambda r, f: present.km_by_target(q.sla_survival(r, f))),
            ("backlog_buckets", q.backlog_buckets),
            ("backlog_oldest", q.backlog_oldest),
            ("breach_count", q.breach_count),
            ("breaches", q.breaches),
            ("reopen_escalation", q.reopen_escalation),
        ],
        "satisfaction": [
            ("csat_overview (weekly, agents, sites)", q.csat_overview),
            ("survey_scores (scores, dimensions)", q.survey_scores),
            ("follow_up_weekly", q.follow_up_weekly),
            ("low_score_comments", lambda r, f: q.low_score_comments(r, f, 2, "")),
        ],
        "defects": [
            ("defect_series", q.defect_series),
            ("p_chart", lambda r, f: q.p_chart(r, f, product, stage)),
            ("signal_lots", lambda r, f: q.signal_lots(r, product, stage, signal_lot)),
            ("pareto", lambda r, f: q.pareto(r, f, "qty")),
            ("copq_by disposition", lambda r, f: q.copq_by(r, f, "disposition")),
            ("copq_by department", lambda r, f: q.copq_by(r, f, "department")),
            ("field_failure_summary", q.field_failure_summary),
            ("field_failure_lots", q.field_failure_lots),
            ("field_failures", q.field_failures),
        ],
        "data quality": [
            ("dq_runs", lambda r, f: q.dq_runs(r)),
            ("load_history", lambda r, f: q.load_history(r)),
            ("dq_failing", lambda r, f: q.dq_failing(r)),
            ("quarantined", lambda r, f: q.quarantined(r)),
            ("quarantined_loads", lambda r, f: q.quarantined_loads(r)),
        ],
    }


def measure(config_path: Path | None, repeat: int, all_dates: bool) -> pl.DataFrame:
    config = load_config(config_path)
    con = connect(config)
    run = q.direct(con)
    start, end = (None, None) if all_dates else q.default_period(run, clock.today(config.timezone))
    f = Filters(start=start, end=end)
    tickets = con.sql("SELECT count(*) FROM core.tickets").fetchall()[0][0]
    print(f"warehouse {config.warehouse_path}: {tickets:,} tickets; period {start} – {end}")
    plan = page_queries(run, f)
    rows = []
    for page, items in plan.items():
        for name, fn in items:
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                fn(run, f)
                times.append((time.perf_counter() - t0) * 1000)
            rows.append({"page": page, "query": name, "ms": round(statistics.median(times), 1),
                         "max_ms": round(max(times), 1)})
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
    args = parser.parse_args()
    config_path = build(args.build) if args.build else args.config
    try:
        result = measure(config_path, args.repeat, args.all_dates)
    finally:
        if args.build and not args.keep:
            shutil.rmtree(config_path.parent, ignore_errors=True)
    with pl.Config(tbl_rows=200, tbl_hide_dataframe_shape=True, tbl_formatting="ASCII_MARKDOWN",
                   tbl_hide_column_data_types=True, tbl_width_chars=120):
        print(result)
        print(result.group_by("page", maintain_order=True).agg(pl.col("ms").sum().round(1).alias("page_total_ms"),
                                                               pl.col("max_ms").sum().round(1).alias("worst_ms")))


if __name__ == "__main__":
    main()
