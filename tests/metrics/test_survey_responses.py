"""metrics.survey_responses: one row per follow-up attempt, classified for CSAT and NPS."""

from __future__ import annotations

from datetime import date

TICKET = {
    "ticket_id": "T1", "created_at": "2024-03-03 09:00+08:00", "ticket_type": "repair", "channel": "phone",
    "category": "water", "priority": "high", "site": "A", "agent": "li", "department": "engineering",
    "product": "boiler",
}


def survey(survey_id: str, outcome: str, score: int | None = None, recommend: int | None = None,
           **extra) -> dict:
    return {"survey_id": survey_id, "ticket_id": "T1", "attempted_at": "2024-03-04 10:00+08:00",
            "outcome": outcome, "score": score, "recommend_score": recommend, **extra}


def by_id(con) -> dict[str, dict]:
    return {r["survey_id"]: r for r in con.sql("SELECT * FROM metrics.survey_responses").pl().to_dicts()}


def test_survey_responses_classifies_score_and_recommendation(warehouse):
    con = warehouse(tickets=[TICKET], surveys=[
        survey("S1", "responded", score=5, recommend=10),   # top box; 9-10 promoter
        survey("S2", "responded", score=4, recommend=9),    # second box still satisfied; 9 promoter
        survey("S3", "responded", score=3, recommend=8),    # 一般 is not satisfied; 7-8 passive
        survey("S4", "responded", score=1, recommend=7),
        survey("S5", "responded", score=2, recommend=6),    # 0-6 detractor
        survey("S6", "responded", score=None, recommend=0),  # answered, no overall score: no CSAT verdict
        survey("S7", "no_answer"),
        survey("S8", "refused", score=5, recommend=10),     # contradictory: scores count only if responded
    ])
    got = {k: (r["is_response"], r["is_satisfied"], r["nps_class"]) for k, r in by_id(con).items()}
    assert got == {
        "S1": (True, True, "promoter"),
        "S2": (True, True, "promoter"),
        "S3": (True, False, "passive"),
        "S4": (True, False, "passive"),
        "S5": (True, False, "detractor"),
        "S6": (True, None, "detractor"),
        "S7": (False, None, None),
        "S8": (False, None, None),
    }


def test_survey_responses_attempted_date_is_local(warehouse):
    # 2024-03-03 17:30 UTC is 2024-03-04 01:30 in Asia/Shanghai (UTC+8): the local day is the 4th.
    late = survey("S1", "no_answer", attempted_at="2024-03-03 17:30+00:00")
    con = warehouse(tickets=[TICKET], surveys=[late])
    assert by_id(con)["S1"]["attempted_date"] == date(2024, 3, 4)


def test_survey_responses_takes_dimensions_from_the_ticket(warehouse):
    con = warehouse(tickets=[TICKET], surveys=[
        survey("S1", "responded", score=5),                          # no site/agent of its own: the ticket's
        survey("S2", "responded", score=5, site="B", agent="wang"),  # its own site and agent win
        survey("S3", "responded", score=5, ticket_id=None, site="C"),  # periodic survey, no ticket
    ])
    rows = by_id(con)
    dims = ("site", "agent", "department", "channel", "ticket_type", "category", "priority", "product")
    from_ticket = ["engineering", "phone", "repair", "water", "high", "boiler"]
    assert [rows["S1"][d] for d in dims] == ["A", "li", *from_ticket]
    assert [rows["S2"][d] for d in dims] == ["B", "wang", *from_ticket]
    assert [rows["S3"][d] for d in dims] == ["C", None, None, None, None, None, None, None]
    assert con.execute("SELECT count(*) FROM metrics.survey_responses").fetchall() == [(3,)]


def test_unanswered_sms_or_app_attempt_is_pending_inside_its_window(warehouse):
    # Clock pinned at 2026-11-23 10:00 +08:00; [follow_up] response_window_hours = 48 for methods sms and app.
    con = warehouse(tickets=[TICKET], surveys=[
        survey("SMS_HOUR", "no_answer", method="sms", attempted_at="2026-11-23 09:00+08:00"),   # pending
        survey("APP_47H", "no_answer", method="app", attempted_at="2026-11-21 11:00+08:00"),    # pending
        survey("SMS_OLD", "no_answer", method="sms", attempted_at="2026-11-21 10:00+08:00"),    # 48 h: closed
        survey("PHONE", "no_answer", method="phone", attempted_at="2026-11-23 09:00+08:00"),    # known at once
        survey("REFUSED", "refused", method="sms", attempted_at="2026-11-23 09:00+08:00"),      # final
        survey("ANSWERED", "responded", score=5, method="sms", attempted_at="2026-11-23 09:00+08:00",
               responded_at="2026-11-23 09:20+08:00"),
    ])
    got = {k: r["is_pending"] for k, r in by_id(con).items()}
    assert got == {"SMS_HOUR": True, "APP_47H": True, "SMS_OLD": False, "PHONE": False, "REFUSED": False,
                   "ANSWERED": False}
    # response rate: ANSWERED / (6 attempts - 2 pending) = 1 / 4
    assert con.execute("""
        SELECT sum(numerator), sum(denominator) FROM metrics.kpi_facts WHERE metric = 'response_rate'
    """).fetchall() == [(1, 4)]
    assert con.execute("SELECT sum(attempts), sum(pending_attempts) FROM metrics.csat_daily").fetchall() == [(6, 2)]
