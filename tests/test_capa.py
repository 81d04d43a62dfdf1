"""Corrective actions (issue 15): loaded from files with a clear refusal for an action without an owner or due
date; added from the weekly-review page (state_dir CSV published through the loader, upsert by id); the tracker's
queries on the demo (one overdue, one verified not effective whose defect rate did not fall, one closed without
verification); the monthly and quarterly packs (scorecard against the core tables for the month and the same month
a year before, an unfinished month says so); the weekly-review page choosing a month and adding an action; the
defects page's tracker."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from dashboard import queries_capa
from pipelines import report, weekly
from pipelines.config import load_config
from pipelines.ingest import ALREADY_LOADED, PUBLISHED, REFUSED, ingest_files
from pipelines.report_template import PERIOD_TEXT, PERIOD_WORDS, TEXT, t
from pipelines.warehouse import connect, direct
from pipelines.weekly import IsoWeek, Month, Quarter, parse_period
from tests.dashboard_fixtures import demo_project  # noqa: F401 (pytest fixture)
from tests.review_fixtures import REPO, independent, page_harness, review_project, with_state_dir  # noqa: F401

HEADER = "capa_id,source_type,source_ids,opened_at,root_cause,action,owner,due_date,status\n"


@pytest.fixture
def project(tmp_path: Path):
    """An empty project of its own: sqd.toml, profiles, a warehouse and a state folder in tmp_path."""
    shutil.copy(REPO / "sqd.toml", tmp_path / "sqd.toml")
    shutil.copytree(REPO / "data" / "profiles", tmp_path / "data" / "profiles")
    return with_state_dir(load_config(tmp_path / "sqd.toml"), tmp_path / "state")


def rows(config, sql: str) -> list[tuple]:
    con = connect(config)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def fresh_rows(config, sql: str) -> list[tuple]:
    """`sql` in a new process: in this one DuckDB hands a path's open database back (the page's connection, the
    file before the page's publish)."""
    code = ("import json, sys, duckdb; con = duckdb.connect(sys.argv[1], read_only=True); "
            "print(json.dumps(con.execute(sys.argv[2]).fetchall(), default=str))")
    done = subprocess.run([sys.executable, "-c", code, str(config.warehouse_path), sql], capture_output=True,
                          text=True, check=True, timeout=60)
    return [tuple(r) for r in json.loads(done.stdout)]


# ------------------------------------------------------------------ loading

def test_an_action_without_owner_or_due_date_refuses_the_file_with_line_and_column(project, tmp_path):
    path = tmp_path / "actions.csv"
    path.write_text(HEADER
                    + "CA-1,complaint,T1;T2,2026-11-02 09:00:00,cause,Retrain,王芳,2026-11-30,open\n"
                    + "CA-2,nonconformity,N1,2026-11-02 09:00:00,cause,Fix the mixer,,2026-11-30,open\n"
                    + "CA-3,review,2026-W45,2026-11-02 09:00:00,cause,Rota,李强,,open\n", encoding="utf-8")
    result = ingest_files([path], project)[0]
    assert result.status == REFUSED
    assert str(path) in result.message and "nothing of this file was published" in result.message
    assert "owner_not_null" in result.message and "row 3: capa_id='CA-2', owner=None" in result.message
    assert "due_date_not_null" in result.message and "row 4: capa_id='CA-3', due_date=None" in result.message
    assert not project.warehouse_path.exists() or rows(project, "SELECT count(*) FROM core.corrective_actions") \
        == [(0,)]


def test_an_unknown_status_is_refused(project, tmp_path):
    path = tmp_path / "actions.csv"
    path.write_text(HEADER + "CA-1,complaint,T1,2026-11-02 09:00:00,cause,Retrain,王芳,2026-11-30,done\n",
                    encoding="utf-8")
    result = ingest_files([path], project)[0]
    assert result.status == REFUSED and "status_in_set" in result.message and "'done'" in result.message


def test_page_entries_and_files_land_in_one_table(project, tmp_path):
    path = tmp_path / "actions.csv"
    path.write_text(HEADER + "CA-1,complaint,T1;T2,2026-11-02 09:00:00,cause,Retrain,王芳,2026-11-30,open\n",
                    encoding="utf-8")
    assert ingest_files([path], project)[0].status == PUBLISHED
    week = IsoWeek(2026, 47)
    with pytest.raises(ValueError, match="owner"):
        weekly.save_action(project, week, action="Rota", owner=" ", due_date=date(2026, 12, 1))
    first, result = weekly.save_action(project, week, action="Weekend follow-up rota", owner="李强",
                                       due_date=date(2026, 12, 1), root_cause="calls wait for Monday",
                                       metric="follow_up_rate")
    assert (first, result.status) == ("WR-2026-W47-1", PUBLISHED)
    second, _ = weekly.save_action(project, week, action="Callback list", owner="王芳", due_date=date(2026, 12, 8),
                                   source_type="complaint", source_ids="T7;T9")
    assert second == "WR-2026-W47-2"
    entries = pl.read_csv(weekly.capa_entries_path(project), infer_schema=False)
    assert entries["capa_id"].to_list() == ["WR-2026-W47-1", "WR-2026-W47-2"]
    assert rows(project, """SELECT capa_id, source_type, source_ids, owner, due_date, status, metric
                            FROM core.corrective_actions ORDER BY capa_id""") == [
        ("CA-1", "complaint", "T1;T2", "王芳", date(2026, 11, 30), "open", None),
        ("WR-2026-W47-1", "review", "2026-W47", "李强", date(2026, 12, 1), "open", "follow_up_rate"),
        ("WR-2026-W47-2", "complaint", "T7;T9", "王芳", date(2026, 12, 8), "open", None),
    ]
    # the entries file again changes nothing; a later export of a page entry updates it
    assert ingest_files([weekly.capa_entries_path(project)], project)[0].status == ALREADY_LOADED
    update = tmp_path / "update.csv"
    update.write_text("capa_id,action,owner,due_date,status,completed_on\n"
                      "WR-2026-W47-1,Weekend follow-up rota,李强,2026-12-01,completed,2026-11-22\n", encoding="utf-8")
    assert ingest_files([update], project, "corrective_actions__canonical")[0].status == PUBLISHED
    assert rows(project, "SELECT status, completed_on, owner, metric FROM core.corrective_actions "
                         "WHERE capa_id = 'WR-2026-W47-1'") == [("completed", date(2026, 11, 22), "李强",
                                                                 "follow_up_rate")]   # columns not carried kept


# ------------------------------------------------------------------ the demo's actions and the tracker

def test_demo_actions_in_the_tracker(review_project):
    con = connect(review_project)
    try:
        run = direct(con)
        counts = queries_capa.counts(run)
        open_ = queries_capa.tracker(run, "open")
        overdue = queries_capa.tracker(run, "overdue")
        unverified = queries_capa.tracker(run, "closed_unverified")
        checks = queries_capa.effectiveness(run).to_dicts()
    finally:
        con.close()
    assert counts == {"open": 3, "overdue": 1, "closed_unverified": 1, "not_effective": 1}
    # due 10 days before the demo's last day (2026-11-22), today is 2026-11-23
    assert overdue["capa_id"].to_list() == ["CA-0003"] and overdue["days_overdue"].to_list() == [11]
    assert open_["capa_id"].to_list()[0] == "CA-0003"          # overdue first
    assert unverified["capa_id"].to_list() == ["CA-0005"]
    by_id = {c["capa_id"]: c for c in checks}
    # CA-0004 was verified not effective, and the numbers agree: the defect rate did not fall
    poor = by_id["CA-0004"]
    assert poor["verification_result"] == "not_effective" and poor["metric"] == "defect_rate"
    assert poor["window_days"] == 28 and poor["rate_after"] >= poor["rate_before"] and not poor["is_improved"]
    # CA-0001 (the bad sealant batch): the defect rate fell once its lots were out
    assert by_id["CA-0001"]["is_improved"] is True and by_id["CA-0001"]["verification_result"] == "effective"


# ------------------------------------------------------------------ periods and the monthly / quarterly packs

def test_periods_parse_shift_and_bound():
    assert parse_period("month", "2026-11") == Month(2026, 11)
    assert (Month(2026, 11).start, Month(2026, 11).end, Month(2026, 11).stop) == (
        date(2026, 11, 1), date(2026, 11, 30), date(2026, 12, 1))
    assert Month(2026, 1).shift(-1) == Month(2025, 12) and Month(2026, 11).year_ago == Month(2025, 11)
    assert parse_period("quarter", "2026-Q4") == Quarter(2026, 4)
    assert (Quarter(2026, 4).start, Quarter(2026, 4).end) == (date(2026, 10, 1), date(2026, 12, 31))
    assert Quarter(2026, 1).shift(-1) == Quarter(2025, 4) and Quarter(2026, 4).year_ago == Quarter(2025, 4)
    assert Quarter.of(date(2026, 11, 23)).label == "2026-Q4" and Month.of(date(2026, 11, 23)).label == "2026-11"
    assert IsoWeek(2026, 47).stop == date(2026, 11, 23) and IsoWeek(2026, 47).year_ago is None
    for kind, text in (("month", "2026-13"), ("month", "2026-W47"), ("quarter", "2026-Q5"), ("year", "2026")):
        with pytest.raises(ValueError):
            parse_period(kind, text)


@pytest.mark.parametrize("kind", ["month", "quarter"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_month_and_quarter_texts_never_say_week(kind, lang):
    for key in TEXT:
        text = t(key, lang, kind)
        if key in ("chart.week", "pack.title", "pack.subtitle") or key.startswith("section.worst_intervals"):
            continue   # an axis name; titles of their own (PERIOD_TEXT); the worst intervals are of the period
        words = ("week",) if lang == "en" else ("周",)
        assert not any(w in text.lower() for w in words), (key, text)
    assert t("pack.title", lang, kind, week="X") == (PERIOD_TEXT[("pack.title", kind)][lang == "zh"]).format(week="X")
    assert PERIOD_WORDS[kind][lang]
    # the week's texts are the weekly pack's, unchanged
    assert t("section.changes.help", lang) == TEXT["section.changes.help"][lang == "zh"]


@pytest.fixture(scope="module")
def month_pack(review_project):
    con = connect(review_project)
    try:
        run = direct(con)
        return {label: weekly.build_pack(run, review_project, label, kind)
                for kind, label in (("month", "2026-10"), ("month", "2026-11"), ("quarter", "2026-Q3"))}
    finally:
        con.close()


def test_monthly_scorecard_equals_core_tables_this_month_and_a_year_before(review_project, month_pack):
    pack = month_pack["2026-10"]

    def counted(period) -> dict[str, tuple[int, int]]:
        # repeat complaints are derived from the data since issue 14 (metrics.repeat_complaints): the core
        # tables' flag alone no longer counts them, so that KPI is left to its own tests
        return {k: v for k, v in independent(review_project, period).items() if k != "repeat_complaint_rate"}

    now, ago = counted(Month(2026, 10)), counted(Month(2025, 10))
    for r in pack.scorecard:
        if r.kpi.key in now:
            assert (r.numerator, r.denominator) == now[r.kpi.key], r.kpi.key
            assert (r.year_ago_numerator, r.year_ago_denominator) == ago[r.kpi.key], r.kpi.key
            assert r.year_change == pytest.approx(r.value - r.year_ago)
    previous = counted(Month(2026, 9))
    assert {r.kpi.key: (r.previous_numerator, r.previous_denominator) for r in pack.scorecard
            if r.kpi.key in previous} == previous
    assert pack.unfinished_through is None
    # the quarter: July to September
    quarter = month_pack["2026-Q3"]
    q = counted(Quarter(2026, 3))
    assert {r.kpi.key: (r.numerator, r.denominator) for r in quarter.scorecard if r.kpi.key in q} == q
    # the trends read 13 months and 9 quarters, and the year-ago period is among them
    assert pack.history.filter(pl.col("metric") == "defect_rate").height == 13
    assert quarter.history.filter(pl.col("metric") == "defect_rate").height == 9


def test_monthly_pack_holds_the_seed_tables_and_open_actions(month_pack):
    pack = month_pack["2026-10"]
    complaints = pack.complaints_by_department
    assert complaints["share"].sum() == pytest.approx(1.0) and complaints["complaints"].sum() > 0
    nc = pack.nonconformities_by_source
    for grouping in ("machine", "department"):     # each grouping's losses add up to the period's
        part = nc.filter(pl.col("grouping") == grouping)
        assert part["cost_share"].sum() == pytest.approx(1.0) and part["records"].sum() == nc["records"].sum() / 2
    assert set(nc.filter(pl.col("grouping") == "machine")["machine"]) <= {"Line 1", "Line 2", "(none)"}
    kinds = {r["satisfaction_kind"]: r for r in pack.satisfaction_by_kind.to_dicts()}
    assert kinds["complaint"]["kind_target"] == 0.90 and kinds["inquiry"]["kind_target"] == 0.95
    assert kinds["complaint"]["handled"] > 0
    assert all(r["satisfied"] <= r["handled"] - r["pending"] for r in kinds.values())
    # open at the end of October: CA-0002 (carried out, to verify), CA-0003, CA-0004 (closed in November) ...
    assert {"CA-0002", "CA-0003"} <= set(pack.capa["capa_id"])


def test_an_unfinished_month_says_so(review_project, month_pack):
    pack = month_pack["2026-11"]
    assert pack.unfinished_through == date(2026, 11, 22)       # the demo's last day; the clock is 2026-11-23
    page = html.unescape(report.render_html(pack, "en"))
    assert "This period is not over: it holds data up to 2026-11-22." in page
    zh = html.unescape(report.render_html(pack, "zh"))
    assert "本期尚未结束：数据截至 2026-11-22" in zh and "质量月报 2026-11" in zh
    # rates with pending rows stay honest: the follow-up rate counts only tickets whose 48 h window has closed
    # (or that were followed up), the response rate only answers whose window has closed, as counted from the
    # core tables at the pinned clock
    counted = independent(review_project, Month(2026, 11))
    for key in ("follow_up_rate", "response_rate"):
        row = pack.row(key)
        assert (row.numerator, row.denominator) == counted[key], key


def test_monthly_html_sections_in_both_languages(month_pack):
    pack = month_pack["2026-10"]
    for lang in ("en", "zh"):
        page = report.render_html(pack, lang)
        for key in report.PERIOD_SECTIONS:
            assert f'<section id="{key}"><h2>{html.escape(t("section." + key, lang, "month"))}</h2>' in page, key
        assert 'data-col="year_ago"' in page
    en = html.unescape(report.render_html(pack, "en"))
    assert "Monthly quality review 2026-10" in en and "A year before" in en
    assert "Trends (13 months)" in en and "Last month" in en


def test_cli_report_month_and_quarter(review_project, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from pipelines import cli

    monkeypatch.setattr(report, "chromium_path", lambda: None)
    monkeypatch.setattr(cli, "load_or_exit", lambda _: review_project)
    done = CliRunner().invoke(cli.app, ["report", "--month", "2026-10", "--lang", "zh", "--out", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "quality-review-2026-10-zh.html").exists()
    done = CliRunner().invoke(cli.app, ["report", "--quarter", "2026-Q3", "--no-pdf", "--out", str(tmp_path)])
    assert done.exit_code == 0 and (tmp_path / "quality-review-2026-Q3-en.html").exists()
    bad = CliRunner().invoke(cli.app, ["report", "--month", "2026-13", "--out", str(tmp_path)])
    assert bad.exit_code == 1 and "YYYY-MM" in bad.output
    both = CliRunner().invoke(cli.app, ["report", "--month", "2026-10", "--week", "2026-W40"])
    assert both.exit_code == 1 and "one of --week, --month and --quarter" in both.output


# ------------------------------------------------------------------ the pages

@pytest.fixture
def review_copy(review_project, tmp_path):
    """The review warehouse copied into a project of its own (the page's form publishes into it)."""
    shutil.copy(REPO / "sqd.toml", tmp_path / "sqd.toml")
    shutil.copytree(REPO / "data" / "profiles", tmp_path / "data" / "profiles")
    shutil.copy(review_project.warehouse_path, tmp_path / "data" / "warehouse.duckdb")
    return load_config(tmp_path / "sqd.toml")


def test_weekly_review_page_chooses_a_month_and_adds_an_action(review_copy, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SQD_CONFIG", str(review_copy.source))
    at = AppTest.from_file(str(page_harness(tmp_path)), default_timeout=180)
    at.run()
    at.switch_page(str(REPO / "dashboard" / "pages" / "weekly_review.py")).run()
    assert not at.exception, [e.message for e in at.exception]
    at.selectbox(key="w_weekly_review_period").set_value("month").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="w_weekly_review_month").value == "2026-10"        # the last full month
    assert at.query_params.get("weekly_review_period") in ("month", ["month"])
    titles = [h.value for h in at.subheader]
    for key in ("changes_yoy", "complaints_department", "nonconformities", "satisfaction_kind", "capa"):
        assert t(f"section.{key}", "en", "month") in titles, key
    card = next(h.value for h in at.get("html") if 'class="scorecard period"' in h.value)
    assert 'data-col="year_ago"' in card
    # an action from the review's decisions
    form_action = next(a for a in at.text_area if a.label == "Corrective action")
    form_action.set_value("Hillcrest roster checked every Monday")
    next(i for i in at.text_input if i.label == "Owner").set_value("王芳")
    next(b for b in at.button if b.label == "Add the action").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("WR-2026-10-1" in s.value for s in at.success), [s.value for s in at.success]
    assert fresh_rows(review_copy, "SELECT owner, source_type, source_ids FROM core.corrective_actions "
                                   "WHERE capa_id = 'WR-2026-10-1'") == [("王芳", "review", "2026-10")]
    # without an owner the form says so and saves nothing
    next(a for a in at.text_area if a.label == "Corrective action").set_value("Another")
    next(b for b in at.button if b.label == "Add the action").click()
    at.run()
    assert any("needs its text, an owner and a due date" in e.value for e in at.error)
    assert fresh_rows(review_copy, "SELECT count(*) FROM core.corrective_actions WHERE capa_id LIKE 'WR-%'") \
        == [(1,)]


def test_defects_page_shows_the_tracker(demo_project, monkeypatch):
    from tests.test_dashboard_app import metric, open_app

    at = open_app(demo_project, monkeypatch)
    at.switch_page("pages/defects.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert [metric(at, label) for label in ("Open", "Overdue", "Closed without verification",
                                            "Verified not effective")] == ["3", "1", "1", "1"]
    assert "Corrective actions (CAPA)" in [h.value for h in at.subheader]
    at.selectbox(key="w_defects_capa").set_value("all").run()
    assert not at.exception, [e.message for e in at.exception]


def test_tracker_tables_show_gaps_not_none(review_project):
    """A check without rates yet (carried out today) has no improvement either way: shown as a gap, in words
    otherwise (the Chinese page must not show None or true/false)."""
    from dashboard.sections.capa import coded

    frame = pl.DataFrame({"capa_id": ["A", "B", "C"], "is_improved": [True, False, None],
                          "status": ["open", "completed", None], "satisfaction_kind": ["inquiry", None, None]})
    zh = coded(frame, "zh")
    assert zh["is_improved"].to_list() == ["已改善", "未改善", None]
    assert zh["capa_status"].to_list() == ["未开始", "已实施待验证", None]
    assert zh["satisfaction_kind"].to_list() == ["咨询", None, None]
    assert coded(frame, "en")["is_improved"].to_list() == ["improved", "not improved", None]


# ------------------------------------------------------------------ the tracker's reads at 1M tickets (issue 13)
def _copy(config, tmp_path: Path):
    """A writable copy of `config`'s warehouse, connected as the app connects (clock and settings)."""
    import duckdb

    from pipelines.warehouse import _prepare

    shutil.copy(config.warehouse_path, tmp_path / "w.duckdb")
    return _prepare(duckdb.connect(str(tmp_path / "w.duckdb")), config)


def _view_rows(run) -> list[tuple]:
    return run("SELECT * FROM metrics.capa_effectiveness ORDER BY capa_id", []).rows()


def test_tracker_reads_the_effectiveness_view_narrowed_to_its_actions(review_project, tmp_path):
    """metrics.capa_effectiveness evaluates metrics.kpi_facts whole (1-7 s at 1M tickets for a handful of actions);
    the tracker reads the view's text with the facts narrowed to the branches of the actions' metrics and the span of
    their windows (pipelines/kpi_facts.py): the same rows,
    on the demo's actions and after some are moved; with no action to check, kpi_facts is not planned at all."""
    con = _copy(review_project, tmp_path)
    run = direct(con)
    sql, params = queries_capa.effectiveness_sql(run)
    assert "metrics.kpi_facts" not in sql and "f.metric = ?" in sql and len(params) >= 3
    narrowed = run(f"SELECT * FROM ({sql}) ORDER BY capa_id", params).rows()
    assert narrowed == _view_rows(run) and len(narrowed) >= 2
    # windows of their own and one action completed today (a window of 0 days): still the view's rows
    con.execute("UPDATE core.corrective_actions SET completed_on = DATE '2026-09-01', window_days = 7 "
                "WHERE capa_id = 'CA-0001'")
    con.execute("UPDATE core.corrective_actions SET completed_on = DATE '2026-11-23', metric = 'csat_rate' "
                "WHERE capa_id = 'CA-0004'")
    sql, params = queries_capa.effectiveness_sql(run)
    assert run(f"SELECT * FROM ({sql}) ORDER BY capa_id", params).rows() == _view_rows(run)
    by_id = {r["capa_id"]: r for r in queries_capa.effectiveness(run).to_dicts()}
    assert by_id["CA-0001"]["window_days"] == 7 and by_id["CA-0004"]["window_days"] == 0
    # the counts and the list join the same rows as the view gives
    live = run("""SELECT a.capa_id, e.rate_before, e.rate_after, e.is_improved FROM metrics.capa_actions AS a
                  LEFT JOIN metrics.capa_effectiveness AS e USING (capa_id) ORDER BY a.capa_id""", []).rows()
    assert queries_capa.tracker(run, "all").sort("capa_id").select(
        "capa_id", "rate_before", "rate_after", "is_improved").rows() == live
    # the counts, every list and the checks are the view's figures, as the SQL over the views gave them
    assert queries_capa.counts(run) == run("""
        SELECT count(*) FILTER (WHERE a.is_open) AS open, count(*) FILTER (WHERE a.is_overdue) AS overdue,
               count(*) FILTER (WHERE a.is_closed_unverified) AS closed_unverified,
               count(*) FILTER (WHERE a.verified_on IS NOT NULL
                                AND (a.verification_result = 'not_effective' OR e.is_improved = FALSE))
                   AS not_effective
        FROM metrics.capa_actions AS a LEFT JOIN metrics.capa_effectiveness AS e USING (capa_id)""").row(0, named=True)
    for which, where in (("open", "a.is_open"), ("overdue", "a.is_overdue"),
                         ("closed_unverified", "a.is_closed_unverified"), ("all", "TRUE")):
        order = "a.opened_at DESC NULLS LAST, a.capa_id" if which == "all" else \
            "a.is_overdue DESC, a.due_date, a.capa_id"
        expected = run(f"""SELECT a.{', a.'.join(queries_capa.TRACKER_COLUMNS[:14])}, e.rate_before, e.rate_after,
                                  e.is_improved
                           FROM metrics.capa_actions AS a LEFT JOIN metrics.capa_effectiveness AS e USING (capa_id)
                           WHERE {where} ORDER BY {order}""")
        assert queries_capa.tracker(run, which).equals(expected), which
    expected = run("""SELECT e.capa_id, a.action, e.metric, e.product, e.department, e.site, e.completed_on,
                             e.window_days, e.rate_before, e.numerator_before, e.denominator_before, e.rate_after,
                             e.numerator_after, e.denominator_after, e.change, e.is_improved, a.verification_result
                      FROM metrics.capa_effectiveness AS e JOIN metrics.capa_actions AS a USING (capa_id)
                      ORDER BY e.completed_on DESC, e.capa_id""")
    assert queries_capa.effectiveness(run).equals(expected) and expected.height >= 2
    # one statement reads the facts for all of them: the dashboard's cache evaluates it once per version
    seen: list[str] = []

    def recording(sql, params=()):
        seen.append(sql)
        return run(sql, params)

    queries_capa.counts(recording), queries_capa.effectiveness(recording)
    for which in ("open", "overdue", "closed_unverified", "all"):
        queries_capa.tracker(recording, which)
    assert len({sql for sql in seen if "numerator_before" in sql}) == 1
    # no action with a metric and a completion date: no rows, and no fact table in the plan
    con.execute("UPDATE core.corrective_actions SET metric = NULL")
    sql, params = queries_capa.effectiveness_sql(run)
    assert _view_rows(run) == [] and run(sql, params).height == 0
    plan = "\n".join(r[1] for r in con.execute(f"EXPLAIN SELECT * FROM ({sql})", params).fetchall())
    assert not re.search(r"core\.(tickets|surveys|calls|inspections)\b", plan), plan
    assert queries_capa.counts(run)["open"] == 3
    con.close()


def test_a_pack_whose_deadlines_fall_in_a_year_without_an_official_calendar_says_so(review_project, month_pack):
    """December's deadlines run into 2027, whose working days chinese-calendar does not know: the pack says its
    working-day figures are approximate; October's, whose deadlines end in 2026, says nothing of it."""
    assert month_pack["2026-10"].approximate_calendar == []
    assert "approximate" not in html.unescape(report.render_html(month_pack["2026-10"], "en"))
    con = connect(review_project)
    try:
        december = weekly.build_pack(direct(con), review_project, "2026-12", "month")
        last_week = weekly.build_pack(direct(con), review_project, "2026-W52", "week")
    finally:
        con.close()
    assert december.approximate_calendar == [2027] and last_week.approximate_calendar == [2027]
    assert t("pack.calendar", "en", "month", years="2027") in html.unescape(report.render_html(december, "en"))
    assert "2027 年的工作日为近似值" in html.unescape(report.render_html(december, "zh"))
