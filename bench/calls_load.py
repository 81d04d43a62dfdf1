"""Call records at scale (issue 16 "Speed", against issue 13's ingest and memory targets): N generated canonical
calls loaded by DuckDB's bare `CREATE TABLE AS read_csv`, by a cold `sqd ingest --profile calls__canonical` and by
the warm loader (`sqd watch`), each into an empty warehouse.

    .venv/bin/python bench/calls_load.py --calls 1000000 --repeat 2 [--no-warm] [--code DIR]

The CSV is generated once into bench/out/calls-<N>/ (vectorised: three queues, 30-minute
intervals, an agent pool whose calls never overlap, 6 % abandons of which a share are short,
transfers and the odd created ticket). Bare and cold runs alternate, each a fresh process, wall time and peak RSS
from wait4 (bench/ingest.py's `timed`; the CSV is generated in a child process, since a child's peak RSS starts at
its parent's); the warm loader is one `sqd watch` process started once, timed from the
file's rename into its inbox to its log line, and its peak RSS read from /proc (VmHWM, which includes its start).
Targets (issue 13): the warm loader <= 2x the bare load; peak RSS <= 2 GiB. `--code DIR` runs another checkout's
`pipelines` for the cold ingest (PYTHONPATH), alternating with this tree: before and after side by side.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import BARE, WarmWatcher, timed

REPO = Path(__file__).resolve().parents[1]
QUEUES = np.array(["general", "repair", "complaint"])
CALLS_PER_DAY = 27_500            # a large city hotline: 10M calls a year
NOW = "2026-11-23T10:00:00+08:00"  # the clock of the loads (the calls end the day before)
END = np.datetime64("2026-11-23T00:00:00", "s")


def generate_calls(path: Path, n: int, seed: int = 16) -> dict[str, float]:
    """`n` canonical calls ending the day before NOW (local time). Answered calls are laid out per agent back to
    back (talk + wrap-up + an idle gap, now and then a long break), so no agent's calls overlap; abandoned calls
    are offered at the answered calls' times, without an agent."""
    rng = np.random.default_rng(seed)
    days = max(1, round(n / CALLS_PER_DAY))
    answered_n = int(n * 0.94)
    agents = max(10, round(CALLS_PER_DAY / 70))                   # ~70 calls per agent-shift
    per_agent = np.full(agents, answered_n // agents)
    per_agent[: answered_n - per_agent.sum()] += 1
    agent = np.repeat(np.arange(agents), per_agent)
    talk = np.round(rng.lognormal(np.log(180), 0.5, answered_n)).astype(np.int64)
    wrap = np.round(rng.lognormal(np.log(25), 0.4, answered_n)).astype(np.int64)
    wait = np.round(rng.exponential(14, answered_n)).astype(np.int64)
    span = days * 86_400
    busy = talk + wrap
    first = np.cumsum(per_agent) - per_agent                      # each agent's first call's position
    # idle time between calls: exponential, with a long break after one call in 60 (end of a shift), scaled so
    # each agent's calls fill 95 % of the period: no call of an agent overlaps the next
    weight = rng.exponential(1, answered_n) * np.where(rng.random(answered_n) < 1 / 60, 60, 1)
    free = np.maximum(0.95 * span - np.add.reduceat(busy, first), 0)
    gap = np.floor(weight / np.repeat(np.add.reduceat(weight, first), per_agent)
                   * np.repeat(free, per_agent)).astype(np.int64)
    step = busy + gap
    ends = np.cumsum(step)
    answer = (np.repeat(rng.integers(0, int(0.05 * span) + 1, agents), per_agent) + wait.max()
              + ends - np.repeat(ends[first], per_agent) + step[np.repeat(first, per_agent)] - step)
    offered = answer - wait
    abandoned_n = n - answered_n
    ab_offered = rng.choice(offered, abandoned_n)
    patience = np.round(rng.exponential(40, abandoned_n)).astype(np.int64)
    first_day = END - np.timedelta64(span, "s")
    ts = lambda secs: (first_day + secs.astype("timedelta64[s]")).astype("datetime64[us]")
    answered = pl.DataFrame({
        "queue": QUEUES[rng.choice(3, answered_n, p=[0.55, 0.30, 0.15])], "offered_at": ts(offered),
        "answered_at": ts(answer),
        "ended_at": ts(answer + talk), "agent": np.char.add("A", (agent + 1000).astype(str)),
        "wait_seconds": wait, "talk_seconds": talk, "wrap_seconds": wrap,
        "is_transferred": rng.random(answered_n) < 0.06, "outcome": "answered",
    }).with_columns(pl.lit(None, pl.Datetime("us")).alias("abandoned_at"))
    abandoned = pl.DataFrame({
        "queue": QUEUES[rng.choice(3, abandoned_n, p=[0.55, 0.30, 0.15])], "offered_at": ts(ab_offered),
        "abandoned_at": ts(ab_offered + patience), "ended_at": ts(ab_offered + patience),
        "wait_seconds": patience, "talk_seconds": np.zeros(abandoned_n, np.int64),
        "wrap_seconds": np.zeros(abandoned_n, np.int64), "is_transferred": np.zeros(abandoned_n, bool),
        "outcome": "abandoned",
    }).with_columns(pl.lit(None, pl.Datetime("us")).alias("answered_at"), pl.lit(None, pl.Utf8).alias("agent"))
    frame = pl.concat([answered, abandoned], how="diagonal")
    frame = frame.sort("offered_at").with_columns(
        pl.format("C{}", pl.int_range(pl.len()) + 10_000_000).alias("call_id"),
        pl.when(pl.int_range(pl.len()) % 20 == 0).then(pl.format("T{}", pl.int_range(pl.len()) // 20))
        .alias("ticket_id"),
    ).select("call_id", "queue", *(pl.col(c).dt.strftime("%Y-%m-%d %H:%M:%S") for c in
                                   ("offered_at", "answered_at", "abandoned_at", "ended_at")),
             "agent", "wait_seconds", "talk_seconds", "wrap_seconds", "is_transferred", "outcome", "ticket_id")
    frame.write_csv(path)
    return {"days": days, "agents": agents, "answered": answered_n, "abandoned": abandoned_n}


def workdir(n: int) -> Path:
    work = REPO / "bench" / "out" / f"calls-{n}"
    (work / "data").mkdir(parents=True, exist_ok=True)
    for folder in ("profiles",):
        shutil.rmtree(work / "data" / folder, ignore_errors=True)
        shutil.copytree(REPO / "data" / folder, work / "data" / folder)
    shutil.rmtree(work / "expectations", ignore_errors=True)
    shutil.copytree(REPO / "expectations", work / "expectations")
    shutil.copy(REPO / "sqd.toml", work / "sqd.toml")
    return work


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--no-warm", action="store_true", help="Skip the warm loader (sqd watch).")
    parser.add_argument("--no-bare", action="store_true", help="Skip the bare DuckDB load.")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--code", type=Path, default=None, help="Another checkout: its cold ingest alternates.")
    args = parser.parse_args()
    work = workdir(args.calls)
    csv = work / "calls.csv"
    if args.generate_only:
        t0 = time.perf_counter()
        shape = generate_calls(work / "calls.tmp.csv", args.calls)
        (work / "calls.tmp.csv").rename(csv)
        print(f"generated {args.calls:,} calls ({csv.stat().st_size / 2**20:,.0f} MiB; {shape}) "
              f"in {time.perf_counter() - t0:.1f} s", flush=True)
        return
    if not csv.exists():
        # in a child: a child process starts with its parent's peak RSS as its own (wait4's ru_maxrss), so a
        # parent that had held the generated frame would inflate every figure after it
        subprocess.run([sys.executable, __file__, "--calls", str(args.calls), "--generate-only"], check=True)
    env = {**os.environ, "SQD_CONFIG": str(work / "sqd.toml"), "SQD_NOW": NOW}
    trees = {"this": REPO, **({str(args.code): args.code.resolve()} if args.code else {})}

    def clean() -> None:
        for f in [*work.glob("bare.duckdb*"), *(work / "data").glob("warehouse.duckdb*")]:
            shutil.rmtree(f) if f.is_dir() else f.unlink()

    bare: list[tuple[float, float]] = []
    cold: dict[str, list[tuple[float, float]]] = {t: [] for t in trees}
    for _ in range(args.repeat):
        if not args.no_bare:
            clean()
            bare.append(timed([sys.executable, "-c", BARE, str(work / "bare.duckdb"), str(csv)]))
            print(f"bare DuckDB {bare[-1][0]:.1f} s {bare[-1][1]:.2f} GiB", flush=True)
        for tree, folder in trees.items():
            clean()
            cold[tree].append(timed([sys.executable, "-m", "pipelines.cli", "ingest", str(csv), "--profile",
                                     "calls__canonical"], {**env, "PYTHONPATH": str(folder)}))
            ratio = f" ({cold[tree][-1][0] / bare[-1][0]:.2f}x bare)" if bare else ""
            print(f"sqd ingest [{tree}] {cold[tree][-1][0]:.1f} s {cold[tree][-1][1]:.2f} GiB{ratio}", flush=True)
    warm: list[float] = []
    peak = 0.0
    if not args.no_warm:
        clean()
        watcher = WarmWatcher(work, env)
        try:
            for _ in range(args.repeat):
                clean()
                elapsed, line = watcher.drop(csv)
                warm.append(elapsed)
                print(f"warm loader {elapsed:.1f} s: {line}", flush=True)
            peak = watcher.peak_rss_gib()
        finally:
            watcher.stop()
    clean()
    spread = lambda xs: f"{min(xs):.1f}-{max(xs):.1f} s"
    print(f"\n{args.calls:,} calls, {csv.stat().st_size / 2**20:,.0f} MiB CSV, {args.repeat} rounds")
    if bare:
        print(f"bare DuckDB: median {statistics.median(b[0] for b in bare):.1f} s ({spread([b[0] for b in bare])}), "
              f"peak {max(b[1] for b in bare):.2f} GiB")
    for tree, runs in cold.items():
        ratios = [o[0] / b[0] for o, b in zip(runs, bare, strict=False)]
        print(f"cold sqd ingest [{tree}]: median {statistics.median(r[0] for r in runs):.1f} s "
              f"({spread([r[0] for r in runs])}), peak {max(r[1] for r in runs):.2f} GiB (target <= 2 GiB)"
              + (f"; / bare {min(ratios):.2f}-{max(ratios):.2f}x" if ratios else ""))
    if warm:
        ratio = (f"; / bare {statistics.median(warm) / statistics.median(b[0] for b in bare):.2f}x (target <= 2x)"
                 if bare else "")
        print(f"warm loader: median {statistics.median(warm):.1f} s ({spread(warm)}), watcher's peak {peak:.2f} GiB"
              + ratio)


if __name__ == "__main__":
    main()
