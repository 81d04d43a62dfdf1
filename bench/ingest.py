"""Ingest benchmark: `sqd ingest` of N generated tickets vs DuckDB's bare CSV load of the same file.

    .venv/bin/python bench/ingest.py --tickets 1000000 [--repeat 3]

Each run is a fresh process (wall time and peak RSS of that process via wait4), alternating bare and ours so
machine noise hits both alike. Ours = read + map + validate + publish (copy-on-write swap, SLA derivation).
Bare = `CREATE TABLE t AS SELECT * FROM read_csv('file')` into a new DuckDB file (auto-detected types,
no cleaning, no checks).
Both commands also run on the file's first 1,000 rows: what each costs per process whatever the size (interpreter,
imports: Great Expectations alone takes seconds to import), so the size-dependent part can be compared too.
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

import numpy as np
import polars as pl

REPO = Path(__file__).resolve().parents[1]
SMALL_ROWS = 1_000
# GX imported the way the gate does (scipy.stats and altair deferred, pipelines/deferred.py), on its own.
GX_IMPORT = "from pipelines import deferred; deferred.defer('scipy.stats', 'altair'); import great_expectations"
BARE = "import duckdb,sys; c=duckdb.connect(sys.argv[1]); c.execute(\"CREATE TABLE t AS SELECT * FROM read_csv(?)\", [sys.argv[2]]); c.close()"


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


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS GiB) of one child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 3):
        raise SystemExit(f"{cmd} failed: {proc.stderr.read().decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
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
        env = {**os.environ, "SQD_CONFIG": str(work / "sqd.toml")}
        small = work / "small.csv"
        with open(csv, "rb") as src, open(small, "wb") as dst:
            dst.writelines(line for _, line in zip(range(SMALL_ROWS + 1), src))

        def one_round(source: Path) -> tuple[tuple[float, float], tuple[float, float]]:
            for f in [*work.glob("bare.duckdb*"), *(work / "data").glob("warehouse.duckdb*")]:
                shutil.rmtree(f) if f.is_dir() else f.unlink()
            bare = timed([sys.executable, "-c", BARE, str(work / "bare.duckdb"), str(source)])
            ours = timed([sys.executable, "-m", "pipelines.cli", "ingest", str(source),
                          "--profile", "tickets__canonical"], env)
            return bare, ours

        runs = [one_round(csv) for _ in range(args.repeat)]
        fixed = [one_round(small) for _ in range(args.repeat)]
        gx_import = [timed([sys.executable, "-c", GX_IMPORT], env)[0] for _ in range(args.repeat)]
        med = lambda rows, side, i: statistics.median(r[side][i] for r in rows)  # noqa: E731
        bare_s, ours_s = med(runs, 0, 0), med(runs, 1, 0)
        bare_fixed, ours_fixed = med(fixed, 0, 0), med(fixed, 1, 0)
        print(f"{'path':<44}{'median s':>10}{'peak RSS GiB':>14}")
        print(f"{'DuckDB bare CREATE TABLE AS read_csv':<44}{bare_s:>10.2f}{med(runs, 0, 1):>14.2f}")
        print(f"{'sqd ingest (map, validate, publish, SLA)':<44}{ours_s:>10.2f}{med(runs, 1, 1):>14.2f}")
        print(f"ratio ours / bare: {ours_s / bare_s:.2f}x  (target <= 2.5x at 1M; peak RSS target <= 3 GB at 10M)")
        print(f"per-process fixed cost, the same commands on a {SMALL_ROWS:,}-row file: bare {bare_fixed:.2f} s, "
              f"ours {ours_fixed:.2f} s (of which importing Great Expectations, as the gate does, alone: "
              f"{statistics.median(gx_import):.2f} s)")
        print(f"ratio of the size-dependent work, (ours - fixed) / (bare - fixed): "
              f"{(ours_s - ours_fixed) / max(bare_s - bare_fixed, 1e-9):.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
