"""The Streamlit app through AppTest (from the entrypoint, so the shared sidebar and st.navigation run too):
every page renders on the demo, empty and missing warehouses; the overview equals the metric views; filters and
the URL change the numbers as direct SQL says; a new load shows after a rerun."""

from __future__ import annotations

import re
import shutil
from datetime import date

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import ui
from dashboard.i18n import t
from pipelines import derived
from pipelines.warehouse import connect, publishing
from tests.dashboard_fixtures import (  # noqa: F401 (pytest fixtures)
    Project,
    demo_project,
    empty_project,
    make_project,
    missing_project,
    open_app,
)

PAGES = ["pages/overview.py", "pages/sla.py", "pages/satisfaction.py", "pages/defects.py",
         "pages/contact_centre.py", "pages/data_quality.py", "pages/weekly_review.py", "pages/sql_workspace.py"]
MINE = PAGES[:6]  # the SQL workspace and weekly review have their own tests (tests/test_*review*, sandbox)




def metric(at: AppTest, label: str) -> str:
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric {label!r} among {[m.label for m in at.metric]}"
    return found[0]


def scalar(project: Project, sql: str, params: list) -> float | None:
    con = connect(project.config)
    try:
        return con.execute(sql, params).fetchall()[0][0]
    finally:
        con.close()


def qp(at: AppTest, key: str) -> list[str]:
    """A query parameter's values (AppTest unwraps single values to a string)."""
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def period(at: AppTest) -> tuple[date, date]:
    return date.fromisoformat(qp(at, "from")[0]), date.fromisoformat(qp(at, "to")[0])


# ------------------------------------------------------------------ every page renders

@pytest.mark.parametrize("lang", ["en", "zh"])
def test_dashboard_every_page_renders_on_demo(demo_project, monkeypatch, lang):
    at = open_app(demo_project, monkeypatch, lang=lang)
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.message for e in at.exception])
        assert not at.error, (page, [e.value for e in at.error])
        assert at.title, page
        warnings = [w.value for w in at.warning]
        assert not warnings, (page, warnings)
        if page in MINE:
            # every table comes with a download button
            assert len(at.download_button) >= len(at.dataframe), page
            # no text shows a translation key instead of a translation
            shown = [e.value for kind in ("title", "subheader", "caption", "markdown", "info") for e in at.get(kind)]
            shown += [m.label for m in at.metric]
            leaked = [s for s in shown if isinstance(s, str) and re.fullmatch(r"[a-z_]+(\.[a-z_0-9]+)+", s.strip())]
            assert not leaked, (page, leaked)
            if lang == "zh":
                assert all(re.search(r"[\u4e00-\u9fff]", s.value) for s in at.subheader), page
    assert qp(at, "lang") == [lang] if lang != "en" else "lang" not in at.query_params


@pytest.mark.parametrize("which", ["empty", "missing"])
def test_dashboard_every_page_renders_without_data(which, empty_project, missing_project, monkeypatch):
    project = empty_project if which == "empty" else missing_project
    at = open_app(project, monkeypatch)
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.message for e in at.exception])
        text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.code)
        if page not in MINE:
            continue
        if page.endswith("data_quality.py") and which == "empty":
            assert at.title  # the load history of an empty warehouse is still worth showing
        else:
            assert "sqd demo" in text and "sqd ingest" in text, page
            assert [i.value for i in at.info], page


# ------------------------------------------------------------------ numbers

def test_dashboard_overview_equals_metric_views(demo_project, monkeypatch):
    at = open_app(demo_project, monkeypatch)
    start, end = period(at)
    views = {
        "timeliness_rate": ("SELECT CAST(count(*) FILTER (WHERE is_measured AND is_timely) AS DOUBLE) "
                            "/ count(*) FILTER (WHERE is_measured) FROM metrics.ticket_kpis "
                            "WHERE created_date BETWEEN ? AND ?", 1),
        "csat_rate": ("SELECT CAST(sum(satisfied) AS DOUBLE) / sum(scored_responses) FROM metrics.csat_daily "
                      "WHERE attempted_date BETWEEN ? AND ?", 1),
        "complaint_rate": ("SELECT CAST(count(*) FILTER (WHERE is_attributable_complaint) AS DOUBLE) / count(*) "
                           "FROM metrics.ticket_kpis WHERE created_date BETWEEN ? AND ?", 2),
        "defect_rate": ("SELECT CAST(sum(nonconforming_qty) AS DOUBLE) / sum(inspected_qty) "
                        "FROM metrics.defect_lots WHERE inspected_date BETWEEN ? AND ?", 2),
        # tickets still inside their follow-up window are pending: in neither numerator nor denominator
        "follow_up_rate": ("SELECT CAST(count(*) FILTER (WHERE is_followed_up) AS DOUBLE) "
                           "/ count(*) FILTER (WHERE NOT is_follow_up_pending) "
                           "FROM metrics.follow_up_tickets WHERE resolved_date BETWEEN ? AND ?", 1),
    }
    for name, (sql, digits) in views.items():
        expected = scalar(demo_project, sql, [start, end])
        assert expected is not None, name
        assert metric(at, t(f"metric.{name}.short")) == ui.fmt_pct(expected, digits), name


def test_dashboard_site_filter_changes_numbers_as_sql_says(demo_project, monkeypatch):
    at = open_app(demo_project, monkeypatch)
    start, end = period(at)
    label = t("metric.timeliness_rate.short")
    before = metric(at, label)
    site = scalar(demo_project, "SELECT site FROM metrics.ticket_kpis WHERE created_date BETWEEN ? AND ? "
                                "GROUP BY site ORDER BY count(*) LIMIT 1", [start, end])
    at.multiselect(key="w_site").set_value([site]).run()
    assert not at.exception
    sql = ("SELECT CAST(count(*) FILTER (WHERE is_measured AND is_timely) AS DOUBLE) "
           "/ count(*) FILTER (WHERE is_measured) FROM metrics.ticket_kpis "
           "WHERE created_date BETWEEN ? AND ? AND site = ?")
    expected = ui.fmt_pct(scalar(demo_project, sql, [start, end, site]))
    assert metric(at, label) == expected
    assert expected != before  # the smallest site differs from all sites at this precision
    assert qp(at, "site") == [site]
    # the filter persists across pages: the SLA page's figures are filtered too
    at.switch_page("pages/sla.py").run()
    assert at.multiselect(key="w_site").value == [site]
    sla = ("SELECT CAST(count(*) FILTER (WHERE is_met) AS DOUBLE) / count(is_met) FROM metrics.ticket_sla "
           "WHERE target = 'resolution' AND created_date BETWEEN ? AND ? AND site = ?")
    assert metric(at, "Resolution") == ui.fmt_pct(scalar(demo_project, sla, [start, end, site]))


def test_dashboard_url_reproduces_the_view(demo_project, monkeypatch):
    sites = scalar(demo_project, "SELECT list(site ORDER BY site) FROM core.sites", [])
    chosen = sites[:2]
    start, end = date(2026, 9, 1), date(2026, 10, 31)
    at = open_app(demo_project, monkeypatch, lang="zh", site=chosen, type=["repair"], **{
        "from": start.isoformat(), "to": end.isoformat()})
    assert at.multiselect(key="w_site").value == chosen
    assert at.multiselect(key="w_ticket_type").value == ["repair"]
    assert at.date_input(key="w_dates").value == (start, end)
    assert at.title[0].value == t("overview.title", "zh")
    sql = ("SELECT CAST(count(*) FILTER (WHERE is_attributable_complaint) AS DOUBLE) / count(*) "
           "FROM metrics.ticket_kpis WHERE created_date BETWEEN ? AND ? AND site IN (?, ?) AND ticket_type = ?")
    expected = scalar(demo_project, sql, [start, end, *chosen, "repair"])
    assert metric(at, t("metric.complaint_rate.short", "zh")) == ui.fmt_pct(expected, 2)
    assert qp(at, "site") == chosen and qp(at, "lang") == ["zh"]
    assert qp(at, "from") == [start.isoformat()] and qp(at, "to") == [end.isoformat()]
    # unknown values in a link are dropped, not raised
    at2 = open_app(demo_project, monkeypatch, site=["nowhere", chosen[0]], lang="xx", **{"from": "garbage"})
    assert at2.multiselect(key="w_site").value == [chosen[0]]
    assert "lang" not in at2.query_params


def test_dashboard_language_switch_translates_the_page(demo_project, monkeypatch):
    at = open_app(demo_project, monkeypatch)
    at.switch_page("pages/sla.py").run()
    assert at.title[0].value == t("sla.title", "en")
    at.radio(key="w_lang").set_value("zh").run()
    assert not at.exception
    assert at.title[0].value == t("sla.title", "zh")
    assert qp(at, "lang") == ["zh"]
    headers = [s.value for s in at.subheader]
    assert t("sla.backlog", "zh") in headers and t("sla.backlog", "en") not in headers


def test_dashboard_page_selection_is_part_of_the_link(demo_project, monkeypatch):
    at = open_app(demo_project, monkeypatch)
    at.switch_page("pages/sla.py").run()
    at.selectbox(key="w_sla_target").set_value("first_response").run()
    assert qp(at, "sla_target") == ["first_response"]
    at.switch_page("pages/overview.py").run()
    assert "sla_target" not in at.query_params  # a page's own parameters leave with it


def test_dashboard_comment_search_and_breach_lookup(demo_project, monkeypatch):
    at = open_app(demo_project, monkeypatch)
    at.switch_page("pages/satisfaction.py").run()
    at.toggle(key="w_satisfaction_comments").set_value(True).run()  # the comments are drawn on demand
    at.text_input(key="w_satisfaction_search").input("zzz-no-such-comment").run()
    assert not at.exception
    assert qp(at, "satisfaction_search") == ["zzz-no-such-comment"]
    at.switch_page("pages/sla.py").run()
    ticket = scalar(demo_project, "SELECT min(ticket_id) FROM metrics.ticket_sla WHERE sla_status = 'breached'", [])
    at.text_input(key="w_sla_ticket").input(ticket).run()
    assert not at.exception
    assert any(ticket in m.value for m in at.markdown)


# ------------------------------------------------------------------ a load while the dashboard is open

def _publish_copies(project: Project, n: int) -> None:
    """Publish n copies of existing tickets (new ids) the way a load does: a new file renamed over the old."""
    with publishing(project.config) as con:
        con.execute(f"""
            CREATE TEMP TABLE copies AS
            SELECT * REPLACE ('COPY-' || ticket_id AS ticket_id) FROM core.tickets
            WHERE status IS DISTINCT FROM 'cancelled' ORDER BY created_at DESC LIMIT {int(n)}
        """)
        derived.track(con, "copies")  # before the change, as a load does (the rollups copy the rows it touches)
        con.execute("INSERT INTO core.tickets BY NAME SELECT * FROM copies")


def test_dashboard_shows_a_new_load_after_rerun(demo_project, tmp_path, monkeypatch):
    project = make_project(tmp_path)
    shutil.copy(demo_project.config.warehouse_path, project.config.warehouse_path)
    at = open_app(project, monkeypatch)
    start, end = period(at)
    count_sql = "SELECT count(*) FROM metrics.ticket_kpis WHERE created_date BETWEEN ? AND ?"
    before = scalar(project, count_sql, [start, end])

    def shown_total() -> int:
        frames = [d.value for d in at.dataframe if t("col.tickets") in d.value.columns
                  and t("col.channel") in d.value.columns]
        assert frames
        return int(frames[0][t("col.tickets")].sum())

    assert shown_total() == before
    _publish_copies(project, 40)
    at.run()  # the next rerun, as after a browser reload
    assert not at.exception
    after = scalar(project, count_sql, [start, end])
    assert after > before
    assert shown_total() == after


def test_dashboard_survives_a_load_in_another_process(demo_project, tmp_path, monkeypatch):
    """The old file stays readable through its open connection while a new one is renamed in."""
    project = make_project(tmp_path)
    shutil.copy(demo_project.config.warehouse_path, project.config.warehouse_path)
    at = open_app(project, monkeypatch)
    at.switch_page("pages/sla.py").run()
    _publish_copies(project, 5)
    for page in ("pages/overview.py", "pages/sla.py", "pages/data_quality.py"):
        at.switch_page(page).run()
        assert not at.exception, page


def test_dashboard_query_error_shows_a_warning_not_a_traceback(demo_project, monkeypatch):
    """A warehouse built by older code (a view missing) degrades one section, not the page."""
    at = open_app(demo_project, monkeypatch)
    from dashboard import queries

    original = queries.volumes

    def broken(run, f):
        raise duckdb.CatalogException("Table with name ticket_kpis does not exist!")

    monkeypatch.setattr(queries, "volumes", broken)
    try:
        at.run()
        assert not at.exception
        assert any("ticket_kpis" in w.value for w in at.warning)
    finally:
        monkeypatch.setattr(queries, "volumes", original)


def test_table_download_is_the_workspace_csv_with_formulas_neutralised(monkeypatch):
    """A customer comment like '=HYPERLINK(...)' must not reach a spreadsheet as a live formula."""
    import polars as pl

    clicked = {}
    monkeypatch.setattr(ui.st, "download_button", lambda label, data, **kw: clicked.update(data=data, **kw))
    monkeypatch.setattr(ui.st, "dataframe", lambda *a, **kw: None)
    frame = pl.DataFrame({"comment": ['=HYPERLINK("http://evil","x")', "服务很好"], "score": [1, 5]})
    ui.table(frame, "low_score_comments")
    assert clicked["file_name"] == "low_score_comments.csv"
    text = clicked["data"]().decode("utf-8")
    assert text.startswith("\ufeff")
    assert "'=HYPERLINK" in text and "服务很好" in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_dashboard_says_which_years_working_days_are_approximate(tmp_path, monkeypatch, lang):
    """A month before a year chinese-calendar does not cover, the sidebar says working days there are approximate
    and the Data quality page says what to do (the overrides file, then `sqd check`); at the suite's clock, a
    month and more away, neither shows (every page renders without warnings: the sweep above)."""
    from pipelines import clock
    from pipelines.ingest import ingest_files

    project = make_project(tmp_path)
    source = tmp_path / "tickets.csv"
    source.write_text("ticket_id,created_at,channel,ticket_type,category,site,status\n"
                      "T1,2026-11-05 09:00:00,phone,repair,water,Riverside,open\n", encoding="utf-8")
    ingest_files([source], project.config)
    monkeypatch.setenv(clock.ENV, "2026-12-03T10:00:00+08:00")
    at = open_app(project, monkeypatch, lang=lang)
    captions = " ".join(c.value for c in at.sidebar.caption)
    assert t("calendar.approximate_short", lang, years="2027") in captions
    at.switch_page("pages/data_quality.py").run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any("2027" in w and str(project.config.calendar_overrides) in w and "sqd check" in w
               for w in warnings), warnings


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sla_attainment_cards_say_whether_the_timeliness_target_is_met(demo_project, monkeypatch, lang):
    """Each SLA target's card: its attainment against [targets] timeliness_rate (the chart's dashed line)."""
    from pipelines.report_template import value_label
    goal = demo_project.config.targets["timeliness_rate"]
    at = open_app(demo_project, monkeypatch, lang=lang)
    at.switch_page("pages/sla.py").run()
    assert not at.exception
    names = {value_label("target", v, lang) for v in ("first_response", "on_site", "resolution")}
    cards = [m for m in at.metric if m.label in names]
    assert len(cards) == 3, [m.label for m in at.metric]
    verdicts = set()
    for card in cards:
        rate = float(card.value.rstrip(" %")) / 100
        expected = t("target.met" if rate >= goal else "target.missed", lang)
        assert card.delta == expected, (card.label, card.value, card.delta)
        verdicts.add(expected)
    assert len(verdicts) == 2, "the demo has a target above and one below the goal"


def test_satisfaction_cards_say_whether_their_targets_are_met(demo_project, monkeypatch):
    """CSAT, response rate and follow-up rate against [targets]; mean score and NPS have no target and no verdict."""
    targets = demo_project.config.targets
    at = open_app(demo_project, monkeypatch)
    at.switch_page("pages/satisfaction.py").run()
    assert not at.exception
    cards = {m.label: m for m in at.metric}
    for name, key in (("CSAT", "csat_rate"), (t("metric.response_rate"), "response_rate"),
                      (t("metric.follow_up_rate"), "follow_up_rate")):
        rate = float(cards[name].value.rstrip(" %")) / 100
        assert cards[name].delta == t("target.met" if rate >= targets[key] else "target.missed"), name
    assert not cards[t("metric.mean_score")].delta and not cards["NPS"].delta


def test_defects_page_opens_with_the_periods_defect_rate_against_its_target(demo_project, monkeypatch):
    at = open_app(demo_project, monkeypatch)
    at.switch_page("pages/defects.py").run()
    assert not at.exception
    start, end = period(at)
    n, d = (scalar(demo_project, f"SELECT {e} FROM metrics.defect_lots WHERE week_start_date IS NOT NULL AND "
                   "inspected_date BETWEEN ? AND ?", [start, end]) for e in ("sum(nonconforming_qty)",
                                                                            "sum(inspected_qty)"))
    cards = {m.label: m for m in at.metric}
    card = cards[t("metric.defect_rate")]
    assert card.value == f"{n / d * 100:.2f} %"
    assert cards[t("col.inspected_qty")].value == f"{d:,}" and cards[t("col.nonconforming_qty")].value == f"{n:,}"
    goal = demo_project.config.targets["defect_rate"]
    assert card.delta == t("target.met" if n / d <= goal else "target.missed")
