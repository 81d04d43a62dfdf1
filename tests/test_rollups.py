"""Rollups (pipelines/rollups.py): the dashboard's figures from the rollups equal the metric views' figures, on the
demo, on random filters and at clocks after the publish (the pending slices); a load recomputes only its items
and leaves the rollups equal to a full rebuild; a publish that changes nothing rebuilds nothing."""

from __future__ import annotations

import random
import shutil
from datetime import date, timedelta

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from dashboard import queries as q
from dashboard import queries_hotline_kpis
from dashboard.queries import Filters
from pipelines import derived, rollups, warehouse
from pipelines.warehouse import connect, publishing
from tests.dashboard_fixtures import demo_project, make_project  # noqa: F401 (pytest fixture)

ROLLED = {
    "ticket_overview": q.ticket_overview,
    "reopen_escalation": q.reopen_escalation,
    "csat_overview": q.csat_overview,
    "follow_up_weekly": q.follow_up_weekly,
    "copq_department": lambda run, f: q.copq_by(run, f, "department"),
    "sla_attainment": q.sla_attainment,
    "sla_heatmap": lambda run, f: q.sla_heatmap(run, f, "resolution"),
    "survey_scores": q.survey_scores,
    "pareto_qty": lambda run, f: q.pareto(run, f, "qty"),
    "pareto_cost": lambda run, f: q.pareto(run, f, "total_cost"),
    "copq_disposition": lambda run, f: q.copq_by(run, f, "disposition"),
    "field_failure_summary": q.field_failure_summary,
    "field_failure_lots": q.field_failure_lots,
    "field_failures": q.field_failures,
    "hotline_satisfaction_by_kind": queries_hotline_kpis.satisfaction_by_kind,
}
TABLES = [t for r in rollups.ROLLUPS for t in (r.table, r.slice)] + [
    "metrics.csat_daily_rollup", "metrics.csat_pending_slice", "metrics.survey_scores_daily_rollup",
    "metrics.copq_department_monthly_rollup", "metrics.defect_pareto_monthly_rollup",
    "metrics.ticket_values_daily_rollup",
    *[f"metrics.{v}_materialised" for v in rollups.MATERIALISED]]


@pytest.fixture(scope="module")
def con(demo_project):
    connection = connect(demo_project.config)
    yield connection
    connection.close()


def compare(run, f: Filters, monkeypatch) -> list[str]:
    """Each rolled-up query with the rollups and with the views; returns the names that read a rollup."""
    used = []
    for name, fn in ROLLED.items():
        with_rollups = fn(run, f)
        with monkeypatch.context() as m:
            m.setattr(q, "built_rollups", lambda run: frozenset())
            from_views = fn(run, f)
        assert_frame_equal(with_rollups, from_views, check_exact=False, rel_tol=1e-12)
        if any(q.rollup_ready(run, r, f) for r in q.ROLLUP_DIMS):
            used.append(name)
    return used


def test_the_demo_publish_builds_every_rollup_with_a_pending_slice(con):
    run = q.direct(con)
    assert q.built_rollups(run) == frozenset(rollups.NAMES)
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES}
    assert all(counts[r.table] > 0 for r in rollups.ROLLUPS), counts
    # the clock (2026-11-23 10:00) is inside the follow-up window of the demo's last resolutions: the slice path is
    # exercised by the comparisons below
    assert counts["metrics.follow_up_pending_slice"] > 0 and counts["metrics.sla_pending_slice"] > 0, counts


@pytest.mark.parametrize("period", ["default", "history"])
def test_rollup_figures_equal_the_views(con, period, monkeypatch):
    run = q.direct(con)
    f = Filters(*q.default_period(run, date(2026, 11, 23))) if period == "default" else Filters()
    assert compare(run, f, monkeypatch) == list(ROLLED)  # every one of them read its rollup


@pytest.mark.parametrize("seed", range(8))
def test_rollup_figures_equal_the_views_on_random_filters(con, seed, monkeypatch):
    run = q.direct(con)
    rng = random.Random(seed)
    values = q.dimension_values(run)
    bounds = q.date_bounds(run)
    first, last = bounds["first_date"][0], bounds["last_date"][0]
    start = first + timedelta(days=rng.randrange((last - first).days))
    dims = {}
    for dim in rng.sample([d for d in q.DIMENSIONS], rng.choice([0, 1, 1, 2])):
        options = values.filter(pl.col("dimension") == dim)["value"].to_list()
        dims[dim] = tuple(rng.sample(options, min(len(options), rng.choice([1, 2]))))
    f = Filters(start=start, end=rng.choice([None, start + timedelta(days=rng.randrange(1, 120))]), **dims)
    compare(run, f, monkeypatch)


def slice_boundaries(con) -> list:
    rows = con.execute(" UNION ALL ".join(
        f"(SELECT decided_from FROM {t} ORDER BY decided_from LIMIT 3)"
        for t in TABLES if t.endswith("_pending_slice"))).fetchall()
    return sorted({r[0] for r in rows})


def test_rollup_figures_equal_the_views_at_later_clocks_and_at_each_decision_instant(demo_project, monkeypatch):
    """A reader's clock after the publish: slice items are decided from decided_from on, as the view decides
    them (strict `now > due_at` for SLA targets, `now >= window end` for follow-ups and survey answers)."""
    con = connect(demo_project.config)
    run = q.direct(con)
    moments = []
    for moment in slice_boundaries(con):
        moments += [moment - timedelta(microseconds=1), moment]
    moments += [moments[-1] + timedelta(days=3)]
    f = Filters(*q.default_period(run, date(2026, 11, 23)))
    for moment in moments:
        con.execute("SET VARIABLE sqd_now = CAST(? AS TIMESTAMPTZ)", [moment.isoformat()])
        assert compare(run, f, monkeypatch), moment
    con.close()


def test_a_clock_before_the_publish_reads_the_views(demo_project):
    con = connect(demo_project.config)
    run = q.direct(con)
    con.execute("SET VARIABLE sqd_now = TIMESTAMPTZ '2026-11-01 00:00:00+08'")
    assert q.built_rollups(run) == frozenset()
    assert not q.rollup_ready(run, "ticket", Filters())
    con.close()


def test_filters_on_dimensions_a_rollup_lacks_read_the_view(con):
    run = q.direct(con)
    assert q.rollup_ready(run, "ticket", Filters(site=("x",), channel=("phone",)))
    assert not q.rollup_ready(run, "ticket", Filters(category=("x",)))
    assert not q.rollup_ready(run, "csat", Filters(department=("x",)))
    # a filter the view itself ignores (site on costs) does not stop the rollup
    assert q.rollup_ready(run, "copq_department", Filters(site=("x",), product=("y",)))


def copy_demo(demo_project, folder):
    project = make_project(folder)
    shutil.copy(demo_project.config.warehouse_path, project.config.warehouse_path)
    return project.config


def table_rows(con, table: str) -> pl.DataFrame:
    frame = con.sql(f"FROM {table}").pl()
    return frame.sort(frame.columns, nulls_last=True)


def test_a_load_recomputes_only_its_items_and_equals_a_full_rebuild(demo_project, tmp_path, monkeypatch):
    """More sequences (new tickets, surveys, the clock moved on): tests/test_rollups_incremental.py."""
    config = copy_demo(demo_project, tmp_path)
    with publishing(config):  # the demo's rollups at this checkout's views (a rebuild if the views changed since)
        pass
    outcomes = []
    real_refresh = rollups.refresh
    monkeypatch.setattr(warehouse.rollups, "refresh", lambda con: outcomes.append(real_refresh(con)) or outcomes[-1])
    with publishing(config) as con:
        picked = con.execute("""
            SELECT ticket_id FROM core.tickets WHERE resolved_at IS NOT NULL AND ticket_type = 'repair'
            ORDER BY ticket_id LIMIT 3""").fetchall()
        ids = [r[0] for r in picked]
        con.execute("CREATE TEMP TABLE batch AS SELECT ticket_id FROM core.tickets WHERE ticket_id IN (?, ?, ?)", ids)
        derived.track(con, "batch")  # before the change, as a load does
        # a correction that moves a ticket's day, a re-resolution, a new site
        con.execute("UPDATE core.tickets SET created_at = created_at - INTERVAL 40 DAY WHERE ticket_id = ?", [ids[0]])
        con.execute("UPDATE core.tickets SET resolved_at = resolved_at + INTERVAL 9 DAY WHERE ticket_id = ?", [ids[1]])
        con.execute("UPDATE core.tickets SET site = 'Rollup test site' WHERE ticket_id = ?", [ids[2]])
        con.execute("""
            CREATE TEMP TABLE sbatch AS SELECT survey_id FROM core.surveys WHERE ticket_id IS NOT NULL
            ORDER BY survey_id LIMIT 1""")
        derived.track(con, "sbatch", "surveys")
        con.execute("UPDATE core.surveys SET attempted_at = attempted_at + INTERVAL 2 DAY, score = 1 "
                    "WHERE survey_id IN (SELECT survey_id FROM sbatch)")
    assert outcomes == ["items"]
    live = warehouse.session(duckdb.connect(str(config.warehouse_path), read_only=True), config)
    incremental = {t: table_rows(live, t) for t in TABLES}
    live.close()
    rebuilt_path = tmp_path / "rebuilt.duckdb"
    shutil.copy(config.warehouse_path, rebuilt_path)
    rebuilt = warehouse.session(duckdb.connect(str(rebuilt_path)), config)
    rebuilt.execute("DELETE FROM meta.settings WHERE key = 'rollup_fingerprint'")
    assert real_refresh(rebuilt) == "all"
    for table in TABLES:
        assert_frame_equal(incremental[table], table_rows(rebuilt, table), check_exact=False, rel_tol=1e-12)
    assert incremental["metrics.ticket_daily_rollup"].filter(pl.col("site") == "Rollup test site").height == 1
    rebuilt.close()


def test_a_publish_that_changes_nothing_rebuilds_nothing(demo_project, tmp_path, monkeypatch):
    config = copy_demo(demo_project, tmp_path)
    outcomes = []
    real = rollups.refresh
    monkeypatch.setattr(warehouse.rollups, "refresh", lambda con: outcomes.append(real(con)) or outcomes[-1])
    with publishing(config):  # `sqd check`
        pass
    assert outcomes == ["nothing"]


# ------------------------------------------------------------------ contact centre (issue 16, issue 13 target 2)

CC_QUERIES = {fn.__name__: fn for fn in (q.calls_summary, q.calls_heatmap, q.calls_by_time_of_day,
                                         q.wait_distribution, q.calls_by_queue, q.calls_by_agent,
                                         q.calls_staffing, q.calls_occupancy)}
CC_VIEWS = ("metrics.calls_interval", "metrics.call_facts", "metrics.roster_interval")
CC_TABLES = [f"metrics.{t}" for t in rollups.CC_TABLES]


def recording(run):
    seen = []

    def recorded(sql, params=()):
        seen.append(sql)
        return run(sql, params)
    return recorded, seen


def compare_cc(run, f: Filters, monkeypatch) -> None:
    """Each contact-centre query from the tables maintained at publish equals the one from the views, and reads
    no call view."""
    for name, fn in CC_QUERIES.items():
        recorded, seen = recording(run)
        with_rollups = fn(recorded, f)
        assert not [v for sql in seen for v in CC_VIEWS if v + " " in sql + " " or v + "\n" in sql], name
        with monkeypatch.context() as m:
            m.setattr(q, "built_rollups", lambda run: frozenset())
            from_views = fn(run, f)
        assert_frame_equal(with_rollups, from_views, check_exact=False, rel_tol=1e-9, check_dtypes=False)


def test_the_demo_publish_builds_the_contact_centre_tables(con):
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in CC_TABLES}
    assert all(counts.values()), counts
    assert con.execute("SELECT count(*) FROM core.roster").fetchall()[0][0] > 0


@pytest.mark.parametrize("period", ["default", "history"])
def test_contact_centre_figures_equal_the_views(con, period, monkeypatch):
    run = q.direct(con)
    f = Filters(*q.default_period(run, date(2026, 11, 23))) if period == "default" else Filters()
    compare_cc(run, f, monkeypatch)


@pytest.mark.parametrize("seed", range(6))
def test_contact_centre_figures_equal_the_views_on_random_dates(con, seed, monkeypatch):
    run = q.direct(con)
    rng = random.Random(seed)
    first, last = con.execute("SELECT min(interval_date), max(interval_date) FROM metrics.call_facts").fetchall()[0]
    start = first + timedelta(days=rng.randrange((last - first).days))
    f = Filters(start=rng.choice([None, start]), end=rng.choice([None, start + timedelta(days=rng.randrange(1, 40))]),
                site=rng.choice([(), ("x",)]))  # a ticket filter does not apply to calls
    compare_cc(run, f, monkeypatch)


def test_a_calls_and_roster_load_recomputes_only_its_days_and_equals_a_full_rebuild(demo_project, tmp_path,
                                                                                      monkeypatch):
    """Calls moved to another day (the day they left is recomputed too), a new call, a roster slot made longer:
    through `ingest_files`, as a later export would; the tables equal a full rebuild afterwards."""
    from pipelines.ingest import REFUSED, ingest_files

    config = copy_demo(demo_project, tmp_path)
    cc_days = []
    real_cc = rollups._cc_affected_days
    monkeypatch.setattr(rollups, "_cc_affected_days", lambda con: cc_days.append(real_cc(con)) or cc_days[-1])
    live = duckdb.connect(str(config.warehouse_path), read_only=True)
    calls = live.sql("SELECT * EXCLUDE (load_id, source_file, file_hash, loaded_at) FROM core.calls "
                     "WHERE answered_at IS NOT NULL ORDER BY call_id LIMIT 2").pl()
    slot = live.sql("SELECT agent, interval_start, interval_minutes, is_logged_in, is_available, queue "
                    "FROM core.roster ORDER BY roster_slot LIMIT 1").pl()
    total_days = live.execute("SELECT count(DISTINCT interval_date) FROM metrics.call_facts").fetchall()[0][0]
    live.close()
    shift = [pl.col(c) - pl.duration(days=3) for c in ("offered_at", "answered_at", "abandoned_at", "ended_at")]
    moved = calls.with_columns(shift)
    new = calls.head(1).with_columns(pl.lit("ROLLUP-NEW-1").alias("call_id"), pl.lit(77.0).alias("wait_seconds"))
    stamp = pl.selectors.datetime()
    pl.concat([moved, new]).with_columns(stamp.dt.convert_time_zone("Asia/Shanghai").dt.strftime("%Y-%m-%d %H:%M:%S")
                                         ).write_csv(tmp_path / "calls_fix.csv")
    slot.with_columns(pl.col("interval_start").dt.convert_time_zone("Asia/Shanghai").dt.strftime("%Y-%m-%d %H:%M:%S"),
                      pl.lit(120).alias("interval_minutes")).write_csv(tmp_path / "roster_fix.csv")
    results = ingest_files([tmp_path / "calls_fix.csv", tmp_path / "roster_fix.csv"], config,
                           ["calls__canonical", "roster__canonical"])
    assert all(r.status != REFUSED for r in results), [r.message for r in results]
    assert len(cc_days) == 1 and 0 < len(cc_days[0]) <= 6 < total_days, cc_days
    live = warehouse.session(duckdb.connect(str(config.warehouse_path), read_only=True), config)
    incremental = {t: table_rows(live, t) for t in CC_TABLES}
    assert live.execute("SELECT count(*) FROM metrics.call_facts WHERE call_id = 'ROLLUP-NEW-1'").fetchall() == [(1,)]
    live.close()
    rebuilt_path = tmp_path / "rebuilt.duckdb"
    shutil.copy(config.warehouse_path, rebuilt_path)
    rebuilt = warehouse.session(duckdb.connect(str(rebuilt_path)), config)
    rebuilt.execute("DELETE FROM meta.settings WHERE key = 'rollup_fingerprint'")
    assert rollups.refresh(rebuilt) == "all"
    for table in CC_TABLES:
        assert_frame_equal(incremental[table], table_rows(rebuilt, table), check_exact=False, rel_tol=1e-12)
    rebuilt.close()
