"""The backlog's open tickets stored per load (pipelines/backlog.py, issue 13 target 2): metrics.backlog read from
metrics.backlog_base equals the definition computed live from every ticket, on the demo and on hand-made loads,
and a publish recomputes only the tickets its loads staged. Real warehouses (publishing), no timings."""

from __future__ import annotations

import random
import re
from datetime import date

import pytest
from polars.testing import assert_frame_equal

from dashboard import queries as q
from dashboard.queries import Filters
from pipelines import backlog, derived, warehouse
from pipelines.warehouse import connect, publishing, sql_text
from tests.dashboard_fixtures import demo_project  # noqa: F401 (pytest fixture)
from tests.test_derived import build

ORDER = "ORDER BY ticket_id"


def live_backlog_sql() -> str:
    """metrics.backlog's own text, reading the schedule view (every ticket, computed now) instead of the table."""
    text = sql_text("metrics/backlog.sql")
    body = re.split(r"CREATE OR REPLACE VIEW metrics\.backlog AS\s*", text, maxsplit=1)[1]
    assert body.count("metrics.backlog_base") == 1
    return body.replace("metrics.backlog_base", "metrics.backlog_schedule")


def stored_equals_live(con) -> None:
    stored = con.sql(f"FROM metrics.backlog {ORDER}").pl()
    live = con.sql(f"FROM ({live_backlog_sql()}) {ORDER}").pl()
    assert_frame_equal(stored, live)


@pytest.fixture(scope="module")
def demo_con(demo_project):
    con = connect(demo_project.config)
    yield con
    con.close()


def test_the_stored_backlog_equals_the_live_definition_on_the_demo(demo_con):
    assert demo_con.sql("SELECT count(*) FROM metrics.backlog_base").fetchall()[0][0] >= 3
    stored_equals_live(demo_con)
    assert demo_con.sql("SELECT count(*) FILTER (WHERE is_breached) FROM metrics.backlog").fetchall()[0][0] >= 1


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_sla_pages_backlog_figures_equal_the_live_view_on_random_filters(demo_con, seed):
    run = q.direct(demo_con)
    # one or two dimensions of a random open ticket (so the filters leave rows), a second value of each at random
    rows = run("SELECT site, department, channel, ticket_type, priority FROM metrics.backlog_schedule "
               "ORDER BY ticket_id")
    rng = random.Random(seed)
    picked = rows.row(rng.randrange(rows.height), named=True)
    every = run("SELECT DISTINCT site, department, channel, ticket_type, priority FROM core.tickets")
    dims = {d: tuple({picked[d], rng.choice(every[d].drop_nulls().to_list())})
            for d in rng.sample(sorted(picked), rng.randint(1, 2)) if picked[d] is not None}
    f = Filters(*q.default_period(run, date(2026, 11, 23)), **dims)
    w, p = q.where("backlog", f)
    live = f"({live_backlog_sql()})"
    buckets = run(f"""
        SELECT age_bucket, age_bucket_order, is_breached, count(*) AS tickets
        FROM {live} WHERE {w} GROUP BY ALL ORDER BY age_bucket_order, is_breached""", p)
    oldest = run(f"""
        SELECT ticket_id, created_at, round(age_hours, 1) AS age_hours, age_bucket, is_breached,
               site, department, agent, channel, ticket_type, category, priority
        FROM {live} WHERE {w} ORDER BY age_hours DESC, ticket_id LIMIT 200""", p)
    assert buckets.height >= 1, dims
    assert_frame_equal(q.backlog_buckets(run, f), buckets, check_dtypes=False)
    assert_frame_equal(q.backlog_oldest(run, f), oldest)


def test_the_backlog_reads_the_stored_rows_not_every_ticket(demo_con):
    """The SLA page's backlog read scans metrics.backlog_base alone (EXPLAIN), not core.tickets or the SLA targets."""
    seen: list[str] = []
    q.backlog_rows(lambda sql, params=(): seen.append(sql) or q.direct(demo_con)(sql, params), Filters())
    plan = "\n".join(r[1] for r in demo_con.execute(f"EXPLAIN {seen[0]}").fetchall())
    assert "backlog_base" in plan
    assert not re.search(r"\btickets\b|ticket_sla_base", plan), plan


def _track(con, ids: list[str]) -> None:
    con.execute("CREATE OR REPLACE TEMP TABLE batch AS SELECT unnest(?::VARCHAR[]) AS ticket_id", [ids])
    derived.track(con, "batch")


def test_a_load_recomputes_only_its_tickets_and_equals_a_full_rebuild(project, monkeypatch):
    build(project, 600)   # T0..T599; every 11th open (T0, T11, ...), T1 resolved
    outcomes, statements = [], []
    real = backlog.refresh

    class Recording:   # the statements the refresh runs
        def __init__(self, con):
            self._con = con

        def __getattr__(self, name):
            return getattr(self._con, name)

        def execute(self, sql, *args):
            statements.append(sql)
            return self._con.execute(sql, *args)

    monkeypatch.setattr(warehouse.backlog, "refresh",
                        lambda con: outcomes.append(real(Recording(con))) or outcomes[-1])
    with publishing(project):   # `sqd check`: nothing loaded, nothing recomputed
        pass
    with publishing(project) as con:
        # a mark on an open ticket this load does not touch: a recomputation would wipe it
        con.execute("UPDATE metrics.backlog_base SET agent = 'mark' WHERE ticket_id = 'T22'")
        # the load: T11 resolved, T1 reopened, T33 moved to another site, T9999 new and open
        con.execute("UPDATE core.tickets SET resolved_at = created_at + INTERVAL 1 HOUR, status = 'resolved' "
                    "WHERE ticket_id = 'T11'")
        con.execute("UPDATE core.tickets SET resolved_at = NULL, status = 'open' WHERE ticket_id = 'T1'")
        con.execute("UPDATE core.tickets SET site = 'elsewhere' WHERE ticket_id = 'T33'")
        con.execute("INSERT INTO core.tickets BY NAME SELECT * REPLACE ('T9999' AS ticket_id) FROM core.tickets "
                    "WHERE ticket_id = 'T0'")
        _track(con, ["T11", "T1", "T33", "T9999"])
    assert outcomes == ["nothing", "touched"]
    # the touched tickets' SLA rows come from what derived.refresh just computed, not from a scan of the SLA base
    [insert] = [s for s in statements if "INSERT INTO metrics.backlog_base" in s]
    assert f"FROM {derived.SLA_TOUCHED} AS s" in insert and "metrics.ticket_sla_base" not in insert
    ro = connect(project)
    try:
        rows = dict(ro.execute("SELECT ticket_id, site FROM metrics.backlog_base "
                               "WHERE ticket_id IN ('T0', 'T1', 'T11', 'T33', 'T9999')").fetchall())
        assert rows == {"T0": "site0", "T1": "site1", "T33": "elsewhere", "T9999": "site0"}
        assert ro.execute("SELECT agent FROM metrics.backlog_base WHERE ticket_id = 'T22'").fetchall() == [("mark",)]
    finally:
        ro.close()
    with publishing(project) as con:   # undo the mark, then rebuild everything: the same rows
        con.execute("UPDATE metrics.backlog_base SET agent = NULL WHERE ticket_id = 'T22'")
        stored_equals_live(con)
        incremental = con.sql(f"FROM metrics.backlog_base {ORDER}").fetchall()
        con.execute("DELETE FROM meta.settings WHERE key = ?", [backlog.STATE_KEY])
        backlog.capture(con)
        assert real(con) == "all"
        assert con.sql(f"FROM metrics.backlog_base {ORDER}").fetchall() == incremental


def test_the_narrowed_text_reads_only_the_batch(project, tmp_path):
    """Row counts of the narrowed schedule's plan: nothing wider than the batch flows past the scans."""
    from tests.test_derived import profiled

    build(project, 3000)
    with publishing(project) as con:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {backlog.TOUCHED} AS "
                    "SELECT 'T' || (i * 11) AS ticket_id FROM range(10) AS r(i)")
        derived.ticket_rows(con, backlog.TOUCHED, None)    # the tickets by row id, as refresh() finds them
        ops = profiled(con, backlog.schedule_sql(touched_only=True), tmp_path / "p.json")
        widest = max(o["intermediate_rows"] for o in ops if o.get("type") != "TABLE_SCAN")
        assert widest <= 3 * 10     # at most three SLA targets per ticket
        assert con.execute(f"SELECT count(*) FROM ({backlog.schedule_sql(touched_only=True)})").fetchall()[0][0] == 10


def test_a_change_of_sla_policies_recomputes_all(project):
    build(project, 300)
    with publishing(project) as con:
        con.execute("UPDATE metrics.backlog_base SET agent = 'mark'")
        con.execute("UPDATE core.sla_policies SET resolution_minutes = resolution_minutes + 1")
        backlog.capture(con)
        derived.refresh(con)
        assert backlog.refresh(con) == "all"
        assert con.execute("SELECT count(*) FROM metrics.backlog_base WHERE agent = 'mark'").fetchall()[0][0] == 0
        stored_equals_live(con)
