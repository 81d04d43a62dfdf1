"""The nonconformity workflow and loss rules (issue 15): hand-computed figures from a few rows.

Prices are sqd.toml's [loss_rules.prices] (sealant: unit_price 32, unit_cost 19.2, concession_price 22.4;
primer: 60 / 36 / 42); limits are [nc_workflow] (notify 12 h, review 24 h, decide 48 h, approve 72 h, close A 15
days, B 7 days). The clock is pinned at 2026-11-23 10:00 +08:00 (tests/conftest.py).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

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


def test_rule_amounts_reach_the_departments(warehouse):
    """cost_by_department charges the rule's amount like any other: S1 (in plant, production) 192.00."""
    con = warehouse(inspections=[{"lot_id": "L1", "product": "sealant", "stage": "final",
                                  "inspected_at": "2026-11-20 07:00+08:00", "inspected_qty": 100,
                                  "nonconforming_qty": 10}],
                    nonconformities=[nc("S1", product="sealant", qty=10, disposition="scrap", lot_id="L1",
                                        responsible_department="production")])
    assert con.execute("SELECT department, cost FROM metrics.cost_by_department").fetchall() == [
        ("production", Decimal("192.00"))]
