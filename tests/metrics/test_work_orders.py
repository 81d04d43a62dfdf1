"""Work-order lifecycle views (issue 14), computed by hand from a few tickets' events.

W1 is docs/metrics.md's worked ticket: received 08:00, dispatched to engineering 08:10 (deadline 12:00), returned by
engineering 09:00 ("not ours"), re-dispatched to cleaning 09:20 (deadline 14:00), transferred by cleaning to
security 10:00 (deadline 16:00), replied 11:00, reviewed valid 11:30, reminded 11:40, replied 12:00, appealed 12:30
(appeal ticket A1, complex), archived 13:00. The clock is pinned at 2026-11-23 10:00 (+08:00).
"""

from __future__ import annotations

from datetime import datetime

import pytest

D = "2026-11-20"


def ev(ticket: str, at: str, step: str, **kw) -> dict:
    return {"ticket_id": ticket, "occurred_at": at if "+" in at else f"{D} {at}+08:00", "step": step,
            "event_id": f"{ticket}|{step}|{at}", **kw}


def ticket(ticket_id: str, created: str) -> dict:
    return {"ticket_id": ticket_id, "created_at": created, "ticket_type": "complaint", "site": "Riverside",
            "status": "open"}


TICKETS = [ticket("W1", f"{D} 08:00+08:00"), ticket("W2", "2026-11-22 09:00+08:00"),
           ticket("W3", "2026-11-21 08:00+08:00"), ticket("W4", "2026-11-21 10:00+08:00"),
           ticket("A1", f"{D} 12:30+08:00"), ticket("A2", "2026-11-21 09:00+08:00")]
EVENTS = [
    ev("W1", "08:00", "received"),
    ev("W1", "08:10", "dispatched", to_department="engineering", deadline_at=f"{D} 12:00+08:00"),
    ev("W1", "09:00", "returned", from_department="engineering", reason="not ours"),
    ev("W1", "09:20", "redispatched", to_department="cleaning", deadline_at=f"{D} 14:00+08:00"),
    ev("W1", "10:00", "transferred", from_department="cleaning", to_department="security", reason="needs security",
       deadline_at=f"{D} 16:00+08:00"),
    ev("W1", "11:00", "replied"),
    ev("W1", "11:30", "reviewed", verdict="valid"),
    ev("W1", "11:40", "reminded", to_department="security"),
    ev("W1", "12:00", "replied"),
    ev("W1", "12:30", "appealed", appeal_ticket_id="A1", appeal_grade="complex"),
    ev("W1", "13:00", "archived"),
    # W2: held by engineering since 2026-11-22 09:30, deadline 2026-11-23 09:30 passed unreplied, escalated twice
    ev("W2", "2026-11-22 09:00+08:00", "received"),
    ev("W2", "2026-11-22 09:30+08:00", "dispatched", to_department="engineering",
       deadline_at="2026-11-23 09:30+08:00"),
    ev("W2", "2026-11-23 09:45+08:00", "escalated", escalation_level="department_head"),
    ev("W2", "2026-11-23 09:50+08:00", "escalated", escalation_level="vice_president"),
    # W3: an invalid complaint (无效投诉), cancelled by review; the caller appeals (A2, still undecided)
    ev("W3", "2026-11-21 08:00+08:00", "received"),
    ev("W3", "2026-11-21 08:05+08:00", "dispatched", to_department="cleaning"),
    ev("W3", "2026-11-21 08:30+08:00", "reviewed", verdict="invalid"),
    ev("W3", "2026-11-21 09:00+08:00", "appealed", appeal_ticket_id="A2", appeal_grade="ordinary"),
    # W4: replied, then reopened: not solved
    ev("W4", "2026-11-21 10:00+08:00", "received"),
    ev("W4", "2026-11-21 10:10+08:00", "dispatched", to_department="security"),
    ev("W4", "2026-11-21 11:00+08:00", "replied"),
    ev("W4", "2026-11-21 12:00+08:00", "reopened", reason="still leaking"),
    # the appeal tickets: A1 upheld by its review, A2 not decided yet
    ev("A1", "12:30", "received"),
    ev("A1", "15:00", "reviewed", verdict="valid"),
    ev("A2", "2026-11-21 09:00+08:00", "received"),
]


@pytest.fixture
def con(warehouse):
    return warehouse(tickets=TICKETS, ticket_events=EVENTS)


def test_work_order_holds_by_hand(con):
    rows = con.execute("""
        SELECT department, kind, end_step, end_reason, held_minutes, lost_minutes, replies, is_replied_on_time
        FROM metrics.work_order_holds WHERE ticket_id = 'W1' ORDER BY hold_seq""").fetchall()
    assert rows == [
        ("engineering", "dispatched", "returned", "not ours", 50.0, 70.0, 0, None),   # 08:10-09:00; resumed 09:20
        ("cleaning", "redispatched", "transferred", "needs security", 40.0, 40.0, 0, None),
        ("security", "transferred", "archived", None, 180.0, None, 2, True),        # first reply 11:00 <= 16:00
    ]
    # W2: held 2026-11-22 09:30 -> now (2026-11-23 10:00): 24.5 h, past its 09:30 deadline unreplied
    assert con.execute("SELECT department, is_held, held_minutes, is_replied_on_time FROM metrics.work_order_holds "
                       "WHERE ticket_id = 'W2'").fetchall() == [("engineering", True, 1470.0, False)]


def test_work_order_state_by_hand(con):
    cols = ("status", "is_open", "current_department", "held_minutes", "dispatches", "returns", "redispatches",
            "transfers", "replies", "reopens", "reminders", "escalations", "max_escalation_level", "review_verdict",
            "is_cancelled_by_review", "is_appealed", "is_replied_on_time")
    rows = {r[0]: dict(zip(cols, r[1:], strict=True)) for r in con.execute(
        f"SELECT ticket_id, {', '.join(cols)} FROM metrics.work_order_state").fetchall()}
    assert rows["W1"] == dict(zip(cols, ("archived", False, None, None, 1, 1, 1, 1, 2, 0, 1, 0, "reminder", "valid",
                                         False, True, True), strict=True))
    assert rows["W2"] == dict(zip(cols, ("in_progress", True, "engineering", 1470.0, 1, 0, 0, 0, 0, 0, 0, 2,
                                         "vice_president", None, False, False, False), strict=True))
    assert rows["W3"]["status"] == "appealed" and rows["W3"]["is_cancelled_by_review"] is True
    assert rows["W3"]["is_open"] is True       # under appeal: open again until the appeal is decided
    assert rows["W4"]["status"] == "in_progress" and rows["W4"]["current_department"] == "security"
    reply_due = con.execute("SELECT reply_due_at FROM metrics.work_order_state WHERE ticket_id = 'W1'").fetchall()
    assert reply_due[0][0] == datetime.fromisoformat(f"{D} 16:00+08:00")


def test_work_order_clock_by_hand(con):
    rows = {r[0]: r[1:] for r in con.execute("""
        SELECT ticket_id, receipt_to_replied_minutes, open_minutes, returns, transfers, lost_in_returns_minutes,
               lost_in_transfers_minutes, lost_minutes
        FROM metrics.work_order_clock""").fetchall()}
    # W1: received 08:00, solved and replied 12:00 (the last reply; no reopen after it): 240 min on the caller's
    # clock, of which 70 lost in engineering's return and 40 in cleaning's transfer (reported, not deducted)
    assert rows["W1"] == (240.0, None, 1, 1, 70.0, 40.0, 110.0)
    # W4: its reply was followed by a reopen: not solved; open since 2026-11-21 10:00 = 48 h
    assert rows["W4"] == (None, 2880.0, 0, 0, 0.0, 0.0, 0.0)


def test_work_order_appeals_by_hand(con):
    assert con.execute("SELECT ticket_id, appeal_ticket_id, appeal_grade, outcome, is_upheld, is_decided "
                       "FROM metrics.work_order_appeals ORDER BY ticket_id").fetchall() == [
        ("W1", "A1", "complex", "upheld", True, True),
        ("W3", "A2", "ordinary", "pending", None, False),
    ]


def test_work_order_escalations_by_level_and_department(con):
    assert con.execute("SELECT ticket_id, level, level_rank, department FROM metrics.work_order_escalations "
                       "ORDER BY occurred_at").fetchall() == [
        ("W1", "reminder", 1, "security"),
        ("W2", "department_head", 2, "engineering"),     # the department holding it then
        ("W2", "vice_president", 3, "engineering"),
    ]


def test_hotline_lifecycle_flow_counts_tickets_per_step(con):
    rows = dict(con.execute("SELECT step, sum(tickets) FROM metrics.hotline_lifecycle_flow "
                            "GROUP BY step").fetchall())
    assert rows == {"received": 6, "dispatched": 4, "returned": 1, "redispatched": 1, "transferred": 1,
                    "replied": 2, "reviewed": 3, "reminded": 1, "escalated": 1, "appealed": 2, "archived": 1,
                    "reopened": 1}
    assert con.execute("SELECT times FROM metrics.hotline_lifecycle_flow WHERE ticket_id = 'W1' "
                       "AND step = 'replied'").fetchall() == [(2,)]


def test_lifecycle_rates_from_the_views(con):
    """The rates docs/metrics.md defines, as a page computes them: sums of view columns."""
    rates = con.execute("""
        SELECT sum(is_returned::INT) / sum(is_dispatched::INT) AS return_rate,
               sum(is_redispatched::INT) / sum(is_dispatched::INT) AS redispatch_rate,
               sum(is_transferred::INT) / sum(is_dispatched::INT) AS transfer_rate,
               sum(transfers) / sum(is_dispatched::INT) AS transfers_per_ticket,
               sum((review_verdict = 'valid')::INT) / count(review_verdict) AS review_pass_rate
        FROM metrics.work_order_state WHERE ticket_id LIKE 'W%'""").fetchall()[0]
    # 4 dispatched tickets (W1-W4): 1 returned, 1 re-dispatched, 1 transferred once; reviews: W1 valid, W3 invalid
    assert rates == (0.25, 0.25, 0.25, 0.25, 0.5)
    by_department = con.execute("""
        SELECT department, count(*) AS received, sum(is_returned::INT) AS returned, sum(lost_minutes) AS lost
        FROM metrics.work_order_holds GROUP BY department ORDER BY department""").fetchall()
    assert by_department == [("cleaning", 2, 0, 40.0), ("engineering", 2, 1, 70.0), ("security", 2, 0, None)]


def test_hotline_queries_sum_the_views_under_the_filters(con):
    """dashboard/queries_hotline.py, without Streamlit: the page's figures from the same rows."""
    from dashboard import queries_hotline as qh
    from dashboard.queries import Filters
    from pipelines.warehouse import direct

    run = direct(con)
    period = Filters(start=datetime(2026, 11, 20).date(), end=datetime(2026, 11, 22).date())
    s = qh.summary(run, period).row(0, named=True)
    # tickets received 11-20..11-22: W1-W4, A1, A2; dispatched W1-W4
    assert (s["tickets"], s["dispatched"], s["return_rate"], s["transfers_per_ticket"]) == (6, 4, 0.25, 0.25)
    assert s["review_pass_rate"] == 2 / 3          # W1 valid, W3 invalid, A1 valid
    assert (s["appeals"], s["upheld_share"]) == (2, 1.0)
    assert s["reply_rate"] == 2 / 3                # W1, W4 replied; W2 not; W3 cancelled by review
    assert s["on_time_reply_rate"] == 0.5          # W1 on time, W2 past its deadline unreplied
    flow = qh.flow(run, period)
    assert flow["step"].to_list()[:3] == ["received", "dispatched", "returned"]
    assert dict(zip(flow["step"], flow["tickets"], strict=True))["received"] == 6
    depts = qh.by_department(run, period)
    assert depts.row(0, named=True)["department"] == "engineering"   # the highest return rate first
    assert depts.filter(department="engineering")["lost_hours_returns"].item() == 70 / 60
    reasons = qh.by_reason(run, period)
    assert set(zip(reasons["department"], reasons["handoff"], reasons["reason"], strict=True)) == {
        ("engineering", "returned", "not ours"), ("cleaning", "transferred", "needs security")}
    open_now = qh.open_work_orders(run, Filters())
    # W4 held by security since its reopen's hold began (11-21 10:10): 47 h 50 min; W2 by engineering 24.5 h; W3
    # (cancelled by review, now under appeal) and A2 are open but held by no department
    assert open_now.select("ticket_id", "current_department").rows()[:2] == [("W4", "security"), ("W2", "engineering")]
    assert open_now["held_hours"].to_list()[:2] == [47 + 50 / 60, 24.5]
    assert set(open_now["ticket_id"]) == {"W2", "W3", "W4", "A1", "A2"}   # A1: reviewed, not archived yet
    held = qh.open_by_department(run, Filters(department=("engineering",)))
    assert held.rows() == [("engineering", 1, 24.5, 24.5, 1)]
    assert qh.appeals(run, period).rows() == [("complex", "upheld", 1), ("ordinary", "pending", 1)]
    esc = qh.escalations(run, Filters(site=("Riverside",)))
    assert esc.select("level", "department", "steps").rows() == [
        ("reminder", "security", 1), ("department_head", "engineering", 1), ("vice_president", "engineering", 1)]
    # another site: nothing
    assert qh.escalations(run, Filters(site=("Hillcrest",))).height == 0
    assert qh.has_events(run)
