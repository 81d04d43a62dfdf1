"""metrics.cost_by_department: each nonconformity's loss split among the departments that bear it."""

from __future__ import annotations

from decimal import Decimal

# sqd.toml [loss_shares]: market 30, production 25, technology 15, purchasing 10, quality 10, logistics 10
NONCONFORMITIES = [
    # in warranty (board: 80 days; found 31 days after production)
    {"nc_id": "IN", "found_at": "2024-02-01 09:00+08:00", "product": "board", "production_date": "2024-01-01",
     "material_cost": 1000, "responsible_department": "production"},
    # in warranty, an amount that does not split into whole cents
    {"nc_id": "CENT", "found_at": "2024-02-01 09:00+08:00", "product": "board",
     "production_date": "2024-01-01",
     "material_cost": 100.01, "responsible_department": "production"},
    # outside warranty (found 100 days after production)
    {"nc_id": "OUT", "found_at": "2024-04-10 09:00+08:00", "product": "board",
     "production_date": "2024-01-01",
     "labour_cost": 50, "external_cost": 25, "responsible_department": "production"},
    # production date unknown -> the responsible department bears it all
    {"nc_id": "UNKNOWN", "found_at": "2024-02-01 09:00+08:00", "product": "board", "discount_cost": 80,
     "responsible_department": "technology"},
]


def allocation(con, nc_id: str) -> dict[str, tuple[float, Decimal]]:
    rows = con.execute(
        "SELECT department, share, cost FROM metrics.cost_by_department WHERE nc_id = ?", [nc_id]
    ).fetchall()
    return {d: (round(s, 4), c) for d, s, c in rows}


def test_cost_by_department_in_warranty_shares(warehouse):
    con = warehouse(nonconformities=NONCONFORMITIES)
    # 1000 x 30 % = 300, x 25 % = 250, x 15 % = 150, x 10 % = 100 each
    assert allocation(con, "IN") == {
        "market": (0.3, Decimal("300.00")), "production": (0.25, Decimal("250.00")),
        "technology": (0.15, Decimal("150.00")), "purchasing": (0.1, Decimal("100.00")),
        "quality": (0.1, Decimal("100.00")), "logistics": (0.1, Decimal("100.00")),
    }
    # 100.01 x 30 % = 30.003 -> 30.00; x 25 % = 25.0025 -> 25.00; x 15 % = 15.0015 -> 15.00; x 10 % = 10.001
    # -> 10.00 (x3): the rounded parts sum to 100.00, the remaining 0.01 goes to market (largest share):
    # 30.01.
    cent = allocation(con, "CENT")
    assert cent["market"] == (0.3, Decimal("30.01"))
    assert cent["production"] == (0.25, Decimal("25.00"))
    assert sum(c for _, c in cent.values()) == Decimal("100.01")


def test_cost_by_department_outside_and_unknown_warranty(warehouse):
    con = warehouse(nonconformities=NONCONFORMITIES)
    assert allocation(con, "OUT") == {"market": (1.0, Decimal("75.00"))}           # 50 + 25, all to market
    assert allocation(con, "UNKNOWN") == {"technology": (1.0, Decimal("80.00"))}   # responsible department


def test_cost_by_department_sums_to_total_cost(warehouse):
    con = warehouse(nonconformities=NONCONFORMITIES)
    mismatches = con.execute("""
        SELECT c.nc_id, c.total_cost, d.allocated
        FROM metrics.nonconformity_costs AS c
        LEFT JOIN (SELECT nc_id, sum(cost) AS allocated FROM metrics.cost_by_department GROUP BY nc_id) AS d
            USING (nc_id)
        WHERE d.allocated IS DISTINCT FROM c.total_cost
    """).fetchall()
    assert mismatches == []
    assert con.execute("SELECT count(DISTINCT nc_id) FROM metrics.cost_by_department").fetchall() == [(4,)]
