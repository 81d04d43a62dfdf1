"""The weekly review pack's computations (pipelines/weekly.py) against the demo warehouse: the scorecard equals what
this test counts straight from the core tables; "what changed" finds the Hillcrest staff shortage; contributions add
up; the lists hold the right rows; notes are kept per week."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
import pytest

from pipelines import weekly
from pipelines.warehouse import connect
from pipelines.report_template import t
from pipelines.weekly import IsoWeek, ScoreRow
from tests.review_fixtures import REPO, TZ, independent, page_harness, review_project, state_config  # noqa: F401

SHORTAGE_WEEKS = ("2026-W38", "2026-W39", "2026-W40", "2026-W41")

# The call KPIs counted straight from core.calls (not metrics.call_facts): a call's wait is the export's, else
# answered (or abandoned) minus offered; an abandon within 5 s (sqd.toml [contact_centre]) is left out of both
# rates; service level = answered within 20 s / the other calls; abandon rate = abandoned / the other calls.
CALL_RECOUNT = """
    WITH c AS (
        SELECT answered_at IS NOT NULL OR (abandoned_at IS NULL AND outcome = 'answered') AS answered,
               coalesce(wait_seconds, epoch(coalesce(answered_at, abandoned_at)) - epoch(offered_at)) AS wait,
               CAST(timezone($tz, offered_at) AS DATE) AS day, abandoned_at, outcome
        FROM core.calls
    ), f AS (
        SELECT *, NOT answered AND (abandoned_at IS NOT NULL OR outcome = 'abandoned') AS abandoned FROM c
        WHERE day BETWEEN $first AND $last
    ), g AS (SELECT *, NOT (abandoned AND coalesce(wait <= 5, false)) AS counted FROM f)
    SELECT count(*) FILTER (WHERE answered AND wait <= 20), count(*) FILTER (WHERE abandoned AND counted),
           count(*) FILTER (WHERE counted)
    FROM g
"""


def call_recount(config, week: IsoWeek) -> dict[str, tuple[int, int]]:
    con = connect(config)
    try:
        within, abandoned, calls = con.execute(CALL_RECOUNT, {"tz": TZ, "first": week.start,
                                                              "last": week.end}).fetchall()[0]
    finally:
        con.close()
    return {"service_level": (within, calls), "abandon_rate": (abandoned, calls)}

def pack_for(config, week: str) -> weekly.WeeklyPack:
    con = connect(config)
    try:
        return weekly.build_pack(weekly.direct(con), config, week)
    finally:
        con.close()


@pytest.fixture(scope="module")
def packs(review_project) -> dict[str, weekly.WeeklyPack]:
    return {w: pack_for(review_project, w) for w in (*SHORTAGE_WEEKS, "2026-W46", "2026-W47")}


def test_weekly_iso_weeks():
    week = IsoWeek.parse("2026-W46")
    assert (week.start, week.end, week.label) == (date(2026, 11, 9), date(2026, 11, 15), "2026-W46")
    assert IsoWeek.parse("2026w1").label == "2026-W01" and IsoWeek.parse("2026-W01").start == date(2025, 12, 29)
    assert week.shift(-1).label == "2026-W45" and IsoWeek.of(date(2027, 1, 1)).label == "2026-W53"
    for bad in ("2026-46", "W46", "2025-W53", "2026-W00"):
        with pytest.raises(ValueError):
            IsoWeek.parse(bad)


def test_weekly_default_is_last_full_week(review_project):
    con = connect(review_project)
    try:
        run = weekly.direct(con)
        assert weekly.last_data_date(run) == date(2026, 11, 22)      # a Sunday: its week is complete
        assert weekly.last_full_week(run, date(2026, 11, 23)).label == "2026-W47"
        weeks = weekly.available_weeks(run, date(2026, 11, 23))
        assert weeks[0].label == "2026-W47" and weeks == sorted(weeks, reverse=True)
    finally:
        con.close()


@pytest.mark.parametrize("week", ["2026-W39", "2026-W46", "2026-W47"])
def test_weekly_scorecard_equals_core_tables(review_project, packs, week):
    pack = packs[week]
    expected = independent(review_project, IsoWeek.parse(week)) | call_recount(review_project, IsoWeek.parse(week))
    assert expected["service_level"][1] > 1000          # the demo's hotline answers calls every week
    for key, (numerator, denominator) in expected.items():
        row = pack.row(key)
        assert (row.numerator, row.denominator) == (numerator, denominator), key
        assert row.value == pytest.approx(numerator / denominator), key
    # timeliness needs the SLA engine (business calendars): count it per ticket from metrics.ticket_sla instead
    wk = IsoWeek.parse(week)
    con = connect(review_project)
    try:
        timely, measured = con.execute("""
            WITH per_ticket AS (
                SELECT ticket_id, bool_and(sla_status <> 'pending') AS decided, bool_and(sla_status = 'met') AS met
                FROM metrics.ticket_sla WHERE created_date BETWEEN ? AND ? GROUP BY ticket_id
            )
            SELECT count(*) FILTER (WHERE decided AND met), count(*) FILTER (WHERE decided) FROM per_ticket
        """, [wk.start, wk.end]).fetchall()[0]
    finally:
        con.close()
    row = pack.row("timeliness_rate")
    assert (row.numerator, row.denominator) == (timely, measured)
    assert 0 < row.denominator <= expected["complaint_rate"][1]
    # last week and the change
    previous = independent(review_project, IsoWeek.parse(week).shift(-1))
    n, d = previous["csat_rate"]
    assert pack.row("csat_rate").previous == pytest.approx(n / d)
    assert pack.row("csat_rate").change == pytest.approx(pack.row("csat_rate").value - n / d)


def test_weekly_w47_follow_up_rate_is_not_flagged(review_project, packs):
    # The demo's data ends Sunday 2026-11-22; now is Monday 23 10:00. Tickets resolved on the 22nd could not have
    # been called back yet: inside their 48 h follow-up window they are pending, not missed, so W47's follow-up
    # rate stays in line with W46 and "what changed" says nothing about it (at 60k tickets it read
    # 90.3 % -> 81.2 % before: every ticket of the last days counted as never called).
    pack = packs["2026-W47"]
    assert "follow_up_rate" not in {c.kpi.key for c in pack.changes}
    row = pack.row("follow_up_rate")
    assert abs(row.change) < 0.05, (row.previous, row.value)
    con = connect(review_project)
    try:
        resolved_w47, pending = con.execute("""
            SELECT count(*), count(*) FILTER (WHERE is_follow_up_pending) FROM metrics.follow_up_tickets
            WHERE resolved_date BETWEEN DATE '2026-11-16' AND DATE '2026-11-22'
        """).fetchall()[0]
    finally:
        con.close()
    assert pending > 0 and row.denominator == resolved_w47 - pending


def test_weekly_traffic_lights(packs):
    for pack in packs.values():
        for row in pack.scorecard:
            if row.value is None:
                assert row.light == "grey"
            elif row.kpi.meets(row.value, row.target):
                assert row.light == "green"
            else:
                assert row.light in ("amber", "red")
                assert (row.light == "amber") == (row.ci_low <= row.target <= row.ci_high)
    w39 = packs["2026-W39"]
    assert w39.row("complaint_rate").light == "red"          # 11 of 203 against < 3 %
    assert w39.row("repeat_complaint_rate").light == "green"


def test_weekly_what_changed_names_hillcrest(packs):
    named = {w: [c for c in packs[w].changes if "Hillcrest" in c.sentence("en")] for w in SHORTAGE_WEEKS}
    assert any(named.values()), {w: [c.sentence("en") for c in packs[w].changes] for w in SHORTAGE_WEEKS}
    for week, changes in named.items():
        for change in changes:
            assert "Hillcrest" in change.sentence("zh") and "站点 Hillcrest" in change.sentence("zh")
            site = change.drivers[0] if change.drivers[0]["dimension"] == "site" else None
            assert site is not None and site["value"] == "Hillcrest", (week, change.drivers)
            assert not change.improved
    # W39: the attributable complaint rate, 11 of 203 tickets, most of the rise at Hillcrest
    w39 = {c.kpi.key: c for c in packs["2026-W39"].changes}
    assert "complaint_rate" in w39
    sentence = w39["complaint_rate"].sentence("en")
    assert sentence.startswith("Complaint rate (attributable) rose to 5.42 %") and "site Hillcrest" in sentence


def test_weekly_contributions_add_up_to_the_change(review_project, packs):
    change = next(c for w in SHORTAGE_WEEKS for c in packs[w].changes if "Hillcrest" in c.sentence("en"))
    week = next(w for w in SHORTAGE_WEEKS if change in packs[w].changes)
    con = connect(review_project)
    try:
        wk = IsoWeek.parse(week)
        if change.basis == "wow":
            ref = (wk.shift(-1).start, wk.start)
        else:
            ref = (wk.shift(-weekly.BASELINE_WEEKS).start, wk.start)
        full = weekly.contributions(weekly.direct(con), change.kpi, wk, *ref)
    finally:
        con.close()
    sums = full.group_by("dimension").agg(pl.col("contribution").sum())
    assert sorted(sums["dimension"]) == sorted(name for name, _ in change.kpi.dims)
    for total in sums["contribution"]:
        assert total == pytest.approx(change.delta, abs=1e-12)
    hill = full.filter((pl.col("dimension") == "site") & (pl.col("value") == "Hillcrest")).row(0, named=True)
    assert hill["contribution"] / change.delta > 0.5


def test_weekly_noise_rules():
    kpi = weekly.KPI_BY_KEY["repeat_complaint_rate"]

    def row(n, d, prev_n, prev_d, noise, baseline):
        value = n / d
        previous = prev_n / prev_d
        return ScoreRow(kpi=kpi, value=value, numerator=n, denominator=d, target=0.01, light="red", ci_low=None,
                        ci_high=None, previous=previous, previous_numerator=prev_n, previous_denominator=prev_d,
                        change=value - previous, noise=noise, baseline=baseline, baseline_denominator=100,
                        baseline_weeks=8, trend=[])

    # 2 of 12 after 0 of 11: beyond the historical noise, but not beyond the sampling error of two small weeks
    assert weekly.moved(row(2, 12, 0, 11, noise=0.02, baseline=0.05)) is None
    # the same shares on 40x the volume: a real move
    assert weekly.moved(row(80, 480, 0, 440, noise=0.02, baseline=0.05))[0] == "wow"
    # steady week to week but far from the previous 8 weeks: the baseline rule
    found = weekly.moved(row(30, 200, 29, 200, noise=0.02, baseline=0.05))
    assert found[0] == "baseline" and found[3] <= 0.05 <= found[4]
    assert weekly.noise_sd([0.1, None, 0.2]) is None
    lo, hi = weekly.wilson(11, 203)
    assert lo < 11 / 203 < hi and weekly.wilson(0, 0) == (None, None)


def test_weekly_lists_hold_the_weeks_rows(review_project, packs):
    pack = packs["2026-W39"]
    wk = pack.week
    assert pack.breaches.height == weekly.TOP_BREACHES
    overdue = pack.breaches["overdue_hours"].to_list()
    assert overdue == sorted(overdue, reverse=True) and min(overdue) > 0
    start = datetime.combine(wk.start, datetime.min.time())
    con = connect(review_project)
    try:
        created = con.execute(
            "SELECT min(CAST(timezone($tz, created_at) AS DATE)), max(CAST(timezone($tz, created_at) AS DATE)) "
            "FROM core.tickets WHERE list_contains($ids, ticket_id)",
            {"tz": TZ, "ids": pack.breaches["ticket_id"].to_list()}).fetchall()[0]
        assert wk.start <= created[0] and created[1] <= wk.end
        # site breach counts add up to the breached SLA rows of the week
        assert pack.breaches_by_site["breached"].sum() == con.execute(
            "SELECT count(*) FROM metrics.ticket_sla WHERE sla_status = 'breached' AND created_date BETWEEN ? AND ?",
            [wk.start, wk.end]).fetchall()[0][0]
        # Pareto: this week's and last week's units equal the nonconformity records found in each week
        for period, week in (("this", wk), ("last", wk.shift(-1))):
            qty = con.execute(
                "SELECT coalesce(sum(qty), 0) FROM core.nonconformities "
                "WHERE CAST(timezone($tz, found_at) AS DATE) BETWEEN $first AND $last",
                {"tz": TZ, "first": week.start, "last": week.end}).fetchall()[0][0]
            assert pack.pareto.filter(pl.col("period") == period)["qty"].sum() == qty
        # class-1 complaints open at the end of each week, counted from core.tickets
        for week in ("2026-W39", "2026-W43", "2026-W47"):
            w = IsoWeek.parse(week)
            end = datetime.combine(w.end + timedelta(days=1), datetime.min.time())
            expected = sorted(r[0] for r in con.execute(
                "SELECT ticket_id FROM core.tickets, (SELECT timezone($tz, CAST($end AS TIMESTAMP)) AS e) "
                "WHERE complaint_grade = 'class_1' AND (status IS NULL OR status <> 'cancelled') "
                "AND created_at < e AND NOT coalesce(resolved_at < e, FALSE) AND NOT coalesce(closed_at < e, FALSE)",
                {"tz": TZ, "end": end}).fetchall())
            got = weekly.class1_open(weekly.direct(con), w)["ticket_id"].to_list()
            assert sorted(got) == expected, week
    finally:
        con.close()
    assert pack.comments.height > 0 and pack.comments["score"].max() <= 3
    assert pack.comments["score"].to_list() == sorted(pack.comments["score"].to_list())
    assert all(wk.start <= d <= wk.end for d in pack.comments["attempted_date"].to_list())
    assert start.date() == wk.start


def test_weekly_signals_of_the_bad_material_batch(review_project):
    pack = pack_for(review_project, "2026-W13")
    signals = pack.signals
    assert signals.height > 0
    assert all(pack.week.start <= d <= pack.week.end for d in signals["inspected_date"].to_list())
    assert "MB-SE-260316" in signals["material_batch_id"].to_list()
    charted = set(pack.p_chart_lots.select("product", "stage").iter_rows())
    assert charted and len(charted) <= weekly.MAX_P_CHARTS
    in_week = set(pack.p_chart_lots.filter(pl.col("in_week"))["lot_id"].to_list())
    for lot, product, stage in signals.select("lot_id", "product", "stage").iter_rows():
        if (product, stage) in charted:
            assert lot in in_week


def test_weekly_notes_are_kept_per_week(state_config):
    week = IsoWeek.parse("2026-W39")
    assert weekly.load_notes(state_config, week) == ""
    weekly.save_notes(state_config, week, "Hillcrest: two agents on loan from Riverside until 10-11.\n张三跟进。")
    weekly.save_notes(state_config, week.shift(1), "other week")
    assert weekly.load_notes(state_config, week).startswith("Hillcrest: two agents")
    assert (state_config.state_dir / "weekly_notes" / "2026-W39.json").exists()
    pack = pack_for(state_config, "2026-W39")
    assert "张三跟进" in pack.notes


def test_weekly_review_page_shows_the_pack(review_project, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SQD_CONFIG", str(review_project.source))
    at = AppTest.from_file(str(page_harness(tmp_path)), default_timeout=120)
    at.run()
    at.switch_page(str(REPO / "dashboard" / "pages" / "weekly_review.py")).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.selectbox(key="w_weekly_review_week").value == "2026-W47"     # the last full week
    at.selectbox(key="w_weekly_review_week").set_value("2026-W39").run()
    assert not at.exception, [e.message for e in at.exception]
    titles = [h.value for h in at.subheader]
    for key in ("scorecard", "trends", "changes", "breaches", "worst_intervals", "signals", "pareto", "comments",
                "class1", "notes"):
        assert t(f"section.{key}", "en") in titles, key
    assert any("site Hillcrest" in m.value.replace("\\", "") and "deterioration" in m.value for m in at.markdown)
    card = next(h.value for h in at.get("html") if 'class="scorecard"' in h.value)
    assert 'data-kpi="complaint_rate" data-col="value">5.42 %<' in card
    assert 'data-kpi="complaint_rate" data-col="counts">11 / 203<' in card
    for week in ("2026-W13", "2026-W47"):     # a week with p-chart signals, and the last one
        at.selectbox(key="w_weekly_review_week").set_value(week).run()
        assert not at.exception, (week, [e.message for e in at.exception])
    at.selectbox(key="w_weekly_review_week").set_value("2026-W39").run()
    notes = review_project.state_dir / "weekly_notes" / "2026-W39.json"
    try:
        at.text_area(key="wr_notes_2026-W39").set_value("Add two agents at Hillcrest.")
        next(b for b in at.button if b.label == "Save notes").click()
        at.run()
        assert weekly.load_notes(review_project, IsoWeek.parse("2026-W39")) == "Add two agents at Hillcrest."
    finally:
        notes.unlink(missing_ok=True)


def test_weekly_pack_lists_the_call_kpis_and_worst_intervals(review_project, packs):
    for week in ("2026-W39", "2026-W47"):
        pack = packs[week]
        keys = [r.kpi.key for r in pack.scorecard]
        assert keys[-2:] == ["service_level", "abandon_rate"]
        level, abandon = pack.row("service_level"), pack.row("abandon_rate")
        assert (level.target, abandon.target) == (0.80, 0.05)          # sqd.toml [contact_centre]
        assert level.value is not None and abandon.value is not None and level.light != "grey"
        assert len(level.trend) == 4 and all(v is not None for _, v in level.trend)
        worst = pack.worst_intervals
        assert worst.height == weekly.WORST_INTERVALS
        assert (worst["offered"] >= weekly.WORST_MIN_OFFERED).all()
        assert worst["service_level"].to_list() == sorted(worst["service_level"].to_list())
        assert all(pack.week.start <= d.date() <= pack.week.end for d in worst["interval_start"].to_list())
        # no interval of the week with enough calls has a lower service level than the fifth shown
        con = connect(review_project)
        try:
            lower = con.execute("""
                SELECT count(*) FROM (
                    SELECT interval_start, sum(answered_within_service_level) / sum(calls) AS sl
                    FROM metrics.calls_interval WHERE interval_date BETWEEN ? AND ?
                    GROUP BY interval_start HAVING sum(offered) >= ? AND sum(calls) > 0)
                WHERE sl < ?""", [pack.week.start, pack.week.end, weekly.WORST_MIN_OFFERED,
                                  worst["service_level"].max()]).fetchall()[0][0]
        finally:
            con.close()
        assert lower <= weekly.WORST_INTERVALS - 1
    # before the roster change the demo hotline is short-staffed on Monday mornings: they are the worst intervals
    w39 = packs["2026-W39"].worst_intervals
    assert any(d.weekday() == 0 and 9 <= d.hour < 12 for d in w39["interval_start"].to_list()), w39
    assert (w39["agents_needed"] > w39["agents_available"]).any(), w39
