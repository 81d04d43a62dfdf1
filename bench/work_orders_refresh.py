"""The work-order tables' refresh (pipelines/work_orders.py, issue 14 "Speed"), before and after, side by side.

A synthetic DuckDB holding only what the refresh reads (core.ticket_events, ten steps per ticket as
bench/events_load.py generates them) and writes (the two base tables, meta.settings). Each round, alternating:
a full build by the committed version of the module (`--before REV`, git show) and by the working tree's; then a
batch of `--batch` new tickets' events, refreshed by each (touched tickets only).

    .venv/bin/python bench/work_orders_refresh.py --tickets 200000 --repeat 3
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipelines import work_orders

STEPS = "['received', 'dispatched', 'returned', 'redispatched', 'transferred', 'replied', 'reminded', 'replied', " \
        "'reviewed', 'archived']"
DEPTS = "['engineering', 'customer_service', 'security', 'cleaning']"


def events_sql(first: int, count: int, loaded: str) -> str:
    """Ten steps per ticket T<first>..T<first+count-1>, 10 minutes apart (constants of this script)."""
    return f"""
        SELECT 'T' || t AS ticket_id, step_no, {STEPS}[step_no + 1] AS step,
               TIMESTAMPTZ '2026-01-01 08:00+08' + to_minutes(t % 500000) + to_minutes(step_no * 10) AS occurred_at,
               CASE WHEN step_no IN (1, 3, 4) THEN {DEPTS}[(t + step_no) % 4 + 1] END AS to_department,
               CASE WHEN step_no IN (2, 4) THEN 'reason ' || (t % 7) END AS reason,
               CASE WHEN step_no IN (1, 3, 4) THEN TIMESTAMPTZ '2026-01-01 20:00+08' + to_minutes(t % 500000) END
                   AS deadline_at,
               CASE WHEN step_no = 8 THEN 'valid' END AS verdict, NULL::VARCHAR AS escalation_level,
               'T' || t || '|' || step_no AS event_id, TIMESTAMPTZ '{loaded}' AS loaded_at
        FROM range({first}, {first + count}) AS r(t), range(10) AS s(step_no)
    """


def build(path: Path, tickets: int) -> None:
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA core; CREATE SCHEMA metrics; CREATE SCHEMA meta")
    con.execute("CREATE TABLE meta.settings (key VARCHAR, value VARCHAR)")
    con.execute(f"CREATE TABLE core.ticket_events AS SELECT * EXCLUDE (step_no) FROM "
                f"({events_sql(0, tickets, '2026-11-01 00:00+00')}) ORDER BY ticket_id, occurred_at")
    con.execute(f"CREATE TEMP TABLE {work_orders.EVENTS_TEMP} AS "
                f"{work_orders.EVENTS.format(where='false')}")
    con.execute(f"CREATE TABLE metrics.work_order_holds_base AS {work_orders.HOLDS} LIMIT 0")
    con.execute(f"CREATE TABLE metrics.work_order_tickets_base AS "
                f"{work_orders.TICKETS.format(holds_where='true')} LIMIT 0")
    con.close()


def before_module(rev: str) -> types.ModuleType:
    text = subprocess.run(["git", "show", f"{rev}:pipelines/work_orders.py"], cwd=REPO, check=True,
                          capture_output=True, text=True).stdout
    module = types.ModuleType("work_orders_before")
    exec(compile(text, "work_orders_before", "exec"), module.__dict__)  # noqa: S102 (our own committed file)
    return module


def run(module, base: Path, work: Path, tickets: int, batch: int) -> tuple[float, float, int]:
    shutil.copy(base, work)
    con = duckdb.connect(str(work))
    try:
        started = time.perf_counter()
        assert module.refresh(con) == "all"
        full = time.perf_counter() - started
        con.execute(f"INSERT INTO core.ticket_events SELECT * EXCLUDE (step_no) FROM "
                    f"({events_sql(tickets, batch, '2026-11-02 00:00+00')})")
        started = time.perf_counter()
        assert module.refresh(con) == "touched"
        small = time.perf_counter() - started
        rows = con.execute("SELECT count(*) FROM metrics.work_order_tickets_base").fetchall()[0][0]
        return full, small, rows
    finally:
        con.close()
        work.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", default="HEAD", help="git revision of the 'before' module")
    args = parser.parse_args()
    before = before_module(args.before)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.duckdb"
        build(base, args.tickets)
        results: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
        for _ in range(args.repeat):
            for name, module in (("before", before), ("after", work_orders)):
                full, small, rows = run(module, base, Path(tmp) / f"{name}.duckdb", args.tickets, args.batch)
                assert rows == args.tickets + args.batch
                results[name].append((full, small))
                print(f"{name:6} full {full:7.2f} s   batch of {args.batch} tickets {small:6.3f} s", flush=True)
    for i, label in ((0, "full build"), (1, f"batch of {args.batch}")):
        b = statistics.median(r[i] for r in results["before"])
        a = statistics.median(r[i] for r in results["after"])
        ratios = [x[i] / y[i] for x, y in zip(results["before"], results["after"])]
        print(f"{label}: before {b:.3f} s, after {a:.3f} s (medians); before/after per round "
              + ", ".join(f"{r:.2f}x" for r in ratios))


if __name__ == "__main__":
    main()
