"""How fast `sqd` starts: `sqd --help`, `sqd status` and `sqd sql "select 1"`, each run N times as a fresh process.

    .venv/bin/python bench/cli_start.py [--runs 15] [--tickets 2000] [--code DIR ...]

Builds a small warehouse first (a generated ticket file through `sqd ingest`, in a temporary folder), then runs
the commands round-robin (one of each per round, so noise on the machine hits all alike) and prints the median
and the minimum wall time of each, with `python -c pass` as the interpreter's floor. Target: each command
<= 0.5 s (issue 13, target 6). `python -X importtime -m pipelines.cli status` shows where an import's time goes.
`--code DIR ...` times other checkouts' `pipelines` too (e.g. `git archive <commit> | tar -x -C DIR`), each on
PYTHONPATH, in the same rounds: before and after side by side.
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

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
TARGET_S = 0.5


def wall(cmd: list[str], env: dict[str, str]) -> float:
    return timed(cmd, env)[0]


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, from wait4) of one run. On a shared machine the CPU time
    moves far less with other people's load than the wall time does."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{cmd} failed: {err.decode()[-2000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--tickets", type=int, default=2_000)
    parser.add_argument("--code", type=Path, nargs="*", default=[], help="Other checkouts to time beside this one.")
    args = parser.parse_args()
    from ingest import generate  # bench/ingest.py's ticket file

    work = Path(tempfile.mkdtemp(prefix="sqd-cli-start-"))
    try:
        (work / "data").mkdir()
        shutil.copytree(REPO / "data" / "profiles", work / "data" / "profiles")
        shutil.copytree(REPO / "expectations", work / "expectations")
        shutil.copy(REPO / "sqd.toml", work / "sqd.toml")
        env = {**os.environ, "SQD_CONFIG": str(work / "sqd.toml"), "COLUMNS": "200"}
        generate(work / "tickets.csv", args.tickets)
        wall([sys.executable, "-m", "pipelines.cli", "ingest", str(work / "tickets.csv"), "--profile",
              "tickets__canonical"], env)
        sqd = str(Path(sys.executable).with_name("sqd"))
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "sqd --help": [sqd, "--help"],
            "sqd status": [sqd, "status"],
            'sqd sql "select 1"': [sqd, "sql", "select 1"],
        }
        trees = {"this": REPO, **{str(d): d.resolve() for d in args.code}}
        times: dict[tuple[str, str], list[float]] = {(t, n): [] for t in trees for n in commands}
        cpu: dict[tuple[str, str], list[float]] = {(t, n): [] for t in trees for n in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                for tree, folder in trees.items():
                    seconds, cpu_seconds = timed(cmd, {**env, "PYTHONPATH": str(folder)})
                    times[tree, name].append(seconds)
                    cpu[tree, name].append(cpu_seconds)
        print(f"{'code':<24}{'command':<24}{'median s':>10}{'min s':>8}{'max s':>8}{'cpu med':>9}{'cpu min':>9}   "
              f"({args.runs} runs each, round-robin; cpu = user + system seconds)")
        for (tree, name), runs in times.items():
            mark = "" if name.startswith("python") else (
                "  ok" if statistics.median(runs) <= TARGET_S else f"  over {TARGET_S} s")
            print(f"{tree[-24:]:<24}{name:<24}{statistics.median(runs):>10.3f}{min(runs):>8.3f}{max(runs):>8.3f}"
                  f"{statistics.median(cpu[tree, name]):>9.3f}{min(cpu[tree, name]):>9.3f}{mark}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
