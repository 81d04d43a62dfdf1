"""Issue 13 targets 2 and 4, checked without timings: what each page's first drawing reads (rollup tables, not the
metric views that scan every ticket, survey or call), and which sections wait to be asked for."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import queries as q
from dashboard.queries import Filters
from pipelines.warehouse import connect
from tests.dashboard_fixtures import demo_project  # noqa: F401 (pytest fixture)

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
# views whose evaluation reads every row of a fact table (or the SLA schedule); a page's first drawing reads their
# rollups instead
HEAVY = ("ticket_kpis", "ticket_sla", "ticket_sla_status", "follow_up_tickets", "csat_daily", "call_facts",
         "calls_interval", "roster_interval", "cost_by_department", "defect_pareto", "nonconformity_costs",
         "field_failures", "backlog_schedule", "hotline_satisfaction")
# what still reads a view on purpose, and why (metrics.backlog reads the open tickets stored per load,
# metrics.backlog_base: tests/test_backlog.py holds it equal to backlog_schedule, which scans every ticket)
READS_A_VIEW = {
    # the CAPA effectiveness check: the KPI facts of its actions' metrics within their windows (a few weeks around
    # each completion; pipelines/kpi_facts.py reads only those metrics' branches: 73-125 ms at 1M)
    "capa.actions (counts, tracker, effectiveness)": "ticket_kpis",
}


def heavy_views(sql: str) -> set[str]:
    return {v for v in HEAVY if re.search(rf"\bmetrics\.{v}\b(?!_)", sql)}


@pytest.fixture(scope="module")
def run(demo_project):
    con = connect(demo_project.config)
    yield q.direct(con)
    con.close()


@pytest.mark.parametrize("period", ["default", "history"])
def test_first_drawing_of_every_page_reads_rollups_not_the_heavy_views(run, period):
    f = Filters(*q.default_period(run, date(2026, 11, 23))) if period == "default" else Filters()
    read: dict[str, set[str]] = {}
    for page, items in q.page_queries(run, f).items():
        if "on demand" in page:
            continue
        for name, fn in items:
            seen: list[str] = []
            fn(lambda sql, params=(): seen.append(sql) or run(sql, params), f)
            heavy = set().union(*map(heavy_views, seen)) if seen else set()
            read[f"{page}: {name}"] = heavy - {READS_A_VIEW.get(name)}
    offenders = {k: v for k, v in read.items() if v}
    assert not offenders, offenders
    assert "sla: backlog_rows (buckets, oldest)" in read and "contact centre: calls_staffing" in read


def test_on_demand_groups_are_listed_for_the_bench_and_the_warmer(run):
    plan = q.page_queries(run, Filters())
    assert [n for n, _ in plan["sla (breach list, on demand)"]] == ["breaches"]
    assert "breaches" not in [n for n, _ in plan["sla"]]


def test_the_warmer_runs_every_pages_quick_defaults_before_the_slow_and_on_demand_groups(run):
    """Issue 13 target 3: after a load the warmer (dashboard/db.py) runs page_queries in order; the groups that take
    seconds at 1M (the defects workflow and CAPA, the Hotline) and the on-demand ones come last, so a visitor of the
    other pages finds them warmed within about a second (bench/first_visit.py)."""
    order = list(q.page_queries(run, Filters()))
    slow = ["defects (workflow, corrective actions)", "hotline"]
    on_demand = [g for g in order if "on demand" in g]
    quick = [g for g in order if g not in slow and g not in on_demand]
    assert order == quick + slow + on_demand
    assert {"overview", "sla", "satisfaction", "defects", "contact centre", "data quality"} <= set(quick)


def open_sla(project, monkeypatch, **params: str) -> AppTest:
    monkeypatch.setenv("SQD_CONFIG", str(project.config_path))
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.run()
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page("pages/sla.py").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def breach_tables(at: AppTest) -> int:
    """Tables with the breach list's overdue column (headers are translated: matched on the English header)."""
    from dashboard.i18n import COLUMNS

    header = COLUMNS["overdue_hours"][0]
    return sum(1 for d in at.dataframe if header in d.value.columns)


def test_sla_breach_list_is_drawn_when_asked_and_the_link_keeps_it(demo_project, monkeypatch):
    from dashboard.i18n import t

    at = open_sla(demo_project, monkeypatch)
    assert breach_tables(at) == 0
    total = q.breach_count(q.direct(connect(demo_project.config)), Filters(*q.default_period(
        q.direct(connect(demo_project.config)), date(2026, 11, 23))))
    assert any(t("sla.breaches_total", "en", total=f"{total:,}") in c.value for c in at.caption)
    at.toggle(key="w_sla_breaches").set_value(True).run()
    assert not at.exception and breach_tables(at) == 1
    assert at.query_params.get("sla_breaches") == "1"
    linked = open_sla(demo_project, monkeypatch, sla_breaches="1")
    assert breach_tables(linked) == 1


@pytest.mark.parametrize("dims", [{}, {"site": ("Riverside",)}])
def test_backlog_buckets_and_oldest_from_one_read_equal_the_view(run, dims):
    import polars as pl
    from polars.testing import assert_frame_equal

    f = Filters(**dims)
    w, p = q.where("backlog", f)
    buckets = run(f"""
        SELECT age_bucket, age_bucket_order, coalesce(is_breached, FALSE) AS is_breached, count(*) AS tickets
        FROM metrics.backlog WHERE {w} GROUP BY ALL ORDER BY age_bucket_order, is_breached""", p)
    oldest = run(f"""
        SELECT ticket_id, created_at, round(age_hours, 1) AS age_hours, age_bucket, is_breached,
               site, department, agent, channel, ticket_type, category, priority
        FROM metrics.backlog WHERE {w} ORDER BY age_hours DESC, ticket_id LIMIT 200""", p)
    assert buckets.height >= 1 and oldest.height >= 1
    assert_frame_equal(q.backlog_buckets(run, f), buckets, check_dtypes=False)
    assert_frame_equal(q.backlog_oldest(run, f), oldest)
    seen = []
    q.backlog_buckets(lambda sql, params=(): seen.append(sql) or run(sql, params), f)
    q.backlog_oldest(lambda sql, params=(): seen.append(sql) or run(sql, params), f)
    assert len(set(seen)) == 1  # one statement: the app's cache answers the second
    assert pl.Series(seen).len() == 2


def test_sidebar_options_come_from_the_values_rollup_and_equal_a_scan_of_the_tickets(run, monkeypatch):
    from polars.testing import assert_frame_equal

    seen: list[str] = []
    rolled = q.dimension_values(lambda sql, params=(): seen.append(sql) or run(sql, params))
    assert not any(re.search(r"\bcore\.tickets\b", sql) for sql in seen), seen
    with monkeypatch.context() as m:
        m.setattr(q, "built_rollups", lambda run: frozenset())
        scanned = q.dimension_values(run)
    assert_frame_equal(rolled, scanned)
    assert set(rolled["dimension"]) >= {"channel", "ticket_type", "priority", "site"}


# ------------------------------------------------------------------ the pages' first drawing (issue 13 target 4)
# page -> (Plotly figures on the first drawing, with the interactive charts on); the first drawing's headline chart
# is a Vega-Lite spec (dashboard/sections/light_charts.py) on the pages that have one
FIRST_DRAWING = {"overview": (0, 2), "sla": (0, 4), "satisfaction": (0, 4), "defects": (0, 4),
                 "contact_centre": (0, 4), "hotline": (0, 3)}


def open_page(project, monkeypatch, page: str, **params: str) -> AppTest:
    monkeypatch.setenv("SQD_CONFIG", str(project.config_path))
    at = AppTest.from_file(str(APP), default_timeout=90)
    for key, value in params.items():   # a link: the app's (lang) before its first run, the page's after it
        at.query_params[key] = value
    at.run()
    for key, value in params.items():
        at.query_params[key] = value
    (at.switch_page(f"pages/{page}.py") if page != "overview" else at).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


@pytest.mark.parametrize("page", list(FIRST_DRAWING))
def test_a_page_draws_its_plotly_figures_when_asked_and_the_link_keeps_it(demo_project, monkeypatch, page):
    """A first drawing loads no Plotly (the browser's largest cost: docs/performance.md), its headline chart is a
    Vega-Lite spec; the toggle draws every figure, interactive, and goes into the link."""
    first, full = FIRST_DRAWING[page]
    at = open_page(demo_project, monkeypatch, page)
    assert len(at.get("plotly_chart")) == first
    assert len(at.get("vega_lite_chart")) == 1
    at.toggle(key=f"w_{page}_charts").set_value(True).run()
    assert not at.exception and len(at.get("plotly_chart")) == full and not at.get("vega_lite_chart")
    assert at.query_params.get(f"{page}_charts") == "1"
    if page == "sla":   # the link opens with them (one page: the toggle is one helper, more_charts.toggle)
        linked = open_page(demo_project, monkeypatch, page, **{f"{page}_charts": "1"})
        assert len(linked.get("plotly_chart")) == full


def test_the_light_charts_speak_chinese(demo_project, monkeypatch):
    """The Vega-Lite headline charts: series names translated, dates in the Chinese format, no codes."""
    import json

    from tests.test_dashboard_sweep import english_in

    for page in FIRST_DRAWING:
        at = open_page(demo_project, monkeypatch, page, lang="zh")
        specs = [json.loads(e.proto.spec) for e in at.get("vega_lite_chart")]
        assert specs, page
        text = json.dumps(specs, ensure_ascii=False)
        dated = '"temporal"' in text or '"formatType": "time"' in text
        assert ("%m月%d日" in text or not dated) and not english_in([text]), (page, english_in([text]))
        shown = [t for e in at.get("vega_lite_chart") for t in (e.proto.data.data,) if t]
        assert shown, page
        if page == "hotline":   # the flow's steps by their names (the chart's Arrow data), not their codes
            assert "受理".encode() in shown[0] and b"received" not in shown[0]


# page -> tables shown open while the interactive charts are off (the sections whose only figure is a Plotly chart:
# without them they would be a bare heading) and put back behind "Data behind the chart" with the charts on
OPEN_WITHOUT_CHARTS = {"overview": 1, "sla": 2, "satisfaction": 2, "contact_centre": 2, "hotline": 1}


def open_tables(at: AppTest) -> int:
    return len(at.dataframe) - sum(len(e.dataframe) for e in at.expander)


@pytest.mark.parametrize("page", list(OPEN_WITHOUT_CHARTS))
def test_a_section_whose_chart_is_off_shows_its_figures(demo_project, monkeypatch, page):
    at = open_page(demo_project, monkeypatch, page)
    off = open_tables(at)
    at.toggle(key=f"w_{page}_charts").set_value(True).run()
    assert not at.exception
    assert off - open_tables(at) == OPEN_WITHOUT_CHARTS[page], (off, open_tables(at))
    if page == "sla":   # the medians section says where its table comes from
        at = open_page(demo_project, monkeypatch, page)
        assert any("switch them on" in c.value for c in at.caption)
