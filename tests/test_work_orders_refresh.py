"""The work-order tables' refresh is O(batch) (issue 14 "Speed", pipelines/work_orders.py): a publish recomputes
only the tickets whose events it wrote, and what it leaves equals a full rebuild. Real warehouses (publishing)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from pipelines import work_orders
from pipelines.config import load_config
from pipelines.warehouse import connect, publishing
from tests.dashboard_fixtures import demo_project  # noqa: F401 (pytest fixture)
from tests.metrics.conftest import REPO, frame
from tests.metrics.test_work_orders import EVENTS, TICKETS

LATER = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)   # newer than the first publish's loaded_at
BASES = ("work_order_holds_base", "work_order_tickets_base")


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict], loaded_at: datetime | None = None) -> None:
    con.register("seed_frame", frame(table, rows).to_arrow())
    if loaded_at is None:
        con.execute(f"INSERT INTO core.{table} BY NAME SELECT * FROM seed_frame")
    else:
        con.execute(f"INSERT INTO core.{table} BY NAME SELECT * REPLACE (CAST(? AS TIMESTAMPTZ) AS loaded_at) "
                    "FROM seed_frame", [loaded_at])
    con.unregister("seed_frame")


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {t: con.execute(f"SELECT * FROM metrics.{t} ORDER BY ALL").fetchall() for t in BASES}


@pytest.fixture
def cfg(tmp_path: Path):
    return dataclasses.replace(load_config(REPO / "sqd.toml"), warehouse_path=tmp_path / "w.duckdb")


def test_a_small_load_recomputes_only_its_tickets_and_equals_a_full_rebuild(cfg):
    late = [e for e in EVENTS if e["ticket_id"] == "W2" and e["step"] == "escalated"]
    with publishing(cfg) as con:
        _insert(con, "tickets", TICKETS)
        _insert(con, "ticket_events", [e for e in EVENTS if e not in late])
    with publishing(cfg) as con:
        assert con.execute("SELECT escalations FROM metrics.work_order_tickets_base WHERE ticket_id = 'W2'"
                           ).fetchall() == [(0,)]
        # a mark on a ticket this load does not touch: a recomputation would wipe it
        con.execute("UPDATE metrics.work_order_tickets_base SET reminders = 99 WHERE ticket_id = 'W1'")
        con.execute("UPDATE metrics.work_order_holds_base SET replies = 99 WHERE ticket_id = 'W4'")
        _insert(con, "ticket_events", late, LATER)          # W2's two escalations
    ro = connect(cfg)
    try:
        assert ro.execute("SELECT ticket_id, reminders, escalations FROM metrics.work_order_tickets_base "
                          "WHERE ticket_id IN ('W1', 'W2') ORDER BY 1").fetchall() == [("W1", 99, 0), ("W2", 0, 2)]
        assert ro.execute("SELECT DISTINCT replies FROM metrics.work_order_holds_base WHERE ticket_id = 'W4'"
                          ).fetchall() == [(99,)]
        incremental = _tables(ro)
    finally:
        ro.close()

    with publishing(cfg) as con:   # undo the marks, then rebuild everything from the events
        con.execute("UPDATE metrics.work_order_tickets_base SET reminders = 1 WHERE ticket_id = 'W1'")
        con.execute("UPDATE metrics.work_order_holds_base SET replies = 1 WHERE ticket_id = 'W4'")
        incremental = _tables(con)
        con.execute("DELETE FROM meta.settings WHERE key = ?", [work_orders.STATE_KEY])
        assert work_orders.refresh(con) == "all"
        assert _tables(con) == incremental
        assert work_orders.refresh(con) == "nothing"     # nothing new: no work


def test_a_refresh_reads_only_the_touched_tickets_events(cfg):
    """The events the refresh orders are the touched tickets' (the temp table it builds), not the whole table."""
    with publishing(cfg) as con:
        _insert(con, "tickets", TICKETS)
        _insert(con, "ticket_events", EVENTS)
    with publishing(cfg) as con:
        _insert(con, "ticket_events", [{**EVENTS[0], "event_id": "W1|received|again"}], LATER)
        seen: list[int] = []
        original = con.execute

        class Spy:   # records the size of the events temp table the moment it is read back
            def __getattr__(self, name):
                return getattr(con, name)

            def execute(self, sql, *args):
                result = original(sql, *args)
                if sql.startswith(f"CREATE OR REPLACE TEMP TABLE {work_orders.EVENTS_TEMP}"):
                    seen.append(original(f"SELECT count(DISTINCT ticket_id) FROM {work_orders.EVENTS_TEMP}"
                                         ).fetchall()[0][0])
                return result

        assert work_orders.refresh(Spy()) == "touched"
        assert seen == [1]      # W1 only, of five tickets with events
        assert con.execute("SELECT received FROM metrics.work_order_tickets_base WHERE ticket_id = 'W1'"
                           ).fetchall() == [(2,)]



def test_an_event_moved_to_another_ticket_recomputes_the_ticket_it_left(cfg):
    """A re-loaded event that names another ticket: the ticket it left loses it (derived.track keeps the ticket an
    event named before the merge), and every stored table equals a rebuild."""
    from pipelines import derived

    tables = BASES + tuple(work_orders.STORED.values())
    with publishing(cfg) as con:
        _insert(con, "tickets", TICKETS)
        _insert(con, "ticket_events", EVENTS)
    moved = next(e for e in EVENTS if e["ticket_id"] == "W2" and e["step"] == "escalated")
    with publishing(cfg) as con:
        escalations = dict(con.execute("SELECT ticket_id, escalations FROM metrics.work_order_tickets_base "
                                       "WHERE ticket_id IN ('W2', 'W3')").fetchall())
        con.execute("CREATE OR REPLACE TEMP TABLE moved_batch AS SELECT ? AS event_id, 'W3' AS ticket_id",
                    [moved["event_id"]])
        derived.track(con, "moved_batch", "ticket_events")     # as a load does before its merge
        con.execute("UPDATE core.ticket_events SET ticket_id = 'W3', loaded_at = ? WHERE event_id = ?",
                    [LATER, moved["event_id"]])
    with publishing(cfg) as con:
        assert dict(con.execute("SELECT ticket_id, escalations FROM metrics.work_order_tickets_base "
                                "WHERE ticket_id IN ('W2', 'W3')").fetchall()) == {
            "W2": escalations["W2"] - 1, "W3": escalations.get("W3", 0) + 1}
        incremental = {t: con.execute(f"SELECT * FROM metrics.{t} ORDER BY ALL").fetchall() for t in tables}
        con.execute("DELETE FROM meta.settings WHERE key IN (?, ?)", [work_orders.STATE_KEY, work_orders.COMPLAINTS_KEY])
        assert work_orders.refresh(con) == "all"
        assert {t: con.execute(f"SELECT * FROM metrics.{t} ORDER BY ALL").fetchall() for t in tables} == incremental


# --- metrics.complaint_limits_base: the stored, time-independent part of metrics.complaint_limits --------------

def _differences(con: duckdb.DuckDBPyConnection, where: str = "true", params: list | None = None,
                 table: str = "complaint_limits_base", view: str = "complaint_limits_schedule") -> int:
    """Rows of the stored table and of its view (the definition, computed live) that the other lacks."""
    # `where`, `table` and `view` are constants of these tests; values are bound
    return con.execute(f"""
        SELECT count(*) FROM (
            ((FROM metrics.{table} WHERE {where}) EXCEPT ALL (FROM metrics.{view} WHERE {where}))
            UNION ALL
            ((FROM metrics.{view} WHERE {where}) EXCEPT ALL (FROM metrics.{table} WHERE {where})))
    """, (params or []) * 4).fetchall()[0][0]


def test_complaint_limits_stored_equal_the_view_on_the_demo_and_random_filters(demo_project):  # noqa: F811 (the fixture imported above)
    import random

    con = connect(demo_project.config)
    try:
        stored = con.execute("SELECT count(*), count(*) FILTER (WHERE has_events) FROM metrics.complaint_limits_base"
                             ).fetchall()[0]
        assert stored[0] > 100 and stored[1] > 0
        assert _differences(con) == 0
        sites = [r[0] for r in con.execute("SELECT DISTINCT site FROM metrics.complaint_limits_base").fetchall()]
        levels = [r[0] for r in con.execute("SELECT DISTINCT coordination_level FROM metrics.complaint_limits_base"
                                            ).fetchall()]
        low, high = con.execute("SELECT min(created_date), max(created_date) FROM metrics.complaint_limits_base"
                                ).fetchall()[0]
        rng = random.Random(14)
        for _ in range(8):
            start = low + (high - low) * rng.random() * 0.8
            where = ("site = ? AND coordination_level = ? AND created_date BETWEEN CAST(? AS DATE) AND "
                     "CAST(? AS DATE) + 40")
            params = [rng.choice(sites), rng.choice(levels), start.isoformat(), start.isoformat()]
            assert _differences(con, where, params) == 0
        # and the view over the stored rows decides like the definition: met, missed or pending from now
        assert con.execute("""
            SELECT count(*) FROM metrics.complaint_limits AS c JOIN metrics.complaint_limits_schedule AS s
            USING (ticket_id)
            WHERE c.is_met IS DISTINCT FROM (CASE WHEN s.due_at IS NULL THEN NULL
                                                  WHEN s.done_at IS NOT NULL THEN s.done_at <= s.due_at
                                                  WHEN (SELECT now_at FROM metrics.clock) > s.due_at THEN FALSE END)
        """).fetchall() == [(0,)]
    finally:
        con.close()


@pytest.mark.clock("2026-11-23T10:00:00+08:00")
def test_complaint_limits_base_follows_ticket_rows_and_events_of_each_load(cfg):
    complaint = {"ticket_id": "K1", "created_at": "2026-11-23 08:00+08:00", "ticket_type": "complaint",
                 "site": "Riverside", "status": "open", "coordination_level": "within_department"}
    other = {**complaint, "ticket_id": "K2"}
    inquiry = {**complaint, "ticket_id": "K3", "ticket_type": "inquiry"}
    with publishing(cfg) as con:   # (the first events ever rebuild everything: K3's here, so the next load's do not)
        _insert(con, "tickets", [complaint, other, inquiry])
        _insert(con, "ticket_events", [{"ticket_id": "K3", "occurred_at": "2026-11-23 08:00+08:00",
                                        "step": "received", "event_id": "K3|1"}])
    with publishing(cfg) as con:
        assert con.execute("SELECT ticket_id, limit_minutes, has_events FROM metrics.complaint_limits_base "
                           "ORDER BY 1").fetchall() == [("K1", 120, False), ("K2", 120, False)]
        con.execute("UPDATE metrics.complaint_limits_base SET limit_minutes = -1 WHERE ticket_id = 'K2'")  # a mark
        # K1 becomes cross-department (its ticket row) and gets a return still waiting to be taken up (its events)
        con.execute("DELETE FROM core.tickets WHERE ticket_id = 'K1'")
        _insert(con, "tickets", [{**complaint, "coordination_level": "cross_department"}], LATER)
        _insert(con, "ticket_events", [
            {"ticket_id": "K1", "occurred_at": "2026-11-23 08:10+08:00", "step": "dispatched",
             "to_department": "cleaning", "event_id": "K1|1"},
            {"ticket_id": "K1", "occurred_at": "2026-11-23 09:00+08:00", "step": "returned",
             "from_department": "cleaning", "reason": "not ours", "event_id": "K1|2"}], LATER)
    ro = connect(cfg)
    try:
        assert ro.execute("SELECT ticket_id, limit_minutes, has_events, returns_running FROM "
                          "metrics.complaint_limits_base ORDER BY 1").fetchall() == [("K1", 2880, True, 1),
                                                                                     ("K2", -1, False, 0)]
        # the return has lost 08:10 -> now (10:00) = 110 minutes: computed at read from metrics.clock
        assert ro.execute("SELECT lost_in_returns_minutes, is_met FROM metrics.complaint_limits "
                          "WHERE ticket_id = 'K1'").fetchall() == [(110.0, None)]
    finally:
        ro.close()


def test_escalations_stored_equal_the_view_on_the_demo_and_random_filters(demo_project):  # noqa: F811 (the fixture imported above)
    import random

    con = connect(demo_project.config)
    try:
        esc = ("work_order_escalations_base", "work_order_escalations_schedule")
        assert con.execute("SELECT count(DISTINCT level) FROM metrics.work_order_escalations").fetchall() == [(3,)]
        assert _differences(con, table=esc[0], view=esc[1]) == 0
        assert con.execute("SELECT count(*) > 0 FROM metrics.work_order_appeals").fetchall() == [(True,)]
        assert _differences(con, table="work_order_appeals_base", view="work_order_appeals_schedule") == 0
        departments = [r[0] for r in con.execute("SELECT DISTINCT department FROM metrics.work_order_escalations"
                                                 ).fetchall()]
        low, high = con.execute("SELECT min(occurred_date), max(occurred_date) FROM metrics.work_order_escalations"
                                ).fetchall()[0]
        rng = random.Random(13)
        for _ in range(8):
            start = (low + (high - low) * rng.random() * 0.8).isoformat()
            assert _differences(con, "department = ? AND occurred_date BETWEEN CAST(? AS DATE) AND "
                                "CAST(? AS DATE) + 30", [rng.choice(departments), start, start],
                                table=esc[0], view=esc[1]) == 0
    finally:
        con.close()


def test_work_order_state_stored_equals_the_view_on_the_demo_and_random_filters(demo_project):  # noqa: F811 (the fixture imported above)
    import random

    con = connect(demo_project.config)
    try:
        state = ("work_order_state_base", "work_order_state_schedule")
        assert con.execute("SELECT count(*) > 100, count(*) FILTER (WHERE is_open) > 0 FROM metrics.work_order_state"
                           ).fetchall() == [(True, True)]
        assert _differences(con, table=state[0], view=state[1]) == 0
        values = {c: [r[0] for r in con.execute(f"SELECT DISTINCT {c} FROM metrics.work_order_state_base").fetchall()]
                  for c in ("site", "category", "status")}
        low, high = con.execute("SELECT min(created_date), max(created_date) FROM metrics.work_order_state_base"
                                ).fetchall()[0]
        rng = random.Random(8)
        for _ in range(8):
            column = rng.choice(sorted(values))
            start = (low + (high - low) * rng.random() * 0.8).isoformat()
            # column: one of the constants above
            assert _differences(con, f"{column} IS NOT DISTINCT FROM ? AND created_date BETWEEN CAST(? AS DATE) "
                                "AND CAST(? AS DATE) + 30", [rng.choice(values[column]), start, start],
                                table=state[0], view=state[1]) == 0
    finally:
        con.close()


def test_work_order_holds_stored_equal_the_view_on_the_demo_and_random_filters(demo_project):  # noqa: F811 (the fixture imported above)
    import random

    con = connect(demo_project.config)
    try:
        holds = ("work_order_holds_stored", "work_order_holds_schedule")
        assert con.execute("SELECT count(*) > 100, count(*) FILTER (WHERE is_returned) > 0 "
                           "FROM metrics.work_order_holds").fetchall() == [(True, True)]
        assert _differences(con, table=holds[0], view=holds[1]) == 0
        departments = [r[0] for r in con.execute("SELECT DISTINCT department FROM metrics.work_order_holds_stored"
                                                 ).fetchall()]
        low, high = con.execute("SELECT min(received_date), max(received_date) FROM metrics.work_order_holds_stored"
                                ).fetchall()[0]
        rng = random.Random(3)
        for _ in range(8):
            start = (low + (high - low) * rng.random() * 0.8).isoformat()
            assert _differences(con, "department = ? AND received_date BETWEEN CAST(? AS DATE) AND "
                                "CAST(? AS DATE) + 30", [rng.choice(departments), start, start],
                                table=holds[0], view=holds[1]) == 0
    finally:
        con.close()


def test_appeals_stored_follow_the_appeal_tickets_review(cfg):
    """An appeal's outcome is another ticket's review: a load of that review alone updates the stored appeal."""
    review = next(e for e in EVENTS if e["ticket_id"] == "A1" and e["step"] == "reviewed")
    with publishing(cfg) as con:
        _insert(con, "tickets", TICKETS)
        _insert(con, "ticket_events", [e for e in EVENTS if e is not review])
    ro = connect(cfg)
    try:
        assert ro.execute("SELECT outcome FROM metrics.work_order_appeals WHERE ticket_id = 'W1'").fetchall() == \
            [("pending",)]
    finally:
        ro.close()
    with publishing(cfg) as con:
        _insert(con, "ticket_events", [review], LATER)
        assert _differences(con, table="work_order_appeals_base", view="work_order_appeals_schedule") > 0
    ro = connect(cfg)
    try:
        assert ro.execute("SELECT outcome FROM metrics.work_order_appeals WHERE ticket_id = 'W1'").fetchall() == \
            [("upheld",)]
        assert _differences(ro, table="work_order_appeals_base", view="work_order_appeals_schedule") == 0
    finally:
        ro.close()


# --- a small load's refresh reads only its tickets' rows (issue 14 "Speed": O(batch), proven by row counts) ---------

BULK_STEPS = ("['received', 'dispatched', 'returned', 'redispatched', 'transferred', 'replied', 'reminded', "
              "'escalated', 'reviewed', 'archived']")


def _bulk(con: duckdb.DuckDBPyConnection, prefix: str, count: int, loaded_at: datetime) -> None:
    """`count` complaints <prefix>0.. with ten steps each (two hand-overs ended by a return and a transfer, a
    reminder and an escalation), every fifth appealed: every stored table gets rows."""
    # prefix, count and the step list are constants of this test; the time is bound
    con.execute(f"""
        INSERT INTO core.tickets BY NAME
        SELECT '{prefix}' || i AS ticket_id, TIMESTAMPTZ '2026-11-20 08:00+08' + to_minutes(i % 600) AS created_at,
               'complaint' AS ticket_type, 'Riverside' AS site, 'open' AS status,
               ['within_department', 'cross_department', 'cross_province'][i % 3 + 1] AS coordination_level,
               'simple' AS complexity, 'L' AS load_id, 'f' AS source_file, 'h' AS file_hash,
               CAST(? AS TIMESTAMPTZ) AS loaded_at
        FROM range({count}) AS r(i)""", [loaded_at])
    con.execute(f"""
        INSERT INTO core.ticket_events BY NAME
        SELECT '{prefix}' || i || '|' || s AS event_id, '{prefix}' || i AS ticket_id, {BULK_STEPS}[s + 1] AS step,
               TIMESTAMPTZ '2026-11-20 08:00+08' + to_minutes(i % 600 + s * 10) AS occurred_at,
               CASE WHEN s IN (1, 3, 4) THEN ['engineering', 'cleaning', 'security'][(i + s) % 3 + 1] END
                   AS to_department,
               CASE WHEN s IN (2, 4) THEN 'not ours' END AS reason,
               CASE WHEN s = 8 THEN 'valid' END AS verdict,
               CASE WHEN s = 7 THEN 'department_head' END AS escalation_level,
               'L' AS load_id, 'f' AS source_file, 'h' AS file_hash, CAST(? AS TIMESTAMPTZ) AS loaded_at
        FROM range({count}) AS r(i), range(10) AS t(s)""", [loaded_at])
    con.execute(f"""
        INSERT INTO core.ticket_events BY NAME   -- every fifth ticket appealed, by the next one (reviewed valid)
        SELECT '{prefix}' || i || '|a' AS event_id, '{prefix}' || i AS ticket_id, 'appealed' AS step,
               TIMESTAMPTZ '2026-11-20 08:00+08' + to_minutes(i % 600 + 95) AS occurred_at,
               '{prefix}' || (i + 1) AS appeal_ticket_id, 'ordinary' AS appeal_grade,
               'L' AS load_id, 'f' AS source_file, 'h' AS file_hash, CAST(? AS TIMESTAMPTZ) AS loaded_at
        FROM range(0, {count}, 5) AS r(i)""", [loaded_at])


CONFIG_TABLES = ("meta.settings", "core.calendar_days")   # the settings and the calendar: not O(warehouse)


def _largest_operators(node: dict) -> tuple[int, bool]:
    """The most rows an operator of a DuckDB JSON profile produced, counting only operators that read something
    besides CONFIG_TABLES (scans count what they emit after the filters pushed into them, the touched-ticket
    semi-join among them); and whether this subtree reads such a table."""
    most, reads_data = 0, False
    table = (node.get("extra_info") or {}).get("Table", "") if isinstance(node.get("extra_info"), dict) else ""
    if table and not any(table.endswith(c) for c in CONFIG_TABLES):
        reads_data = True
    for child in node.get("children", []) + node.get("operator", []):
        child_most, child_reads = _largest_operators(child)
        most, reads_data = max(most, child_most), reads_data or child_reads
    if reads_data:
        most = max(most, int(node.get("intermediate_rows") or node.get("operator_cardinality") or 0))
    return most, reads_data


def test_a_small_loads_refresh_reads_only_its_tickets_rows(cfg, tmp_path):
    """After a load of 10 new tickets' events into a warehouse of 3,000 tickets / 30,600 events, no statement of
    the refresh (events ordered, holds, ticket state, and every stored view: holds, state, complaint limits,
    escalations, appeals) produces more rows in any operator than those tickets have, except reads of the
    settings and the calendar. Before the clock's solving reply was split from its lost time
    (metrics.work_order_solved), the complaint limits' schedule aggregated every hold."""
    import json
    import types

    with publishing(cfg) as con:
        _bulk(con, "B", 3_000, datetime(2026, 11, 22, tzinfo=UTC))
    with publishing(cfg) as con:
        _bulk(con, "N", 10, LATER)
        totals = con.execute("SELECT (SELECT count(*) FROM core.ticket_events), "
                             "(SELECT count(*) FROM metrics.work_order_holds_stored), "
                             "(SELECT count(*) FROM metrics.complaint_limits_base)").fetchall()[0]
        assert totals == (30_702, 9_000, 3_000)   # the batch is there; the stored tables are not refreshed yet
        profile = tmp_path / "profile.json"
        seen: list[tuple[int, str]] = []
        original = con.execute

        class Profiled:   # each statement of the refresh, profiled: the most rows one of its operators produced
            def __getattr__(self, name):
                return getattr(con, name)

            def execute(self, sql, *args):
                original("PRAGMA enable_profiling = 'json'")
                original(f"SET profiling_output = '{profile}'")
                rows = original(sql, *args).fetchall()
                original("PRAGMA disable_profiling")
                if sql.lstrip().split()[0].upper() in ("SELECT", "INSERT", "DELETE", "CREATE", "WITH"):
                    seen.append((_largest_operators(json.loads(profile.read_text()))[0], " ".join(sql.split())))
                return types.SimpleNamespace(fetchall=lambda: rows)

        assert work_orders.refresh(Profiled()) == "touched"
    # the refresh's fingerprints (a count and the newest loaded_at of each source table: one column, no join) are
    # the only whole-table reads; everything else is narrowed to the touched tickets
    fingerprints = [r for r, sql in seen if sql.startswith("SELECT count(*), CAST(max(loaded_at)")]
    assert fingerprints == [30_702, 3_010]
    statements = [(rows, sql) for rows, sql in seen if not sql.startswith("SELECT count(*), CAST(max(loaded_at)")]
    assert len([s for _, s in statements if s.startswith("INSERT INTO metrics.")]) == 7   # 2 tables + 5 stored
    widest = max(statements)
    assert widest[0] <= 200, widest     # the 10 tickets' 102 events, 30 holds...; 30,600 events in the warehouse


# the holds' query before issue 14's third pass: two as-of joins (55 s of a 10M-event first build)
OLD_HOLDS = f"""
WITH
events AS (FROM {work_orders.EVENTS_TEMP}),
handovers AS (SELECT * FROM events WHERE step IN ('dispatched', 'redispatched', 'transferred')),
enders AS (SELECT * FROM events WHERE step IN ('dispatched', 'redispatched', 'transferred', 'returned', 'archived')
                                   OR (step = 'reviewed' AND verdict = 'invalid')),
resumes AS (SELECT * FROM events WHERE step IN ('dispatched', 'redispatched', 'transferred', 'archived')),
ended AS (
    SELECT h.ticket_id, h.seq, h.step AS kind, h.to_department AS department, h.occurred_at AS received_at,
           h.deadline_at, n.step AS end_step, n.occurred_at AS ended_at, n.reason AS end_reason, n.seq AS end_seq
    FROM handovers AS h ASOF LEFT JOIN enders AS n ON n.ticket_id = h.ticket_id AND n.seq > h.seq
),
resumed AS (
    SELECT d.*, r.occurred_at AS resumed_at
    FROM ended AS d ASOF LEFT JOIN resumes AS r ON r.ticket_id = d.ticket_id AND r.seq >= d.end_seq
),
replies AS (
    SELECT d.ticket_id, d.seq, min(e.occurred_at) AS first_replied_at, count(*) AS replies
    FROM ended AS d
    JOIN events AS e ON e.ticket_id = d.ticket_id AND e.step = 'replied' AND e.seq > d.seq
                    AND (d.end_seq IS NULL OR e.seq < d.end_seq)
    GROUP BY ALL
)
SELECT d.ticket_id, d.seq AS hold_seq, d.kind, coalesce(d.department, '(none)') AS department, d.received_at,
       d.deadline_at, d.end_step, d.ended_at, d.end_reason,
       CASE WHEN d.end_step IS NOT NULL THEN d.resumed_at END AS resumed_at,
       r.first_replied_at, coalesce(r.replies, 0) AS replies
FROM resumed AS d LEFT JOIN replies AS r ON r.ticket_id = d.ticket_id AND r.seq = d.seq
"""


def test_holds_in_one_sorted_pass_equal_the_as_of_joins():
    """Issue 14 "Speed": work_orders.HOLDS finds each hold's end and the next department's take-up in one window
    pass over the ending steps instead of two as-of joins; same rows on random lifecycles (any step in any order,
    steps at the same minute, reviews valid or invalid, several returns, transfers, archives and reopens)."""
    con = duckdb.connect()
    con.execute("CREATE SCHEMA core")
    con.execute(f"""
        CREATE TABLE core.ticket_events AS
        SELECT 'E' || i AS event_id, 'R' || (i % 400) AS ticket_id,
               {work_orders.ORDER}[CAST(hash(i, 's') % 12 AS INTEGER) + 1] AS step,
               TIMESTAMPTZ '2026-11-20 08:00+08' + to_minutes(CAST(hash(i, 'm') % 30 AS INTEGER)) AS occurred_at,
               ['engineering', 'cleaning', NULL][CAST(hash(i, 'd') % 3 AS INTEGER) + 1] AS to_department,
               'reason ' || (i % 5) AS reason,
               TIMESTAMPTZ '2026-11-20 12:00+08' + to_minutes(CAST(i % 60 AS INTEGER)) AS deadline_at,
               ['valid', 'invalid'][CAST(hash(i, 'v') % 2 AS INTEGER) + 1] AS verdict, NULL AS escalation_level
        FROM range(6000) AS r(i)""")
    con.execute(f"CREATE TEMP TABLE {work_orders.EVENTS_TEMP} AS {work_orders.EVENTS.format(where='true')}")
    new = con.execute(f"FROM ({work_orders.HOLDS}) ORDER BY ALL").fetchall()
    old = con.execute(f"FROM ({OLD_HOLDS}) ORDER BY ALL").fetchall()
    assert len(new) > 1000 and new == old
    kinds = {r[6] for r in new}
    assert {"returned", "transferred", "archived", "reviewed", None} <= kinds    # every way a hold ends
    assert any(r[9] is not None for r in new) and any(r[11] > 1 for r in new)   # take-ups; several replies


def test_every_stored_table_after_a_sequence_of_small_loads_equals_a_full_rebuild(cfg):
    """Issue 14 "Speed": four loads (bulk tickets and events; new tickets' events; half the worked tickets' events
    and a changed ticket row; the rest, with the appeal ticket's review) leave every stored table (the two base
    tables and the five stored views) as a rebuild of everything from the final data does."""
    tables = BASES + tuple(work_orders.STORED.values())
    first = [e for e in EVENTS if e["ticket_id"] in ("W1", "W2", "A2")]
    with publishing(cfg) as con:
        _bulk(con, "B", 60, datetime(2026, 11, 22, tzinfo=UTC))
    with publishing(cfg) as con:
        _bulk(con, "N", 5, LATER)
    with publishing(cfg) as con:
        _insert(con, "tickets", TICKETS, datetime(2026, 11, 23, 2, tzinfo=UTC))
        _insert(con, "ticket_events", first, datetime(2026, 11, 23, 2, tzinfo=UTC))
        con.execute("UPDATE core.tickets SET coordination_level = 'other_company', "
                    "loaded_at = TIMESTAMPTZ '2026-11-23 02:00+00' WHERE ticket_id = 'B7'")
    with publishing(cfg) as con:
        _insert(con, "ticket_events", [e for e in EVENTS if e not in first], datetime(2026, 11, 23, 3, tzinfo=UTC))
    with publishing(cfg) as con:
        incremental = {t: con.execute(f"SELECT * FROM metrics.{t} ORDER BY ALL").fetchall() for t in tables}
        assert all(incremental.values()) and len(incremental["work_order_appeals_base"]) > 12
        con.execute("DELETE FROM meta.settings WHERE key IN (?, ?)", [work_orders.STATE_KEY, work_orders.COMPLAINTS_KEY])
        assert work_orders.refresh(con) == "all"
        rebuilt = {t: con.execute(f"SELECT * FROM metrics.{t} ORDER BY ALL").fetchall() for t in tables}
    assert rebuilt == incremental
