"""Ingest benchmark: `sqd ingest` of N generated tickets vs DuckDB's bare CSV load of the same file, vs pandas +
SQLite, and the same file through the warm loader (`sqd watch`).

    .venv/bin/python bench/ingest.py --tickets 1000000 [--repeat 3] [--no-pandas] [--no-warm] [--code DIR]

Each run is a fresh process (wall time and peak RSS of that process via wait4), alternating bare, ours and
pandas so machine noise hits all alike. Ours = read + map + validate + publish (copy-on-write swap, SLA
derivation). Bare = `CREATE TABLE t AS SELECT * FROM read_csv('file')` into a new DuckDB file (auto-detected
types, no cleaning, no checks). pandas + SQLite = `pandas.read_csv` then `DataFrame.to_sql` into a new SQLite file
(the baseline a team without this project would write; target: ours at least 1.4x faster at 1M).
Both commands also run on the file's first 1,000 rows: what each costs per process whatever the size (interpreter,
imports: Great Expectations alone takes seconds to import), so the size-dependent part can be compared too.
Warm: one `sqd watch` process (started once, imports paid once) loads the 1,000-row file and the whole file into
an empty warehouse each round (and 1,000 other rows into the warehouse the first 1,000 made); the time is from the file's rename into the inbox to its log line (targets: 1,000
rows <= 1 s, the whole file <= 2x the bare load at 1M). The watcher runs with --settle 0 (files renamed in are
complete; the default settle of 0.5 s, for files copied straight in, comes on top) and looks every 0.05 s.
`--code DIR` (another checkout, e.g. a `git worktree` of the code before a change): its `sqd ingest` and its own
`sqd watch` run in the same rounds, alternating with this tree's, and the ratios this tree / DIR are printed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

REPO = Path(__file__).resolve().parents[1]
SMALL_ROWS = 1_000
# GX imported the way the gate does (scipy.stats and altair deferred, pipelines/deferred.py), on its own.
GX_IMPORT = "from pipelines import deferred; deferred.defer('scipy.stats', 'altair'); import great_expectations"
BARE = "import duckdb,sys; c=duckdb.connect(sys.argv[1]); c.execute(\"CREATE TABLE t AS SELECT * FROM read_csv(?)\", [sys.argv[2]]); c.close()"
PANDAS_SQLITE = ("import pandas as pd, sqlite3, sys; f=pd.read_csv(sys.argv[2]); c=sqlite3.connect(sys.argv[1]); "
                 "f.to_sql('t', c, index=False); c.commit(); c.close()")


def generate(path: Path, n: int, seed: int = 7) -> None:
    """A canonical ticket CSV with realistic cardinalities, written in chunks (vectorised)."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-11-18T00:00:00", "us")
    chunk = 1_000_000
    with open(path, "wb") as out:
        for first in range(0, n, chunk):
            m = min(chunk, n - first)
            created = start + (np.sort(rng.integers(0, 730 * 86400, m))).astype("timedelta64[s]").astype("timedelta64[us]")
            resp = created + rng.integers(60, 7200, m).astype("timedelta64[s]").astype("timedelta64[us]")
            onsite = resp + rng.integers(60, 7200, m).astype("timedelta64[s]").astype("timedelta64[us]")
            resolved = onsite + rng.integers(600, 86400 * 3, m).astype("timedelta64[s]").astype("timedelta64[us]")
            is_open = rng.random(m) < 0.03
            types = np.array(["repair", "complaint", "inquiry", "help", "warranty", "suggestion", "praise"])
            frame = pl.DataFrame({
                "ticket_id": np.char.add("T", np.arange(first, first + m).astype(str)),
                "created_at": created, "channel": rng.choice(["phone", "app", "front_desk", "letter_email"], m),
                "ticket_type": rng.choice(types, m, p=[.45, .08, .25, .08, .06, .04, .04]),
                "category": rng.choice([f"cat{i:02d}" for i in range(40)], m),
                "priority": rng.choice(["urgent", "high", "normal", "low"], m, p=[.05, .15, .6, .2]),
                "site": rng.choice([f"site{i}" for i in range(6)], m), "region": "East",
                "department": rng.choice(["engineering", "customer_service", "security", "cleaning"], m),
                "agent": rng.choice([f"agent{i:03d}" for i in range(300)], m),
                "customer_id": rng.integers(0, 200_000, m).astype(str),
                "distance_km": rng.integers(1, 200, m), "first_response_at": resp, "on_site_at": onsite,
                "resolved_at": resolved, "status": np.where(is_open, "open", "resolved"),
                "reopen_count": (rng.random(m) < 0.03).astype(int), "is_escalated": rng.random(m) < 0.02,
            }).with_columns(
                pl.when(pl.col("status") == "open").then(None).otherwise(pl.col("resolved_at")).alias("resolved_at"),
            ).with_columns(
                pl.col(c).dt.strftime("%Y-%m-%d %H:%M:%S") for c in
                ("created_at", "first_response_at", "on_site_at", "resolved_at")
            )
            frame.write_csv(out, include_header=first == 0)


def sqd_command(code: Path | None) -> list[str]:
    """`sqd` of this tree, or of another checkout (its pipelines package first on the path)."""
    if code is None:
        return [sys.executable, "-m", "pipelines.cli"]
    return [sys.executable, "-c", (f"import sys; sys.path.insert(0, {str(code)!r}); "
                                   "from pipelines.cli import app; sys.argv[0] = 'sqd'; app()")]


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS GiB) of one child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 3):
        raise SystemExit(f"{cmd} failed: {proc.stderr.read().decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024 / 1024


class WarmWatcher:
    """One `sqd watch` child process on an inbox; `drop(file)` renames a copy in and returns the seconds until the
    watcher's line for it (and that line)."""

    def __init__(self, work: Path, env: dict, code: Path | None = None, name: str = "inbox") -> None:
        self.inbox, self.env, self.n = work / name, env, 0
        started = time.perf_counter()
        self.proc = subprocess.Popen([*sqd_command(code), "watch", str(self.inbox),
                                      "--interval", "0.05", "--settle", "0"], env={**env, "COLUMNS": "400"},
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("watching "):
            raise SystemExit(f"sqd watch did not start: {line}{self.proc.stdout.read()[-2000:]}")
        self.ready_s = time.perf_counter() - started

    def drop(self, source: Path) -> tuple[float, str]:
        self.n += 1
        staging = self.inbox / f".{self.n}-{source.name}"
        shutil.copyfile(source, staging)                 # written under a dotfile name, renamed in when complete
        started = time.perf_counter()
        os.replace(staging, self.inbox / f"{self.n}-{source.name}")
        line = self.proc.stdout.readline()
        elapsed = time.perf_counter() - started
        if "-> done" not in line:
            raise SystemExit(f"the warm loader did not load {source.name}: {line}")
        return elapsed, line.strip()

    def peak_rss_gib(self) -> float:
        with open(f"/proc/{self.proc.pid}/status") as handle:
            kb = next(int(x.split()[1]) for x in handle if x.startswith("VmHWM:"))
        return kb / 1024 / 1024

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--no-pandas", action="store_true", help="Skip the pandas + SQLite baseline.")
    parser.add_argument("--no-warm", action="store_true", help="Skip the warm loader (sqd watch).")
    parser.add_argument("--code", type=Path, default=None,
                        help="another checkout whose sqd runs in the same rounds (before / after a change)")
    parser.add_argument("--memory-limit", default=None,
                        help="[warehouse] load_memory_limit for the loads (default: sqd.toml's), e.g. 1.2GB")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sqd-bench-", dir=args.workdir))
    try:
        csv = work / "tickets.csv"
        t0 = time.perf_counter()
        generate(csv, args.tickets)
        print(f"generated {args.tickets:,} tickets ({csv.stat().st_size / 2**20:,.0f} MiB) "
              f"in {time.perf_counter() - t0:.1f} s")
        (work / "data").mkdir()
        shutil.copytree(REPO / "data" / "profiles", work / "data" / "profiles")
        shutil.copytree(REPO / "expectations", work / "expectations")
        shutil.copy(REPO / "sqd.toml", work / "sqd.toml")
        if args.memory_limit:
            text = (work / "sqd.toml").read_text(encoding="utf-8")
            text = re.sub(r'(?m)^load_memory_limit = "[^"]*"', f'load_memory_limit = "{args.memory_limit}"', text)
            (work / "sqd.toml").write_text(text, encoding="utf-8")
        env = {**os.environ, "SQD_CONFIG": str(work / "sqd.toml")}
        small = work / "small.csv"
        with open(csv, "rb") as src, open(small, "wb") as dst:
            dst.writelines(line for _, line in zip(range(SMALL_ROWS + 1), src))
        other = work / "small-other.csv"          # the same rows under other ids: a second load, not a repeat
        with open(small, "rb") as src, open(other, "wb") as dst:
            dst.writelines(line if n == 0 else line.replace(b"T", b"S", 1) for n, line in enumerate(src))

        def clean() -> None:
            for f in [*work.glob("bare.*"), *(work / "data").glob("warehouse.duckdb*")]:
                shutil.rmtree(f) if f.is_dir() else f.unlink()

        def ingest(code: Path | None, source: Path) -> tuple[float, float]:
            clean()
            return timed([*sqd_command(code), "ingest", str(source), "--profile", "tickets__canonical"], env)

        def one_round(source: Path, pandas: bool) -> tuple[tuple[float, float], ...]:
            clean()
            bare = timed([sys.executable, "-c", BARE, str(work / "bare.duckdb"), str(source)])
            ours = ingest(None, source)
            if not pandas:
                return bare, ours
            return bare, ours, timed([sys.executable, "-c", PANDAS_SQLITE, str(work / "bare.sqlite"), str(source)])

        runs, other_runs = [], []
        for _ in range(args.repeat):
            runs.append(one_round(csv, not args.no_pandas))
            if args.code:
                other_runs.append(ingest(args.code, csv))
        fixed = [one_round(small, False) for _ in range(args.repeat)]
        gx_import = [timed([sys.executable, "-c", GX_IMPORT], env)[0] for _ in range(args.repeat)]
        med = lambda rows, side, i: statistics.median(r[side][i] for r in rows)

        def spread(rows, side: int) -> str:
            return f"{min(r[side][0] for r in rows):.2f}-{max(r[side][0] for r in rows):.2f}"

        bare_s, ours_s = med(runs, 0, 0), med(runs, 1, 0)
        bare_fixed, ours_fixed = med(fixed, 0, 0), med(fixed, 1, 0)
        print(f"{'path':<48}{'median s':>10}{'range s':>14}{'peak RSS GiB':>14}")
        print(f"{'DuckDB bare CREATE TABLE AS read_csv':<48}{bare_s:>10.2f}{spread(runs, 0):>14}{med(runs, 0, 1):>14.2f}")
        print(f"{'sqd ingest (map, validate, publish, SLA)':<48}{ours_s:>10.2f}{spread(runs, 1):>14}"
              f"{med(runs, 1, 1):>14.2f}")
        if not args.no_pandas:
            pandas_s = med(runs, 2, 0)
            print(f"{'pandas read_csv + SQLite to_sql (no checks)':<48}{pandas_s:>10.2f}{spread(runs, 2):>14}"
                  f"{med(runs, 2, 1):>14.2f}")
        print(f"ratio ours / bare: {ours_s / bare_s:.2f}x  (target <= 2.5x at 1M; peak RSS target <= 2 GiB at 10M)")
        if not args.no_pandas:
            ratios = sorted(r[2][0] / r[1][0] for r in runs)
            print(f"speed-up over pandas + SQLite, pandas time / ours: {pandas_s / ours_s:.2f}x (per round "
                  f"{ratios[0]:.2f}-{ratios[-1]:.2f}x; target >= 1.4x; below 1 means ours is slower)")
        print(f"per-process fixed cost, the same commands on a {SMALL_ROWS:,}-row file: bare {bare_fixed:.2f} s, "
              f"ours {ours_fixed:.2f} s (of which importing Great Expectations, as the gate does, alone: "
              f"{statistics.median(gx_import):.2f} s)")
        print(f"ratio of the size-dependent work, (ours - fixed) / (bare - fixed): "
              f"{(ours_s - ours_fixed) / max(bare_s - bare_fixed, 1e-9):.2f}x")
        if args.code:
            times = [r[0] for r in other_runs]
            per = sorted(r[1][0] / o[0] for r, o in zip(runs, other_runs, strict=True))
            print(f"{'sqd ingest of ' + str(args.code):<48}{statistics.median(times):>10.2f}"
                  f"{f'{min(times):.2f}-{max(times):.2f}':>14}{statistics.median(r[1] for r in other_runs):>14.2f}")
            print(f"  this tree / {args.code}: {ours_s / statistics.median(times):.2f}x (per round "
                  f"{per[0]:.2f}-{per[-1]:.2f}x); peak RSS {med(runs, 1, 1):.2f} / "
                  f"{statistics.median(r[1] for r in other_runs):.2f} GiB")
        if args.no_warm:
            return
        clean()
        watcher = WarmWatcher(work, env)
        rival = WarmWatcher(work, env, args.code, "inbox-other") if args.code else None
        rival_small, rival_next, rival_big = [], [], []
        try:
            warm_small, warm_big, lines, small_own, warm_next = [], [], [], [], []
            for _ in range(args.repeat):
                for w, small_s, next_s in ((watcher, warm_small, warm_next), (rival, rival_small, rival_next)):
                    if w is None:
                        continue
                    clean()
                    elapsed, line = w.drop(small)
                    small_s.append(elapsed)
                    if w is watcher:
                        small_own.append(float(line.rsplit(" in ", 1)[1].split()[0]))
                    next_s.append(w.drop(other)[0])   # into the warehouse the first one made
                for w, big_s in ((watcher, warm_big), (rival, rival_big)):
                    if w is None:
                        continue
                    clean()
                    elapsed, line = w.drop(csv)
                    big_s.append(elapsed)
                    if w is watcher:
                        lines.append(line)
            peak = watcher.peak_rss_gib()
        finally:
            watcher.stop()
            if rival is not None:
                rival.stop()
        print(f"warm loader (sqd watch, started once: ready in {watcher.ready_s:.1f} s), from the rename into the "
              f"inbox to its log line, into an empty warehouse:")
        print(f"  {SMALL_ROWS:,} rows: median {statistics.median(warm_small):.2f} s, range {min(warm_small):.2f}-"
              f"{max(warm_small):.2f} s, of which the load itself {statistics.median(small_own):.2f} s (target <= 1 s; "
              f"cold sqd ingest of the same file {ours_fixed:.2f} s)")
        print(f"  {SMALL_ROWS:,} rows into the warehouse the previous {SMALL_ROWS:,} made: median "
              f"{statistics.median(warm_next):.2f} s, range {min(warm_next):.2f}-{max(warm_next):.2f} s")
        big = statistics.median(warm_big)
        print(f"  {args.tickets:,} rows: median {big:.2f} s, range {min(warm_big):.2f}-{max(warm_big):.2f} s; "
              f"ratio warm / bare: {big / bare_s:.2f}x (target <= 2x at 1M); watcher's peak RSS {peak:.2f} GiB")
        print(f"  last line: {lines[-1]}")
        if rival is not None:
            def span(values: list[float]) -> str:
                return f"median {statistics.median(values):.2f} s, range {min(values):.2f}-{max(values):.2f} s"
            print(f"  {args.code}'s sqd watch in the same rounds: {SMALL_ROWS:,} rows {span(rival_small)}; into the "
                  f"previous {SMALL_ROWS:,} {span(rival_next)}; {args.tickets:,} rows {span(rival_big)}")
            print(f"  this tree / {args.code}: {SMALL_ROWS:,} rows "
                  f"{statistics.median(warm_small) / statistics.median(rival_small):.2f}x, into the previous "
                  f"{statistics.median(warm_next) / statistics.median(rival_next):.2f}x, {args.tickets:,} rows "
                  f"{big / statistics.median(rival_big):.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
