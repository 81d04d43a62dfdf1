"""metrics.defect_lots: lot defect rate on a p-chart with lot-size limits and Western Electric signals."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from math import sqrt

import pytest


def lot(lot_id: str, inspected: int, nonconforming: int, at: str = "2024-03-04 10:00+08:00", product="P",
        stage="final", **extra) -> dict:
    return {"lot_id": lot_id, "product": product, "stage": stage, "inspected_at": at,
            "inspected_qty": inspected, "nonconforming_qty": nonconforming, **extra}


def by_id(con) -> dict[str, dict]:
    return {r["lot_id"]: r for r in con.sql("SELECT * FROM metrics.defect_lots").pl().to_dicts()}


def test_defect_lots_rate_of_a_single_lot(warehouse):
    con = warehouse(inspections=[
        lot("L1", 50, 22, line="line-1", plant="north", production_date="2024-03-01", material_batch_id="MB1",
            lot_qty=1000),
    ])
    got = by_id(con)["L1"]
    # 22 nonconforming of 50 inspected -> p = 0.44. Alone in its product x stage, p_bar = 0.44 too:
    # sigma = sqrt(0.44 * 0.56 / 50) = sqrt(0.004928) = 0.070200;
    # limits 0.44 -/+ 3 x 0.070200 = 0.2294 .. 0.6506
    assert got["defect_rate"] == pytest.approx(0.44)
    assert got["p_bar"] == pytest.approx(0.44)
    assert got["sigma"] == pytest.approx(0.070200, abs=1e-6)
    assert (got["lcl"], got["ucl"]) == (pytest.approx(0.22940, abs=1e-5), pytest.approx(0.65060, abs=1e-5))
    assert got["z_score"] == pytest.approx(0.0)
    assert got["is_out_of_control"] is False and got["signal"] is None
    assert (got["line"], got["plant"], got["material_batch_id"], got["lot_qty"]) == (
        "line-1", "north", "MB1", 1000)


def test_defect_lots_p_chart_limits_follow_lot_size(warehouse):
    con = warehouse(inspections=[
        lot("A", 100, 10),               # p = 0.10
        lot("B", 400, 10),               # p = 0.025
        lot("OTHER", 100, 50, product="Q"),  # another product: its own centre line, does not move P's
    ])
    got = by_id(con)
    # p_bar = (10 + 10) / (100 + 400) = 0.04
    # lot A (n = 100): sigma = sqrt(0.04 x 0.96 / 100) = sqrt(0.000384) = 0.019596
    #   UCL = 0.04 + 3 x 0.019596 = 0.098788; LCL = max(0, 0.04 - 0.058788) = 0
    #   0.10 > 0.098788 -> out of control; z = (0.10 - 0.04) / 0.019596 = 3.062 -> rule 1
    # lot B (n = 400): sigma = sqrt(0.0384 / 400) = 0.009798
    #   UCL = 0.04 + 0.029394 = 0.069394; LCL = 0.04 - 0.029394 = 0.010606; 0.025 inside; z = -1.531
    a, b = got["A"], got["B"]
    assert a["p_bar"] == pytest.approx(0.04) and b["p_bar"] == pytest.approx(0.04)
    assert a["sigma"] == pytest.approx(sqrt(0.000384))
    assert (a["lcl"], a["ucl"]) == (0.0, pytest.approx(0.098788, abs=1e-6))
    assert (b["lcl"], b["ucl"]) == (pytest.approx(0.010606, abs=1e-6), pytest.approx(0.069394, abs=1e-6))
    assert a["z_score"] == pytest.approx(3.0619, abs=1e-4)
    assert b["z_score"] == pytest.approx(-1.5309, abs=1e-4)
    assert (a["is_out_of_control"], a["signal"]) == (True, "we_rule_1")
    assert (b["is_out_of_control"], b["signal"]) == (False, None)
    assert got["OTHER"]["p_bar"] == pytest.approx(0.5)


def test_defect_lots_western_electric_rules(warehouse):
    # Every lot inspects 10000 units and the counts average 1000, so p_bar = 16000 / 160000 = 0.1 and
    # sigma = sqrt(0.1 x 0.9 / 10000) = 0.003 for every lot: a lot with 1000 + 30 z nonconforming sits at z.
    zs = [0.5] * 8 + [-2.5, -0.5, -2.5, -1.5, -1.5, 3.5, 0.5, 0.5]     # sum of z = 0 keeps p_bar at 0.1
    start = datetime(2024, 3, 1, tzinfo=timezone.utc)
    lots = [lot(f"L{i:02d}", 10000, round(1000 + 30 * z), at=(start + timedelta(days=i)).isoformat())
            for i, z in enumerate(zs, start=1)]
    # Stored in reverse id order: the rules must follow inspected_at, not lot_id.
    con = warehouse(inspections=list(reversed(lots)))
    got = by_id(con)
    assert [got[f"L{i:02d}"]["z_score"] for i in range(1, 17)] == pytest.approx(zs)
    signals = {k: r["signal"] for k, r in got.items() if r["signal"]}
    assert signals == {
        "L08": "we_rule_4",  # lots 1-8 all above the centre line
        "L11": "we_rule_2",  # lots 9-11 = -2.5, -0.5, -2.5: 2 of 3 beyond 2 sigma below, 11 one of them
        "L13": "we_rule_3",  # lots 9-13 = -2.5, -0.5, -2.5, -1.5, -1.5: four of five beyond 1 sigma below
        "L14": "we_rule_1",  # +3.5 sigma
    }
    # L12 (-1.5): only 3 of lots 8-12 beyond 1 sigma below, and itself not beyond 2 sigma -> nothing
    assert [k for k, r in got.items() if r["is_out_of_control"]] == ["L14"]
    flags = {k: (r["we_rule_1"], r["we_rule_2"], r["we_rule_3"], r["we_rule_4"]) for k, r in got.items()}
    assert flags["L13"] == (False, False, True, False)
    assert flags["L01"] == (False, False, False, False)


def test_defect_lots_local_date_and_iso_week(warehouse):
    # Sunday 3 March 2024 17:00 UTC is Monday 4 March 01:00 in Asia/Shanghai: the week of 4 March, not of
    # 26 February as a UTC date would say.
    con = warehouse(inspections=[lot("L1", 10, 0, at="2024-03-03 17:00+00:00")])
    got = by_id(con)["L1"]
    assert (got["inspected_date"], got["week_start_date"]) == (date(2024, 3, 4), date(2024, 3, 4))
    # 0 of 10: p_bar = 0, sigma = 0 -> no z score, no rule fires, and the lot is in control (0 <= 0 <= 0)
    assert (got["z_score"], got["is_out_of_control"], got["signal"]) == (None, False, None)


def test_defect_lots_equal_timestamps_order_lot_ids_naturally(warehouse):
    # Lots 1..12 inspected at the same instant: ties go 1, 2, ..., 10, 11, 12 (as text: 1, 10, 11, 12, 2, ...).
    # Lots 1..8: 5 of 100; lots 9..12: 0 of 100. p_bar = 40 / 1200 = 0.033333;
    # sigma = sqrt(0.033333 x 0.966667 / 100) = 0.017951.
    # Lots 1..8: z = (0.05 - 0.033333) / 0.017951 = +0.93 (above the centre, inside 1 sigma);
    # lots 9..12: z = -0.033333 / 0.017951 = -1.86 (beyond 1 sigma below).
    # In natural order lot 8 closes a run of 8 above the centre (rule 4) and lot 12 is the 4th of 5 below -1 sigma
    # (rule 3). In text order neither happens (lots 10, 11, 12 would sit between lot 1 and lot 2).
    con = warehouse(inspections=[lot(str(i), 100, 5 if i <= 8 else 0) for i in range(1, 13)])
    got = by_id(con)
    assert got["1"]["z_score"] == pytest.approx(0.9285, abs=1e-4)
    assert got["9"]["z_score"] == pytest.approx(-1.8570, abs=1e-4)
    signals = {lot_id: row["signal"] for lot_id, row in got.items() if row["signal"]}
    assert signals == {"8": "we_rule_4", "12": "we_rule_3"}
