"""Occupancy per interval (metrics.roster_interval): talk + wrap-up seconds of the calls offered in the interval
over the agent-seconds the roster makes available, by hand."""

from __future__ import annotations

import pytest

from tests.metrics.test_calls_interval import call
from tests.metrics.test_calls_staffing import slot

CALLS = [
    call("C1", "2024-03-04 09:05:00+08:00", 10, "2024-03-04 09:05:10+08:00", talk=300, wrap=60, agent="r1"),
    call("C2", "2024-03-04 09:10:00+08:00", 5, "2024-03-04 09:10:05+08:00", talk=600, agent="r2"),  # no wrap: 0
    call("C3", "2024-03-04 09:20:00+08:00", 30, abandoned="2024-03-04 09:20:30+08:00", talk=50),    # not handled
    # offered at 09:29, talks on into 09:30: counted whole in 09:00
    call("C4", "2024-03-04 09:29:00+08:00", 8, "2024-03-04 09:29:08+08:00", talk=1000, wrap=200, agent="r1"),
    call("C5", "2024-03-04 09:40:00+08:00", 2, "2024-03-04 09:40:02+08:00", talk=90, wrap=0, queue="repair"),
    call("C6", "2024-03-04 11:00:00+08:00", 2, "2024-03-04 11:00:02+08:00", talk=90),   # no roster: no row
]
ROSTER = [
    slot("r1", "2024-03-04 09:00+08:00", 30, available=True),
    slot("r2", "2024-03-04 09:00+08:00", 60, available=True),        # 09:00 and 09:30
    slot("r3", "2024-03-04 09:00+08:00", 15, available=True),        # half of 09:00
    slot("r1", "2024-03-04 10:00+08:00", 30, available=True),        # no calls: occupancy 0
    slot("r2", "2024-03-04 10:30+08:00", 30, available=False),       # logged in, never available: unknown
]


def test_occupancy_per_interval_by_hand(warehouse):
    con = warehouse(calls=CALLS, roster=ROSTER)
    got = {r[0]: r[1:] for r in con.sql("""
        SELECT strftime(interval_start, '%H:%M'), available_seconds, handle_seconds, occupancy
        FROM metrics.roster_interval ORDER BY 1""").fetchall()}
    assert sorted(got) == ["09:00", "09:30", "10:00", "10:30"]
    # 09:00: r1 30 + r2 30 + r3 15 = 75 available minutes = 4,500 s; C1 300 + 60, C2 600, C4 1,000 + 200 = 2,160 s
    assert got["09:00"][:2] == (4500.0, 2160.0) and got["09:00"][2] == pytest.approx(2160 / 4500)
    # 09:30: r2 alone, 1,800 s; C5 (queue repair: occupancy pools the queues) 90 s
    assert got["09:30"][:2] == (1800.0, 90.0) and got["09:30"][2] == pytest.approx(0.05)
    assert got["10:00"] == (1800.0, 0.0, 0.0)
    assert got["10:30"] == (0.0, 0.0, None)
