"""The nonconformity workflow and loss rules (issue 15): hand-computed figures from a few rows.

Prices are sqd.toml's [loss_rules.prices] (sealant: unit_price 32, unit_cost 19.2, concession_price 22.4;
primer: 60 / 36 / 42); limits are [nc_workflow] (notify 12 h, review 24 h, decide 48 h, approve 72 h, close A 15
days, B 7 days). The clock is pinned at 2026-11-23 10:00 +08:00 (tests/conftest.py).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from pipelines.config import LossRulesConfig
from tests.metrics.conftest import seed


def nc(nc_id: str, found_at: str = "2026-11-20 08:00+08:00", **extra) -> dict:
    return {"nc_id": nc_id, "found_at": found_at, **extra}


LOSSES = [
    # scrap, no amount: 10 x 19.2 = 192.00
    nc("S1", product="sealant", qty=10, disposition="scrap"),
    # scrap with the source's material cost: the source wins (and labour adds)
    nc("S2", product="sealant", qty=10, disposition="scrap", material_cost=150, labour_cost=5),
    # concession: 5 x (32 - 22.4) = 48.00
    nc("C1", product="sealant", qty=5, disposition="concession"),
    # downgrade follows the price difference too: 3 x (60 - 42) = 54.00
    nc("D1", product="primer", qty=3, disposition="downgrade"),
    # use as is: 2 % of 100 x 60 = 120.00
    nc("U1", product="primer", qty=100, disposition="use_as_is"),
    # rework: no rule; the source's labour is the loss
    nc("R1", product="primer", qty=2, disposition="rework", labour_cost=30),
    # a product without prices: flagged, counts 0
    nc("X1", product="board", qty=4, disposition="scrap"),
    # no quantity: the rule cannot run
    nc("Q1", product="sealant", disposition="scrap"),
    # nothing at all
    nc("N0"),
]


def test_loss_rules_fill_missing_amounts_and_say_which_rule(warehouse):
    con = warehouse(nonconformities=LOSSES)
    got = {r[0]: r[1:] for r in con.execute(
        "SELECT nc_id, material_cost, discount_cost, total_cost, loss_rule FROM metrics.nonconformity_costs"
    ).fetchall()}
    D = Decimal
    assert got == {
        "S1": (D("192.00"), None, D("192.00"), "material_cost"),
        "S2": (D("150.00"), None, D("155.00"), "source"),
        "C1": (None, D("48.00"), D("48.00"), "price_difference"),
        "D1": (None, D("54.00"), D("54.00"), "price_difference"),
        "U1": (None, D("120.00"), D("120.00"), "revenue_share"),
        "R1": (None, None, D("30.00"), "source"),
        "X1": (None, None, D("0.00"), "no_price"),
        "Q1": (None, None, D("0.00"), "no_quantity"),
        "N0": (None, None, D("0.00"), "none"),
    }


def test_loss_rules_follow_the_configuration(warehouse, tmp_path):
    """Another share for use as is and scrap treated as 'none': the next publish applies them."""
    cfg = warehouse.config
    rules = dataclasses.replace(cfg.loss_rules, use_as_is_share=0.05,
                                dispositions=LossRulesConfig().dispositions | {"scrap": "none"})
    con = seed(dataclasses.replace(cfg, loss_rules=rules, warehouse_path=tmp_path / "other.duckdb"),
               nonconformities=LOSSES[:1] + LOSSES[4:5])
    got = dict(con.execute("SELECT nc_id, total_cost FROM metrics.nonconformity_costs").fetchall())
    con.close()
    assert got == {"S1": Decimal("0.00"), "U1": Decimal("300.00")}   # 5 % of 100 x 60


def test_a_changed_configuration_reprices_the_rows_already_loaded(warehouse):
    """The next publish of the same warehouse writes the new [loss_rules] (nothing is reloaded)."""
    from pipelines.warehouse import connect, publishing

    con = warehouse(nonconformities=LOSSES[:1])
    assert con.execute("SELECT total_cost FROM metrics.nonconformity_costs").fetchall() == [(Decimal("192.00"),)]
    con.close()
    cfg = warehouse.config
    prices = cfg.loss_rules.prices | {"sealant": {**cfg.loss_rules.prices["sealant"], "unit_cost": 20.0}}
    with publishing(dataclasses.replace(cfg, loss_rules=dataclasses.replace(cfg.loss_rules, prices=prices))):
        pass
    con = connect(cfg)
    assert con.execute("SELECT total_cost FROM metrics.nonconformity_costs").fetchall() == [(Decimal("200.00"),)]
    # the pages' materialised copy is rebuilt too (the rollup fingerprint covers meta.settings)
    assert con.execute("SELECT total_cost, loss_rule FROM metrics.nonconformity_costs_materialised").fetchall() == [
        (Decimal("200.00"), "material_cost")]
    con.close()


def test_rule_amounts_reach_the_departments(warehouse):
    """cost_by_department charges the rule's amount like any other: S1 (in plant, production) 192.00."""
    con = warehouse(inspections=[{"lot_id": "L1", "product": "sealant", "stage": "final",
                                  "inspected_at": "2026-11-20 07:00+08:00", "inspected_qty": 100,
                                  "nonconforming_qty": 10}],
                    nonconformities=[nc("S1", product="sealant", qty=10, disposition="scrap", lot_id="L1",
                                        responsible_department="production")])
    assert con.execute("SELECT department, cost FROM metrics.cost_by_department").fetchall() == [
        ("production", Decimal("192.00"))]


# ---------------------------------------------------------------- the workflow (now: 2026-11-23 10:00 +08:00)
def ev(nc_id: str, step: str, at: str, **extra) -> dict:
    return {"event_id": f"{nc_id}|{step}|{at}", "nc_id": nc_id, "step": step, "occurred_at": f"2026-11-{at}+08:00",
            **extra}


EVENTS = [
    # W1: B, reworked twice (re-inspection fails, then passes), closed 33 h after the finding
    ev("W1", "found", "20 08:00", actor="qc1"), ev("W1", "notified", "20 10:00", actor="tech", owner="li"),
    ev("W1", "reviewed", "20 15:00", grade="B"), ev("W1", "decided", "20 16:00", disposition="rework"),
    ev("W1", "approved", "20 17:00"), ev("W1", "executed", "21 09:00"),
    ev("W1", "reinspected", "21 10:00", reinspection_result="fail", actor="qc1"),
    ev("W1", "decided", "21 11:00", disposition="rework"), ev("W1", "executed", "21 15:00"),
    ev("W1", "reinspected", "21 16:00", reinspection_result="pass", actor="qc1"),
    ev("W1", "closed", "21 17:00"),
    # W2: found 8 h ago, not notified: pending (due 14:00)
    ev("W2", "found", "23 02:00", actor="qc2"),
    # W3: found 26 h ago, not notified: overdue
    ev("W3", "found", "22 08:00", actor="qc2"),
    # W4: grade A, approved, waiting for execution: due 15 days after the finding (25th 08:00): pending
    ev("W4", "found", "10 08:00"), ev("W4", "notified", "10 12:00", owner="li"),
    ev("W4", "reviewed", "11 08:00", grade="A"), ev("W4", "decided", "11 09:00", disposition="scrap"),
    ev("W4", "approved", "12 09:00", owner="wang"),
    # W5: the same as grade B: due 7 days after (17th 08:00): overdue
    ev("W5", "found", "10 08:00"), ev("W5", "notified", "10 21:00", owner="li"),
    ev("W5", "reviewed", "11 08:00", grade="B"), ev("W5", "decided", "13 09:00", disposition="concession"),
    ev("W5", "approved", "13 10:00", owner="zhao"),
    # W7: repaired, re-inspection failed: back to a decision, due by the closing limit (28th 08:00): pending
    ev("W7", "found", "21 08:00"), ev("W7", "notified", "21 09:00", owner="sun"), ev("W7", "reviewed", "21 10:00"),
    ev("W7", "decided", "21 11:00", disposition="repair"), ev("W7", "approved", "21 12:00"),
    ev("W7", "executed", "22 08:00"), ev("W7", "reinspected", "22 09:00", reinspection_result="fail", owner="sun"),
]
RECORDS = [nc("W1", "2026-11-20 08:00+08:00", lot_id="L1", qty=1, product="sealant"),
           nc("W6", "2026-11-22 08:00+08:00", product="sealant")]   # W6: only found_at, no steps


def test_nc_workflow_status_next_step_owner_and_due(warehouse):
    con = warehouse(nonconformity_events=EVENTS, nonconformities=RECORDS)
    got = {r[0]: r[1:] for r in con.execute(
        "SELECT nc_id, status, current_step, next_step, strftime(timezone('Asia/Shanghai', next_due_at), "
        "'%d %H:%M'), owner, grade FROM metrics.nc_workflow").fetchall()}
    assert got == {
        "W1": ("closed", "closed", None, None, "qc1", "B"),
        "W2": ("pending", "found", "notified", "23 14:00", "qc2", None),
        "W3": ("overdue", "found", "notified", "22 20:00", "qc2", None),
        "W4": ("pending", "approved", "executed", "25 08:00", "wang", "A"),
        "W5": ("overdue", "approved", "executed", "17 08:00", "zhao", "B"),
        "W6": ("no_steps", None, None, None, None, None),
        "W7": ("pending", "reinspected", "decided", "28 08:00", "sun", None),
    }


def test_nc_workflow_times_against_the_limits(warehouse):
    con = warehouse(nonconformity_events=EVENTS, nonconformities=RECORDS)
    got = {r[0]: r[1:] for r in con.execute(
        "SELECT nc_id, hours_to_notify, notify_met, hours_to_decide, decide_met, hours_to_close, close_met, "
        "close_limit_hours, route_ok, reinspections, last_reinspection_result, responsible_person "
        "FROM metrics.nc_workflow").fetchall()}
    assert got["W1"] == (2.0, True, 8.0, True, 33.0, True, 168.0, True, 2, "pass", "li")
    assert got["W2"] == (None, None, None, None, None, None, 168.0, True, 0, None, None)   # nothing due yet
    assert got["W3"] == (None, False, None, None, None, None, 168.0, True, 0, None, None)  # 12 h passed
    assert got["W4"] == (4.0, True, 25.0, True, None, None, 360.0, True, 0, None, "li")    # A: 15 days
    # W5: notified after 13 h (> 12), decided after 73 h (> 48), not closed 7 days on
    assert got["W5"] == (13.0, False, 73.0, False, None, False, 168.0, True, 0, None, "li")
    assert got["W6"] == (None, None, None, None, None, None, 168.0, True, 0, None, None)   # no steps: no failure


def test_nc_workflow_flags_a_grade_a_not_scrapped(warehouse):
    con = warehouse(nonconformity_events=[ev("A1", "found", "20 08:00"),
                                          ev("A1", "reviewed", "20 09:00", grade="A"),
                                          ev("A1", "decided", "20 10:00", disposition="concession")])
    assert con.execute("SELECT route_ok FROM metrics.nc_workflow").fetchall() == [(False,)]


def test_nc_backlog_open_and_overdue_by_step_and_owner(warehouse):
    con = warehouse(nonconformity_events=EVENTS, nonconformities=RECORDS)
    got = con.execute("SELECT step, owner, open, overdue, pending FROM metrics.nc_backlog "
                      "ORDER BY step, owner").fetchall()
    assert got == [("decided", "sun", 1, 0, 1), ("executed", "wang", 1, 0, 1), ("executed", "zhao", 1, 1, 0),
                   ("notified", "qc2", 2, 1, 1)]


def test_nc_reinspections_pass_rate_after_rework(warehouse):
    con = warehouse(nonconformity_events=EVENTS, nonconformities=RECORDS)
    got = con.execute("SELECT nc_id, attempt, is_pass, disposition FROM metrics.nc_reinspections "
                      "ORDER BY nc_id, attempt").fetchall()
    assert got == [("W1", 1, False, "rework"), ("W1", 2, True, "rework"), ("W7", 1, False, "repair")]
    # pass rate 1 / 3; first-time pass rate 0 / 2
    assert con.execute("SELECT sum(is_pass::INT) / count(*), sum(is_pass::INT) FILTER (WHERE attempt = 1) "
                       "/ count(*) FILTER (WHERE attempt = 1) FROM metrics.nc_reinspections").fetchall() == [
        (1 / 3, 0.0)]


def lot(lot_id: str, inspected: int, bad: int, lot_qty: int | None, product: str = "sealant",
        line: str = "Line 2") -> dict:
    return {"lot_id": lot_id, "product": product, "line": line, "stage": "final",
            "inspected_at": "2026-11-20 07:00+08:00", "lot_qty": lot_qty, "inspected_qty": inspected,
            "nonconforming_qty": bad}


LOTS = [lot("L1", 80, 2, 1000), lot("L2", 40, 0, 1000), lot("L3", 100, 1, None, "primer", "Line 1"),
        lot("L4", 20, 0, 100, "grout", "Line 1"), lot("L5", 1000, 15, 10000, "white-glue", "Line 1")]


def test_nc_lot_quality_first_pass_yield_bands_and_sampling(warehouse):
    con = warehouse(inspections=LOTS, nonconformity_events=EVENTS, nonconformities=RECORDS)
    got = {r[0]: r[1:] for r in con.execute(
        "SELECT lot_id, first_pass_yield, reworked_passed_qty, pass_rate_after_rework, pass_rate_band, "
        "sampling_rate, sampling_band FROM metrics.nc_lot_quality").fetchall()}
    assert got == {
        # 78 / 80 = 97.5 % < 98 %: penalty; W1 (1 unit of L1) passed re-inspection: 79 / 80 after rework; 8 %
        "L1": (0.975, 1, 0.9875, "penalty", 0.08, "within"),
        "L2": (1.0, 0, 1.0, "bonus", 0.04, "below"),                 # 40 of 1000 sampled: below 5 %
        "L3": (0.99, 0, 0.99, "neutral", None, None),               # no lot size: no sampling rate
        "L4": (1.0, 0, 1.0, "bonus", 0.2, "above"),                  # 20 of 100: above 10 %
        "L5": (0.985, 0, 0.985, "between", 0.1, "within"),           # 98.5 %: between penalty and neutral
    }


def test_nc_pass_rate_bands_per_month_product_and_line(warehouse):
    con = warehouse(inspections=LOTS, nonconformity_events=EVENTS, nonconformities=RECORDS)
    got = con.execute(
        "SELECT lots, inspected_qty, conforming_qty, first_pass_yield, sampling_rate, lots_sampled_below, "
        "pass_rate_band FROM metrics.nc_pass_rate_bands WHERE product = 'sealant'").fetchall()
    # L1 + L2: 118 / 120 = 98.33 %: between; sampled 120 of 2000 = 6 %
    assert got == [(2, 120, 118, 118 / 120, 0.06, 1, "between")]


def test_nc_compensation_bands_of_000_9_2(warehouse):
    con = warehouse(
        nonconformities=[nc("C300", material_cost=300), nc("C600", material_cost=600),
                         nc("C1200", material_cost=1200), nc("C5000", material_cost=5000), nc("C0")],
        nonconformity_events=[ev("C600", "notified", "20 09:00", owner="li")])
    got = {r[0]: r[1:] for r in con.execute(
        "SELECT nc_id, band_above, compensation, responsible_person FROM metrics.nc_compensation").fetchall()}
    assert got == {
        "C300": (0.0, Decimal("300.00"), None),        # within 500: all of it
        "C600": (500.0, Decimal("500.00"), "li"),      # 80 % = 480, at least 500
        "C1200": (1000.0, Decimal("800.00"), None),    # 60 % = 720, at least 800
        "C5000": (1000.0, Decimal("3000.00"), None),   # 60 % = 3000
    }


def test_the_stored_workflow_follows_each_load_and_is_rebuilt_only_when_its_inputs_change(warehouse, monkeypatch):
    """metrics.nc_workflow reads metrics.nc_workflow_base (pipelines/nc_workflow.py): after every publish it holds
    exactly what metrics.nc_workflow_schedule gives; a load of steps alone rebuilds it, as does a new lot's
    product; a publish that changes nothing of its inputs does not."""
    from pipelines import nc_workflow
    from pipelines.warehouse import connect

    built: list[bool] = []
    real = nc_workflow.refresh
    monkeypatch.setattr(nc_workflow, "refresh", lambda con: built.append(real(con)) or built[-1])

    def stored_is_current() -> bool:
        con = connect(warehouse.config)
        try:
            return con.execute("""SELECT (SELECT count(*) FROM ((FROM metrics.nc_workflow_base)
                                                                EXCEPT ALL (FROM metrics.nc_workflow_schedule)))
                                       + (SELECT count(*) FROM ((FROM metrics.nc_workflow_schedule)
                                                                EXCEPT ALL (FROM metrics.nc_workflow_base))) = 0
                                  AND (SELECT count(*) FROM metrics.nc_workflow_base) > 0""").fetchall()[0][0]
        finally:
            con.close()

    con = warehouse(nonconformity_events=EVENTS[:3], nonconformities=[nc("W1", lot_id="L9")])
    con.close()
    assert built == [True] and stored_is_current()
    seed(warehouse.config, nonconformity_events=EVENTS[3:6])            # steps only: W1 moves on
    assert built[-1] is True and stored_is_current()
    con = connect(warehouse.config)
    assert con.execute("SELECT current_step FROM metrics.nc_workflow WHERE nc_id = 'W1'").fetchall() == [
        ("executed",)]
    con.close()
    seed(warehouse.config, tickets=[{"ticket_id": "T1", "created_at": "2026-11-20 08:00+08:00"}])
    assert built[-1] is False, built                                  # nothing the workflow reads
    seed(warehouse.config, inspections=[{"lot_id": "L9", "product": "primer", "stage": "final",
                                         "inspected_at": "2026-11-20 07:00+08:00", "inspected_qty": 10,
                                         "nonconforming_qty": 1}])
    assert built[-1] is True and stored_is_current()
    con = connect(warehouse.config)
    assert con.execute("SELECT product FROM metrics.nc_workflow WHERE nc_id = 'W1'").fetchall() == [("primer",)]
    con.close()
