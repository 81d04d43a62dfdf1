"""Work-order events (issue 14): the Chinese flow export loads through the same loader and gate as every dataset;
the hotline's statuses are accepted; bad input is named with file, line and column; events of a ticket not loaded
yet wait in quarantine and are published when the ticket arrives."""

from __future__ import annotations

from pathlib import Path

from pipelines.ingest import PUBLISHED, REFUSED, WITH_QUARANTINE, ingest_files
from pipelines.warehouse import connect

ZH_HEADER = "工单编号,操作时间,环节,操作人,来源部门,接收部门,原因,处理时限,复核结论,督办级别,申诉工单编号,申诉级别\n"
TICKETS_HEADER = "ticket_id,created_at,ticket_type,site,department,status\n"


def _tickets(path: Path, ids, status: str = "open") -> Path:
    rows = [f"{t},2026-11-20 08:00:00,complaint,Riverside,engineering,{status}" for t in ids]
    path.write_text(TICKETS_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _flow(ticket: str, day: int = 20) -> list[str]:
    """A ticket's ten steps: received, dispatched, returned, re-dispatched, transferred, replied, reviewed,
    reminded, replied again, archived."""
    d = f"2026/11/{day:02d}"
    return [
        f"{ticket},{d} 08:00,受理,A1,,,,,,,,",
        f"{ticket},{d} 08:10,派单,A1,,工程部,,{d} 12:00,,,,",
        f"{ticket},{d} 09:00,退单,E1,工程部,,不属本部门,,,,,",
        f"{ticket},{d} 09:20,重派,A1,,保洁部,,{d} 14:00,,,,",
        f"{ticket},{d} 10:00,转派,C1,保洁部,安保部,需安保处理,{d} 16:00,,,,",
        f"{ticket},{d} 11:00,回复,S1,安保部,,,,,,,",
        f"{ticket},{d} 11:30,复核,Q1,,,,,有效,,,",
        f"{ticket},{d} 11:40,催办,Q1,,安保部,,,,催促,,",
        f"{ticket},{d} 12:00,回复,S1,安保部,,,,,,,",
        f"{ticket},{d} 13:00,归档,Q1,,,,,,,,",
    ]


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text(ZH_HEADER + "\n".join(rows) + "\n", encoding="gb18030")
    return path


def test_ticket_events_chinese_export_loads_steps_and_departments(project, tmp_path: Path):
    tickets = _tickets(tmp_path / "t.csv", ["W1"])
    events = _write(tmp_path / "工单流转.csv", _flow("W1"))
    [t, e] = ingest_files([tickets, events], project)
    assert (t.status, e.profile, e.status, e.inserted) == (PUBLISHED, "ticket_events__hotline_zh", PUBLISHED, 10), \
        e.message
    con = connect(project)
    try:
        rows = con.execute("""
            SELECT step, from_department, to_department, reason, verdict, escalation_level, event_id
            FROM core.ticket_events ORDER BY occurred_at""").fetchall()
    finally:
        con.close()
    assert [r[0] for r in rows] == ["received", "dispatched", "returned", "redispatched", "transferred", "replied",
                                    "reviewed", "reminded", "replied", "archived"]
    assert rows[4][1:4] == ("cleaning", "security", "需安保处理")
    assert rows[6][4] == "valid" and rows[7][5] == "reminder"
    assert rows[0][6].startswith("W1|received|2026-11-20")   # the key made from ticket, step and time


def test_ticket_events_unknown_step_is_refused_naming_the_value_and_the_map(project, tmp_path: Path):
    _tickets(tmp_path / "t.csv", ["W1"])
    rows = _flow("W1")
    rows[3] = rows[3].replace("重派", "挂起")
    events = _write(tmp_path / "flow.csv", rows)
    [result] = ingest_files([events], project)
    assert result.status == REFUSED
    assert "row 5, column '环节' -> step: cannot parse '挂起'" in result.message, result.message
    assert "ticket_events__hotline_zh" in result.message and "重派 -> redispatched" in result.message
    con = connect(project)
    try:
        assert con.execute("SELECT count(*) FROM core.ticket_events").fetchall() == [(0,)]
    finally:
        con.close()


def test_ticket_events_bad_rows_are_quarantined_with_their_line(project, tmp_path: Path):
    ids = [f"W{i}" for i in range(1, 4)]
    tickets = _tickets(tmp_path / "t.csv", ids)
    rows = [r for t in ids for r in _flow(t)]
    rows.append("W1,2026/11/20 13:30,转派,C1,安保部,,没有接收部门,,,,,")        # line 32: no receiving department
    rows.append("W2,2026/11/20 08:05,回复,S1,工程部,,,,,,,")                    # line 33: a reply before the dispatch
    events = _write(tmp_path / "flow.csv", rows)
    [_, result] = ingest_files([tickets, events], project)
    assert result.status == WITH_QUARANTINE and result.quarantined == 2, result.message
    assert "transfer_without_department 1 (row 32)" in result.message
    assert "steps_in_order 1 (row 33)" in result.message
    con = connect(project)
    try:
        held = con.execute("""SELECT source_row, expectation, offending_values, source_file = ? FROM meta.quarantine
                              WHERE dataset = 'ticket_events' ORDER BY 1""", [str(events.resolve())]).fetchall()
    finally:
        con.close()
    assert [(r[0], r[1], r[3]) for r in held] == [(32, "transfer_without_department", True),
                                                  (33, "steps_in_order", True)]
    assert '"to_department":null' in held[0][2]


def test_ticket_events_of_an_unknown_ticket_wait_and_are_released_when_it_arrives(project, tmp_path: Path):
    known = [f"K{i}" for i in range(10)]
    _tickets(tmp_path / "known.csv", known)
    ingest_files([tmp_path / "known.csv"], project)
    # W9's ten events arrive before W9 does (10 of 110 rows: within [quality] max_failing_share)
    rows = [r for t in [*known, "W9"] for r in _flow(t)]
    events = _write(tmp_path / "flow.csv", rows)
    [first] = ingest_files([events], project)
    assert first.status == WITH_QUARANTINE and first.quarantined == 10, first.message
    assert "ticket_exists 10 (rows 102, 103, 104, 105, 106, ...)" in first.message
    [later] = ingest_files([_tickets(tmp_path / "late.csv", ["W9"])], project)
    assert later.status == PUBLISHED
    assert "released 10 held ticket_events row(s) whose tickets arrived" in later.message
    con = connect(project)
    try:
        assert con.execute("SELECT count(*), count(DISTINCT load_id), min(source_file) FROM core.ticket_events "
                           "WHERE ticket_id = 'W9'").fetchall() == [(10, 1, str(events.resolve()))]
        assert con.execute("SELECT DISTINCT resolution, released_by_load_id FROM meta.quarantine "
                           "WHERE dataset = 'ticket_events'").fetchall() == [("released", later.load_id)]
    finally:
        con.close()


def test_ticket_events_held_for_another_reason_too_stay_held(project, tmp_path: Path):
    known = [f"K{i}" for i in range(10)]
    ingest_files([_tickets(tmp_path / "known.csv", known)], project)
    rows = [r for t in known for r in _flow(t)]
    rows.append("W9,2026/11/20 09:00,转派,C1,安保部,,,,,,,")   # unknown ticket AND no receiving department
    rows.append("W9,2026/11/20 10:00,回复,S1,安保部,,,,,,,")   # unknown ticket only
    [first] = ingest_files([_write(tmp_path / "flow.csv", rows)], project)
    assert first.quarantined == 2, first.message
    [later] = ingest_files([_tickets(tmp_path / "late.csv", ["W9"])], project)
    assert "released 1 held ticket_events row(s)" in later.message
    con = connect(project)
    try:
        assert con.execute("SELECT step FROM core.ticket_events WHERE ticket_id = 'W9'").fetchall() == [("replied",)]
        assert con.execute("SELECT expectation FROM meta.quarantine WHERE dataset = 'ticket_events' "
                           "AND released_at IS NULL ORDER BY 1").fetchall() == [("ticket_exists",),
                                                                                ("transfer_without_department",)]
    finally:
        con.close()


def test_ticket_events_hotline_statuses_are_accepted(project, tmp_path: Path):
    src = tmp_path / "hotline.csv"
    header = "工单编号,受理时间,工单类型,状态\n"
    rows = ["H1,2026/11/20 08:00,投诉,退单", "H2,2026/11/20 08:00,投诉,重派", "H3,2026/11/20 08:00,投诉,转派",
            "H4,2026/11/20 08:00,投诉,复核", "H5,2026/11/20 08:00,投诉,申诉", "H6,2026/11/20 08:00,投诉,已归档"]
    src.write_text(header + "\n".join(rows) + "\n", encoding="gb18030")
    [result] = ingest_files([src], project, profile="tickets__hotline_zh")
    assert (result.status, result.inserted) == (PUBLISHED, 6), result.message
    con = connect(project)
    try:
        assert [r[0] for r in con.execute("SELECT status FROM core.tickets ORDER BY ticket_id").fetchall()] == [
            "returned", "redispatched", "transferred", "under_review", "appealed", "archived"]
    finally:
        con.close()


def test_demo_story_cleaning_returns_what_it_receives(project, tmp_path: Path):
    """Story 9 of the demo: the Riverside hotline's steps load clean, and cleaning stands out in the return rate."""
    from datetime import date

    from pipelines.demo import generate_demo

    files = generate_demo(tmp_path / "demo", tickets=12_000, end_date=date(2026, 11, 22))
    wanted = [(p, prof) for p, prof in files if prof in ("tickets__hotline_zh", "ticket_events__hotline_zh")]
    assert [prof for _, prof in wanted] == ["tickets__hotline_zh", "ticket_events__hotline_zh"]
    tickets, events = ingest_files([p for p, _ in wanted], project, profile=[prof for _, prof in wanted])
    assert (tickets.status, events.status, events.quarantined) == (PUBLISHED, PUBLISHED, 0), events.message
    con = connect(project)
    try:
        per_ticket = con.execute("SELECT count(*) / count(DISTINCT ticket_id) FROM core.ticket_events").fetchall()
        rates = dict(con.execute("SELECT department, avg(is_returned::INT) FROM metrics.work_order_holds "
                                 "GROUP BY department").fetchall())
        appeals = dict(con.execute("SELECT outcome, count(*) FROM metrics.work_order_appeals GROUP BY 1").fetchall())
        levels = {r[0] for r in con.execute("SELECT DISTINCT level FROM metrics.work_order_escalations").fetchall()}
    finally:
        con.close()
    assert 6 < per_ticket[0][0] < 10
    assert max(rates, key=rates.get) == "cleaning" and rates["cleaning"] > 0.3
    assert all(rate < 0.15 for dept, rate in rates.items() if dept != "cleaning")
    assert appeals.get("upheld", 0) > 0 and appeals.get("not_upheld", 0) > 0
    assert levels == {"reminder", "department_head", "vice_president"}


def test_ticket_events_may_arrive_before_all_their_tickets(project, tmp_path: Path):
    """Held rows that only wait for their ticket do not count towards [quality] max_failing_share: a flow export
    loaded before the ticket export is held whole, then published by the tickets' load."""
    events = _write(tmp_path / "flow.csv", _flow("W1") + _flow("W2"))
    [first] = ingest_files([events], project)
    assert (first.status, first.inserted, first.quarantined) == (WITH_QUARANTINE, 0, 20), first.message
    [later] = ingest_files([_tickets(tmp_path / "t.csv", ["W1", "W2"])], project)
    assert "released 20 held ticket_events row(s)" in later.message
    con = connect(project)
    try:
        assert con.execute("SELECT count(*) FROM metrics.work_order_state").fetchall() == [(2,)]
    finally:
        con.close()


def _lifecycle_page(config_path: str, lang: str) -> None:
    """The lifecycle sections alone, as dashboard/pages/hotline.py calls them (AppTest script)."""
    import streamlit as st

    from dashboard import ui
    from dashboard.queries import Filters
    from dashboard.sections import hotline_lifecycle
    from pipelines.config import load_config
    from pipelines.warehouse import connect, direct

    st.session_state[ui.STATE] = {"lang": lang}
    config = load_config(config_path)
    con = connect(config)
    ctx = ui.Context(lang=lang, config=config, token=None, state="ready", run=direct(con), filters=Filters())
    hotline_lifecycle.lifecycle(ctx)


def test_lifecycle_sections_render_in_both_languages(project, tmp_path: Path):
    from streamlit.testing.v1 import AppTest

    ingest_files([_tickets(tmp_path / "t.csv", ["W1", "W2"]), _write(tmp_path / "flow.csv", _flow("W1")
                                                                     + _flow("W2")[:2])], project)
    for lang, words in (("en", ("Work-order lifecycle", "Return rate", "Appeals and their outcomes")),
                        ("zh", ("工单流转", "退单率", "申诉及结果"))):
        at = AppTest.from_function(_lifecycle_page, args=(str(project.source), lang), default_timeout=60).run()
        assert not at.exception, [e.message for e in at.exception]
        text = " ".join([h.value for h in at.subheader] + [m.label for m in at.metric])
        assert all(w in text for w in words), text
        assert [m.value for m in at.metric if m.label == words[1]] == ["50.0%"]   # W1 returned, W2 not
        frames = [d.value for d in at.dataframe]
        assert any("保洁部" in str(frame) or "Cleaning" in str(frame) for frame in frames)


def test_work_order_state_follows_each_load(project, tmp_path: Path):
    """The materialised part (pipelines/work_orders.py) is rebuilt for the tickets each load's events touch."""
    ingest_files([_tickets(tmp_path / "t.csv", ["W1", "W2"])], project)
    ingest_files([_write(tmp_path / "a.csv", _flow("W1")[:6])], project)           # W1 up to its first reply
    ingest_files([_write(tmp_path / "b.csv", _flow("W2")[:2])], project)           # W2 dispatched
    con = connect(project)
    try:
        assert con.execute("SELECT value FROM meta.settings WHERE key = 'work_orders_built'").fetchall()[0][0] \
            .startswith("8|")
        assert con.execute("SELECT ticket_id, status, current_department FROM metrics.work_order_state "
                           "ORDER BY 1").fetchall() == [("W1", "resolved", "security"),
                                                        ("W2", "in_progress", "engineering")]
    finally:
        con.close()
    ingest_files([_write(tmp_path / "c.csv", _flow("W1")[6:])], project)           # W1 reviewed ... archived
    con = connect(project)
    try:
        assert con.execute("SELECT ticket_id, status, replies, current_department FROM metrics.work_order_state "
                           "ORDER BY 1").fetchall() == [("W1", "archived", 2, None),
                                                        ("W2", "in_progress", 0, "engineering")]
        assert con.execute("SELECT count(*) FROM metrics.work_order_holds_base").fetchall() == [(4,)]
    finally:
        con.close()


# the gate's __steps_in_order before issue 14's third pass: windows over the batch and every published event grouped
OLD_STEPS_IN_ORDER = (
    "coalesce(s.occurred_at >= ev.created_at, true) AND NOT coalesce("
    "s.step IN ('replied', 'returned', 'transferred', 'redispatched') AND s.occurred_at < least("
    "min(CASE WHEN s.step = 'dispatched' THEN s.occurred_at END) OVER (PARTITION BY s.ticket_id), "
    "ev.first_dispatched_at) AND NOT coalesce(least(min(CASE WHEN s.step = 'reopened' THEN s.occurred_at "
    "END) OVER (PARTITION BY s.ticket_id), ev.first_reopened_at) BETWEEN s.occurred_at AND least("
    "min(CASE WHEN s.step = 'dispatched' THEN s.occurred_at END) OVER (PARTITION BY s.ticket_id), "
    "ev.first_dispatched_at), false), false)")
OLD_FIRSTS = ("LEFT JOIN (SELECT t.ticket_id, t.created_at, e.first_dispatched_at, e.first_reopened_at "
              "FROM core.tickets AS t LEFT JOIN (SELECT ticket_id, "
              "min(occurred_at) FILTER (WHERE step = 'dispatched') AS first_dispatched_at, "
              "min(occurred_at) FILTER (WHERE step = 'reopened') AS first_reopened_at "
              "FROM core.ticket_events GROUP BY ticket_id) AS e ON e.ticket_id = t.ticket_id) AS ev "
              "ON ev.ticket_id = s.ticket_id")


def test_steps_in_order_in_one_grouped_pass_judges_as_the_windows_did(project):
    """Issue 14 "Speed": the gate's __steps_in_order reads each batch ticket's first dispatch and reopen from one
    grouped pass over the batch and the published events of the batch's tickets only, instead of three windows
    over the batch and a grouping of every published event. Same verdict on every row of a random batch (tickets
    known or not, dispatches and reopens published or in the batch, steps at the same moment, null tickets)."""
    import json

    from pipelines import validate
    from pipelines.datasets import DATASETS
    from pipelines.warehouse import publishing

    steps = "['received', 'dispatched', 'replied', 'returned', 'transferred', 'redispatched', 'reopened']"
    with publishing(project) as con:
        con.execute("""
            INSERT INTO core.tickets BY NAME
            SELECT 'R' || i AS ticket_id, TIMESTAMPTZ '2026-11-20 08:00+08' + to_minutes(i % 7) AS created_at,
                   'complaint' AS ticket_type, 'L' AS load_id, 'f' AS source_file, 'h' AS file_hash,
                   TIMESTAMPTZ '2026-11-21 00:00+00' AS loaded_at
            FROM range(300) AS r(i)""")
        for name, seed, rows in (("core.ticket_events", 1, 400), ("batch", 2, 3000)):
            # a published part (its own table) and the batch: random steps of R0..R349 (R300+ unknown), minutes apart
            target = "INSERT INTO core.ticket_events BY NAME" if name != "batch" else "CREATE TEMP TABLE batch AS"
            con.execute(f"""
                {target}
                SELECT * {"EXCLUDE (__row)" if name != "batch" else ""} FROM (
                SELECT i + 2 AS __row, 'E{seed}-' || i AS event_id,
                       CASE WHEN hash(i, {seed}) % 97 = 0 THEN NULL ELSE 'R' || hash(i, {seed}, 't') % 350 END
                           AS ticket_id,
                       {steps}[CAST(hash(i, {seed}, 's') % 7 AS INTEGER) + 1] AS step,
                       TIMESTAMPTZ '2026-11-20 07:50+08' + to_minutes(CAST(hash(i, {seed}, 'm') % 40 AS INTEGER))
                           AS occurred_at,
                       'L' AS load_id, 'f' AS source_file, 'h' AS file_hash,
                       TIMESTAMPTZ '2026-11-21 00:00+00' AS loaded_at
                FROM range({rows}) AS r(i)
                {"WHERE hash(i, 1, 't') % 350 < 300 AND hash(i, 1) % 97 <> 0" if name != "batch" else ""})""")
        source = validate.Source(relation="batch")
        select, joins = validate._select(DATASETS["ticket_events"], source, ["__steps_in_order"])
        new = dict(con.execute(f"SELECT __row, __steps_in_order FROM (SELECT {select} FROM batch AS s {joins})"
                               ).fetchall())
        old = dict(con.execute(f"SELECT s.__row, {OLD_STEPS_IN_ORDER} FROM batch AS s {OLD_FIRSTS}").fetchall())
        assert len(new) == 3000 and new == old
        assert 0 < list(new.values()).count(False) < 3000      # both verdicts occur

        # the published events read: only the batch's tickets' (a batch of two tickets, 400 published events)
        con.execute("CREATE TEMP TABLE small AS FROM batch WHERE ticket_id IN ('R1', 'R2')")
        select, joins = validate._select(DATASETS["ticket_events"], validate.Source("small"), ["__steps_in_order"])
        profile = project.warehouse_path.parent / "profile.json"
        con.execute("PRAGMA enable_profiling = 'json'")
        con.execute(f"SET profiling_output = '{profile}'")
        con.execute(f"SELECT {select} FROM small AS s {joins}").fetchall()
        con.execute("PRAGMA disable_profiling")
        nodes, scans = json.loads(profile.read_text())["operator"], {}
        while nodes:
            node = nodes.pop()
            nodes.extend(node.get("children", []))
            assert "WINDOW" not in node["name"]
            table = (node.get("extra_info") or {}).get("Table", "")
            if table.endswith("core.ticket_events"):
                scans[table] = int(node["intermediate_rows"])
        mine = con.execute("SELECT count(*) FROM core.ticket_events WHERE ticket_id IN ('R1', 'R2')").fetchall()[0][0]
        assert list(scans.values()) == [mine] and mine < 20
        con.execute("DELETE FROM core.ticket_events")   # leave nothing published by this block's exit
        con.execute("DELETE FROM core.tickets")


def _events_batch(keys: list[str | None]):
    """An in-memory DuckDB with the tables the ticket_events suite's derived columns read, and a staged batch of
    replies of ticket K1 with the given event ids (rows 2..)."""
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE SCHEMA core")
    con.execute("CREATE TABLE core.tickets AS SELECT 'K1' AS ticket_id, TIMESTAMPTZ '2026-11-20 08:00+08' AS created_at")
    con.execute("CREATE TABLE core.ticket_events (ticket_id VARCHAR, step VARCHAR, occurred_at TIMESTAMPTZ)")
    con.execute("""
        CREATE TABLE staged AS
        SELECT i + 2 AS __row, k AS event_id, 'K1' AS ticket_id, 'received' AS step,
               TIMESTAMPTZ '2026-11-20 08:00+08' + to_minutes(CAST(i AS INTEGER)) AS occurred_at,
               NULL::VARCHAR AS actor, NULL::VARCHAR AS from_department, NULL::VARCHAR AS to_department,
               NULL::VARCHAR AS reason, NULL::TIMESTAMPTZ AS deadline_at, NULL::VARCHAR AS verdict,
               NULL::VARCHAR AS escalation_level, NULL::VARCHAR AS appeal_ticket_id, NULL::VARCHAR AS appeal_grade
        FROM (SELECT unnest($keys) AS k, generate_subscripts($keys, 1) - 1 AS i)""", {"keys": keys})
    return con


def _run(con, suite, monkeypatch):
    """validate_batch on `staged`, recording the dtype of event_id in every frame GX is given."""
    from pipelines import clock, validate

    seen: list[str] = []
    real = validate._gx_run

    def recording(frame, checks, result_format, parameters):
        if "event_id" in frame.columns and len(frame):      # (the schema checks get an empty frame of the text)
            seen.append(str(frame["event_id"].dtype))
        return real(frame, checks, result_format, parameters)

    monkeypatch.setattr(validate, "_gx_run", recording)
    validation = validate.validate_batch(con, suite, validate.Source("staged"), as_of=clock.now(),
                                         parameters={"freshness_days": 3650, "volume_min": 0, "volume_max": 10**6})
    return {r.check.name: r for r in validation.results}, seen


def test_event_ids_are_checked_through_their_hash_and_the_text_decides_a_failure(monkeypatch):
    """Issue 14 "Speed": the event key (ticket|step|time, ~45 characters) reaches GX as a 63-bit hash when only
    the not-null and unique expectations read it (pandas hashed the text again: 1-2 s per million rows); a
    duplicate makes the suite run again on the text, which names the rows and their real values; a null key, or
    another kind of expectation on the key, keeps the text throughout."""
    import dataclasses

    from pipelines import validate

    suite = validate.load_suite("ticket_events", validate.SUITES_SHIPPED)
    keys = [f"K1|received|2026-11-20 08:{i:02d}:00+08" for i in range(40)]

    results, seen = _run(_events_batch(keys), suite, monkeypatch)
    assert results["event_id_unique"].success and results["event_id_not_null"].success
    assert seen and set(seen) == {"int64"}        # the hash, never the text

    results, seen = _run(_events_batch(keys[:39] + [keys[5]]), suite, monkeypatch)   # row 41 repeats row 7
    unique = results["event_id_unique"]
    assert not unique.success and unique.failing_rows.tolist() == [7, 41]
    assert unique.sample[0]["values"]["event_id"] == keys[5]
    assert "int64" in seen and seen[-1] != "int64"     # the hash found it; the re-run on the text decided

    results, seen = _run(_events_batch(keys[:39] + [None]), suite, monkeypatch)       # a null key: the text
    assert not results["event_id_not_null"].success and results["event_id_not_null"].failing_rows.tolist() == [41]
    assert "int64" not in seen

    pattern = validate._check({"type": "expect_column_values_to_match_regex",
                               "kwargs": {"column": "event_id", "regex": r"^K1\|"},
                               "meta": {"name": "event_id_pattern", "severity": "warning"}},
                              suite.dataset, "test")
    with_pattern = dataclasses.replace(suite, checks=suite.checks + (pattern,))
    results, seen = _run(_events_batch(keys), with_pattern, monkeypatch)
    assert results["event_id_pattern"].success and "int64" not in seen
