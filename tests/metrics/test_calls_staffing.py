"""Erlang C staffing (pipelines/staffing.py): published values, a scalar reference, and on a real warehouse."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from pipelines.staffing import agents_needed, erlang_c, gap_per_day, service_level, staffing
from pipelines.warehouse import direct


def reference_erlang_c(traffic: float, agents: int) -> float:
    """The textbook closed form, one pair at a time."""
    top = traffic ** agents / math.factorial(agents) * agents / (agents - traffic)
    return top / (sum(traffic ** k / math.factorial(k) for k in range(agents)) + top)


def test_erlang_c_matches_the_closed_form_and_published_values():
    traffic = np.array([10.0, 10.0, 2.5, 48.0, 0.3])
    agents = np.array([11, 12, 4, 55, 1])
    got = erlang_c(traffic, agents)
    assert got == pytest.approx([reference_erlang_c(a, n) for a, n in zip(traffic, agents, strict=True)])
    assert got[0] == pytest.approx(0.6821, abs=1e-4)        # 10 Erlangs, 11 agents: the textbook figure
    assert erlang_c(np.array([5.0]), np.array([5]))[0] == 1.0   # as many agents as Erlangs: everyone waits


def test_agents_needed_is_the_fewest_that_reach_the_target():
    # 100 calls in 30 min at 180 s: 10 Erlangs; 13 agents give 79.6 % in 20 s, 14 give 88.8 %
    calls = np.array([100, 0, 360, 1, 100])
    aht = np.array([180, 180, 240, 300, 0])
    needed = agents_needed(calls, aht, 1800, 0.80, 20)
    assert needed.tolist() == [14, 0, 54, 1, 0]            # no handle time: nothing to staff
    for c, h, n in zip(calls[:4], aht[:4], needed[:4], strict=True):
        if n:
            a = c * h / 1800
            assert service_level(np.array([a]), np.array([n]), np.array([h]), 20)[0] >= 0.80
            assert n - 1 <= a or service_level(np.array([a]), np.array([n - 1]), np.array([h]), 20)[0] < 0.80


def call(call_id, offered, agent, wait=5.0, talk=170.0, wrap=10.0):
    return {"call_id": call_id, "queue": "general", "offered_at": offered, "answered_at": offered,
            "agent": agent, "wait_seconds": wait, "talk_seconds": talk, "wrap_seconds": wrap}


def test_staffing_per_interval_and_gap_per_day(warehouse):
    # Monday 09:00: 20 calls of 180 s handled by 2 agents (2 Erlangs); 10:00: 2 calls by 2 agents
    calls = [call(f"A{i}", f"2024-03-04 09:{i:02d}:00+08:00", f"ag{i % 2}") for i in range(20)]
    calls += [call(f"B{i}", f"2024-03-04 10:0{i}:00+08:00", f"ag{i}") for i in range(2)]
    con = warehouse(calls=calls)
    frame = staffing(direct(con), date(2024, 3, 4), date(2024, 3, 4))
    rows = frame.select("time_of_day", "calls", "aht_seconds", "traffic_erlangs", "agents_needed",
                        "agents_available", "agent_gap", "gap_agent_hours").rows()
    expected_9 = int(agents_needed(np.array([20]), np.array([180]), 1800, 0.80, 20)[0])
    # 2 Erlangs: C(3) = 4/9, SL = 1 - 4/9·e^(-20/180) = 60.2 %; C(4) = 4/23, SL = 86.1 %
    assert service_level(np.array([2.0, 2.0]), np.array([3, 4]), np.array([180, 180]), 20) == pytest.approx(
        [1 - 4 / 9 * math.exp(-20 / 180), 1 - 4 / 23 * math.exp(-40 / 180)], abs=1e-4)
    assert expected_9 == 4
    assert [r[1:] for r in rows] == [(20, 180.0, 2.0, 4, 2, 2, 1.0), (2, 180.0, 0.2, 1, 2, 0, 0.0)]
    day = gap_per_day(frame).rows(named=True)
    assert day == [{"interval_date": date(2024, 3, 4), "gap_agent_hours": 1.0, "calls": 22,
                    "needed_agent_hours": 2.5, "available_agent_hours": 2.0}]
    assert staffing(direct(con), date(2024, 3, 5), date(2024, 3, 5)).is_empty()


def slot(agent, start, minutes=None, logged_in=True, available=None):
    return {"roster_slot": f"{agent}|{start}", "agent": agent, "interval_start": start,
            "interval_minutes": minutes, "is_logged_in": logged_in, "is_available": available}


def test_roster_interval_and_staffing_from_the_roster(warehouse):
    """metrics.roster_interval by hand; with a roster the staffing reads it instead of the answering agents."""
    calls = [call(f"A{i}", f"2024-03-04 09:{i:02d}:00+08:00", f"ag{i % 2}") for i in range(20)]
    roster = [
        slot("r1", "2024-03-04 09:00+08:00", 30, available=True),
        slot("r2", "2024-03-04 09:00+08:00", 60, available=True),           # 09:00 and 09:30
        slot("r3", "2024-03-04 09:00+08:00", 15, available=True),           # half the interval
        slot("r4", "2024-03-04 09:00+08:00", 30, available=False),          # logged in, on a break
        slot("r5", "2024-03-04 09:00+08:00", None, logged_in=False),        # 30 min (the interval), out
    ]
    con = warehouse(calls=calls, roster=roster)
    got = con.sql("SELECT strftime(interval_start, '%H:%M'), agents_logged_in, agents_available "
                  "FROM metrics.roster_interval ORDER BY 1").fetchall()
    assert got == [("09:00", 4, (30 + 30 + 15) / 30), ("09:30", 1, 1.0)]
    frame = staffing(direct(con), date(2024, 3, 4), date(2024, 3, 4))
    assert frame.select("agents_needed", "agents_available", "available_from", "agent_gap").rows() == [
        (4, 2.5, "roster", 1.5)]
    assert gap_per_day(frame)["gap_agent_hours"].to_list() == [0.75]
