"""Nonconformity steps as a dataset, and the loss-rule configuration (issue 15): loads, refusals, config errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines import warehouse
from pipelines.config import ConfigError, load_config
from pipelines.ingest import ingest_files

HEADER = "nc_id,step,occurred_at,actor,owner,grade,disposition,reinspection_result\n"


def csv(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rows(project, sql: str) -> list[tuple]:
    con = warehouse.connect(project)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_steps_load_through_the_canonical_profile_with_their_key(project, tmp_path):
    path = csv(tmp_path, "steps.csv", HEADER + "N1,found,2026-11-20 08:00,qc1,,,,\n"
               "N1,notified,2026-11-20 10:00,tech,worker1,,,\n"
               "N1,reviewed,2026-11-20 15:00,group,,B,,\n"
               "N1,decided,2026-11-20 16:00,qc1,,,rework,\n"
               "N1,reinspected,2026-11-21 10:00,qc1,,,,fail\n")
    [result] = ingest_files([path], project)
    assert result.status == "published", result.message
    assert result.profile == "nonconformity_events__canonical"
    got = rows(project, "SELECT step, owner, grade, disposition, reinspection_result FROM core.nonconformity_events "
                        "ORDER BY occurred_at")
    assert got == [("found", None, None, None, None), ("notified", "worker1", None, None, None),
                   ("reviewed", None, "B", None, None), ("decided", None, None, "rework", None),
                   ("reinspected", None, None, None, "fail")]
    [key] = rows(project, "SELECT event_id FROM core.nonconformity_events WHERE step = 'found'")
    assert key[0].startswith("N1|found|2026-11-20")


def test_the_chinese_log_maps_steps_grades_and_dispositions(project, tmp_path):
    path = csv(tmp_path, "不合格品处理记录.csv",
               "不合格品单号,环节,时间,经办人,责任人,等级,处置方式,复检结果,备注\n"
               "N9,发现,2026-11-20 08:00,质检员,,,,,\n"
               "N9,评审,2026-11-20 12:00,评审小组,,A级,,,\n"
               "N9,处置决定,2026-11-20 13:00,品管部,,,报废,,\n"
               "N9,复检,2026-11-21 13:00,质检员,,,,合格,\n")
    [result] = ingest_files([path], project, profile="nonconformity_events__qc_zh")
    assert result.status == "published", result.message
    assert rows(project, "SELECT step, grade, disposition, reinspection_result FROM core.nonconformity_events "
                         "ORDER BY occurred_at") == [
        ("found", None, None, None), ("reviewed", "A", None, None), ("decided", None, "scrap", None),
        ("reinspected", None, None, "pass")]


def test_a_step_before_the_finding_refuses_the_file_with_row_and_column(project, tmp_path):
    # the finding is published first (core.nonconformities), the steps come in a later file
    found = csv(tmp_path, "nc.csv", "nc_id,found_at\nN2,2026-11-20 08:00\n")
    steps = csv(tmp_path, "steps.csv", HEADER + "N2,notified,2026-11-20 07:00,tech,worker1,,,\n"
                "N3,found,2026-11-20 08:00,qc1,,,,\nN3,notified,2026-11-20 09:00,tech,w,,,\n")
    results = ingest_files([found, steps], project)
    assert [r.status for r in results] == ["published", "refused"]
    message = results[1].message
    assert "steps.csv" in message and "nothing of this file was published" in message
    assert "step_not_before_found" in message and "row 2" in message and "occurred_at=" in message
    assert rows(project, "SELECT count(*) FROM core.nonconformity_events") == [(0,)]


def test_a_disposition_the_model_does_not_know_refuses_the_file(project, tmp_path):
    path = csv(tmp_path, "steps.csv", HEADER + "N4,found,2026-11-20 08:00,qc1,,,,\n"
               "N4,decided,2026-11-20 16:00,qc1,,,melt down,\n")
    [result] = ingest_files([path], project)
    assert result.status == "refused"
    assert "row 3, column 'disposition'" in result.message and "'melt down'" in result.message


def test_a_source_with_only_found_at_loads_and_reads_as_no_steps_recorded(project, tmp_path):
    path = csv(tmp_path, "nc.csv", "nc_id,found_at\nN5,2026-11-20 08:00\n")
    [result] = ingest_files([path], project)
    assert result.status == "published", result.message
    assert rows(project, "SELECT nc_id, status, next_step, is_overdue FROM metrics.nc_workflow") == [
        ("N5", "no_steps", None, None)]


def test_a_loss_rule_without_a_price_warns_with_the_rows_and_flags_them(project, tmp_path):
    path = csv(tmp_path, "nc.csv", "nc_id,found_at,product,qty,disposition\n"
               "N6,2026-11-20 08:00,sealant,10,scrap\nN7,2026-11-20 08:00,board,4,scrap\n")
    [result] = ingest_files([path], project)
    assert result.status == "published"
    assert "loss_rule_has_price" in result.message and "row 3: nc_id='N7', product='board'" in result.message
    assert "N6" not in result.message
    assert rows(project, "SELECT nc_id, loss_rule FROM metrics.nonconformity_costs ORDER BY nc_id") == [
        ("N6", "material_cost"), ("N7", "no_price")]


# ---------------------------------------------------------------- configuration
def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sqd.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "says"), [
    ('[loss_rules.dispositions]\nmelt = "none"\n', "[loss_rules.dispositions] melt: unknown disposition"),
    ('[loss_rules.dispositions]\nscrap = "guess"\n', "scrap = 'guess': unknown loss rule"),
    ('[loss_rules.prices]\nsealant = { unit_price = 32.0 }\n',
     "[loss_rules.prices] sealant: no concession_price, which the concession rule (price_difference) needs"),
    ('[loss_rules.prices]\nsealant = { unit_price = 32.0, unit_cost = -1, concession_price = 20 }\n',
     "a price cannot be negative"),
    ('[loss_rules.prices]\nsealant = { unit_price = 32.0, unit_cost = 10, concession_price = 40 }\n',
     "concession_price is above unit_price"),
    ("[nc_workflow]\nnotify_hours = 0\n", "[nc_workflow] notify_hours = 0 must be more than 0"),
    ('[nc_workflow]\nnotify_hours = "twelve"\n', "[nc_workflow] notify_hours: expected a number"),
    ("[nc_workflow]\nsampling_min = 0.2\n", "sampling_min must not exceed sampling_max"),
    (("[[loss_rules.accident_bands]]\nabove = 500\nshare = 0.8\nminimum = 500\n"
     "[[loss_rules.accident_bands]]\nabove = 0\nshare = 1.0\nminimum = 0\n"), "by rising `above`"),
])
def test_impossible_loss_rules_and_limits_are_named(tmp_path, text, says):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    assert says in str(err.value) and str(tmp_path / "sqd.toml") in str(err.value)


def test_loss_shares_must_sum_to_100_already(tmp_path):
    with pytest.raises(ConfigError, match="must sum to 100, they sum to 90"):
        load_config(write(tmp_path, "[loss_shares]\nmarket = 50\nproduction = 40\n"))


# ---------------------------------------------------------------- the defects page's queries (no Streamlit)
def test_page_queries_read_the_workflow_views(tmp_path):
    import dataclasses
    from datetime import date

    from dashboard import queries_nc
    from dashboard.queries import Filters
    from tests.metrics.conftest import REPO, seed
    from tests.metrics.test_nc_workflow import EVENTS, LOSSES, LOTS, RECORDS

    cfg = dataclasses.replace(load_config(REPO / "sqd.toml"), warehouse_path=tmp_path / "w.duckdb")
    con = seed(cfg, nonconformity_events=EVENTS, nonconformities=RECORDS + LOSSES, inspections=LOTS)
    run = warehouse.direct(con)
    f = Filters(start=date(2026, 11, 1), end=date(2026, 11, 30))
    # W1-W7 (W6 without steps) and the nine loss records (found 20 November, without steps)
    assert queries_nc.summary(run, f) == {"found": 7 + 9, "no_steps": 1 + 9, "closed": 1, "open_all": 5,
                                          "overdue_all": 2}
    assert queries_nc.summary(run, Filters(start=date(2026, 11, 21), end=date(2026, 11, 30)))["found"] == 4   # W2, W3, W6, W7
    backlog = queries_nc.backlog(run, f)
    assert backlog.select("step", "owner", "open", "overdue").rows() == [
        ("notified", "qc2", 2, 1), ("executed", "zhao", 1, 1), ("decided", "sun", 1, 0), ("executed", "wang", 1, 0)]
    assert queries_nc.overdue_list(run, f)["nc_id"].to_list() == ["W5", "W3"]
    times = {r["measure"]: r for r in queries_nc.times(run, f).to_dicts()}
    # notify: W1 2 h, W4 4 h, W5 13 h, W7 1 h done; W3 late undone; W2 pending
    assert (times["notify"]["done"], times["notify"]["met"], times["notify"]["late"],
            times["notify"]["pending"], times["notify"]["limit_hours"]) == (4, 3, 2, 1, 12.0)
    assert times["close"]["limit_hours"] == 168.0 and times["close"]["done"] == 1
    assert queries_nc.reinspections(run, f) == {"reinspections": 3, "passed": 1, "pass_rate": 1 / 3,
                                                "first_attempts": 2, "first_pass_rate": 0.0}
    bands = queries_nc.yield_bands(run, Filters(start=date(2026, 11, 20), end=date(2026, 11, 20),
                                                product=("sealant",)))
    assert bands.select("lots", "pass_rate_band").rows() == [(2, "between")]
    assert bands.schema["inspected_qty"] == bands.schema["lots"]   # whole numbers, not DuckDB's HUGEINT decimals
    sampled = queries_nc.sampling(run, Filters(product=("grout",)))
    assert sampled.select("lots", "lots_sampled_above", "sampling_rate").rows() == [(1, 1, 0.2)]
    losses = dict(queries_nc.losses_by_rule(run, f).select("loss_rule", "total_cost").rows())
    assert losses["material_cost"] == 192.0 and losses["no_price"] == 0.0
    con.close()


def test_the_demo_step_log_loads_clean_with_every_step_open_and_overdue(project, tmp_path):
    """pipelines/demo_nc.py on 60 days of lot findings: every value maps (qc_zh), nothing is refused, and open
    nonconformities wait at several steps, overdue at every step but the last; some reworks failed re-inspection."""
    from datetime import date, datetime, timedelta

    import polars as pl

    from pipelines import demo_nc

    end = date(2026, 11, 22)
    n = 600
    found = [datetime(2026, 9, 23, 8) + timedelta(hours=2.4 * i) for i in range(n)]
    lot_nc = pl.DataFrame({
        "nc_id": [f"NC{i:05d}" for i in range(n)], "lot_id": [f"L{i % 50:03d}" for i in range(n)],
        "product": [("sealant", "primer", "grout")[i % 3] for i in range(n)],
        "found_at": [f.strftime("%Y-%m-%d %H:%M:%S") for f in found], "qty": [5] * n,
        "disposition": [("rework", "scrap", "repair", "concession", "use_as_is", "downgrade")[i % 6] for i in range(n)],
        "responsible_department": [("production", "purchasing", "quality")[i % 3] for i in range(n)],
    })
    nc_path = tmp_path / "nc.ndjson"
    lot_nc.write_ndjson(nc_path)
    files = demo_nc.write_nc_steps(tmp_path, end, lot_nc, 1)
    results = ingest_files([nc_path, *(p for p, _ in files)], project, [None, *(name for _, name in files)])
    assert [r.status for r in results] == ["published"] * 3, [r.message for r in results]
    got = dict(rows(project, "SELECT next_step, count(*) FILTER (WHERE is_overdue) FROM metrics.nc_workflow "
                             "WHERE status IN ('pending', 'overdue') GROUP BY ALL"))
    assert set(got) >= {"notified", "reviewed", "decided", "approved", "executed", "closed"}
    assert all(got[s] >= 1 for s in ("notified", "reviewed", "decided", "approved", "executed")), got
    [(failed,)] = rows(project, "SELECT count(*) FROM metrics.nc_reinspections WHERE NOT is_pass")
    assert failed >= 1
    [(priced,)] = rows(project, "SELECT count(*) FROM metrics.nonconformity_costs WHERE nc_id LIKE 'NCW%' "
                                "AND loss_rule IN ('material_cost', 'price_difference', 'revenue_share')")
    assert priced >= 10
