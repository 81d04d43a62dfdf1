"""No behaviour reads the machine's clock: only pipelines/clock.py may, and only metrics.clock in SQL.

Two guards: a scan of the code for wall-clock reads outside the clock, and the same computations run at two wall
clocks years apart (time-machine moves Python's wall clock) giving the same result. `make test-moved-clock` runs
the whole suite with the wall clock moved (docs/architecture.md "Time: one clock").
"""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.conftest import REPO, move_wall_clock
from tests.review_fixtures import review_project  # noqa: F401 (fixture)

PYTHON_WALL_CLOCK = re.compile(
    r"datetime\.(now|utcnow|today)\(|date\.today\(|\btime\.(time|time_ns|localtime|gmtime|ctime)\(")
SQL_WALL_CLOCK = re.compile(r"\b(current_timestamp|current_date|current_time|(?<![.\w])now\s*\(\s*\)|(?<![.\w])today\s*\(\s*\)|"
                            r"get_current_timestamp|get_current_time|localtimestamp|epoch_ms\s*\(\s*\))",
                            re.IGNORECASE)
ALLOWED_PYTHON = {"pipelines/clock.py"}            # now() (unpinned) and stamp() (log times) read it, nobody else
ALLOWED_SQL = {"pipelines/sql/metrics/clock.sql"}  # metrics.clock: the SQL side of the one clock


def _code_files(suffix: str) -> list[Path]:
    return sorted(p for folder in ("pipelines", "dashboard") for p in (REPO / folder).rglob(f"*{suffix}"))


def _strip_comments(text: str, marker: str) -> str:
    return "\n".join(line.split(marker, 1)[0] for line in text.splitlines())


def test_only_the_clock_reads_the_wall_clock_in_python():
    offenders = [f"{p.relative_to(REPO)}:{n}: {line.strip()}"
                 for p in _code_files(".py") if str(p.relative_to(REPO)) not in ALLOWED_PYTHON
                 for n, line in enumerate(_strip_comments(p.read_text(encoding="utf-8"), "#").splitlines(), 1)
                 if PYTHON_WALL_CLOCK.search(line)]
    assert offenders == [], "read the time through pipelines.clock (now() to judge data, stamp() for logs)"


def test_only_metrics_clock_reads_the_wall_clock_in_sql():
    sql_files = [p for p in _code_files(".sql") if str(p.relative_to(REPO)) not in ALLOWED_SQL]
    offenders = [f"{p.relative_to(REPO)}:{n}: {line.strip()}"
                 for p in sql_files
                 for n, line in enumerate(_strip_comments(p.read_text(encoding="utf-8"), "--").splitlines(), 1)
                 if SQL_WALL_CLOCK.search(line)]
    # SQL written inside Python modules too (queries, rollups, reports)
    offenders += [f"{p.relative_to(REPO)}:{n}: {line.strip()}"
                  for p in _code_files(".py") if str(p.relative_to(REPO)) not in ALLOWED_PYTHON
                  for n, line in enumerate(_strip_comments(p.read_text(encoding="utf-8"), "#").splitlines(), 1)
                  if SQL_WALL_CLOCK.search(line)]
    assert offenders == [], "SQL reads now from the view metrics.clock (column now_at)"


def test_the_scans_would_catch_a_wall_clock_read():
    assert PYTHON_WALL_CLOCK.search("started = datetime.now(UTC)")
    assert PYTHON_WALL_CLOCK.search("if date.today() > due:")
    assert SQL_WALL_CLOCK.search("WHERE due_at < now()")
    assert SQL_WALL_CLOCK.search("age(CURRENT_DATE, created_date)")
    assert not SQL_WALL_CLOCK.search("SELECT now_at FROM metrics.clock")
    assert not SQL_WALL_CLOCK.search("as_of=clock.now()")


def test_moving_the_wall_clock_moves_python_time_but_not_monotonic_time():
    before, year_before = time.monotonic(), datetime.now(UTC).year   # the real year, or the moved pass's
    traveller = move_wall_clock("2031-03-01T10:00:00+08:00")
    try:
        assert datetime.now(UTC).year == 2031 and date.today().year == 2031 and time.gmtime().tm_year == 2031
        time.sleep(0.01)                                   # a timed wait still returns (libfaketime hangs it)
        assert 0 < time.monotonic() - before < 60
    finally:
        traveller.stop()
    assert datetime.now(UTC).year == year_before


@pytest.mark.parametrize("wall_clock", ["2027-01-01T00:30:00+08:00", "2029-02-28T10:00:00+08:00"])
def test_what_the_product_computes_does_not_move_with_the_wall_clock(review_project, wall_clock):
    """Freshness ages, the default period and the weekly pack's week at the real wall clock and years later agree."""
    from dashboard.queries import default_period
    from pipelines import clock, status, weekly
    from pipelines.warehouse import connect, direct

    def compute() -> tuple:
        con = connect(review_project)
        try:
            run = direct(con)
            today = clock.today(review_project.timezone)
            ages = status.status_relation(con).pl().select("dataset", "newest_record_age_days").rows()
            return default_period(run, today), ages, weekly.last_full_week(run, today)
        finally:
            con.close()

    here = compute()
    traveller = move_wall_clock(wall_clock)
    try:
        assert datetime.now(UTC) >= datetime(2026, 12, 31, 16, tzinfo=UTC)   # the moved wall clock holds
        assert compute() == here
    finally:
        traveller.stop()
