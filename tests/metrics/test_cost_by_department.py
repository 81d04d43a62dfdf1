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


def test_cost_by_department_in_plant_rejects_go_to_the_responsible_department(warehouse):
    # Seed 002 §一/§二: a product rejected before shipment (incoming, in-process or final inspection) is charged to
    # the department responsible; the fixed warranty shares are for products that passed outgoing inspection and
    # failed in the field. Both board lots were produced 1 Jan 2024, so every record below is inside the 80 days.
    inspections = [
        {"lot_id": "FINAL-1", "product": "board", "stage": "final", "inspected_at": "2024-01-05 10:00+08:00",
         "production_date": "2024-01-01", "inspected_qty": 100, "nonconforming_qty": 3},
        {"lot_id": "FIELD-1", "product": "board", "stage": "field", "inspected_at": "2024-02-01 10:00+08:00",
         "production_date": "2024-01-01", "inspected_qty": 10, "nonconforming_qty": 1},
    ]
    tickets = [{"ticket_id": "T-CLAIM", "created_at": "2024-02-10 09:00+08:00", "ticket_type": "warranty",
                "product": "board", "batch_id": "FINAL-1"}]
    con = warehouse(inspections=inspections, tickets=tickets, nonconformities=[
        # scrapped at final inspection: 400 material, all to purchasing (bought the bad laminate)
        {"nc_id": "PLANT", "lot_id": "FINAL-1", "found_at": "2024-01-05 11:00+08:00", "disposition": "scrap",
         "material_cost": 400, "responsible_department": "purchasing"},
        # the same lot shipped and failed at a customer (reported by a ticket): 1000, shared 30/25/15/10/10/10
        {"nc_id": "CLAIM", "ticket_id": "T-CLAIM", "found_at": "2024-02-10 10:00+08:00",
         "external_cost": 1000, "responsible_department": "purchasing"},
        # found at a field-stage inspection: a field failure too, 200 shared
        {"nc_id": "FIELD", "lot_id": "FIELD-1", "found_at": "2024-02-01 11:00+08:00", "labour_cost": 200,
         "responsible_department": "production"},
    ])
    assert allocation(con, "PLANT") == {"purchasing": (1.0, Decimal("400.00"))}
    assert con.execute("SELECT allocation_basis, in_warranty FROM metrics.cost_by_department WHERE nc_id = 'PLANT'"
                       ).fetchall() == [("in_plant", True)]
    # 1000 x 30 % = 300 market, x 25 % = 250 production, x 15 % = 150 technology, x 10 % = 100 each of three
    assert allocation(con, "CLAIM") == {
        "market": (0.3, Decimal("300.00")), "production": (0.25, Decimal("250.00")),
        "technology": (0.15, Decimal("150.00")), "purchasing": (0.1, Decimal("100.00")),
        "quality": (0.1, Decimal("100.00")), "logistics": (0.1, Decimal("100.00")),
    }
    # 200 x 30 % = 60 market, x 25 % = 50 production, x 15 % = 30 technology, x 10 % = 20 each of three
    field = allocation(con, "FIELD")
    assert field["market"] == (0.3, Decimal("60.00")) and field["production"] == (0.25, Decimal("50.00"))
    assert sum(c for _, c in field.values()) == Decimal("200.00")
    # purchasing bears 400 (its own in-plant scrap) + 100 + 20 (its shares of the field failures) = 520
    assert con.execute("SELECT sum(cost) FROM metrics.cost_by_department WHERE department = 'purchasing'"
                       ).fetchall() == [(Decimal("520.00"),)]
