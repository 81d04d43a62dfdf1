"""metrics.defect_rate_weekly: lots per local ISO week, product, line and stage; rate = ratio of sums."""

from __future__ import annotations

from datetime import date

import pytest


def lot(lot_id: str, inspected: int, nonconforming: int, at: str, product="P", line="L1") -> dict:
    return {"lot_id": lot_id, "product": product, "line": line, "stage": "final", "inspected_at": at,
            "inspected_qty": inspected, "nonconforming_qty": nonconforming}


def test_defect_rate_weekly_sums_lots_of_the_week(warehouse):
    con = warehouse(inspections=[
        lot("A", 100, 10, "2024-03-04 10:00+08:00"),   # Monday
        lot("B", 400, 10, "2024-03-10 23:00+08:00"),   # Sunday, same ISO week
        lot("C", 200, 2, "2024-03-10 16:30+00:00", product="Q"),  # Monday 11 March 00:30 local: next week
    ])
    got = con.sql("SELECT * FROM metrics.defect_rate_weekly ORDER BY week_start_date").pl().to_dicts()
    assert [(r["week_start_date"], r["product"], r["line"], r["stage"]) for r in got] == [
        (date(2024, 3, 4), "P", "L1", "final"),
        (date(2024, 3, 11), "Q", "L1", "final"),
    ]
    # week of 4 March, P: 2 lots, (10 + 10) / (100 + 400) = 0.04, not the mean of lot rates
    # (0.10 + 0.025) / 2 = 0.0625.
    # Lot A is out of control on P's p-chart (0.10 > UCL 0.0988, see test_defect_lots) -> 1 lot.
    p = got[0]
    counts = ("lots", "inspected_qty", "nonconforming_qty", "out_of_control_lots")
    assert tuple(p[c] for c in counts) == (2, 500, 20, 1)
    assert p["defect_rate"] == pytest.approx(0.04)
    # week of 11 March, Q: 2 / 200 = 0.01
    q = got[1]
    assert tuple(q[c] for c in counts) == (1, 200, 2, 0)
    assert q["defect_rate"] == pytest.approx(0.01)
