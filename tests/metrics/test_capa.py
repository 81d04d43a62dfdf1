"""metrics.capa_actions (open, overdue, closed without verification) and metrics.capa_effectiveness (a KPI before
and after an action over equal windows), counted by hand. The clock is pinned at 2026-11-23 10:00 Shanghai
(tests/conftest.py), so today is 2026-11-23."""

from __future__ import annotations

from datetime import date

import pytest


def action(capa_id: str, due: str, **extra) -> dict:
    return {"capa_id": capa_id, "action": "do it", "owner": "王芳", "due_date": due,
            "opened_at": "2026-10-01 09:00+08:00", **extra}


def lot(lot_id: str, at: str, inspected: int, bad: int, product: str = "board") -> dict:
    return {"lot_id": lot_id, "product": product, "stage": "final", "inspected_at": at, "inspected_qty": inspected,
            "nonconforming_qty": bad, "line": "Line 1"}


def test_capa_actions_open_overdue_and_unverified(warehouse):
    con = warehouse(corrective_actions=[
        action("A1", "2026-11-20", status="open"),                                   # due 3 days ago: overdue
        action("A2", "2026-11-23", status="in_progress"),                            # due today: not yet
        action("A3", "2026-11-01", status="completed", completed_on="2026-11-10"),   # carried out late: not overdue
        action("A4", "2026-11-01", status="closed", closed_on="2026-11-15"),         # closed, never verified
        action("A5", "2026-11-01", status="closed", closed_on="2026-11-15", verified_on="2026-11-20",
               verified_by="孔丽", verification_result="effective"),
        action("A6", "2026-11-01", status="cancelled", source_type="nonconformity", source_ids="N1;N2"),
        action("A7", "2026-11-02"),                                                  # no status: open, overdue
    ])
    got = {r[0]: r[1:] for r in con.execute("""
        SELECT capa_id, status, is_open, is_overdue, days_overdue, is_closed_unverified, source_count
        FROM metrics.capa_actions ORDER BY capa_id""").fetchall()}
    assert got == {
        "A1": ("open", True, True, 3, False, 0),
        "A2": ("in_progress", True, False, None, False, 0),
        "A3": ("completed", True, False, None, False, 0),
        "A4": ("closed", False, False, None, True, 0),
        "A5": ("closed", False, False, None, False, 0),
        "A6": ("cancelled", False, False, None, False, 2),
        "A7": ("open", True, True, 21, False, 0),
    }


@pytest.fixture
def effectiveness(warehouse):
    inspections = [
        # before B1 [11-02, 11-09): 4 + 2 of 200 = 3 %
        lot("L1", "2026-11-03 10:00+08:00", 100, 4), lot("L2", "2026-11-05 10:00+08:00", 100, 2),
        lot("L0", "2026-11-01 23:30+08:00", 100, 50),           # the day before the window: out
        # after B1 [11-09, 11-16): 2 + 1 of 300 = 1 %
        lot("L3", "2026-11-10 10:00+08:00", 200, 2), lot("L4", "2026-11-15 23:30+08:00", 100, 1),
        lot("L5", "2026-11-16 00:30+08:00", 100, 40),           # 11-16 local: after the window
        lot("X1", "2026-11-10 10:00+08:00", 100, 90, product="other"),   # another product: out of scope
        # B2 [11-17, 11-20) and [11-20, 11-23): 5 % before, 6 % after (and L5 above: 40 / 100 on 11-16, out)
        lot("L6", "2026-11-18 10:00+08:00", 100, 5), lot("L7", "2026-11-21 10:00+08:00", 100, 6),
        lot("L8", "2026-11-23 09:00+08:00", 100, 50),           # today: not a whole day yet, out
    ]
    tickets = [
        # site S1 before C1 [11-02, 11-09): 1 attributable complaint of 2 tickets; after: 0 of 4
        {"ticket_id": "T1", "created_at": "2026-11-03 10:00+08:00", "site": "S1", "ticket_type": "complaint",
         "is_attributable_to_service": True},
        {"ticket_id": "T2", "created_at": "2026-11-04 10:00+08:00", "site": "S1", "ticket_type": "repair"},
        {"ticket_id": "T3", "created_at": "2026-11-04 10:00+08:00", "site": "S2", "ticket_type": "complaint",
         "is_attributable_to_service": True},
        *({"ticket_id": f"T{i}", "created_at": "2026-11-12 10:00+08:00", "site": "S1", "ticket_type": "repair"}
          for i in range(4, 8)),
    ]
    return warehouse(inspections=inspections, tickets=tickets, corrective_actions=[
        action("B1", "2026-11-09", metric="defect_rate", product="board", completed_on="2026-11-09",
               window_days=7),
        action("B2", "2026-11-20", metric="defect_rate", product="board", completed_on="2026-11-20"),
        action("B3", "2026-11-23", metric="defect_rate", product="board", completed_on="2026-11-23"),
        action("C1", "2026-11-09", metric="complaint_rate", site="S1", completed_on="2026-11-09", window_days=7),
        action("D1", "2026-11-09"),                                  # no metric: no check
    ])


def test_capa_effectiveness_equal_windows(effectiveness):
    rows = {r["capa_id"]: r for r in effectiveness.sql("SELECT * FROM metrics.capa_effectiveness").pl().to_dicts()}
    assert sorted(rows) == ["B1", "B2", "B3", "C1"]
    b1 = rows["B1"]
    assert (b1["window_days"], b1["before_start"], b1["after_stop"]) == (7, date(2026, 11, 2), date(2026, 11, 16))
    assert (b1["numerator_before"], b1["denominator_before"], b1["numerator_after"], b1["denominator_after"]) \
        == (6, 200, 3, 300)
    assert b1["rate_before"] == pytest.approx(0.03) and b1["rate_after"] == pytest.approx(0.01)
    assert b1["change"] == pytest.approx(-0.02) and b1["is_improved"] is True
    # B2: 28 days asked, 3 whole days since: both windows 3 days, the defect rate rose 5 % -> 6 %: not effective
    b2 = rows["B2"]
    assert (b2["window_days"], b2["before_start"], b2["after_stop"]) == (3, date(2026, 11, 17), date(2026, 11, 23))
    assert (b2["rate_before"], b2["rate_after"], b2["is_improved"]) == (pytest.approx(0.05), pytest.approx(0.06),
                                                                        False)
    # B3: carried out today: no window yet
    assert rows["B3"]["window_days"] == 0 and rows["B3"]["rate_before"] is None and rows["B3"]["is_improved"] is None
    # C1: site S1's complaint rate 1 / 2 -> 0 / 4, an improvement (lower is better)
    c1 = rows["C1"]
    assert (c1["numerator_before"], c1["denominator_before"], c1["numerator_after"], c1["denominator_after"]) \
        == (1, 2, 0, 4)
    assert c1["rate_before"] == pytest.approx(0.5) and c1["rate_after"] == 0 and c1["is_improved"] is True
