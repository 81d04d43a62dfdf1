"""Does a small load cost what its batch costs? A 1,000-row load into an empty warehouse vs one of N tickets.

    .venv/bin/python bench/load_growth.py --sizes 1000000 5000000 [--repeat 3] [--code DIR]

Warehouses of N tickets are built once through `sqd ingest` (bench/ingest.py's generator: realistic
cardinalities, two years of tickets) and cached under bench/out/wh-<N>/; delete the folder to rebuild. Each round
then times, as child processes (wall time and peak RSS from wait4), alternating the warehouse sizes so noise on the
machine hits each alike:
- **new**: `sqd ingest` of 1,000 tickets whose ids the warehouse does not hold (fresh ids every round);
- **update**: `sqd ingest` of 1,000 tickets with existing ids and new values (a different seed every round);
  into the empty warehouse the same file inserts;
- **check**: `sqd check` with nothing changed (the publish, its derivation and the suites);
- **copy**: copying the warehouse file and fsyncing the copy (in this process): what a publish cost per load before
  the standby file (docs/decisions.md), which copies only the blocks the previous load wrote (`bench/profile_load.py`
  prints how many for a load).
An untimed load into each cached warehouse comes first (derived tables the code under test adds). The empty warehouse is a fresh folder each round. A round adds 1,000 tickets to each cached warehouse (new ids),
which is noise next to N. `--code DIR [DIR ...]` runs other checkouts' `pipelines` (e.g. `git archive <commit>
pipelines | tar -x -C DIR`), alternating within each round, each on its own copy of the cached warehouses: before
and after, side by side.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from ingest import generate, timed  # bench/ingest.py, a sibling script

OUT = REPO / "bench" / "out"
BATCH = 1_000
NOW = "2026-11-23T10:00:00+08:00"


def project(folder: Path) -> Path:
    """sqd.toml, profiles and suites in `folder` (the warehouse goes to folder/data); returns the config path."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "data" / "profiles", folder / "data" / "profiles", dirs_exist_ok=True)
    shutil.copytree(REPO / "expectations", folder / "expectations", dirs_exist_ok=True)
    shutil.copy(REPO / "sqd.toml", folder / "sqd.toml")
    return folder / "sqd.toml"


def sqd(code: Path | None, *args: str) -> list[str]:
    if code is None:
        return [sys.executable, "-m", "pipelines.cli", *args]
    # another checkout's pipelines package first on the path (the editable install's finder comes after it)
    return [sys.executable, "-c", (f"import sys; sys.path.insert(0, {str(code)!r}); "
                                   "from pipelines.cli import app; sys.argv[0] = 'sqd'; app()"), *args]


def env_for(config: Path) -> dict[str, str]:
    return {**os.environ, "SQD_CONFIG": str(config), "SQD_NOW": NOW}


def build(n: int) -> Path:
    """The cached warehouse folder of n tickets (ids T0 .. T<n-1>), built through `sqd ingest`."""
    folder = OUT / f"wh-{n}"
    if (folder / "data" / "warehouse.duckdb").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    config = project(folder)
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        csv = Path(tmp) / "tickets.csv"
        t0 = time.perf_counter()
        generate(csv, n)
        wall, rss = timed(sqd(None, "ingest", str(csv), "--profile", "tickets__canonical"), env_for(config))
    print(f"built {n:,} tickets in {time.perf_counter() - t0:.0f} s (ingest {wall:.0f} s, {rss:.2f} GiB)",
          flush=True)
    return folder


def batch(path: Path, ids: np.ndarray, seed: int) -> Path:
    """1,000 tickets with the given ids and values drawn from `seed`."""
    small = path.with_suffix(".gen.csv")
    generate(small, BATCH, seed=seed)
    pl.read_csv(small, infer_schema=False).with_columns(
        ticket_id=pl.Series(ids.astype(str))).write_csv(path)
    small.unlink()
    return path


def copy_seconds(folder: Path) -> float:
    live = folder / "data" / "warehouse.duckdb"
    target = live.with_name("copy-bench.duckdb")
    t0 = time.perf_counter()
    shutil.copyfile(live, target)
    with open(target, "rb") as handle:
        os.fsync(handle.fileno())
    seconds = time.perf_counter() - t0
    target.unlink()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--code", type=Path, nargs="+", default=[None],
                        help="checkouts whose pipelines package to run, alternating within each round (A/B/A/B); "
                             "each gets its own copy of the cached warehouses")
    parser.add_argument("--no-check", action="store_true", help="skip timing `sqd check`")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    codes = list(args.code)
    folders = {}
    missing = [n for n in args.sizes if not (OUT / f"wh-{n}" / "data" / "warehouse.duckdb").exists()]
    for n in args.sizes:
        base = build(n)
    if missing:
        # a child's peak RSS from wait4 starts at its parent's: this process held the generated tickets, so the
        # measuring starts again in a fresh process (the warehouses are cached now)
        print("warehouses built; measuring in a fresh process", flush=True)
        os.execv(sys.executable, [sys.executable, *sys.argv])
    for n in args.sizes:
        base = build(n)
        for i, _ in enumerate(codes):
            folders[(i, n)] = base if i == 0 else OUT / f"{base.name}-code{i}"
            if not (folders[(i, n)] / "data" / "warehouse.duckdb").exists():
                shutil.copytree(base, folders[(i, n)], dirs_exist_ok=True)
    stamp = f"{os.getpid()}-{int(time.time())}"
    rows: dict[tuple[int, str, int], list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        tmp = Path(tmp)
        # an untimed load first: brings a cached warehouse's derived tables up to date with the code under test
        # (a table the code adds is filled from the whole warehouse once)
        for (i, size), folder in folders.items():
            warm = batch(tmp / f"warm-{i}-{size}.csv",
                         np.char.add(f"W{stamp}-{i}-", np.arange(BATCH).astype(str)), 99)
            timed(sqd(codes[i], "ingest", str(warm), "--profile", "tickets__canonical"),
                  env_for(folder / "sqd.toml"))
        for r in range(args.repeat):
            # new update ids every run: ids an earlier run updated sit together at the table's end (an update
            # rewrites the row), which a benchmark repeated on the same ids would measure instead of scattered ones
            rng = np.random.default_rng([int(time.time()), r])
            new_ids = np.char.add(f"B{stamp}-{r}-", np.arange(BATCH).astype(str))
            seed = int(time.time()) % 100_000 * 10 + r  # new values in every run (an identical file is skipped)
            new = batch(tmp / f"new-{r}.csv", new_ids, seed=seed)
            for i, size in [(i, size) for size in [0, *args.sizes] for i in range(len(codes))]:
                code = codes[i]
                if size == 0:
                    folder = tmp / f"empty-{r}-{i}"
                    config = project(folder)
                    upd_ids = np.char.add("T", np.arange(BATCH).astype(str))
                else:
                    folder = folders[(i, size)]
                    config = folder / "sqd.toml"
                    upd_ids = np.char.add("T", rng.choice(size, BATCH, replace=False).astype(str))
                upd = batch(tmp / f"upd-{r}-{size}-{i}.csv", upd_ids, seed=seed + 5)
                env = env_for(config)
                for kind, source in (("new", new), ("update", upd)):
                    if size == 0 and kind == "update":
                        shutil.rmtree(folder / "data", ignore_errors=True)
                        config = project(folder)
                    rows.setdefault((i, kind, size), []).append(
                        timed(sqd(code, "ingest", str(source), "--profile", "tickets__canonical"), env))
                if not args.no_check:
                    rows.setdefault((i, "check", size), []).append(timed(sqd(code, "check"), env))
                rows.setdefault((i, "copy", size), []).append((copy_seconds(folder), 0.0))
                print(f"round {r + 1}, {code or 'this checkout'}, {size:,} tickets: " + ", ".join(
                    f"{kind} {rows[(i, kind, size)][-1][0]:.2f} s" for kind in ("new", "update", "check", "copy")
                    if (i, kind, size) in rows), flush=True)

    def span(values: list[float], fmt: str = "{:.2f}") -> str:
        lo, hi = min(values), max(values)
        return fmt.format(statistics.median(values)) + f" ({fmt.format(lo)}–{fmt.format(hi)})"

    for i, code in enumerate(codes):
        print(f"\n{code or 'this checkout'}")
        print(f"{'what':<10}{'tickets':>12}   {'wall s, median (range)':<26}{'peak RSS GiB':<22}ratio to empty "
              "(wall, RSS; median of per-round ratios, range)")
        for kind in ("new", "update", "check", "copy"):
            for size in [0, *args.sizes]:
                if (i, kind, size) not in rows:
                    continue
                got, empty = rows[(i, kind, size)], rows[(i, kind, 0)]
                walls, rss = [w for w, _ in got], [m for _, m in got]
                line = f"{kind:<10}{size:>12,}   {span(walls):<26}{span(rss) if kind != 'copy' else '':<22}"
                if size and kind in ("new", "update"):
                    ratio_w = [a[0] / b[0] for a, b in zip(got, empty)]
                    ratio_m = [a[1] / b[1] for a, b in zip(got, empty)]
                    line += f"{span(ratio_w)}x, {span(ratio_m)}x"
                print(line)
        for size in args.sizes:
            load = statistics.median(w for w, _ in rows[(i, "new", size)])
            copy = statistics.median(w for w, _ in rows[(i, "copy", size)])
            print(f"copy of the {size:,}-ticket warehouse / a 1,000-row load into it: {copy / load:.2f} "
                  f"(what a whole copy per publish would cost; a publish now syncs its standby by blocks)")

if __name__ == "__main__":
    main()
