"""The Contact-centre page (issue 16) on a warehouse holding call records only, through AppTest."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from pipelines.ingest import REFUSED, ingest_files
from pipelines.warehouse import connect
from tests.dashboard_fixtures import Project, make_project

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
PAGE = "pages/contact_centre.py"


def calls_csv(path: Path) -> Path:
    """Three Mondays of calls, 09:00-11:00: every 3rd call waits 40 s, every 10th hangs up (every 20th at 3 s)."""
    lines = [("call_id,queue,offered_at,answered_at,abandoned_at,ended_at,agent,wait_seconds,talk_seconds,"
              "wrap_seconds,is_transferred,outcome")]
    for day in ("2026-11-02", "2026-11-09", "2026-11-16"):
        for i in range(120):
            minute = i
            at = f"{day} {9 + minute // 60:02d}:{minute % 60:02d}:00"
            cid = f"{day}-{i}"
            if i % 10 == 0:
                wait = 3 if i % 20 == 0 else 50
                lines.append(f"{cid},general,{at},,{at},{at},,{wait},0,0,false,abandoned")
            else:
                wait = 40 if i % 3 == 0 else 8
                lines.append(f"{cid},{'repair' if i % 2 else 'general'},{at},{at},,{at},A{i % 4},{wait},200,20,"
                             f"{'true' if i % 7 == 0 else 'false'},answered")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def calls_project(tmp_path_factory) -> Project:
    folder = tmp_path_factory.mktemp("calls_only")
    project = make_project(folder)
    [result] = ingest_files([calls_csv(folder / "calls.csv")], project.config)
    assert result.status != REFUSED, result.message
    return project


def open_page(project: Project, monkeypatch, lang: str) -> AppTest:
    monkeypatch.setenv("SQD_CONFIG", str(project.config_path))
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert not at.warning, [w.value for w in at.warning]
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_contact_centre_page_shows_the_access_rates_and_staffing(calls_project, monkeypatch, lang):
    at = open_page(calls_project, monkeypatch, lang)
    con = connect(calls_project.config)
    try:
        within, calls, short = con.execute(
            "SELECT sum(answered_within_service_level), sum(calls), sum(short_abandons) "
            "FROM metrics.calls_interval").fetchall()[0]
    finally:
        con.close()
    assert short == 18                                   # 6 a day at 3 s, left out and stated
    label = "Service level" if lang == "en" else "服务水平"
    [shown] = [m.value for m in at.metric if m.label == label]
    assert shown == f"{within / calls:.1%}"
    assert any("18" in c.value for c in at.caption)
    # the first drawing: the heat map in Vega-Lite, no Plotly; the figures of the other charts in open tables
    assert not at.get("plotly_chart") and len(at.get("vega_lite_chart")) == 1
    assert len(at.dataframe) >= 5                        # by time, waits, queues, agents, days short
    waits = next(d.value for d in at.dataframe if "等待不少于此时长的占比" in d.value.columns
                 or "Waited at least this long" in d.value.columns)
    # every offered call binned, the short abandons too (the rates leave them out)
    assert waits.iloc[:, 3].sum() == calls + short and waits.iloc[0, 4] == pytest.approx(1.0)
    at.toggle(key="w_contact_centre_charts").set_value(True).run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 4              # heat map, by time of day, waits, staffing
    if lang == "zh":
        assert all(re.search(r"[\u4e00-\u9fff]", s.value) for s in at.subheader)


def roster_csv(path: Path) -> Path:
    """Four agents available through 09:00-11:00 of the same three Mondays, in 30-minute slots."""
    lines = ["agent,interval_start,interval_minutes,is_logged_in,is_available"]
    for day in ("2026-11-02", "2026-11-09", "2026-11-16"):
        for slot in ("09:00", "09:30", "10:00", "10:30"):
            lines += [f"A{a},{day} {slot}:00,30,true,true" for a in range(4)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def roster_project(tmp_path_factory) -> Project:
    folder = tmp_path_factory.mktemp("calls_and_roster")
    project = make_project(folder)
    results = ingest_files([calls_csv(folder / "calls.csv"), roster_csv(folder / "roster.csv")], project.config,
                           [None, "roster__canonical"])
    assert all(r.status != REFUSED for r in results), [r.message for r in results]
    return project


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_contact_centre_page_shows_occupancy_from_the_roster(roster_project, calls_project, monkeypatch, lang):
    # each 30-minute interval: 30 calls, 3 abandoned (every 10th), 27 answered x (200 s talk + 20 s wrap-up) =
    # 5,940 s handled over 4 agents x 1,800 s = 7,200 s available: 82.5 %, and so over the period
    at = open_page(roster_project, monkeypatch, lang)
    label = "Occupancy" if lang == "en" else "占用率"
    [shown] = [m.value for m in at.metric if m.label == label]
    assert shown == "82.5%"
    con = connect(roster_project.config)
    try:
        assert con.execute("SELECT count(*), min(occupancy), max(occupancy) FROM metrics.roster_interval"
                           ).fetchall()[0] == (12, pytest.approx(0.825), pytest.approx(0.825))
    finally:
        con.close()
    # without a roster there is no occupancy to state
    at = open_page(calls_project, monkeypatch, lang)
    assert [m.value for m in at.metric if m.label == label] == ["—"]
