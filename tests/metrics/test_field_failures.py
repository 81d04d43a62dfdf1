"""metrics.field_failures: field-failure nonconformities traced back to their production lot."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

INSPECTIONS = [
    {"lot_id": "L1", "product": "board", "stage": "final", "inspected_at": "2024-01-11 10:00+08:00",
     "production_date": "2024-01-10", "material_batch_id": "MB7", "inspected_qty": 200,
     "nonconforming_qty": 4},
    {"lot_id": "LF", "product": "board", "stage": "field", "inspected_at": "2024-05-01 10:00+08:00",
     "production_date": "2024-01-20", "material_batch_id": "MB8", "inspected_qty": 10,
     "nonconforming_qty": 5},
]
TICKETS = [{"ticket_id": "T1", "created_at": "2024-03-01 09:00+08:00", "ticket_type": "warranty",
            "product": "board", "batch_id": "L1"}]
NONCONFORMITIES = [
    # reported by ticket T1; the lot is the ticket's batch L1
    {"nc_id": "F1", "ticket_id": "T1", "found_at": "2024-03-01 09:00+08:00", "external_cost": 300,
     "material_cost": 20},
    # found at a field-stage inspection, no ticket
    {"nc_id": "F2", "lot_id": "LF", "found_at": "2024-05-01 10:00+08:00", "material_cost": 15},
    # found at final inspection: not a field failure
    {"nc_id": "N3", "lot_id": "L1", "found_at": "2024-01-11 10:00+08:00", "material_cost": 5},
]


def test_field_failures_trace_to_the_lot(warehouse):
    con = warehouse(inspections=INSPECTIONS, tickets=TICKETS, nonconformities=NONCONFORMITIES)
    got = {r["nc_id"]: r for r in con.sql("SELECT * FROM metrics.field_failures").pl().to_dicts()}
    assert sorted(got) == ["F1", "F2"]
    f1, f2 = got["F1"], got["F2"]
    # F1: produced 2024-01-10, found 2024-03-01: 21 days left in January + 29 in February + 1 = 51 days <= 80
    assert (f1["ticket_id"], f1["product"], f1["lot_id"], f1["material_batch_id"]) == (
        "T1", "board", "L1", "MB7")
    assert (f1["production_date"], f1["found_date"], f1["days_since_production"], f1["in_warranty"]) == (
        date(2024, 1, 10), date(2024, 3, 1), 51, True)
    assert f1["total_cost"] == Decimal("320.00")                # 300 + 20
    assert f1["lot_defect_rate"] == pytest.approx(0.02)         # 4 / 200
    # F2: produced 2024-01-20, found 2024-05-01: 11 + 29 + 31 + 30 + 1 = 102 days > 80 -> outside warranty
    assert (f2["lot_id"], f2["material_batch_id"], f2["days_since_production"], f2["in_warranty"]) == (
        "LF", "MB8", 102, False)
    assert f2["lot_defect_rate"] == pytest.approx(0.5)          # 5 / 10
