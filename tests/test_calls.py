"""Call records (issue 16): the Chinese ACD export loads through the same loader, gate and lineage as every
dataset; each kind of bad call is quarantined on its own row with a name that says what is wrong."""

from __future__ import annotations

from pathlib import Path

from pipelines.ingest import WITH_QUARANTINE, ingest_files
from pipelines.warehouse import connect

ACD_HEADER = "呼叫ID,技能组,进线时间,应答时间,放弃时间,挂机时间,坐席,等待时长,通话时长,话后处理时长,是否转接,结果,工单号\n"
GOOD = [
    "C1,综合咨询,2026-11-20 09:00:00,2026-11-20 09:00:12,,2026-11-20 09:04:12,A1,12,240,30,否,接通,T1",
    "C2,综合咨询,2026-11-20 09:01:00,,2026-11-20 09:01:40,2026-11-20 09:01:40,,40,0,0,否,放弃,",
    "C3,报修,2026-11-20 09:02:00,2026-11-20 09:02:25,,2026-11-20 09:08:25,A2,25,360,60,是,接通,",
]
# 40 more plain answered calls, so that the four bad ones stay under [quality] max_failing_share (10 %)
FILLER = [f"F{i:02d},综合咨询,2026-11-19 {8 + i // 6:02d}:{i % 6 * 10:02d}:00,2026-11-19 {8 + i // 6:02d}:{i % 6 * 10:02d}:08,,"
          f"2026-11-19 {8 + i // 6:02d}:{i % 6 * 10 + 5:02d}:00,B{i:02d},8,292,20,否,接通," for i in range(40)]
BAD = [
    # answered before offered
    "C4,报修,2026-11-20 09:10:00,2026-11-20 09:09:00,,2026-11-20 09:12:00,A3,0,180,10,否,接通,",
    # both answered and abandoned
    "C5,投诉,2026-11-20 09:20:00,2026-11-20 09:20:10,2026-11-20 09:20:30,2026-11-20 09:25:00,A4,10,270,0,否,接通,",
    # a negative duration
    "C6,投诉,2026-11-20 09:30:00,2026-11-20 09:30:05,,2026-11-20 09:32:05,A5,5,-120,0,否,接通,",
    # a 40-hour call
    "C7,投诉,2026-11-20 09:40:00,2026-11-20 09:40:05,,2026-11-22 01:40:05,A6,5,144000,0,否,接通,",
]


def test_acd_export_in_chinese_loads_and_bad_calls_are_quarantined_by_name(project, tmp_path: Path):
    src = tmp_path / "呼叫明细.csv"
    src.write_text(ACD_HEADER + "\n".join(GOOD + FILLER + BAD) + "\n", encoding="utf-8")
    [result] = ingest_files([src], project)
    assert result.profile == "calls__acd_zh", result.message
    assert (result.dataset, result.status, result.quarantined) == ("calls", WITH_QUARANTINE, 4)
    con = connect(project)
    try:
        rows = con.execute("""
            SELECT call_id, queue, agent, wait_seconds, talk_seconds, is_transferred, outcome, ticket_id,
                   strftime(timezone('Asia/Shanghai', offered_at), '%H:%M:%S'), source_file = ?
            FROM core.calls WHERE call_id LIKE 'C%' ORDER BY call_id""", [str(src.resolve())]).fetchall()
        assert rows == [
            ("C1", "general", "A1", 12.0, 240.0, False, "answered", "T1", "09:00:00", True),
            ("C2", "general", None, 40.0, 0.0, False, "abandoned", None, "09:01:00", True),
            ("C3", "repair", "A2", 25.0, 360.0, True, "answered", None, "09:02:00", True),
        ]
        held = con.execute("SELECT record_key, list(DISTINCT expectation ORDER BY expectation) FROM meta.quarantine "
                           "WHERE dataset = 'calls' GROUP BY ALL ORDER BY 1").fetchall()
        assert held == [("C4", ["answered_before_offered"]),
                        ("C5", ["both_answered_and_abandoned"]),
                        ("C6", ["talk_negative"]),
                        ("C7", ["call_over_4_hours", "talk_over_4_hours"])]
    finally:
        con.close()


def test_status_counts_calls(project, tmp_path: Path):
    src = tmp_path / "calls.csv"
    src.write_text("call_id,offered_at,answered_at\nC1,2026-11-20 09:00:00,2026-11-20 09:00:10\n", encoding="utf-8")
    [result] = ingest_files([src], project)
    assert result.profile == "calls__canonical", result.message
    from pipelines.status import warehouse_status
    con = connect(project)
    try:
        status = warehouse_status(con).filter(dataset="calls")
    finally:
        con.close()
    assert status["rows"].to_list() == [1]


def test_contact_centre_settings_are_checked_with_section_and_key(tmp_path: Path):
    import pytest

    from pipelines.config import ConfigError, load_config

    base = (Path(__file__).resolve().parents[1] / "sqd.toml").read_text(encoding="utf-8")
    assert load_config(Path(__file__).resolve().parents[1] / "sqd.toml").contact_centre.service_level_target == 0.8
    for wrong, message in (('service_level_seconds = "twenty"', "[contact_centre] service_level_seconds"),
                           ("interval_minutes = 7", "interval_minutes = 7 must divide a day"),
                           ("service_level_target = 80", "service_level_target = 80 must be a fraction"),
                           ("abandon_rate_min = 0.06", "abandon_rate_min must not exceed abandon_rate_max"),
                           ("queue_colour = 1", "unknown keys ['queue_colour']")):
        key = wrong.split(" = ")[0]
        lines = [line for line in base.splitlines() if not line.startswith(f"{key} ")]
        text = "\n".join(lines).replace("[contact_centre]", f"[contact_centre]\n{wrong}", 1)
        path = tmp_path / "sqd.toml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError, match=r"\[contact_centre\]") as raised:
            load_config(path)
        assert message in str(raised.value)


def test_demo_hotline_is_short_of_agents_on_monday_mornings_until_the_roster_change(project, tmp_path: Path):
    """Story 7 of pipelines/demo.py, through the real profile, gate and views: before the roster change Monday
    09:00-12:00 misses 80/20 and Erlang C finds agent-hours short; after it, those mornings meet it."""
    from datetime import date, timedelta

    import numpy as np
    import polars as pl

    from pipelines import demo
    from pipelines.staffing import staffing
    from pipelines.warehouse import direct

    end = date(2026, 11, 22)
    src = tmp_path / "hotline_calls.csv"
    calls, roster = demo._hotline_calls(np.random.default_rng(5), end, 400)
    demo._write_csv(calls, src)
    demo._write_csv(roster, tmp_path / "hotline_roster.csv")
    results = ingest_files([src, tmp_path / "hotline_roster.csv"], project)
    assert [(r.profile, r.quarantined) for r in results] == [("calls__acd_zh", 0), ("roster__wfm_zh", 0)], \
        [r.message for r in results]
    change = date(2026, 10, 5)                        # the Monday 6 weeks before the end's week
    assert change.weekday() == 0 and (end - timedelta(days=end.weekday()) - change).days == 42
    con = connect(project)
    try:
        frame = staffing(direct(con), end - timedelta(weeks=16), end)
        sl = con.execute("""
            SELECT interval_date < ? AS before, weekday = 1 AND hour(time_of_day) BETWEEN 9 AND 11 AS monday_am,
                   sum(answered_within_service_level) / sum(calls)
            FROM metrics.calls_interval GROUP BY ALL ORDER BY ALL""", [change]).fetchall()
    finally:
        con.close()
    rates = {(before, am): rate for before, am, rate in sl}
    assert rates[(True, True)] < 0.7 and rates[(False, True)] > 0.8
    assert rates[(True, False)] > 0.8 and rates[(False, False)] > 0.8
    mornings = frame.filter((pl.col("weekday") == 1) & pl.col("time_of_day").dt.hour().is_between(9, 11))
    gap = mornings.group_by(pl.col("interval_date") < change).agg(pl.col("gap_agent_hours").sum() /
                                                                  pl.col("interval_date").n_unique())
    per_monday = dict(gap.rows())
    # about 6 agent-hours short per Monday morning before, under 1 after (Poisson bumps above the roster)
    assert set(frame["available_from"]) == {"roster"}
    assert per_monday[True] >= 3 and per_monday[True] >= 4 * per_monday[False]


def test_sqd_check_runs_the_calls_suite_on_published_calls(project, tmp_path: Path):
    """`sqd check` (quality.check_warehouse) reads core.calls with the same suite, the overlap window included."""
    from typer.testing import CliRunner

    from pipelines.cli import app

    src = tmp_path / "呼叫明细.csv"
    # C2 is answered by A1 while C1 is still running: a warning, both published
    src.write_text(ACD_HEADER + "\n".join([
        GOOD[0], "C2,综合咨询,2026-11-20 09:00:30,2026-11-20 09:00:40,,2026-11-20 09:03:00,A1,10,140,0,否,接通,",
        *FILLER]) + "\n", encoding="utf-8")
    [result] = ingest_files([src], project)
    assert result.quarantined == 0, result.message
    out = CliRunner(env={"COLUMNS": "250"}).invoke(app, ["check", "--dataset", "calls", "-c", str(project.source)])
    assert out.exit_code == 0, out.output
    assert "agent_calls_overlap" in out.output
    con = connect(project)
    try:
        warned = con.execute("SELECT unexpected_count FROM meta.dq_results r JOIN meta.dq_runs USING (run_id) "
                             "WHERE r.expectation = 'agent_calls_overlap' AND kind = 'check'").fetchall()
    finally:
        con.close()
    assert warned == [(1,)]


def test_chinese_roster_loads_with_its_key_made_from_agent_and_interval(project, tmp_path: Path):
    src = tmp_path / "排班表.csv"
    src.write_text("坐席,时段开始,时段分钟,是否登录,是否可接听,技能组\n"
                   "A1,2026-11-20 09:00,30,是,是,综合咨询\n"
                   "A2,2026-11-20 09:00,30,是,否,报修\n"
                   "A1,2026-11-20 09:30,30,是,是,综合咨询\n", encoding="utf-8")
    [result] = ingest_files([src], project)
    assert (result.profile, result.dataset, result.inserted) == ("roster__wfm_zh", "roster", 3), result.message
    again = tmp_path / "排班表2.csv"                     # the same slot again: an update, not a new row
    again.write_text("坐席,时段开始,时段分钟,是否登录,是否可接听,技能组\nA2,2026-11-20 09:00,30,是,是,报修\n",
                     encoding="utf-8")
    [second] = ingest_files([again], project)
    assert (second.inserted, second.updated) == (0, 1), second.message
    con = connect(project)
    try:
        rows = con.execute("SELECT roster_slot LIKE agent || '|2026-11-20 01:%', queue, is_available "
                           "FROM core.roster ORDER BY agent, interval_start").fetchall()
        available = con.execute("SELECT strftime(interval_start, '%H:%M'), agents_available "
                                "FROM metrics.roster_interval ORDER BY 1").fetchall()
    finally:
        con.close()
    assert rows == [(True, "general", True), (True, "general", True), (True, "repair", True)]
    assert available == [("09:00", 2.0), ("09:30", 1.0)]


def test_answered_calls_without_an_agent_are_not_an_agent_overlap(project, tmp_path: Path):
    """__agent_free compares an agent's calls only: two answered calls without an agent, at the same time, are
    two callers, not one agent on two calls (a PARTITION BY on the agent alone put every agentless call in one
    partition); the same two with one agent are."""
    src = tmp_path / "calls.csv"
    overlapping = ["N1,综合咨询,2026-11-20 10:00:00,2026-11-20 10:00:05,,2026-11-20 10:05:00,,5,295,0,否,接通,",
                   "N2,综合咨询,2026-11-20 10:01:00,2026-11-20 10:01:05,,2026-11-20 10:04:00,,5,175,0,否,接通,",
                   "S1,综合咨询,2026-11-20 11:00:00,2026-11-20 11:00:05,,2026-11-20 11:05:00,A9,5,295,0,否,接通,",
                   "S2,综合咨询,2026-11-20 11:01:00,2026-11-20 11:01:05,,2026-11-20 11:04:00,A9,5,175,0,否,接通,"]
    src.write_text(ACD_HEADER + "\n".join(overlapping + FILLER) + "\n", encoding="utf-8")
    [result] = ingest_files([src], project)
    assert result.quarantined == 0, result.message
    con = connect(project)
    try:
        warned = con.execute("SELECT unexpected_count FROM meta.dq_results r JOIN meta.dq_runs USING (run_id) "
                             "WHERE r.expectation = 'agent_calls_overlap'").fetchall()
        held = con.execute("SELECT count(*) FROM core.calls WHERE call_id IN ('N1', 'N2', 'S1', 'S2')").fetchall()
    finally:
        con.close()
    assert warned == [(1,)] and held == [(4,)]      # S2 only; every call published (a warning)


def test_call_ids_are_checked_through_their_hash_and_a_duplicate_is_still_refused_by_name(project, tmp_path: Path,
                                                                                          monkeypatch):
    """Issue 16 "Speed": call_id reaches GX as a 63-bit hash (validate.KEY_PROXIES; pandas hashed the text again,
    1 s per million calls); a duplicate makes the suite run again on the text, which refuses the file naming the
    rows and the real id."""
    from pipelines import validate
    from pipelines.ingest import PUBLISHED, REFUSED

    seen: list[str] = []
    real = validate._gx_run

    def recording(frame, checks, result_format, parameters):
        if "call_id" in frame.columns and len(frame):        # (the schema checks get an empty frame of the text)
            seen.append(str(frame["call_id"].dtype))
        return real(frame, checks, result_format, parameters)

    monkeypatch.setattr(validate, "_gx_run", recording)
    good = tmp_path / "calls.csv"
    good.write_text(ACD_HEADER + "\n".join(GOOD + FILLER) + "\n", encoding="utf-8")
    [result] = ingest_files([good], project)
    assert result.status == PUBLISHED, result.message
    assert seen and set(seen) == {"int64"}                    # the hash, never the text

    seen.clear()
    twice = tmp_path / "calls-twice.csv"                      # F07 again on the last line (row 43)
    twice.write_text(ACD_HEADER + "\n".join([*FILLER, FILLER[5].replace("F05", "F07", 1)]) + "\n", encoding="utf-8")
    [refused] = ingest_files([twice], project)
    assert refused.status == REFUSED
    assert "call_id_unique" in refused.message and "'F07'" in refused.message, refused.message
    assert "int64" in seen and seen[-1] != "int64"            # the hash found it; the re-run on the text decided
