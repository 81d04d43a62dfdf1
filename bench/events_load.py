"""Work-order events at ten per ticket (issue 14 "Speed"): a warehouse of N tickets, then 10 x N events loaded by
`sqd ingest` (map, gate, publish) against DuckDB's bare CSV load of the same file, alternating, each a fresh process
(wall time and peak RSS via wait4, as bench/ingest.py).

    .venv/bin/python bench/events_load.py --tickets 1000000 --repeat 2

The tickets warehouse is built once (bench/out/events-<N>/base.duckdb) and copied before each `sqd ingest`, so every
run loads the events into a warehouse that holds the tickets and no events.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import generate, timed

REPO = Path(__file__).resolve().parents[1]
STEPS = ("received", "dispatched", "returned", "dispatched", "transferred", "replied", "reminded", "replied",
         "reviewed", "archived")
DEPTS = np.array(["engineering", "customer_service", "security", "cleaning"])
BARE = "import duckdb, sys; c=duckdb.connect(sys.argv[1]); c.execute(\"CREATE TABLE t AS SELECT * FROM read_csv(?)\", [sys.argv[2]])"


def generate_events(tickets_csv: Path, path: Path, seed: int = 14) -> int:
    """Ten steps per ticket of `tickets_csv`, 10 minutes apart from its creation, canonical layout (vectorised)."""
    rng = np.random.default_rng(seed)
    t = pl.read_csv(tickets_csv, columns=["ticket_id", "created_at"])
    n, k = t.height, len(STEPS)
    created = t["created_at"].str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S").to_numpy()
    at = np.repeat(created, k) + np.tile(np.arange(k) * 600, n).astype("timedelta64[s]")
    step = np.tile(np.array(STEPS), n)
    frame = pl.DataFrame({
        "ticket_id": np.repeat(t["ticket_id"].to_numpy(), k), "occurred_at": at, "step": step,
        "actor": np.char.add("agent", rng.integers(0, 300, n * k).astype(str)),
        "dept": DEPTS[rng.integers(0, len(DEPTS), n * k)],
    })
    step_in = lambda *names: pl.col("step").is_in(list(names))
    frame = frame.select(
        "ticket_id", pl.col("occurred_at").dt.strftime("%Y-%m-%d %H:%M:%S"), "step", "actor",
        pl.when(step_in("returned", "transferred")).then(pl.col("dept")).alias("from_department"),
        pl.when(step_in("dispatched", "transferred")).then(pl.col("dept")).alias("to_department"),
        pl.when(step_in("returned")).then(pl.lit("信息不全")).alias("reason"),
        pl.when(step_in("dispatched", "transferred")).then(pl.col("occurred_at") + pl.duration(days=1))
        .dt.strftime("%Y-%m-%d %H:%M:%S").alias("deadline_at"),
        pl.when(step_in("reviewed")).then(pl.lit("valid")).alias("verdict"),
        pl.when(step_in("reminded")).then(pl.lit("reminder")).alias("escalation_level"),
    )
    frame.write_csv(path)
    return frame.height


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    work = REPO / "bench" / "out" / f"events-{args.tickets}"
    work.mkdir(parents=True, exist_ok=True)
    tickets_csv, events_csv = work / "tickets.csv", work / "events.csv"
    if not args.generate_only and not (tickets_csv.exists() and events_csv.exists()):
        # in a child: Linux gives a forked child the parent's peak RSS as its own (wait4's ru_maxrss), so a parent
        # that had generated 10M rows with Polars made every later child report >= 3 GiB
        subprocess.run([sys.executable, __file__, "--tickets", str(args.tickets), "--generate-only"], check=True)
    if not tickets_csv.exists():
        generate(tickets_csv, args.tickets)
    if not events_csv.exists():
        rows = generate_events(tickets_csv, events_csv)
        print(f"events: {rows:,} rows, {events_csv.stat().st_size / 2**20:.0f} MiB")
    if args.generate_only:
        return
    base = work / "base.duckdb"
    config = work / "sqd.toml"
    text = (REPO / "sqd.toml").read_text(encoding="utf-8")
    config.write_text(text.replace('path = "data/warehouse.duckdb"', f'path = "{work / "w.duckdb"}"'),
                      encoding="utf-8")
    env = {**os.environ, "SQD_CONFIG": str(config), "SQD_NOW": "2026-11-23T10:00:00+08:00"}
    if not base.exists():
        subprocess.run([sys.executable, "-m", "pipelines.cli", "ingest", str(tickets_csv), "--profile",
                        "tickets__canonical"], env=env, check=False, stdout=subprocess.DEVNULL)
        shutil.move(work / "w.duckdb", base)
    ours, bare = [], []
    for _ in range(args.repeat):
        (work / "bare.duckdb").unlink(missing_ok=True)
        bare.append(timed([sys.executable, "-c", BARE, str(work / "bare.duckdb"), str(events_csv)]))
        shutil.copyfile(base, work / "w.duckdb")
        ours.append(timed([sys.executable, "-m", "pipelines.cli", "ingest", str(events_csv), "--profile",
                           "ticket_events__canonical"], env=env))
        print(f"bare {bare[-1][0]:.1f} s {bare[-1][1]:.2f} GiB | sqd ingest {ours[-1][0]:.1f} s {ours[-1][1]:.2f} GiB"
              f" | ratio {ours[-1][0] / bare[-1][0]:.1f}x", flush=True)
    print(f"median: bare {statistics.median(b[0] for b in bare):.1f} s, ours {statistics.median(o[0] for o in ours):.1f} s,"
          f" peak {max(o[1] for o in ours):.2f} GiB")


if __name__ == "__main__":
    main()
