"""The monthly and quarterly packs' tables from the seeds, counted by hand: complaints by responsible department
with their share (metrics.period_complaints, seed 003), nonconformities and losses by product, machine and
department (metrics.period_nonconformities, seed 000), seed 004's satisfaction by kind as the pack sums it from
metrics.hotline_satisfaction (satisfied / all handled, pending out), and the corrective actions open at a period's
end. The clock is
pinned at 2026-11-23 10:00 Shanghai."""

from __future__ import annotations

import pytest

from pipelines import weekly
from pipelines.warehouse import direct
from pipelines.weekly import IsoWeek, Month


def ticket(tid: str, created: str, **extra) -> dict:
    return {"ticket_id": tid, "created_at": created, **extra}


def test_complaints_by_department_with_share(warehouse):
    con = warehouse(tickets=[
        ticket("C1", "2026-10-02 09:00+08:00", ticket_type="complaint", department="engineering",
               is_attributable_to_service=True, resolved_at="2026-10-03 09:00+08:00"),
        ticket("C2", "2026-10-05 09:00+08:00", ticket_type="complaint", department="engineering",
               is_repeat_complaint=True),                                  # still open
        ticket("C3", "2026-10-31 23:59+08:00", ticket_type="complaint", department="security",
               resolved_at="2026-11-01 09:00+08:00"),
        ticket("C4", "2026-10-09 09:00+08:00", ticket_type="complaint", resolved_at="2026-10-10 09:00+08:00"),
        ticket("C5", "2026-10-09 09:00+08:00", ticket_type="complaint", department="security", status="cancelled"),
        ticket("C6", "2026-11-01 00:00+08:00", ticket_type="complaint", department="security"),   # November
        ticket("R1", "2026-10-09 09:00+08:00", ticket_type="repair", department="security"),      # not a complaint
    ])
    frame = weekly.complaints_by_department(direct(con), Month(2026, 10))
    assert frame.rows() == [
        # 4 complaints in October (C5 cancelled, C6 in November): engineering 2 / 4, the others 1 / 4
        ("engineering", 2, pytest.approx(0.5), 1, 1, 1),
        ("(none)", 1, pytest.approx(0.25), 0, 0, 0),
        ("security", 1, pytest.approx(0.25), 0, 0, 0),
    ]


def test_nonconformities_by_product_machine_and_department(warehouse):
    con = warehouse(
        inspections=[{"lot_id": "L1", "product": "board", "line": "Line 1", "inspected_at": "2026-10-01 09:00+08:00",
                      "inspected_qty": 10, "nonconforming_qty": 1},
                     {"lot_id": "L2", "product": "board", "line": "Line 2", "inspected_at": "2026-10-01 09:00+08:00",
                      "inspected_qty": 10, "nonconforming_qty": 1}],
        nonconformities=[
            {"nc_id": "N1", "lot_id": "L1", "found_at": "2026-10-02 09:00+08:00", "qty": 3, "material_cost": 100,
             "responsible_department": "production"},
            {"nc_id": "N2", "lot_id": "L1", "found_at": "2026-10-03 09:00+08:00", "qty": 2, "material_cost": 50,
             "labour_cost": 50, "responsible_department": "production"},
            {"nc_id": "N3", "lot_id": "L2", "found_at": "2026-10-04 09:00+08:00", "qty": 1, "material_cost": 300,
             "responsible_department": "purchasing"},
            {"nc_id": "N4", "product": "glue", "found_at": "2026-10-05 09:00+08:00", "qty": 4},   # no lot, no cost
            {"nc_id": "N5", "lot_id": "L2", "found_at": "2026-11-01 09:00+08:00", "qty": 9, "material_cost": 999},
        ])
    frame = weekly.nonconformities_by_source(direct(con), Month(2026, 10))
    # losses of October: 200 + 300 + 0 = 500, by product and machine, and by department
    assert frame.rows() == [
        ("machine", "board", "Line 2", None, 1, 1, 300.0, pytest.approx(0.6)),
        ("machine", "board", "Line 1", None, 2, 5, 200.0, pytest.approx(0.4)),
        ("machine", "glue", "(none)", None, 1, 4, 0.0, pytest.approx(0.0)),
        ("department", None, None, "purchasing", 1, 1, 300.0, pytest.approx(0.6)),
        ("department", None, None, "production", 2, 5, 200.0, pytest.approx(0.4)),
        ("department", None, None, "(none)", 1, 4, 0.0, pytest.approx(0.0)),
    ]


def test_satisfaction_by_kind_counts_every_handled_ticket_and_leaves_pending_out(warehouse):
    con = warehouse(
        tickets=[
            # inquiries handled in October: Q1 satisfied, Q2 answered 3 (not satisfied), Q3 never answered
            ticket("Q1", "2026-10-01 09:00+08:00", ticket_type="inquiry", resolved_at="2026-10-01 10:00+08:00"),
            ticket("Q2", "2026-10-01 09:00+08:00", ticket_type="inquiry", resolved_at="2026-10-02 10:00+08:00"),
            ticket("Q3", "2026-10-01 09:00+08:00", ticket_type="inquiry", resolved_at="2026-10-03 10:00+08:00"),
            # complaint K1: answered 2 then 5 -> the latest answer (satisfied) counts
            ticket("K1", "2026-10-01 09:00+08:00", ticket_type="complaint", resolved_at="2026-10-04 10:00+08:00"),
            ticket("K9", "2026-10-01 09:00+08:00", ticket_type="complaint", status="cancelled",
                   resolved_at="2026-10-04 10:00+08:00"),
            # November: resolved yesterday, no answer yet, inside the 48 h window -> pending
            ticket("Q4", "2026-11-22 09:00+08:00", ticket_type="inquiry", resolved_at="2026-11-22 12:00+08:00"),
            ticket("Q5", "2026-11-02 09:00+08:00", ticket_type="inquiry", resolved_at="2026-11-02 12:00+08:00"),
        ],
        surveys=[
            {"survey_id": "S1", "ticket_id": "Q1", "attempted_at": "2026-10-02 09:00+08:00", "outcome": "responded",
             "score": 5},
            {"survey_id": "S2", "ticket_id": "Q2", "attempted_at": "2026-10-03 09:00+08:00", "outcome": "responded",
             "score": 3},
            {"survey_id": "S3", "ticket_id": "Q3", "attempted_at": "2026-10-04 09:00+08:00", "outcome": "no_answer"},
            {"survey_id": "S4", "ticket_id": "K1", "attempted_at": "2026-10-05 09:00+08:00", "outcome": "responded",
             "score": 2},
            {"survey_id": "S5", "ticket_id": "K1", "attempted_at": "2026-10-06 09:00+08:00", "outcome": "responded",
             "score": 5},
        ])
    targets = {"hotline_satisfaction_inquiry": 0.95, "hotline_satisfaction_complaint": 0.90}
    october = {r["satisfaction_kind"]: r
               for r in weekly.satisfaction_by_kind(direct(con), Month(2026, 10), targets).to_dicts()}
    assert list(october) == ["inquiry", "complaint", "cross_province", "key_account"]     # every kind listed
    # inquiries: 1 satisfied of 3 handled (seed 004: not only respondents), 1 of 2 answered (CSAT)
    assert {k: october["inquiry"][k] for k in ("handled", "pending", "with_answer", "satisfied", "kind_target")} \
        == {"handled": 3, "pending": 0, "with_answer": 2, "satisfied": 1, "kind_target": 0.95}
    assert october["inquiry"]["satisfaction_rate"] == pytest.approx(1 / 3)
    assert october["inquiry"]["csat"] == pytest.approx(0.5)
    # complaint K1: answered 2, then 5: the latest answer counts; the cancelled K9 is not handled
    assert (october["complaint"]["handled"], october["complaint"]["satisfied"],
            october["complaint"]["satisfaction_rate"]) == (1, 1, pytest.approx(1.0))
    assert (october["cross_province"]["handled"], october["cross_province"]["satisfaction_rate"]) == (0, None)
    # November so far: Q4 resolved yesterday, no attempt yet, inside the 48 h window: pending, out of the rate;
    # Q5 handled and never followed up: counts as not satisfied
    november = weekly.satisfaction_by_kind(direct(con), Month(2026, 11), targets).to_dicts()[0]
    assert (november["handled"], november["pending"], november["with_answer"], november["satisfaction_rate"]) \
        == (2, 1, 0, 0.0)


def test_capa_open_at_the_end_of_a_period(warehouse):
    def action(capa_id: str, opened: str, due: str, **extra) -> dict:
        return {"capa_id": capa_id, "action": "a", "owner": "o", "due_date": due,
                "opened_at": f"{opened} 09:00+08:00", **extra}

    con = warehouse(corrective_actions=[
        action("E1", "2026-11-02", "2026-11-06"),                                       # overdue at W46's end
        action("E2", "2026-11-02", "2026-11-30", status="in_progress"),                 # open, not due
        action("E3", "2026-11-02", "2026-11-05", status="closed", closed_on="2026-11-12"),   # closed in W46
        action("E4", "2026-11-02", "2026-11-05", status="closed", closed_on="2026-11-20"),   # closed after W46
        action("E5", "2026-11-02", "2026-11-05", status="completed", completed_on="2026-11-04"),  # on time
        action("E6", "2026-11-18", "2026-11-19"),                                       # opened after W46
        action("E7", "2026-11-02", "2026-11-05", status="cancelled"),
    ])
    run = direct(con)
    w46 = weekly.capa_open_at(run, IsoWeek(2026, 46))       # 2026-11-09 .. 11-15
    assert [(r["capa_id"], r["is_overdue"], r["days_overdue"]) for r in w46.to_dicts()] == [
        ("E4", True, 11), ("E1", True, 10), ("E5", False, None), ("E2", False, None)]
    # November is not over: overdue days counted to today (2026-11-23)
    november = weekly.capa_open_at(run, Month(2026, 11))
    assert [(r["capa_id"], r["is_overdue"], r["days_overdue"]) for r in november.to_dicts()] == [
        ("E1", True, 17), ("E6", True, 4), ("E5", False, None), ("E2", False, None)]
