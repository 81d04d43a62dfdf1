"""The Hotline page's KPI sections (issue 14): the queries on a small hand-made warehouse (no Streamlit), and the
page itself on the demo warehouse in both languages (AppTest)."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import queries_hotline_kpis as hq
from dashboard.queries import Filters
from pipelines.config import load_config
from pipelines.warehouse import connect, direct
from tests.dashboard_fixtures import demo_project  # noqa: F401 (fixture)
from tests.metrics.conftest import REPO, seed

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
PAGE = "pages/hotline.py"


def complaint(ticket_id: str, created: str, level: str | None, resolved: str | None, **extra) -> dict:
    return {"ticket_id": ticket_id, "created_at": f"2026-11-{created}+08:00", "ticket_type": "complaint",
            "coordination_level": level, "resolved_at": f"2026-11-{resolved}+08:00" if resolved else None,
            "status": "resolved" if resolved else "open", "department": "customer_service", **extra}


TICKETS = [
    complaint("C1", "10 09:00", "within_department", "10 10:00", customer_id="A", category="noise",
              department="security"),                                         # met
    complaint("C2", "10 09:00", "within_department", "10 12:00", customer_id="B"),   # missed (due 11:00)
    complaint("C3", "11 09:00", "within_department", "11 10:00", customer_id="B",
              category="noise", department="customer_service"),                # B again after C2 missed: repeat
    complaint("C4", "20 09:00", "other_company", None),                         # pending until 12-01
    complaint("C5", "12 09:00", None, "12 10:00"),                               # no level
    {"ticket_id": "I1", "created_at": "2026-11-10 09:00+08:00", "ticket_type": "inquiry", "channel": "phone",
     "resolved_at": "2026-11-10 09:05+08:00", "status": "resolved", "department": "customer_service",
     "category": "bill lookup"},
]
SURVEYS = [{"survey_id": "S1", "ticket_id": "I1", "attempted_at": "2026-11-11 10:00+08:00", "outcome": "responded",
            "responded_at": "2026-11-11 10:00+08:00", "score": 5}]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    cfg = dataclasses.replace(load_config(REPO / "sqd.toml"),
                              warehouse_path=tmp_path_factory.mktemp("hotline") / "w.duckdb")
    con = seed(cfg, tickets=TICKETS, surveys=SURVEYS)
    yield direct(con)
    con.close()


PERIOD = Filters(start=date(2026, 11, 1), end=date(2026, 11, 30))


def test_limits_by_level_in_004s_order(run):
    frame = hq.complaint_limits_by_level(run, PERIOD)
    assert frame.select("coordination_level", "complaints", "met", "missed", "pending").rows() == [
        ("within_department", 3, 2, 1, 0), ("other_company", 1, 0, 0, 1), ("(none)", 1, 0, 0, 0)]
    assert frame["attainment_rate"].to_list()[:2] == [pytest.approx(2 / 3), None]
    assert frame["limit_hours"][0] == 2.0 and frame["limit_working_days"][1] == 7
    [summary] = hq.complaint_limit_summary(run, PERIOD).rows(named=True)
    assert (summary["decided"], summary["met"], summary["pending"], summary["without_level"]) == (3, 2, 1, 1)


def test_filters_reach_the_limits(run):
    narrowed = hq.complaint_limit_summary(run, dataclasses.replace(PERIOD, department=("security",)))
    assert narrowed.select("complaints", "met").rows() == [(1, 1)]
    assert hq.complaint_limit_summary(run, Filters(start=date(2026, 12, 1), end=date(2026, 12, 31))).height == 0


def test_repeat_list_puts_the_earlier_complaint_beside(run):
    [row] = hq.repeat_list(run, PERIOD).rows(named=True)
    assert (row["ticket_id"], row["earlier_ticket_id"], row["earlier_reason"]) == ("C3", "C2", "missed_limit")
    assert row["earlier_department"] == "customer_service"
    [summary] = hq.repeat_summary(run, PERIOD).rows(named=True)
    assert (summary["complaints"], summary["repeats"]) == (5, 1)
    assert summary["repeat_complaint_rate"] == pytest.approx(1 / 4)


def test_satisfaction_lists_every_kind_with_its_target(run):
    frame = hq.satisfaction_by_kind(run, PERIOD)
    assert frame["kind"].to_list() == ["inquiry", "complaint", "cross_province", "key_account"]
    assert frame["target"].to_list() == [0.95, 0.90, 0.85, 0.95]
    # inquiry I1 satisfied; complaints C1, C2, C3, C5 handled without a follow-up (their window is over)
    assert frame.select("handled", "satisfied").rows() == [(1, 1), (4, 0), (0, 0), (0, 0)]
    assert frame["satisfaction_rate"].to_list() == [1.0, 0.0, None, None]
    assert hq.targets(run)["first_contact_resolution_rate"] == 0.85


def test_first_contact_and_routing(run):
    [fcr] = hq.first_contact(run, PERIOD).rows(named=True)
    # I1: a phone inquiry without call records, resolved undispatched: first-contact resolved
    assert (fcr["tickets"], fcr["resolved"], fcr["first_contact_resolved"], fcr["without_calls"]) == (1, 1, 1, 1)
    [routing] = hq.routing_summary(run, PERIOD).rows(named=True)
    # noise -> security (shipped routing): C3 went to customer_service; bill lookup -> customer_service: I1 fine
    assert (routing["routed"], routing["mismatched"]) == (3, 1)
    assert hq.routing_mismatches(run, PERIOD).rows() == [("noise", "security", "customer_service", 1)]


def open_page(project, monkeypatch, lang: str) -> AppTest:
    monkeypatch.setenv("SQD_CONFIG", str(project.config_path))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert not at.warning, [w.value for w in at.warning]
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_hotline_page_on_the_demo(demo_project, monkeypatch, lang):  # noqa: F811 (fixture)
    at = open_page(demo_project, monkeypatch, lang)
    con = connect(demo_project.config)
    try:
        met, decided = con.execute("""
            SELECT count(*) FILTER (WHERE is_met), count(is_met) FROM metrics.complaint_limits
            WHERE created_date BETWEEN ? AND ?""", [at.session_state["_ctx"].filters.start,
                                                   at.session_state["_ctx"].filters.end]).fetchone()
    finally:
        con.close()
    assert decided > 0
    label = "Attainment" if lang == "en" else "达成率"
    [shown] = [m.value for m in at.metric if m.label == label]
    assert shown == f"{met / decided:.1%}"
    kinds = ("Inquiries", "Complaints", "Cross-province complaints", "Key accounts") if lang == "en" else (
        "咨询", "投诉", "跨省投诉", "大客户")
    assert set(kinds) <= {m.label for m in at.metric}
    assert len(at.dataframe) >= 4                      # limits, satisfaction, first contact, repeats (and routing)
    if lang == "zh":
        assert all(re.search(r"[\u4e00-\u9fff]", s.value) for s in at.subheader)


def test_routing_without_rules_says_so(tmp_path, monkeypatch):
    from tests.dashboard_fixtures import make_project

    project = make_project(tmp_path)
    (tmp_path / "sqd.toml").write_text((tmp_path / "sqd.toml").read_text(encoding="utf-8").replace(
        'routing = "data/reference/hotline_routing.csv"', 'routing = "data/reference/none.csv"'), encoding="utf-8")
    con = seed(project.config, tickets=TICKETS, surveys=SURVEYS)
    con.close()
    at = open_page(project, monkeypatch, "en")
    assert any("No routing rule matches" in i.value for i in at.info)
