"""The Hotline page's queries and the weekly pack's kpi_facts read at scale (issue 14 "Speed", issue 13 target 2).

Builds once (bench/out/hotline-<N>/) a copy of bench/out/wh-<N>/'s tickets warehouse (bench/ingest.py) with ten
work-order events per ticket (bench/work_orders_refresh.events_sql, published through warehouse.publishing, so the
work-order tables are built the way a load builds them) and coordination levels on the complaints, then times each
query uncached, median of --repeat, in a fresh connection.

    .venv/bin/python bench/hotline_queries.py --tickets 1000000 --repeat 3 [--db PATH]

--db times another copy (a warehouse built by an earlier version: run the two alternately for a ratio).
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))   # first: bench/dashboard.py must not shadow the package


def build(tickets: int) -> Path:
    from work_orders_refresh import events_sql

    from pipelines.config import load_config
    from pipelines.warehouse import publishing

    source = REPO / "bench" / "out" / f"wh-{tickets}"
    out = REPO / "bench" / "out" / f"hotline-{tickets}"
    db = out / "warehouse.duckdb"
    if db.exists():
        return db
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "data" / "warehouse.duckdb", out / "building.duckdb")
    cfg = dataclasses.replace(load_config(source / "sqd.toml"), warehouse_path=out / "building.duckdb")
    with publishing(cfg) as con:
        con.execute("""
            UPDATE core.tickets SET
                coordination_level = CASE WHEN ticket_type = 'complaint' THEN ['within_department',
                    'cross_department', 'cross_province', 'other_company'][CAST(hash(ticket_id) % 4 AS BIGINT) + 1] END,
                complexity = CASE WHEN ticket_type = 'complaint' THEN ['simple', 'complex'][CAST(hash(ticket_id) % 2 AS BIGINT) + 1]
                             END,
                customer_id = coalesce(customer_id, 'C' || hash(ticket_id) % 200000)
        """)
        # the events of bench/work_orders_refresh for ticket ids T<n> renamed to the warehouse's own ids
        con.execute(f"""
            INSERT INTO core.ticket_events BY NAME
            WITH ids AS (SELECT ticket_id, created_at, row_number() OVER (ORDER BY ticket_id) - 1 AS n
                         FROM core.tickets)
            SELECT e.* EXCLUDE (step_no) REPLACE (i.ticket_id AS ticket_id,
                                i.ticket_id || '|' || e.step_no AS event_id,
                                i.created_at + to_minutes(e.step_no * 10) AS occurred_at,
                                CASE WHEN e.deadline_at IS NOT NULL THEN i.created_at + INTERVAL 12 HOUR END
                                    AS deadline_at),
                   'bench' AS load_id, 'bench' AS source_file, 'bench' AS file_hash
            FROM ({events_sql(0, tickets, '2026-11-01 00:00+00')}) AS e
            JOIN ids AS i ON i.n = CAST(substr(e.ticket_id, 2) AS BIGINT)
        """)
    (out / "building.duckdb").rename(db)
    shutil.copy(source / "sqd.toml", out / "sqd.toml")
    return db


QUERIES = {
    "kpi_facts 13 weeks": "SELECT metric, sum(numerator), sum(denominator) FROM metrics.kpi_facts "
                          "WHERE metric_date > DATE '2026-11-23' - 91 GROUP BY 1",
    "complaint_limits 13 weeks": "SELECT coordination_level, count(is_met) FILTER (WHERE is_met), count(is_met) "
                                 "FROM metrics.complaint_limits WHERE created_date > DATE '2026-11-23' - 91 "
                                 "GROUP BY 1",
    "repeat_complaints 13 weeks": "SELECT count(*) FILTER (WHERE is_repeat), count(*) FROM metrics.repeat_complaints "
                                  "WHERE created_date > DATE '2026-11-23' - 91",
}


def page_queries():
    """The Hotline page's queries (dashboard/queries_hotline*.py) for the default 13 weeks: name -> call(run)."""
    from datetime import date, timedelta

    from dashboard import queries_hotline as q
    from dashboard import queries_hotline_kpis as k
    from dashboard.queries import Filters

    f = Filters(start=date(2026, 11, 23) - timedelta(days=91), end=date(2026, 11, 23))
    def call(fn):
        return lambda run: fn(run, f)

    calls = {name: call(getattr(q, name))
             for name in ("summary", "flow", "by_department", "by_reason", "open_work_orders", "open_by_department",
                          "appeals", "escalations")}
    calls["complaint_limits_by_level"] = lambda run: k.complaint_limits_by_level(run, f)
    return calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--page", action="store_true", help="also the Hotline page's queries")
    args = parser.parse_args()
    import duckdb
    import polars as pl

    from pipelines import clock
    db = args.db or build(args.tickets)
    for name, sql in QUERIES.items():
        times = []
        for _ in range(args.repeat):
            con = duckdb.connect(str(db), read_only=True)
            con.execute("SET search_path = 'metrics,core,meta'")
            for statement, params in clock.session_statements():
                con.execute(statement, params)
            started = time.perf_counter()
            con.execute(sql).fetchall()
            times.append(time.perf_counter() - started)
            con.close()
        print(f"{name:32} {statistics.median(times) * 1000:8.0f} ms (median of {args.repeat}; "
              + ", ".join(f"{t * 1000:.0f}" for t in times) + ")", flush=True)
    if not args.page:
        return
    total = []
    for name, call in page_queries().items():
        times = []
        for _ in range(args.repeat):
            con = duckdb.connect(str(db), read_only=True)
            con.execute("SET search_path = 'metrics,core,meta'")
            for statement, params in clock.session_statements():
                con.execute(statement, params)
            started = time.perf_counter()
            call(lambda sql, params, con=con: pl.from_arrow(con.execute(sql, params).to_arrow_table()))
            times.append(time.perf_counter() - started)
            con.close()
        total.append(statistics.median(times))
        print(f"page: {name:26} {statistics.median(times) * 1000:8.0f} ms (median of {args.repeat}; "
              + ", ".join(f"{t * 1000:.0f}" for t in times) + ")", flush=True)
    print(f"page: all {sum(total) * 1000:.0f} ms", flush=True)


if __name__ == "__main__":
    main()
