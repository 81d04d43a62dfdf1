"""Rollups maintained per item (pipelines/rollups.py, issue 13 target 1): after a sequence of small loads (new
tickets, updates that move a ticket to another day, site or status, surveys for old tickets and moved between
tickets, the clock moved on between loads so that SLA targets and follow-up windows pending at one publish are
decided at the next), every rollup table and pending slice equals a full rebuild; the refresh evaluates the views
over the batch's items only (DuckDB's profile of its statements); a publish that changes nothing re-comments
nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from pipelines import clock, derived, rollups, warehouse
from pipelines.warehouse import publishing
from tests.dashboard_fixtures import demo_project, make_project  # noqa: F401 (pytest fixture)

TABLES = [t for r in rollups.ROLLUPS for t in (r.table, r.slice)] + [
    "metrics.csat_daily_rollup", "metrics.csat_pending_slice", "metrics.survey_scores_daily_rollup",
    "metrics.ticket_values_daily_rollup"]


def copy_demo(demo_project, folder: Path):
    project = make_project(folder)
    shutil.copy(demo_project.config.warehouse_path, project.config.warehouse_path)
    return project.config


def table_rows(con, table: str) -> pl.DataFrame:
    frame = con.sql(f"FROM {table}").pl()
    return frame.sort(frame.columns, nulls_last=True)


def assert_equals_a_rebuild(config, tmp_path: Path) -> None:
    live = warehouse.session(duckdb.connect(str(config.warehouse_path), read_only=True), config)
    incremental = {t: table_rows(live, t) for t in TABLES}
    live.close()
    rebuilt_path = tmp_path / "rebuilt.duckdb"
    shutil.copy(config.warehouse_path, rebuilt_path)
    rebuilt = warehouse.session(duckdb.connect(str(rebuilt_path)), config)
    rebuilt.execute("DELETE FROM meta.settings WHERE key = 'rollup_fingerprint'")
    assert rollups.refresh(rebuilt) == "all"
    for table in TABLES:
        assert_frame_equal(incremental[table], table_rows(rebuilt, table), check_dtypes=False), table
    rebuilt.close()
    rebuilt_path.unlink()


def track(con, name: str, select: str, dataset: str = "tickets", params=()) -> None:
    """A batch table `name` (the rows a load stages) and derived.track before the change, as a load does."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {select}", list(params))
    derived.track(con, name, dataset)


def test_small_loads_keep_every_rollup_equal_to_a_full_rebuild(demo_project, tmp_path, monkeypatch):
    config = copy_demo(demo_project, tmp_path)
    outcomes = []
    real = rollups.refresh
    monkeypatch.setattr(warehouse.rollups, "refresh", lambda con: outcomes.append(real(con)) or outcomes[-1])
    monkeypatch.setenv(clock.ENV, "2026-11-20T10:00:00+08:00")
    with publishing(config) as con:  # a clock before the demo's publish: a rebuild
        pass
    assert outcomes == ["all"]
    documented = []  # publishes that re-commented the rollup tables
    real_document = rollups._document
    monkeypatch.setattr(rollups, "_document", lambda con, only=None: documented.append(outcomes[-1:])
                        or real_document(con, only))

    # 1. new tickets (copies of recent ones, some still pending their SLA), moved days, sites and statuses
    with publishing(config) as con:
        picked = [r[0] for r in con.execute("""
            SELECT ticket_id FROM core.tickets WHERE resolved_at IS NOT NULL AND ticket_type IN ('repair', 'complaint')
              AND ticket_id IN (SELECT ticket_id FROM core.surveys) ORDER BY ticket_id LIMIT 4""").fetchall()]
        track(con, "copies", "SELECT 'NEW-' || ticket_id AS ticket_id FROM core.tickets "
                             "WHERE status IS DISTINCT FROM 'cancelled' ORDER BY created_at DESC LIMIT 5")
        con.execute("INSERT INTO core.tickets BY NAME SELECT * REPLACE ('NEW-' || ticket_id AS ticket_id) "
                    "FROM core.tickets WHERE 'NEW-' || ticket_id IN (SELECT ticket_id FROM copies)")
        track(con, "batch", "SELECT unnest(?::VARCHAR[]) AS ticket_id", params=[picked])
        con.execute("UPDATE core.tickets SET created_at = created_at - INTERVAL 40 DAY WHERE ticket_id = ?",
                    [picked[0]])
        con.execute("UPDATE core.tickets SET resolved_at = resolved_at + INTERVAL 9 DAY, site = 'Moved site' "
                    "WHERE ticket_id = ?", [picked[1]])
        con.execute("UPDATE core.tickets SET status = 'cancelled' WHERE ticket_id = ?", [picked[2]])
        con.execute("UPDATE core.tickets SET reopen_count = 3, is_escalated = TRUE, channel = 'app' "
                    "WHERE ticket_id = ?", [picked[3]])
    assert outcomes[-1] == "items" and not documented
    assert_equals_a_rebuild(config, tmp_path)
    documented.clear()

    # 2. surveys: a new one for an old ticket, one moved to another ticket, a score changed (two loads, one publish)
    with publishing(config) as con:
        old = con.execute("SELECT survey_id, ticket_id FROM core.surveys WHERE ticket_id IS NOT NULL "
                          "ORDER BY survey_id LIMIT 2").fetchall()
        target = con.execute("SELECT ticket_id FROM core.tickets WHERE resolved_at IS NOT NULL "
                             "AND ticket_type = 'repair' AND ticket_id NOT IN (SELECT ticket_id FROM core.surveys "
                             "WHERE ticket_id IS NOT NULL) ORDER BY ticket_id LIMIT 1").fetchall()[0][0]
        track(con, "s1", "SELECT 'SNEW-1' AS survey_id, ? AS ticket_id UNION ALL SELECT ?, ?", "surveys",
              [old[0][1], old[1][0], target])
        con.execute("INSERT INTO core.surveys BY NAME SELECT * REPLACE ('SNEW-1' AS survey_id, 1 AS score, "
                    "attempted_at + INTERVAL 1 DAY AS attempted_at) FROM core.surveys WHERE survey_id = ?", [old[0][0]])
        con.execute("UPDATE core.surveys SET ticket_id = ? WHERE survey_id = ?", [target, old[1][0]])
        track(con, "s2", "SELECT ? AS survey_id", "surveys", [old[0][0]])
        con.execute("UPDATE core.surveys SET score = 5, outcome = 'responded' WHERE survey_id = ?", [old[0][0]])
    assert outcomes[-1] == "items" and not documented
    assert_equals_a_rebuild(config, tmp_path)
    documented.clear()

    # 3. the clock moves on: targets and windows pending at the last publish are decided; one of them is touched
    monkeypatch.setenv(clock.ENV, "2026-11-24T10:00:00+08:00")
    with publishing(config) as con:
        pending = con.execute("SELECT ticket_id FROM metrics.ticket_sla_status WHERE sla_status = 'pending' "
                              "ORDER BY ticket_id LIMIT 2").fetchall()
        assert pending, "the demo has SLA targets pending at the later clock"
        track(con, "late", "SELECT unnest(?::VARCHAR[]) AS ticket_id", params=[[r[0] for r in pending]])
        con.execute("UPDATE core.tickets SET site = 'Late site' WHERE ticket_id IN (SELECT ticket_id FROM late)")
    assert outcomes[-1] == "items" and not documented
    assert_equals_a_rebuild(config, tmp_path)
    documented.clear()
    monkeypatch.setenv(clock.ENV, "2026-12-20T10:00:00+08:00")
    with publishing(config) as con:  # every item pending before is decided now; an untouched one leaves its slice
        track(con, "one", "SELECT ? AS ticket_id", params=[picked[3]])
        con.execute("UPDATE core.tickets SET priority = 'low' WHERE ticket_id = ?", [picked[3]])
    assert outcomes[-1] == "items" and not documented
    assert_equals_a_rebuild(config, tmp_path)
    documented.clear()

    with publishing(config):  # `sqd check`: nothing
        pass
    assert outcomes[-1] == "nothing"


class Profiled:
    """A connection whose every execute leaves DuckDB's JSON profile of its (last) statement in `profiles`."""

    def __init__(self, con, path: Path):
        self._con, self._path, self.profiles = con, path, []
        con.execute("PRAGMA enable_profiling = 'json'")
        con.execute(f"PRAGMA profiling_output = '{path}'")

    def execute(self, sql, params=None):
        result = self._con.execute(sql) if params is None else self._con.execute(sql, params)
        self.profiles.append((sql, json.loads(self._path.read_text()) if self._path.exists() else {}))
        self._path.unlink(missing_ok=True)
        return result

    def __getattr__(self, name):
        return getattr(self._con, name)


def operators(node: dict):
    for child in node.get("operator", node.get("children", [])):
        yield child
        yield from operators(child)


BASES = (".core.tickets", ".core.surveys", ".metrics.ticket_sla_base")


def test_the_refresh_of_a_small_batch_evaluates_the_views_over_its_items_only(demo_project, tmp_path, monkeypatch):
    config = copy_demo(demo_project, tmp_path)
    with publishing(config):  # the demo's rollups at this checkout's views
        pass
    seen = []
    real = rollups.refresh

    def profiled(con):
        seen.append(Profiled(con, tmp_path / "profile.json"))
        return real(seen[-1])
    monkeypatch.setattr(warehouse.rollups, "refresh", profiled)
    with publishing(config) as con:
        tickets = con.execute("SELECT count(*) FROM core.tickets").fetchall()[0][0]
        track(con, "batch", "SELECT ticket_id FROM core.tickets WHERE resolved_at IS NOT NULL AND ticket_id NOT IN "
                            "(SELECT ticket_id FROM core.nonconformities WHERE ticket_id IS NOT NULL) "
                            "ORDER BY ticket_id LIMIT 10")  # no nonconformity: the monthly tables are left alone
        # as a load writes them: the new versions carry a newer loaded_at than any row before the publish
        con.execute("UPDATE core.tickets SET site = 'Profiled site', loaded_at = (SELECT max(loaded_at) + "
                    "INTERVAL 1 MINUTE FROM core.tickets) WHERE ticket_id IN (SELECT ticket_id FROM batch)")
        items = con.execute("SELECT (SELECT count(*) FROM rollup_seen_tickets) + "
                            "(SELECT count(*) FROM rollup_seen_surveys)").fetchall()[0][0]
    assert 10 <= items <= 30 and tickets >= 3000
    evaluations = [(sql, profile) for sql, profile in seen[0].profiles
                   if "TEMP TABLE" in sql and ("rollup_old_" in sql or "rollup_new_" in sql)
                   and "TEMP VIEW" not in sql and "FROM core." not in sql and "FROM metrics.ticket_sla_base" not in sql]
    assert len(evaluations) >= 2 * (2 * len(rollups.ROLLUPS) + 3)  # each rollup's view, before and after
    for sql, profile in evaluations:
        scans = [o["extra_info"].get("Table", "") for o in operators(profile) if o["type"] == "TABLE_SCAN"]
        assert not [t for t in scans if t.endswith(BASES)], (sql, scans)  # the copies only
        widest = max(o.get("intermediate_rows", 0) for o in operators(profile))
        assert widest <= 10 * items < tickets, (sql, widest)  # never the warehouse's rows
    # the warehouse's own tickets and surveys: read for the copy after the loads only, in two steps: the rows'
    # ids (the tickets' through loaded_at's zone maps, derived.ticket_rows, not a scan of every ticket id), then
    # those rows; the stored SLA schedule not at all (the copies' schedule is the view over them)
    reads = {base: [sql for sql, profile in seen[0].profiles
                    if any(o["type"] == "TABLE_SCAN" and o["extra_info"].get("Table", "").endswith(base)
                           for o in operators(profile))] for base in BASES}
    assert {base: len(r) for base, r in reads.items()} == {".core.tickets": 2, ".core.surveys": 2, ".metrics.ticket_sla_base": 0}, reads
    assert "WHERE loaded_at >" in reads[".core.tickets"][0] and "t.rowid = r.row_id" in reads[".core.tickets"][1], reads


def test_a_batch_over_the_item_limit_rebuilds(demo_project, tmp_path, monkeypatch):
    """Per item a batch costs four evaluations of the views over it: past rollups.ITEM_LIMIT tickets (a bulk load)
    the publish rebuilds instead, and copies nothing more once over it."""
    config = copy_demo(demo_project, tmp_path)
    with publishing(config):
        pass
    outcomes = []
    real = rollups.refresh
    monkeypatch.setattr(warehouse.rollups, "refresh", lambda con: outcomes.append(real(con)) or outcomes[-1])
    monkeypatch.setattr(rollups, "ITEM_LIMIT", 3)
    with publishing(config) as con:
        track(con, "batch", "SELECT ticket_id FROM core.tickets ORDER BY ticket_id LIMIT 5")
        assert con.execute("SELECT count(*) FROM rollup_overflow").fetchall() == [(1,)]
        assert con.execute("SELECT count(*) FROM rollup_old_tickets").fetchall() == [(0,)]
        con.execute("UPDATE core.tickets SET site = 'Bulk site' WHERE ticket_id IN (SELECT ticket_id FROM batch)")
    assert outcomes == ["all"]
