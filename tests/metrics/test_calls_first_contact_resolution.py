"""metrics.first_contact_resolution: calls joined to the tickets they concern, by hand."""

from __future__ import annotations

from datetime import date

import pytest

from tests.metrics.test_calls_interval import call


def ticket(ticket_id, created, resolved=None, reopens=None, status=None, **extra) -> dict:
    return {"ticket_id": ticket_id, "created_at": created, "resolved_at": resolved, "reopen_count": reopens,
            "status": status, "ticket_type": "repair", **extra}


TICKETS = [
    ticket("T1", "2024-03-04 09:02+08:00", "2024-03-04 15:00+08:00", site="North"),   # one call, resolved: FCR
    ticket("T2", "2024-03-04 09:12+08:00", "2024-03-05 10:00+08:00"),                 # the caller rang again
    ticket("T3", "2024-03-04 09:22+08:00", "2024-03-04 18:00+08:00", reopens=1),      # reopened
    ticket("T4", "2024-03-04 23:40+08:00"),                                            # still open: not decided
    ticket("T5", "2024-03-04 09:50+08:00", "2024-03-04 12:00+08:00", status="cancelled"),
    ticket("T6", "2024-03-04 10:00+08:00", "2024-03-04 12:00+08:00"),                 # no call: no row
]
CALLS = [
    call("C1", "2024-03-04 09:01:00+08:00", 5, "2024-03-04 09:01:05+08:00", talk=60, agent="a1", ticket_id="T1"),
    call("C2", "2024-03-04 09:10:00+08:00", 5, "2024-03-04 09:10:05+08:00", talk=60, agent="a2", ticket_id="T2",
         queue="repair"),
    # T2's repeat calls: one answered the next morning, one abandoned
    call("C3", "2024-03-05 08:00:00+08:00", 5, "2024-03-05 08:00:05+08:00", talk=60, agent="a1", ticket_id="T2"),
    call("C4", "2024-03-05 08:30:00+08:00", 40, abandoned="2024-03-05 08:30:40+08:00", ticket_id="T2"),
    call("C5", "2024-03-04 09:20:00+08:00", 5, "2024-03-04 09:20:05+08:00", talk=60, agent="a3", ticket_id="T3"),
    # 15:39 UTC = 23:39 local on the 4th
    call("C6", "2024-03-04 15:39:00+00:00", 5, "2024-03-04 15:39:05+00:00", talk=60, agent="a1", ticket_id="T4"),
    call("C7", "2024-03-04 09:49:00+08:00", 5, "2024-03-04 09:49:05+08:00", talk=60, agent="a1", ticket_id="T5"),
    call("C8", "2024-03-04 09:55:00+08:00", 5, "2024-03-04 09:55:05+08:00", talk=60, ticket_id="T9"),   # unknown
    call("C9", "2024-03-04 09:56:00+08:00", 5, "2024-03-04 09:56:05+08:00", talk=60),                   # no ticket
]


def test_first_contact_resolution_by_hand(warehouse):
    con = warehouse(tickets=TICKETS, calls=CALLS)
    rows = {r["ticket_id"]: r for r in con.sql(
        "SELECT * FROM metrics.first_contact_resolution ORDER BY ticket_id").pl().to_dicts()}
    assert sorted(rows) == ["T1", "T2", "T3", "T4"]
    flags = {k: (r["first_call_id"], r["calls"], r["repeat_calls"], r["is_reopened"], r["is_resolved"],
                 r["is_first_contact_resolved"]) for k, r in rows.items()}
    assert flags == {
        "T1": ("C1", 1, 0, False, True, True),
        "T2": ("C2", 3, 2, False, True, False),
        "T3": ("C5", 1, 0, True, True, False),
        "T4": ("C6", 1, 0, False, False, False),
    }
    assert (rows["T1"]["site"], rows["T1"]["call_agent"], rows["T2"]["queue"]) == ("North", "a1", "repair")
    assert rows["T4"]["first_call_date"] == date(2024, 3, 4)
    # the rate: 1 first-contact resolution of 3 resolved tickets (T4 is open, not decided)
    fcr, resolved = con.execute("SELECT count(*) FILTER (WHERE is_first_contact_resolved), "
                                "count(*) FILTER (WHERE is_resolved) FROM metrics.first_contact_resolution"
                                ).fetchall()[0]
    assert (fcr, resolved) == (1, 3) and fcr / resolved == pytest.approx(1 / 3)


def test_first_contact_resolution_ties_and_no_calls(warehouse):
    # two calls at the same second: the first is the lower call id; a warehouse with tickets and no call: no rows
    same = "2024-03-04 09:00:00+08:00"
    con = warehouse(tickets=[ticket("T1", same, "2024-03-04 10:00+08:00")],
                    calls=[call("B", same, 1, same, ticket_id="T1"), call("A", same, 1, same, ticket_id="T1")])
    assert con.sql("SELECT first_call_id, repeat_calls, is_first_contact_resolved "
                   "FROM metrics.first_contact_resolution").fetchall() == [("A", 1, False)]


def test_first_contact_resolution_without_calls(warehouse):
    con = warehouse(tickets=TICKETS)
    assert con.sql("SELECT count(*) FROM metrics.first_contact_resolution").fetchall() == [(0,)]
