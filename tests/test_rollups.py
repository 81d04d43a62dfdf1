"""Rollups (pipelines/rollups.py): the dashboard's figures from the rollups equal the metric views' figures, on the
demo, on random filters and at clocks after the publish (the pending slices); a load recomputes only its days and
leaves the rollups equal to a full rebuild; a publish that changes nothing rebuilds nothing."""

from __future__ import annotations

import random
import shutil
from datetime import date, timedelta

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from dashboard import queries as q
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
}
TABLES = [t for r in rollups.ROLLUPS for t in (r.table, r.slice)] + [
    "metrics.csat_daily_rollup", "metrics.csat_pending_slice", "metrics.survey_scores_daily_rollup",
    "metrics.copq_department_monthly_rollup", "metrics.defect_pareto_monthly_rollup",
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


def test_a_load_recomputes_only_its_days_and_equals_a_full_rebuild(demo_project, tmp_path, monkeypatch):
    config = copy_demo(demo_project, tmp_path)
    outcomes, days = [], []
    real_refresh, real_days = rollups.refresh, rollups._affected_days
    monkeypatch.setattr(warehouse.rollups, "refresh", lambda con: outcomes.append(real_refresh(con)) or outcomes[-1])
    monkeypatch.setattr(rollups, "_affected_days", lambda con: days.append(real_days(con)) or days[-1])
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
    assert outcomes == ["days"]
    live = warehouse.session(duckdb.connect(str(config.warehouse_path), read_only=True), config)
    total_days = live.execute("SELECT count(DISTINCT created_date) FROM metrics.rollup_item_days").fetchall()[0][0]
    assert 0 < len(days[0]["tickets"]) <= 8 < total_days  # the batch's days, before and after, not every day
    assert 0 < len(days[0]["surveys"]) <= 8
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
