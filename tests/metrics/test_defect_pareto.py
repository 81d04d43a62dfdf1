"""metrics.defect_pareto: units, records and cost per month, product and defect type."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest


def nc(nc_id: str, found_at: str, defect_type: str, qty: int | None, cost: float,
       product: str = "board") -> dict:
    return {"nc_id": nc_id, "found_at": found_at, "defect_type": defect_type, "qty": qty,
            "material_cost": cost, "product": product}


NONCONFORMITIES = [
    nc("N1", "2024-03-02 09:00+08:00", "scratch", 3, 10),
    nc("N2", "2024-03-20 09:00+08:00", "scratch", 5, 20.50),
    nc("N3", "2024-03-05 09:00+08:00", "crack", 2, 7),
    nc("N4", "2024-03-06 09:00+08:00", "crack", None, 1),             # qty unknown: a record, no units
    nc("N5", "2024-03-31 16:30+00:00", "scratch", 4, 3),             # 00:30 on 1 April local -> April
]


def test_defect_pareto_groups_by_month_product_and_type(warehouse):
    con = warehouse(nonconformities=NONCONFORMITIES)
    got = con.sql("SELECT * FROM metrics.defect_pareto ORDER BY month, defect_type").pl().to_dicts()
    keys = ("month", "product", "defect_type", "qty", "records", "total_cost")
    assert [tuple(r[k] for k in keys) for r in got] == [
        (date(2024, 3, 1), "board", "crack", 2, 2, Decimal("8.00")),      # 2 + null units; 7 + 1
        (date(2024, 3, 1), "board", "scratch", 8, 2, Decimal("30.50")),   # 3 + 5; 10 + 20.50
        (date(2024, 4, 1), "board", "scratch", 4, 1, Decimal("3.00")),
    ]


def test_defect_pareto_cumulative_share_as_in_docs(warehouse):
    con = warehouse(nonconformities=NONCONFORMITIES)
    # The cumulative line of docs/metrics.md, over all rows: scratch 8 + 4 = 12 units, crack 2; total 14.
    got = con.execute("""
        WITH by_type AS (
            SELECT defect_type, sum(qty) AS qty
            FROM metrics.defect_pareto
            GROUP BY defect_type
        )
        SELECT defect_type, qty,
               sum(qty) OVER (ORDER BY qty DESC, defect_type ROWS UNBOUNDED PRECEDING)
                   / sum(qty) OVER () AS cumulative_share
        FROM by_type
        ORDER BY qty DESC, defect_type
    """).fetchall()
    # scratch 12 / 14 = 0.857; then crack (12 + 2) / 14 = 1
    assert [(d, q) for d, q, _ in got] == [("scratch", 12), ("crack", 2)]
    assert [s for _, _, s in got] == [pytest.approx(12 / 14), pytest.approx(1.0)]
