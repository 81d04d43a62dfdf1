"""The hotline's KPIs that need no event data (issue 14), hand-computed on small warehouses: complaint limits by
coordination level and the promised answer, derived repeat complaints, the hotline's satisfaction rate by kind,
first-contact resolution for tickets with and without calls, routing mismatches, and their kpi_facts rows.

The clock is pinned at Monday 2026-11-23 10:00 Shanghai (tests/conftest.py). Business hours 08:30-17:30."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import chinese_calendar
import pytest

from pipelines.config import ConfigError, load_config
from pipelines import report, weekly
from pipelines.ingest import ingest_files
from pipelines.warehouse import connect, direct
from tests.metrics.conftest import REPO, seed

SH = timezone(timedelta(hours=8))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def complaint(ticket_id: str, created: str, level: str | None = None, resolved: str | None = None,
              **extra) -> dict:
    return {"ticket_id": ticket_id, "created_at": f"{created}+08:00", "ticket_type": "complaint",
            "coordination_level": level, "status": "resolved" if resolved else "open",
            "resolved_at": f"{resolved}+08:00" if resolved else None, **extra}


def rows(con, sql: str, params=()) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def kpi(con, metric: str) -> tuple[int, int]:
    n, d = con.execute("SELECT sum(numerator), sum(denominator) FROM metrics.kpi_facts WHERE metric = ?",
                       [metric]).fetchone()
    return int(n or 0), int(d or 0)


# ------------------------------------------------------------------ complaint limits

LIMIT_TICKETS = [
    # within one department: 2 h -> due 11:00; solved 10:30 (met); answer promised 2 h (simple), given at 10:00
    complaint("C1", "2026-11-10 09:00:00", "within_department", "2026-11-10 10:30:00", complexity="simple",
              first_response_at="2026-11-10 10:00:00+08:00"),
    # within one department, solved 11:30: missed; complex, answered after 25 h: missed
    complaint("C2", "2026-11-10 09:00:00", "within_department", "2026-11-10 11:30:00", complexity="complex",
              first_response_at="2026-11-11 10:00:00+08:00"),
    # across departments: 48 h -> due Thu 11-12 09:00; solved 08:59: met
    complaint("C3", "2026-11-10 09:00:00", "cross_department", "2026-11-12 08:59:00"),
    # across provinces, received Friday 11-13 (a working day): the 4th working day after it is Thu 11-19, due at
    # its close 17:30; solved 17:00: met
    complaint("C4", "2026-11-13 16:00:00", "cross_province", "2026-11-19 17:00:00"),
    # another company, received Saturday 11-14: 7 working days after -> Mon 16 .. Fri 20, Mon 23, Tue 24: due
    # Tue 11-24 17:30, after now: pending; promised 2 h (simple) and not answered: missed
    complaint("C5", "2026-11-14 10:00:00", "other_company", complexity="simple"),
    # across departments, received Fri 11-20 12:00, due Sun 11-22 12:00, still open at now: missed
    complaint("C6", "2026-11-20 12:00:00", "cross_department"),
    # no coordination level: no limit
    complaint("C7", "2026-11-10 09:00:00", None, "2026-11-10 10:00:00"),
    # a cancelled complaint and a repair have no row
    complaint("C8", "2026-11-10 09:00:00", "within_department", status="cancelled"),
    {"ticket_id": "X1", "created_at": "2026-11-10 09:00:00+08:00", "ticket_type": "repair",
     "coordination_level": "within_department"},
]


@pytest.fixture
def limits(warehouse):
    return warehouse(tickets=LIMIT_TICKETS)


def test_complaint_limits_by_coordination_level(limits):
    got = {r[0]: r[1:] for r in rows(limits, """
        SELECT ticket_id, coordination_level, has_limit, due_at, is_met, answer_due_at, is_answer_met
        FROM metrics.complaint_limits ORDER BY ticket_id""")}
    assert sorted(got) == ["C1", "C2", "C3", "C4", "C5", "C6", "C7"]
    assert got["C1"] == ("within_department", True, at("2026-11-10 11:00"), True, at("2026-11-10 11:00"), True)
    assert got["C2"] == ("within_department", True, at("2026-11-10 11:00"), False, at("2026-11-11 09:00"), False)
    assert got["C3"][1:4] == (True, at("2026-11-12 09:00"), True)
    assert got["C4"][1:4] == (True, at("2026-11-19 17:30"), True)
    assert got["C5"][1:4] == (True, at("2026-11-24 17:30"), None)         # not yet due: pending, not a failure
    assert got["C5"][4:] == (at("2026-11-14 12:00"), False)
    assert got["C6"][1:4] == (True, at("2026-11-22 12:00"), False)        # open past its limit
    assert got["C7"] == ("(none)", False, None, None, None, None)
    assert got["C3"][4:] == (None, None)                                  # no complexity: answer not measured


def test_complaint_limit_rate_in_kpi_facts(limits):
    # met C1, C3, C4 of the decided C1, C2, C3, C4, C6 (C5 pending, C7 without a level)
    assert kpi(limits, "complaint_limit_rate") == (3, 5)


def test_weekly_pack_scores_the_hotline_kpis_that_have_cases(limits, warehouse):
    # W46 (11-09..11-15): C1, C3, C4 met of the decided C1, C2, C3, C4 (C5 pending, C7 without a level)
    pack = weekly.build_pack(direct(limits), warehouse.config, "2026-W46")
    row = pack.row("complaint_limit_rate")
    assert (row.numerator, row.denominator, row.target) == (3, 4, 1.0)
    assert row.light in ("amber", "red")
    keys = [r.kpi.key for r in pack.scorecard]
    # no key accounts, no handled inquiries and no hotline tickets: those hotline KPIs print no empty row
    assert not {"hotline_satisfaction_key_account", "hotline_satisfaction_inquiry",
                "first_contact_resolution_rate"} & set(keys)
    assert keys[-2:] == ["service_level", "abandon_rate"]
    assert "Complaints within their limit" in report.render_html(pack, "en")
    assert "投诉按时限处理率" in report.render_html(pack, "zh")


@pytest.mark.clock("2026-11-25T09:00:00+08:00")
def test_a_pending_limit_is_decided_when_its_time_comes(limits):
    # Wednesday: C5's limit (Tue 17:30) has passed unsolved
    assert rows(limits, "SELECT is_met FROM metrics.complaint_limits WHERE ticket_id = 'C5'") == [(False,)]
    assert kpi(limits, "complaint_limit_rate") == (3, 6)


def test_working_day_limit_follows_the_holiday_calendar(warehouse):
    # received Wed 2026-09-30 10:00; National Day 10-01..10-07 is off and Sat 10-10 an adjusted working day
    # (chinese_calendar 2026): the 4 working days after 09-30 are Thu 10-08, Fri 10-09, Sat 10-10, Mon 10-12
    con = warehouse(tickets=[complaint("H1", "2026-09-30 10:00:00", "cross_province")])
    days = [date(2026, 10, d) for d in range(1, 14)]
    assert [d.day for d in days if chinese_calendar.is_workday(d)][:4] == [8, 9, 10, 12]
    assert rows(con, "SELECT due_at FROM metrics.complaint_limits") == [(at("2026-10-12 17:30"),)]


def test_events_are_the_truth_and_returns_do_not_stop_the_clock(warehouse):
    # docs/metrics.md's worked ticket, within one department (2 h): received 08:00; the export says resolved
    # 09:30, but its events say returned by engineering (lost 70 min) and transferred by cleaning (lost 40 min),
    # solved by the reply at 12:00: 240 minutes on the caller's clock, missed; the lost time is reported beside
    def ev(step: str, time: str, **kw) -> dict:
        return {"event_id": f"W1|{step}|{time}", "ticket_id": "W1", "step": step,
                "occurred_at": f"2026-11-20 {time}:00+08:00", **kw}

    con = warehouse(tickets=[complaint("W1", "2026-11-20 08:00:00", "within_department", "2026-11-20 09:30:00")],
                    ticket_events=[
                        ev("received", "08:00"), ev("dispatched", "08:10", to_department="engineering"),
                        ev("returned", "09:00", from_department="engineering", reason="not ours"),
                        ev("redispatched", "09:20", to_department="cleaning"),
                        ev("transferred", "10:00", from_department="cleaning", to_department="security"),
                        ev("replied", "12:00")])
    assert rows(con, """SELECT has_events, done_at, elapsed_minutes, is_met, lost_in_returns_minutes,
                               lost_in_transfers_minutes FROM metrics.complaint_limits""") == [
        (True, at("2026-11-20 12:00"), 240.0, False, 70.0, 40.0)]


def test_limits_come_from_the_configuration(tmp_path):
    base = dataclasses.replace(load_config(REPO / "sqd.toml"), warehouse_path=tmp_path / "w.duckdb")
    cfg = dataclasses.replace(base, hotline=dataclasses.replace(base.hotline, within_department_minutes=60))
    con = seed(cfg, tickets=LIMIT_TICKETS[:1])
    try:
        # C1 solved after 90 minutes: missed under a 1 h limit
        assert rows(con, "SELECT due_at, is_met FROM metrics.complaint_limits") == [(at("2026-11-10 10:00"), False)]
    finally:
        con.close()


# ------------------------------------------------------------------ repeat complaints

def survey(survey_id: str, ticket_id: str, when: str, score: int | None, outcome: str = "responded") -> dict:
    return {"survey_id": survey_id, "ticket_id": ticket_id, "attempted_at": f"{when}+08:00", "outcome": outcome,
            "responded_at": f"{when}+08:00" if outcome == "responded" else None, "score": score}


REPEAT_TICKETS = [
    # customer A: R1 misses its 2 h limit (due 08-01 11:00) -> R2 six weeks later is a repeat of R1
    complaint("R1", "2026-08-01 09:00:00", "within_department", "2026-08-01 12:00:00", customer_id="A"),
    complaint("R2", "2026-09-15 09:00:00", "within_department", "2026-09-15 10:00:00", customer_id="A"),
    # R2 met its limit but its follow-up scored 2 on 09-20 -> R3 is a repeat of R2 (R1's window ended 11-01)
    complaint("R3", "2026-11-15 09:00:00", "within_department", "2026-11-15 10:00:00", customer_id="A"),
    # customer B: R4 on time and satisfied: R5 is a new complaint, not a repeat
    complaint("R4", "2026-10-01 09:00:00", "within_department", "2026-10-01 10:00:00", customer_id="B"),
    complaint("R5", "2026-10-10 09:00:00", "within_department", "2026-10-10 10:00:00", customer_id="B"),
    # customer C: R6 missed, but R7 comes four months later: outside the 3-month window
    complaint("R6", "2026-06-01 09:00:00", "within_department", "2026-06-01 12:00:00", customer_id="C"),
    complaint("R7", "2026-10-02 09:00:00", "within_department", "2026-10-02 10:00:00", customer_id="C"),
    # customer D: the source's flag still counts
    complaint("R8", "2026-10-03 09:00:00", "within_department", "2026-10-03 10:00:00", customer_id="D",
              is_repeat_complaint=True),
    # customer F: R11 misses its 48 h limit at 10-22 09:00; R12 came before that: not a repeat
    complaint("R11", "2026-10-20 09:00:00", "cross_department", "2026-10-23 09:00:00", customer_id="F"),
    complaint("R12", "2026-10-21 09:00:00", "within_department", "2026-10-21 10:00:00", customer_id="F"),
]
REPEAT_SURVEYS = [survey("V1", "R2", "2026-09-20 10:00:00", 2), survey("V2", "R4", "2026-10-02 10:00:00", 5)]


def test_repeat_complaints_are_derived_with_the_earlier_complaint(warehouse):
    con = warehouse(tickets=REPEAT_TICKETS, surveys=REPEAT_SURVEYS)
    got = rows(con, """SELECT ticket_id, is_repeat, is_repeat_derived, is_repeat_flagged, earlier_ticket_id,
                              earlier_reason FROM metrics.repeat_complaints WHERE is_repeat ORDER BY ticket_id""")
    assert got == [("R2", True, True, False, "R1", "missed_limit"),
                   ("R3", True, True, False, "R2", "unhappy_result"),
                   ("R8", True, False, True, None, None)]
    # 3 repeats among 10 complaints: 3 / (10 - 3)
    assert kpi(con, "repeat_complaint_rate") == (3, 7)


def test_repeat_window_comes_from_the_configuration(tmp_path):
    base = dataclasses.replace(load_config(REPO / "sqd.toml"), warehouse_path=tmp_path / "w.duckdb")
    cfg = dataclasses.replace(base, hotline=dataclasses.replace(base.hotline, repeat_window_months=6))
    con = seed(cfg, tickets=REPEAT_TICKETS, surveys=REPEAT_SURVEYS)
    try:
        # six months: R7 (four months after R6 missed) is a repeat too, and R3 still takes the latest, R2
        got = rows(con, "SELECT ticket_id, earlier_ticket_id FROM metrics.repeat_complaints "
                        "WHERE is_repeat_derived ORDER BY ticket_id")
        assert got == [("R2", "R1"), ("R3", "R2"), ("R7", "R6")]
    finally:
        con.close()


def test_a_reopened_complaint_is_an_unhappy_result(warehouse):
    con = warehouse(tickets=[
        complaint("E1", "2026-10-05 09:00:00", "within_department", "2026-10-05 10:00:00", customer_id="E",
                  reopen_count=1),
        complaint("E2", "2026-10-05 09:30:00", "within_department", "2026-10-05 09:45:00", customer_id="E"),
        complaint("E3", "2026-10-06 09:00:00", "within_department", "2026-10-06 09:45:00", customer_id="E"),
    ])
    # E2 came before E1 was resolved (the trigger), E3 after it
    assert rows(con, "SELECT ticket_id, earlier_ticket_id, earlier_reason FROM metrics.repeat_complaints "
                     "WHERE is_repeat ORDER BY 1") == [("E3", "E1", "unhappy_result")]


def test_the_earlier_complaint_of_a_tie_is_one_complaint_with_its_own_reason(warehouse):
    """Two earlier complaints received at the same instant: the repeat names the one with the greater ticket id,
    with that complaint's reason (not the other's)."""
    con = warehouse(tickets=[
        # G1 misses its 2 h limit (due 11:00, solved 12:00); G2, received at the same minute, is reopened (10:00)
        complaint("G1", "2026-10-01 09:00:00", "within_department", "2026-10-01 12:00:00", customer_id="G"),
        complaint("G2", "2026-10-01 09:00:00", "within_department", "2026-10-01 10:00:00", customer_id="G",
                  reopen_count=1),
        complaint("G3", "2026-10-02 09:00:00", "within_department", "2026-10-02 10:00:00", customer_id="G"),
    ])
    assert rows(con, "SELECT ticket_id, earlier_ticket_id, earlier_reason FROM metrics.repeat_complaints "
                     "WHERE ticket_id = 'G3'") == [("G3", "G2", "unhappy_result")]
    assert rows(con, "SELECT ticket_id, unresolved_at, unresolved_reason FROM metrics.repeat_complaints "
                     "WHERE ticket_id IN ('G1', 'G2') ORDER BY 1") == [
        ("G1", at("2026-10-01 11:00:00"), "missed_limit"), ("G2", at("2026-10-01 10:00:00"), "unhappy_result")]


# ------------------------------------------------------------------ satisfaction by kind

def ticket(ticket_id: str, kind: str, resolved: str | None, **extra) -> dict:
    return {"ticket_id": ticket_id, "created_at": "2026-11-10 09:00:00+08:00", "ticket_type": kind,
            "status": "resolved" if resolved else "open",
            "resolved_at": f"{resolved}+08:00" if resolved else None, **extra}


SATISFACTION_TICKETS = [
    ticket("S1", "inquiry", "2026-11-10 10:00:00"),                        # answered 5: satisfied
    ticket("S2", "inquiry", "2026-11-10 10:00:00"),                        # not reached: counts, not satisfied
    ticket("S3", "inquiry", "2026-11-10 10:00:00"),                        # never followed up, window over
    ticket("S4", "inquiry", "2026-11-23 08:00:00"),                        # resolved 2 h ago: pending
    ticket("S5", "complaint", "2026-11-10 10:00:00", coordination_level="cross_province"),  # 4, then 2: unhappy
    ticket("S6", "complaint", "2026-11-10 10:00:00", coordination_level="within_department",
           customer_id="KA1"),                                             # key account, answered 5
    ticket("S7", "inquiry", None),                                         # not handled yet: no row
    ticket("S8", "repair", "2026-11-10 10:00:00"),                         # not an inquiry or complaint
]
SATISFACTION_SURVEYS = [
    survey("Q1", "S1", "2026-11-11 10:00:00", 5), survey("Q2", "S2", "2026-11-11 10:00:00", None, "no_answer"),
    survey("Q3", "S5", "2026-11-11 10:00:00", 4), survey("Q4", "S5", "2026-11-12 10:00:00", 2),
    survey("Q5", "S6", "2026-11-11 10:00:00", 5), survey("Q6", "S8", "2026-11-11 10:00:00", 5),
]


def test_hotline_satisfaction_counts_every_handled_ticket_by_kind(tmp_path):
    base = dataclasses.replace(load_config(REPO / "sqd.toml"), warehouse_path=tmp_path / "w.duckdb")
    cfg = dataclasses.replace(base, hotline=dataclasses.replace(base.hotline, key_accounts=("KA1",)))
    con = seed(cfg, tickets=SATISFACTION_TICKETS, surveys=SATISFACTION_SURVEYS)
    try:
        got = rows(con, """
            SELECT kind, count(*) FILTER (WHERE is_satisfied), count(*) FILTER (WHERE NOT is_pending)
            FROM metrics.hotline_satisfaction GROUP BY kind ORDER BY kind""")
        assert got == [("complaint", 1, 2), ("cross_province", 0, 1), ("inquiry", 1, 3), ("key_account", 1, 1)]
        assert kpi(con, "hotline_satisfaction_inquiry") == (1, 3)
        assert kpi(con, "hotline_satisfaction_complaint") == (1, 2)
        assert kpi(con, "hotline_satisfaction_cross_province") == (0, 1)
        assert kpi(con, "hotline_satisfaction_key_account") == (1, 1)
        assert rows(con, "SELECT customer_id FROM core.key_accounts") == [("KA1",)]
    finally:
        con.close()


# ------------------------------------------------------------------ first-contact resolution

def test_first_contact_resolution_counts_dispatch_and_tickets_without_calls(warehouse):
    def call(call_id: str, ticket_id: str, minute: int) -> dict:
        return {"call_id": call_id, "ticket_id": ticket_id, "offered_at": f"2026-11-10 09:{minute:02d}:00+08:00",
                "outcome": "answered"}

    con = warehouse(tickets=[
        ticket("F1", "inquiry", "2026-11-10 09:05:00", channel="phone"),           # no call records: solved
        ticket("F2", "repair", "2026-11-10 12:00:00", channel="phone",
               dispatched_at="2026-11-10 09:10:00+08:00"),                        # dispatched: not first-contact
        ticket("F3", "inquiry", "2026-11-10 09:05:00", channel="app"),             # one call, solved on it
        ticket("F4", "inquiry", "2026-11-10 09:05:00", channel="front_desk"),      # no call, not the hotline
        ticket("F5", "inquiry", "2026-11-10 09:30:00", channel="phone"),           # called twice
        ticket("F6", "inquiry", None, channel="phone"),                            # not resolved yet
    ], calls=[call("K1", "F3", 1), call("K2", "F5", 2), call("K3", "F5", 20)])
    got = rows(con, """SELECT ticket_id, calls, is_dispatched, is_resolved, is_first_contact_resolved
                       FROM metrics.first_contact_resolution ORDER BY ticket_id""")
    assert got == [("F1", 0, False, True, True), ("F2", 0, True, True, False), ("F3", 1, False, True, True),
                   ("F5", 2, False, True, False), ("F6", 0, False, False, False)]
    assert kpi(con, "first_contact_resolution_rate") == (2, 4)


# ------------------------------------------------------------------ routing

def test_routing_suggests_the_department_and_counts_mismatches(warehouse):
    con = warehouse(tickets=[
        {"ticket_id": "G1", "created_at": "2026-11-10 09:00:00+08:00", "category": "water leak",
         "department": "engineering"},
        {"ticket_id": "G2", "created_at": "2026-11-10 09:00:00+08:00", "category": "water leak",
         "department": "security"},
        {"ticket_id": "G3", "created_at": "2026-11-10 09:00:00+08:00", "category": "no such category",
         "department": "security"},
        {"ticket_id": "G4", "created_at": "2026-11-10 09:00:00+08:00", "category": "water leak"},
    ])
    got = rows(con, "SELECT ticket_id, suggested_department, is_routed, is_mismatch FROM metrics.hotline_routing "
                    "ORDER BY 1")
    assert got == [("G1", "engineering", True, False), ("G2", "engineering", True, True),
                   ("G3", None, False, False), ("G4", "engineering", False, False)]
    # the shipped routing holds the 12345 quiz's rules too (seed 004)
    assert rows(con, "SELECT department FROM core.hotline_routing_rules WHERE category = '物业管理'") == [("住建局",)]


def test_routing_file_comes_from_the_configuration(tmp_path):
    rules = tmp_path / "routing.csv"
    rules.write_text("category,department\nwater leak,plumbing\n", encoding="utf-8")
    base = dataclasses.replace(load_config(REPO / "sqd.toml"), warehouse_path=tmp_path / "w.duckdb")
    cfg = dataclasses.replace(base, hotline=dataclasses.replace(base.hotline, routing=rules))
    con = seed(cfg, tickets=[{"ticket_id": "G1", "created_at": "2026-11-10 09:00:00+08:00",
                              "category": "water leak", "department": "engineering"}])
    try:
        assert rows(con, "SELECT suggested_department, is_mismatch FROM metrics.hotline_routing") == [
            ("plumbing", True)]
    finally:
        con.close()


# ------------------------------------------------------------------ loading the columns

def test_a_file_without_the_coordination_level_keeps_the_warehouses(project, tmp_path: Path):
    full = tmp_path / "full.csv"
    full.write_text("ticket_id,created_at,ticket_type,coordination_level,complexity,status\n"
                    "T1,2026-11-10 09:00:00,complaint,cross_province,complex,open\n", encoding="utf-8")
    narrow = tmp_path / "narrow.csv"
    narrow.write_text("ticket_id,created_at,ticket_type,status\nT1,2026-11-10 09:00:00,complaint,resolved\n",
                      encoding="utf-8")
    ingest_files([full], project)
    ingest_files([narrow], project)
    con = connect(project)
    try:
        assert rows(con, "SELECT status, coordination_level, complexity FROM core.tickets") == [
            ("resolved", "cross_province", "complex")]
    finally:
        con.close()


def test_the_chinese_export_maps_coordination_levels(project, tmp_path: Path):
    export = tmp_path / "hotline.csv"
    export.write_text("工单编号,受理时间,工单类型,协调范围,投诉难度\n"
                      "H1,2026/11/10 09:00,投诉,跨省,复杂\nH2,2026/11/10 09:00,投诉,部门内,简单\n"
                      "H3,2026/11/10 09:00,投诉,省内跨部门,简单\nH4,2026/11/10 09:00,投诉,跨公司,复杂\n",
                      encoding="gb18030")
    ingest_files([export], project, profile="tickets__hotline_zh")
    con = connect(project)
    try:
        assert rows(con, "SELECT ticket_id, coordination_level, complexity FROM core.tickets ORDER BY 1") == [
            ("H1", "cross_province", "complex"), ("H2", "within_department", "simple"),
            ("H3", "cross_department", "simple"), ("H4", "other_company", "complex")]
    finally:
        con.close()


# ------------------------------------------------------------------ configuration

@pytest.mark.parametrize(("text", "message"), [
    ("[hotline]\ncross_province_working_days = 0\n", "[hotline] cross_province_working_days = 0 must be a positive"),
    ("[hotline]\nrepeat_window_months = \"three\"\n", "[hotline] repeat_window_months: expected a whole number"),
    ("[hotline]\nkey_accounts = \"C1\"\n", "[hotline] key_accounts must be a list of customer ids"),
    ("[hotline]\nlimit_hours = 2\n", "[hotline] unknown keys ['limit_hours']"),
    ("[hotline]\nrouting = \"rules.csv\"\n", "needs a header with the columns category,department"),
])
def test_hotline_configuration_is_checked(tmp_path, text, message):
    (tmp_path / "rules.csv").write_text("issue,bureau\nnoise,police\n", encoding="utf-8")
    path = tmp_path / "sqd.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert message in str(raised.value) and str(path) in str(raised.value)


def test_hotline_configuration_defaults(tmp_path):
    path = tmp_path / "sqd.toml"
    path.write_text("[hotline]\nkey_accounts = [\"KA1\"]\n", encoding="utf-8")
    h = load_config(path).hotline
    assert (h.within_department_minutes, h.cross_department_minutes, h.cross_province_working_days,
            h.other_company_working_days, h.simple_answer_minutes, h.complex_answer_minutes,
            h.repeat_window_months, h.key_accounts) == (120, 2880, 4, 7, 120, 1440, 3, ("KA1",))
    assert h.routing == (tmp_path / "data" / "reference" / "hotline_routing.csv").resolve()
