"""metrics.nonconformity_costs: total loss, warranty window and field-failure flag per nonconformity."""

from __future__ import annotations

from datetime import date
from decimal import Decimal


def nc(nc_id: str, found_at: str, **extra) -> dict:
    return {"nc_id": nc_id, "found_at": found_at, **extra}


INSPECTIONS = [
    {"lot_id": "LF", "product": "board", "stage": "field", "inspected_at": "2024-02-20 10:00+08:00",
     "production_date": "2024-02-01", "inspected_qty": 10, "nonconforming_qty": 1},
    {"lot_id": "L2", "product": "board", "stage": "final", "inspected_at": "2024-01-11 10:00+08:00",
     "production_date": "2024-01-10", "inspected_qty": 100, "nonconforming_qty": 1},
]
TICKETS = [{"ticket_id": "T9", "created_at": "2024-02-01 09:00+08:00", "ticket_type": "warranty",
            "product": "board", "batch_id": "L2"}]
NONCONFORMITIES = [
    # board: default warranty 80 days; 2024-01-01 + 80 days = 2024-03-21 (Jan 31 + Feb 29 + 20 March days)
    nc("N1", "2024-03-21 23:00+08:00", product="board", production_date="2024-01-01", lot_id="L2",
       material_cost=100.10, labour_cost=20, external_cost=5.50, defect_type="scratch", qty=3,
       disposition="rework", responsible_department="production"),
    nc("N2", "2024-03-22 09:00+08:00", product="board", production_date="2024-01-01", material_cost=10),
    # white-glue: 100 days; 2024-01-01 + 100 = 2024-04-10. Found 16:30 UTC = 00:30 on 11 April local
    # -> outside.
    nc("N3", "2024-04-10 16:30+00:00", product="white-glue", production_date="2024-01-01"),
    # no product or date of its own: taken from lot LF (board, produced 2024-02-01), a field-stage lot
    nc("N4", "2024-02-25 09:00+08:00", lot_id="LF"),
    # field failure reported by ticket T9: its lot is the ticket's batch L2 (board, produced 2024-01-10)
    nc("N5", "2024-02-01 09:00+08:00", ticket_id="T9"),
    # nothing known about the product's age
    nc("N6", "2024-02-01 09:00+08:00"),
]


def test_nonconformity_costs_total_and_warranty(warehouse):
    con = warehouse(inspections=INSPECTIONS, tickets=TICKETS, nonconformities=NONCONFORMITIES)
    got = {r["nc_id"]: r for r in con.sql("SELECT * FROM metrics.nonconformity_costs").pl().to_dicts()}
    # N1: 100.10 + 20 + (no discount -> 0) + 5.50 = 125.60
    assert got["N1"]["total_cost"] == Decimal("125.60")
    assert got["N6"]["total_cost"] == Decimal("0.00")
    summary = {k: (r["product"], r["production_date"], r["warranty_days"], r["warranty_end_date"],
                   r["found_date"], r["month"], r["in_warranty"]) for k, r in got.items()}
    assert summary == {
        "N1": ("board", date(2024, 1, 1), 80, date(2024, 3, 21), date(2024, 3, 21), date(2024, 3, 1), True),
        "N2": ("board", date(2024, 1, 1), 80, date(2024, 3, 21), date(2024, 3, 22), date(2024, 3, 1), False),
        "N3": ("white-glue", date(2024, 1, 1), 100, date(2024, 4, 10), date(2024, 4, 11), date(2024, 4, 1),
               False),
        "N4": ("board", date(2024, 2, 1), 80, date(2024, 4, 21), date(2024, 2, 25), date(2024, 2, 1), True),
        "N5": ("board", date(2024, 1, 10), 80, date(2024, 3, 30), date(2024, 2, 1), date(2024, 2, 1), True),
        "N6": (None, None, None, None, date(2024, 2, 1), date(2024, 2, 1), None),
    }


def test_nonconformity_costs_field_failures_and_lots(warehouse):
    con = warehouse(inspections=INSPECTIONS, tickets=TICKETS, nonconformities=NONCONFORMITIES)
    got = {r["nc_id"]: (r["lot_id"], r["is_field_failure"])
           for r in con.sql("SELECT * FROM metrics.nonconformity_costs").pl().to_dicts()}
    assert got == {
        "N1": ("L2", False),   # found at final inspection
        "N2": (None, False),
        "N3": (None, False),
        "N4": ("LF", True),    # lot inspected at stage 'field'
        "N5": ("L2", True),    # reported by a ticket; lot = the ticket's batch_id
        "N6": (None, False),
    }
