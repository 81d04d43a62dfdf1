"""metrics.ticket_sla on hand-made tickets; every expected value is worked out in the comments.

Policies are the defaults in sqd.toml. Business hours 08:30-17:30 (540 minutes a working day).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import dataclasses

import pytest

from pipelines import clock
from pipelines.config import load_config
from tests.metrics.conftest import REPO, seed

CST = timezone(timedelta(hours=8))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


def sla(con, ticket_id: str) -> dict[str, dict]:
    rows = con.execute(
        "SELECT target, policy_id, calendar, due_at, sla_status, is_met, elapsed_minutes "
        "FROM metrics.ticket_sla WHERE ticket_id = ? ORDER BY target", [ticket_id]
    ).fetchall()
    return {r[0]: {"policy": r[1], "calendar": r[2], "due": r[3], "status": r[4], "met": r[5], "elapsed": r[6]}
            for r in rows}


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    cfg = dataclasses.replace(load_config(REPO / "sqd.toml"),
                              warehouse_path=tmp_path_factory.mktemp("sla") / "w.duckdb")
    now = clock.now().astimezone(CST)
    return seed(cfg, tickets=[
        # Complaint, Friday 13 Feb 2026 17:50, after business hours, before the Spring Festival (15-23 Feb off);
        # Saturday 14 Feb is an adjusted workday (调休).
        {"ticket_id": "C1", "created_at": "2026-02-13 17:50+08:00", "ticket_type": "complaint",
         "first_response_at": "2026-02-14 10:00+08:00", "resolved_at": "2026-02-24 16:00+08:00",
         "status": "resolved", "site": "Riverside"},
        # Local repair, 24x7: first response 15 min, on site 20 min, resolution 24 h.
        {"ticket_id": "R1", "created_at": "2026-03-02 09:00+08:00", "ticket_type": "repair", "distance_km": 5,
         "first_response_at": "2026-03-02 09:10+08:00", "on_site_at": "2026-03-02 09:25+08:00",
         "resolved_at": "2026-03-02 15:00+08:00", "status": "resolved", "site": "Hillcrest"},
        # Repair still open long after every target: all breached.
        {"ticket_id": "R2", "created_at": "2026-03-01 09:00+08:00", "ticket_type": "repair", "status": "open"},
        # Repair opened five minutes ago: nothing due yet, all pending.
        {"ticket_id": "R3", "created_at": (now - timedelta(minutes=5)).isoformat(), "ticket_type": "repair",
         "status": "open"},
        # Inquiry answered on the call: no separate first response; resolution stands in for it.
        {"ticket_id": "I1", "created_at": "2026-03-03 10:00+08:00", "ticket_type": "inquiry",
         "resolved_at": "2026-03-03 10:02+08:00", "status": "closed"},
        # Warranty claims: 150 km away -> far policy (reply 12 h, no on-site); 50 km -> near (on site 24 h).
        {"ticket_id": "W1", "created_at": "2026-04-01 08:00+08:00", "ticket_type": "warranty", "distance_km": 150,
         "first_response_at": "2026-04-01 21:00+08:00", "status": "in_progress"},
        {"ticket_id": "W2", "created_at": "2026-04-01 08:00+08:00", "ticket_type": "warranty", "distance_km": 50,
         "first_response_at": "2026-04-01 09:00+08:00", "on_site_at": "2026-04-02 07:00+08:00",
         "resolved_at": "2026-04-02 10:00+08:00", "status": "resolved"},
        # Cancelled tickets are not measured.
        {"ticket_id": "X1", "created_at": "2026-03-01 09:00+08:00", "ticket_type": "repair", "status": "cancelled"},
        # 2027: beyond chinese-calendar's data; the fallback calendar still counts business minutes.
        {"ticket_id": "C2027", "created_at": "2027-03-01 09:00+08:00", "ticket_type": "complaint",
         "first_response_at": "2027-03-01 10:00+08:00", "resolved_at": "2027-03-02 09:00+08:00",
         "status": "resolved"},
    ])


def test_ticket_sla_business_hours_across_spring_festival(con):
    c1 = sla(con, "C1")
    assert set(c1) == {"first_response", "resolution"}  # the complaint policy has no on-site target
    assert c1["first_response"]["policy"] == "complaint"
    assert c1["first_response"]["calendar"] == "business"
    # Created after closing on Friday: the clock starts Saturday 14 Feb (adjusted workday) at 08:30.
    # 120 business minutes -> due Saturday 10:30; answered 10:00 = 90 business minutes -> met.
    assert c1["first_response"]["due"] == at("2026-02-14 10:30")
    assert c1["first_response"]["status"] == "met"
    assert c1["first_response"]["elapsed"] == pytest.approx(90)
    # Resolution within 2 working days: the 1st working day after Friday 13 is Saturday 14 (adjusted workday),
    # 15-23 Feb are the holiday, the 2nd is Tuesday 24 Feb -> due at its close, 17:30 (read as 960 business
    # minutes it fell due at 15:30). Resolved 16:00 -> met; elapsed 540 + (16:00 - 08:30 = 450) = 990.
    assert c1["resolution"]["due"] == at("2026-02-24 17:30")
    assert c1["resolution"]["status"] == "met"
    assert c1["resolution"]["met"] is True
    assert c1["resolution"]["elapsed"] == pytest.approx(990)


def test_ticket_sla_wall_clock_targets(con):
    r1 = sla(con, "R1")
    assert r1["first_response"]["policy"] == "repair_local"
    # 09:00 + 15 min = 09:15; responded 09:10 -> met after 10 minutes.
    assert r1["first_response"]["due"] == at("2026-03-02 09:15")
    assert (r1["first_response"]["status"], r1["first_response"]["elapsed"]) == ("met", pytest.approx(10))
    # On site due 09:20, arrived 09:25 -> breached by 5 minutes (elapsed 25).
    assert (r1["on_site"]["status"], r1["on_site"]["elapsed"]) == ("breached", pytest.approx(25))
    # Resolved after 6 h against 24 h -> met.
    assert r1["resolution"]["due"] == at("2026-03-03 09:00")
    assert r1["resolution"]["status"] == "met"


def test_ticket_sla_open_tickets_past_due_are_breached_and_not_yet_due_are_pending(con):
    assert {t: v["status"] for t, v in sla(con, "R2").items()} == {
        "first_response": "breached", "on_site": "breached", "resolution": "breached"}
    r3 = sla(con, "R3")
    assert {t: v["status"] for t, v in r3.items()} == {
        "first_response": "pending", "on_site": "pending", "resolution": "pending"}
    assert all(v["met"] is None for v in r3.values())  # pending targets stay out of the rate


def test_ticket_sla_skipped_steps(con):
    i1 = sla(con, "I1")
    # Inquiry: no on-site target; resolution at 10:02 stands in for the first response (due 10:00 + 24 h).
    assert set(i1) == {"first_response", "resolution"}
    assert (i1["first_response"]["status"], i1["first_response"]["elapsed"]) == ("met", pytest.approx(2))


def test_ticket_sla_policy_by_distance(con):
    w1, w2 = sla(con, "W1"), sla(con, "W2")
    assert w1["first_response"]["policy"] == "field_service_far"
    assert "on_site" not in w1
    # 08:00 + 720 min = 20:00; replied 21:00 -> breached.
    assert w1["first_response"]["status"] == "breached"
    assert w2["on_site"]["policy"] == "field_service_near"
    # On site 23 h after the call against 24 h -> met.
    assert (w2["on_site"]["status"], w2["on_site"]["elapsed"]) == ("met", pytest.approx(23 * 60))


def test_ticket_sla_excludes_cancelled(con):
    assert sla(con, "X1") == {}


def test_ticket_sla_beyond_the_official_calendar_uses_the_fallback(con):
    source = con.execute(
        "SELECT calendar_source FROM core.calendar_days WHERE date_day = DATE '2027-03-01'").fetchall()
    assert source == [("holidays_fallback",)]
    c = sla(con, "C2027")
    # Monday 1 March 2027, 09:00 -> 10:00 is 60 business minutes; due 11:00.
    assert c["first_response"]["due"] == at("2027-03-01 11:00")
    assert (c["first_response"]["status"], c["first_response"]["elapsed"]) == ("met", pytest.approx(60))
    # Resolution 2 working days: Tuesday 2 and Wednesday 3 March -> due Wednesday 17:30. Resolved Tuesday 09:00:
    # Monday 09:00-17:30 = 510, Tuesday 08:30-09:00 = 30 -> elapsed 540 business minutes.
    assert c["resolution"]["due"] == at("2027-03-03 17:30")
    assert c["resolution"]["elapsed"] == pytest.approx(540)


def test_ticket_kpis_timeliness_counts_only_decided_tickets(con):
    rows = dict(con.execute(
        "SELECT ticket_id, (is_measured, is_timely) FROM metrics.ticket_kpis").fetchall())
    assert "X1" not in rows
    assert rows["C1"] == (True, True)    # both targets met
    assert rows["R1"] == (True, False)   # on-site breached
    assert rows["R3"] == (False, False)  # all pending: not measured yet
    assert rows["I1"] == (True, True)
    # W1 is still open but its only targets (reply, resolution in 7 days) are decided? reply breached, resolution
    # due 8 April 2026 has passed while open -> breached: measured, not timely.
    assert rows["W1"] == (True, False)
    assert rows["W2"] == (True, True)
    # Timeliness = timely / measured = (C1, I1, W2, C2027) / 7 measured (all but R3 and cancelled X1) = 4 / 7.
    rate = con.execute(
        "SELECT count(*) FILTER (WHERE is_timely) / count(*) FILTER (WHERE is_measured) FROM metrics.ticket_kpis"
    ).fetchall()[0][0]
    assert rate == pytest.approx(4 / 7)


def test_backlog_ages_and_breaches(con):
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT ticket_id, age_bucket, is_breached FROM metrics.backlog").fetchall()}
    # Open = not resolved/closed/cancelled: R2, R3, W1.
    assert set(rows) == {"R2", "R3", "W1"}
    assert rows["R3"] == ("<1d", False)
    assert rows["R2"] == (">30d", True)
    assert rows["W1"][1] is True


def test_ticket_sla_targets_in_working_days(warehouse):
    # The complaint policy resolves within 2 working days (sqd.toml resolution_working_days = 2): due at the close
    # (17:30) of the 2nd working day after the day received. Now is Monday 23 Nov 2026 10:00 (tests/conftest.py).
    con = warehouse(tickets=[
        # Monday 16 Nov 09:42 -> Tuesday 17 (1st), Wednesday 18 (2nd) -> due Wed 18 Nov 17:30 (not Tue 16:42, as
        # 960 business minutes read it). Resolved Wed 17:00 -> met.
        {"ticket_id": "MON", "created_at": "2026-11-16 09:42+08:00", "ticket_type": "complaint",
         "first_response_at": "2026-11-16 10:00+08:00", "resolved_at": "2026-11-18 17:00+08:00",
         "status": "resolved"},
        # Friday 20 Nov 15:00 -> across the weekend: Monday 23 (1st), Tuesday 24 (2nd) -> due Tue 24 17:30;
        # still open at Monday 10:00 -> pending.
        {"ticket_id": "FRI", "created_at": "2026-11-20 15:00+08:00", "ticket_type": "complaint",
         "first_response_at": "2026-11-20 15:30+08:00", "status": "open"},
        # Received on Sunday 22 Nov: the day received is not a working day; Mon 23 and Tue 24 -> Tue 24 17:30.
        {"ticket_id": "SUN", "created_at": "2026-11-22 10:00+08:00", "ticket_type": "complaint",
         "first_response_at": "2026-11-23 09:00+08:00", "status": "open"},
        # National Day 2026: 1-7 Oct off, Saturday 10 Oct an adjusted workday (调休). Received Wednesday 30 Sep
        # 16:00 -> the holiday does not count: Thursday 8 Oct (1st), Friday 9 Oct (2nd) -> due Fri 9 Oct 17:30;
        # resolved Monday 12 Oct 09:00 -> breached.
        {"ticket_id": "NATIONAL", "created_at": "2026-09-30 16:00+08:00", "ticket_type": "complaint",
         "first_response_at": "2026-09-30 16:30+08:00", "resolved_at": "2026-10-12 09:00+08:00",
         "status": "resolved"},
        # Received Thursday 8 Oct 16:00 -> Friday 9 (1st), Saturday 10 Oct, an adjusted workday (2nd) -> due Sat 10
        # Oct 17:30; resolved Saturday 11:00 -> met.
        {"ticket_id": "ADJUSTED", "created_at": "2026-10-08 16:00+08:00", "ticket_type": "complaint",
         "first_response_at": "2026-10-08 16:30+08:00", "resolved_at": "2026-10-10 11:00+08:00",
         "status": "resolved"},
    ])
    got = {t: sla(con, t)["resolution"] for t in ("MON", "FRI", "SUN", "NATIONAL", "ADJUSTED")}
    assert {t: (r["due"], r["status"]) for t, r in got.items()} == {
        "MON": (at("2026-11-18 17:30"), "met"),
        "FRI": (at("2026-11-24 17:30"), "pending"),
        "SUN": (at("2026-11-24 17:30"), "pending"),
        "NATIONAL": (at("2026-10-09 17:30"), "breached"),
        "ADJUSTED": (at("2026-10-10 17:30"), "met"),
    }
    assert {r["policy"] for r in got.values()} == {"complaint"}
    # the business minutes the target leaves each ticket: MON 09:42 -> Mon 468 + Tue 540 + Wed 540 = 1548;
    # FRI 15:00 -> Fri 150 + Mon 540 + Tue 540 = 1230; SUN -> Mon 540 + Tue 540 = 1080
    minutes = dict(con.execute("SELECT ticket_id, target_minutes FROM metrics.ticket_sla "
                               "WHERE target = 'resolution' AND ticket_id IN ('MON', 'FRI', 'SUN')").fetchall())
    assert minutes == {"MON": 1548, "FRI": 1230, "SUN": 1080}
    days = con.execute("SELECT date_day, is_workday FROM core.calendar_days "
                       "WHERE date_day IN (DATE '2026-10-07', DATE '2026-10-08', DATE '2026-10-10') ORDER BY 1")
    assert [w for _, w in days.fetchall()] == [False, True, True]     # holiday, first day back, 调休 Saturday
