"""metrics.call_facts and metrics.calls_interval: the access rates per 30-minute interval and queue, by hand."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time

import pytest

from tests.metrics.conftest import seed


def call(call_id, offered, wait=None, answered=None, abandoned=None, talk=None, wrap=None, queue="general",
         **extra) -> dict:
    return {"call_id": call_id, "queue": queue, "offered_at": offered, "answered_at": answered,
            "abandoned_at": abandoned, "wait_seconds": wait, "talk_seconds": talk, "wrap_seconds": wrap,
            **extra}


CALLS = [
    # Monday 2024-03-04, 09:00-09:30 local, queue general
    call("G1", "2024-03-04 09:01:00+08:00", 10, "2024-03-04 09:01:10+08:00", talk=100, wrap=20, is_transferred=True),
    # no wait in the export: from the timestamps, 18 s
    call("G2", "2024-03-04 09:02:00+08:00", None, "2024-03-04 09:02:18+08:00", talk=200, wrap=0),
    call("G3", "2024-03-04 09:03:00+08:00", 45, "2024-03-04 09:03:45+08:00", talk=300, wrap=30),
    call("G4", "2024-03-04 09:04:00+08:00", 90, "2024-03-04 09:05:30+08:00", talk=60),          # waited > 60 s
    call("G5", "2024-03-04 09:05:00+08:00", 3, abandoned="2024-03-04 09:05:03+08:00"),         # short abandon
    call("G6", "2024-03-04 09:06:00+08:00", 30, abandoned="2024-03-04 09:06:30+08:00"),
    call("G7", "2024-03-04 09:07:00+08:00", 5, abandoned="2024-03-04 09:07:05+08:00"),         # 5 s: short
    # 09:29:59 local, given in UTC
    call("G8", "2024-03-04 01:29:59+00:00", 5, "2024-03-04 01:30:04+00:00", talk=50, wrap=10),
    # 09:30 interval: exactly 20 s is within the service level, and late (> 15 s)
    call("G9", "2024-03-04 09:30:00+08:00", 20, "2024-03-04 09:30:20+08:00", talk=100, wrap=0),
    # another queue, same interval: abandoned by outcome only
    call("R1", "2024-03-04 09:10:00+08:00", 12, queue="repair", outcome="abandoned"),
]


def rows(con):
    return {(r["time_of_day"], r["queue"]): r for r in con.sql(
        "SELECT * FROM metrics.calls_interval ORDER BY interval_start, queue").pl().to_dicts()}


def test_calls_interval_counts_and_rates_by_hand(warehouse):
    got = rows(warehouse(calls=CALLS))
    assert sorted(got) == [(time(9, 0), "general"), (time(9, 0), "repair"), (time(9, 30), "general")]
    g = got[(time(9, 0), "general")]
    assert (g["interval_start"], g["interval_date"], g["weekday"], g["interval_minutes"]) == (
        datetime(2024, 3, 4, 9, 0), date(2024, 3, 4), 1, 30)
    counts = ("offered", "short_abandons", "calls", "answered", "abandoned", "answered_within_service_level",
              "answered_late", "answered_within_limit", "transferred", "answered_wait_seconds", "handle_seconds")
    assert {k: g[k] for k in counts} == {
        "offered": 8, "short_abandons": 2, "calls": 6, "answered": 5, "abandoned": 1,
        "answered_within_service_level": 3,          # G1 10 s, G2 18 s, G8 5 s
        "answered_late": 3,                          # G2, G3, G4
        "answered_within_limit": 4,                  # all answered but G4 (90 s)
        "transferred": 1,
        "answered_wait_seconds": 10 + 18 + 45 + 90 + 5,
        "handle_seconds": 120 + 200 + 330 + 60 + 60,
    }
    assert g["connect_rate"] == pytest.approx(5 / 6)
    assert g["agent_answer_rate"] == pytest.approx(4 / 6)
    assert g["service_level"] == pytest.approx(3 / 6)
    assert g["late_answer_share"] == pytest.approx(3 / 5)
    assert g["abandon_rate"] == pytest.approx(1 / 6)
    assert g["asa_seconds"] == pytest.approx(168 / 5)
    assert g["aht_seconds"] == pytest.approx(770 / 5)
    assert g["transfer_rate"] == pytest.approx(1 / 5)
    late = got[(time(9, 30), "general")]
    assert (late["answered_within_service_level"], late["answered_late"]) == (1, 1)
    r = got[(time(9, 0), "repair")]
    assert (r["offered"], r["calls"], r["abandoned"], r["answered"], r["abandon_rate"], r["asa_seconds"]) == (
        1, 1, 1, 0, 1.0, None)


def test_calls_interval_thresholds_come_from_the_configuration(warehouse, tmp_path):
    """[contact_centre]: no short abandons, a 10 s service level and 15-minute intervals."""
    base = warehouse.config
    cfg = dataclasses.replace(
        base, warehouse_path=tmp_path / "other.duckdb",
        contact_centre=dataclasses.replace(base.contact_centre, short_abandon_seconds=0, service_level_seconds=10,
                                           interval_minutes=15))
    con = seed(cfg, calls=CALLS)
    try:
        got = rows(con)
    finally:
        con.close()
    assert sorted(got) == [(time(9, 0), "general"), (time(9, 0), "repair"), (time(9, 15), "general"),
                           (time(9, 30), "general")]
    g = got[(time(9, 0), "general")]            # G1-G7: G8 is in 09:15 now
    assert (g["offered"], g["short_abandons"], g["calls"], g["abandoned"]) == (7, 0, 7, 3)
    assert g["answered_within_service_level"] == 1                  # G1 (10 s); G2 waited 18 s
    assert g["service_level"] == pytest.approx(1 / 7)
