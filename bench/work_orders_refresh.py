"""The work-order tables' refresh (pipelines/work_orders.py, issue 14 "Speed"), before and after, side by side.

A synthetic DuckDB holding only what the refresh reads (core.ticket_events, ten steps per ticket as
bench/events_load.py generates them) and writes (the two base tables, meta.settings). Each round, alternating:
a full build by the committed version of the module (`--before REV`, git show) and by the working tree's; then a
batch of `--batch` new tickets' events, refreshed by each (touched tickets only).

    .venv/bin/python bench/work_orders_refresh.py --tickets 200000 --repeat 3

With --warehouse (a published warehouse with tickets and events, e.g. the 1M copy bench/hotline_queries.py builds)
it times instead the whole refresh after a load, stored views included (holds, state, complaint limits,
escalations, appeals): each round copies the warehouse, adds --batch new tickets (copies of existing rows) with ten
events each, and runs `work_orders.refresh` in a fresh process of each code tree (--before-code: a worktree of the
earlier commit, `git worktree add /tmp/before HEAD`), alternating; each tree creates its own metric views first.

    .venv/bin/python bench/work_orders_refresh.py --warehouse /tmp/w1m.duckdb --before-code /tmp/before --repeat 3
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
                f"{work_orders.TICKETS.format(holds='metrics.work_order_holds_base')} LIMIT 0")
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


CHILD = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
import duckdb
from pipelines import work_orders
from pipelines.warehouse import SEARCH_PATH, create_metric_views
con = duckdb.connect(sys.argv[2], config={"memory_limit": "1.5GB", "preserve_insertion_order": False})
con.execute(f"SET search_path = '{SEARCH_PATH}'")
con.execute("SET python_enable_replacements = false")
create_metric_views(con)
batch = int(sys.argv[3])
con.execute(f"INSERT INTO core.tickets BY NAME SELECT * REPLACE ('N' || ticket_id AS ticket_id, "
            f"TIMESTAMPTZ '2026-11-23 00:00+00' AS loaded_at) FROM core.tickets USING SAMPLE {batch} ROWS (reservoir, 14)")
con.execute(f'''INSERT INTO core.ticket_events BY NAME
    WITH ids AS (SELECT ticket_id, created_at, row_number() OVER (ORDER BY ticket_id) - 1 AS n
                 FROM core.tickets WHERE ticket_id LIKE 'N%')
    SELECT e.* EXCLUDE (step_no) REPLACE (i.ticket_id AS ticket_id, i.ticket_id || '|' || e.step_no AS event_id,
           i.created_at + to_minutes(e.step_no * 10) AS occurred_at), 'L' AS load_id, 'f' AS source_file,
           'h' AS file_hash
    FROM ({sys.argv[4]}) AS e JOIN ids AS i ON i.n = CAST(substr(e.ticket_id, 2) AS BIGINT)''')
started = time.perf_counter()
assert work_orders.refresh(con) == "touched"
print(time.perf_counter() - started)
"""


def run_warehouse(code: Path, warehouse: Path, work: Path, batch: int) -> float:
    shutil.copy(warehouse, work)
    try:
        out = subprocess.run([sys.executable, "-c", CHILD, str(code), str(work), str(batch),
                              events_sql(0, batch, "2026-11-23 00:00+00")], check=True, capture_output=True,
                             text=True).stdout
        return float(out.split()[-1])
    finally:
        work.unlink(missing_ok=True)


def main_warehouse(args) -> None:
    times: dict[str, list[float]] = {"before": [], "after": []}
    for _ in range(args.repeat):
        for name, code in (("before", Path(args.before_code)), ("after", REPO)):
            seconds = run_warehouse(code, Path(args.warehouse), Path(args.warehouse).with_suffix(f".{name}.duckdb"),
                                    args.batch)
            times[name].append(seconds)
            print(f"{name:6} refresh after a load of {args.batch} tickets' events: {seconds:6.3f} s", flush=True)
    ratios = [b / a for b, a in zip(times["before"], times["after"])]
    print(f"before {statistics.median(times['before']):.3f} s, after {statistics.median(times['after']):.3f} s "
          f"(medians); before/after per round " + ", ".join(f"{r:.2f}x" for r in ratios))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", default="HEAD", help="git revision of the 'before' module")
    parser.add_argument("--warehouse", help="a published warehouse: time the whole refresh after a load instead")
    parser.add_argument("--before-code", help="with --warehouse: the earlier code tree (a git worktree)")
    args = parser.parse_args()
    if args.warehouse:
        main_warehouse(args)
        return
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
