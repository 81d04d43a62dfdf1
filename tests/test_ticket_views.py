"""Per-ticket views stored at publish (pipelines/ticket_views.py): repeat complaints and first-contact resolution.
After a sequence of small loads on the demo (a new complaint of a customer with an earlier missed one, a survey
moved between complaints, a call moved between tickets, a customer changed), each stored table
equals a full rebuild; a small load recomputes only its tickets (and, for repeats, their customers' complaints);
a publish that changes nothing recomputes nothing. Real warehouses (publishing)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines import derived, ticket_views, warehouse
from pipelines.warehouse import publishing
from tests.dashboard_fixtures import demo_project, make_project  # noqa: F401 (pytest fixture)

TABLES = [v.table for v in ticket_views.VIEWS]
# a load's lineage time: after every row the warehouse holds (the loads' clock, not DuckDB's: the suite also runs
# with the wall clock moved years ahead, which moves the demo's loaded_at and not DuckDB's now())
LATER = ("(SELECT max(m) + INTERVAL 1 MINUTE FROM (SELECT max(loaded_at) AS m FROM core.tickets UNION ALL "
         "SELECT max(loaded_at) FROM core.surveys UNION ALL SELECT max(loaded_at) FROM core.calls))")


def _rows(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {t: con.execute(f"SELECT * FROM metrics.{t} ORDER BY ALL").fetchall() for t in TABLES}


def _track(con, name: str, select: str, dataset: str, params=()) -> None:
    """A batch table `name` (the rows a load stages) and derived.track before the change, as a load does."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {select}", list(params))
    derived.track(con, name, dataset)


@pytest.fixture
def config(demo_project, tmp_path: Path):  # noqa: F811 (the fixture imported above)
    project = make_project(tmp_path / "p")
    shutil.copy(demo_project.config.warehouse_path, project.config.warehouse_path)
    return project.config


@pytest.fixture
def outcomes(monkeypatch):
    """Each publish's refresh result and the size of each narrowed scope, {table: tickets}."""
    seen: dict[str, list] = {"results": [], "scopes": []}
    real_refresh, real_scope = ticket_views.refresh, ticket_views._scope

    def scope(con, view, built):
        real_scope(con, view, built)
        seen["scopes"].append((view.table, con.execute(f"SELECT count(*) FROM {ticket_views.SCOPE}").fetchall()[0][0]))

    monkeypatch.setattr(ticket_views, "_scope", scope)
    monkeypatch.setattr(warehouse.ticket_views, "refresh",
                        lambda con: seen["results"].append(real_refresh(con)) or seen["results"][-1])
    return seen


def _assert_equals_a_rebuild(config, tmp_path: Path) -> None:
    live = duckdb.connect(str(config.warehouse_path), read_only=True)
    incremental = _rows(live)
    live.close()
    rebuilt_path = tmp_path / "rebuilt.duckdb"
    shutil.copy(config.warehouse_path, rebuilt_path)
    rebuilt = warehouse.session(duckdb.connect(str(rebuilt_path)), config)
    rebuilt.execute("DELETE FROM meta.settings WHERE key LIKE '%\\_base\\_built' ESCAPE '\\'")
    assert ticket_views.refresh(rebuilt) == {t: "all" for t in TABLES}
    assert _rows(rebuilt) == incremental
    assert all(incremental.values())
    rebuilt.close()
    rebuilt_path.unlink()


def test_small_loads_keep_the_stored_views_equal_to_a_rebuild(config, outcomes, tmp_path):
    with publishing(config) as con:   # the demo as built: nothing to do
        repeats_before = con.execute("SELECT count(*) FILTER (WHERE is_repeat_derived) FROM metrics.repeat_complaints"
                                     ).fetchall()[0][0]
    assert outcomes["results"][-1] == {t: "nothing" for t in TABLES}

    # 1. a new complaint of a customer whose earlier complaint missed its limit, a day after that deadline
    with publishing(config) as con:
        earlier, customer = con.execute("""
            SELECT ticket_id, customer_id FROM metrics.complaint_limits
            WHERE is_met = FALSE AND customer_id IS NOT NULL ORDER BY ticket_id LIMIT 1""").fetchall()[0]
        _track(con, "t1", "SELECT 'NEW-1' AS ticket_id", "tickets")
        con.execute(f"""
            INSERT INTO core.tickets BY NAME
            SELECT t.* REPLACE ('NEW-1' AS ticket_id, b.due_at + INTERVAL 1 DAY AS created_at,
                                {LATER} AS loaded_at)
            FROM core.tickets AS t JOIN metrics.complaint_limits_base AS b USING (ticket_id)
            WHERE t.ticket_id = ?""", [earlier])
    assert outcomes["results"][-1] == {t: "touched" for t in TABLES}
    customers_complaints = duckdb.connect(str(config.warehouse_path), read_only=True)
    try:
        assert customers_complaints.execute(
            "SELECT is_repeat_derived, earlier_ticket_id, earlier_reason FROM metrics.repeat_complaints "
            "WHERE ticket_id = 'NEW-1'").fetchall() == [(True, earlier, "missed_limit")]
        complaints_of_customer = customers_complaints.execute(
            "SELECT count(*) FROM metrics.complaint_limits WHERE customer_id = ?", [customer]).fetchall()[0][0]
    finally:
        customers_complaints.close()
    # the repeats' scope is the customer's complaints; first-contact resolution's the one ticket
    assert dict(outcomes["scopes"][-2:]) == {"repeat_complaints_base": complaints_of_customer,
                                              "first_contact_resolution_base": 1}
    _assert_equals_a_rebuild(config, tmp_path)

    # 2. an unhappy answer moved from one complaint to another; two calls given to a phone ticket
    with publishing(config) as con:
        survey, left = con.execute("""
            SELECT s.survey_id, s.ticket_id FROM core.surveys AS s JOIN metrics.complaint_limits_base USING (ticket_id)
            WHERE s.outcome = 'responded' AND s.score IN (1, 2) ORDER BY s.survey_id LIMIT 1""").fetchall()[0]
        target = con.execute("""
            SELECT ticket_id FROM metrics.complaint_limits_base WHERE customer_id IS NOT NULL AND ticket_id <> ?
            AND customer_id IN (SELECT customer_id FROM metrics.complaint_limits_base GROUP BY 1 HAVING count(*) > 1)
            ORDER BY ticket_id LIMIT 1""", [left]).fetchall()[0][0]
        _track(con, "s1", "SELECT ? AS survey_id, ? AS ticket_id", "surveys", [survey, target])
        con.execute(f"UPDATE core.surveys SET ticket_id = ?, loaded_at = {LATER} WHERE survey_id = ?",
                    [target, survey])
        phone = [r[0] for r in con.execute("SELECT ticket_id FROM core.tickets WHERE channel = 'phone' "
                                           "AND status IS DISTINCT FROM 'cancelled' AND ticket_id NOT IN "
                                           "(SELECT ticket_id FROM core.calls WHERE ticket_id IS NOT NULL) "
                                           "ORDER BY ticket_id LIMIT 2").fetchall()]
        calls = [r[0] for r in con.execute("SELECT call_id FROM core.calls WHERE ticket_id IS NULL "
                                           "ORDER BY call_id LIMIT 2").fetchall()]
        _track(con, "c1", "SELECT unnest(?::VARCHAR[]) AS call_id, ? AS ticket_id", "calls", [calls, phone[0]])
        con.execute(f"UPDATE core.calls SET ticket_id = ?, loaded_at = {LATER} WHERE call_id IN (?, ?)",
                    [phone[0], *calls])
    assert outcomes["results"][-1] == {t: "touched" for t in TABLES}
    assert dict(outcomes["scopes"][-2:])["first_contact_resolution_base"] == 1    # the calls' ticket
    _assert_equals_a_rebuild(config, tmp_path)

    # 2b. one of those calls moves to another ticket: both tickets are recomputed
    with publishing(config) as con:
        _track(con, "c2", "SELECT ? AS call_id, ? AS ticket_id", "calls", [calls[1], phone[1]])
        con.execute(f"UPDATE core.calls SET ticket_id = ?, loaded_at = {LATER} WHERE call_id = ?",
                    [phone[1], calls[1]])
    assert dict(outcomes["scopes"][-2:])["first_contact_resolution_base"] == 2    # the ticket it left, and joined
    _assert_equals_a_rebuild(config, tmp_path)
    check = duckdb.connect(str(config.warehouse_path), read_only=True)
    try:
        assert check.execute("SELECT ticket_id, calls, first_call_id FROM metrics.first_contact_resolution "
                             "WHERE ticket_id IN (?, ?) ORDER BY 1", phone).fetchall() == [
            (phone[0], 1, calls[0]), (phone[1], 1, calls[1])]
    finally:
        check.close()

    # 3. a complaint moves to another customer: both customers' complaints are judged again
    with publishing(config) as con:
        moved = con.execute("SELECT ticket_id FROM metrics.repeat_complaints WHERE is_repeat_derived "
                            "ORDER BY ticket_id LIMIT 1").fetchall()[0][0]
        _track(con, "t3", "SELECT ? AS ticket_id", "tickets", [moved])
        con.execute(f"UPDATE core.tickets SET customer_id = 'SOMEONE-ELSE', loaded_at = {LATER} "
                    "WHERE ticket_id = ?", [moved])
    assert outcomes["results"][-1] == {t: "touched" for t in TABLES}
    _assert_equals_a_rebuild(config, tmp_path)
    check = duckdb.connect(str(config.warehouse_path), read_only=True)
    try:
        assert check.execute("SELECT is_repeat_derived FROM metrics.repeat_complaints WHERE ticket_id = ?",
                             [moved]).fetchall() == [(False,)]
        assert check.execute("SELECT count(*) FILTER (WHERE is_repeat_derived) FROM metrics.repeat_complaints"
                             ).fetchall()[0][0] >= repeats_before   # NEW-1 came, `moved` left
    finally:
        check.close()

    with publishing(config):   # `sqd check`: nothing
        pass
    assert outcomes["results"][-1] == {t: "nothing" for t in TABLES}


def test_a_setting_the_repeats_read_recomputes_them_all(config, outcomes):
    six_months = dataclasses.replace(config, hotline=dataclasses.replace(config.hotline, repeat_window_months=6))
    with publishing(six_months):
        pass
    assert outcomes["results"][-1] == {"repeat_complaints_base": "all", "first_contact_resolution_base": "nothing"}


def test_the_views_read_their_stored_tables_only(demo_project):  # noqa: F811 (the fixture imported above)
    """What makes the Hotline page fast at 10M: neither view evaluates its definition at read."""
    con = duckdb.connect(str(demo_project.config.warehouse_path), read_only=True)
    try:
        for view in ("repeat_complaints", "first_contact_resolution"):
            plan = "\n".join(r[1] for r in con.execute(f"EXPLAIN SELECT * FROM metrics.{view}").fetchall())
            assert f"{view}_base" in plan and "core." not in plan and "tickets" not in plan.replace(
                f"{view}_base", ""), plan
    finally:
        con.close()


def test_first_contact_resolution_reads_the_touched_tickets_by_row_id():
    """The narrowed schedule reads core.tickets by row id (derived.ticket_rows: the rows a load wrote are the
    table's last row groups), not by a scan of every ticket id (66 ms for 1,000 tickets at 5M)."""
    from pipelines import work_orders

    narrowed = work_orders.schedule_sql(True, "first_contact_resolution_schedule", touched=ticket_views.SCOPE)
    assert f"t.rowid IN (SELECT row_id FROM {ticket_views.SCOPE}_rows)" in narrowed
    assert "t.ticket_id IN" not in narrowed
