"""metrics.csat_daily: sums per local day and dimension; CSAT, mean, response rate and NPS divide them."""

from __future__ import annotations

from datetime import date

import pytest

TICKET = {
    "ticket_id": "T1", "created_at": "2024-03-03 09:00+08:00", "ticket_type": "repair", "channel": "phone",
    "category": "water", "priority": "high", "site": "A", "agent": "li", "department": "engineering",
}


def survey(survey_id: str, at: str, outcome: str, score=None, recommend=None, ticket_id="T1",
           **extra) -> dict:
    return {"survey_id": survey_id, "ticket_id": ticket_id, "attempted_at": at, "outcome": outcome,
            "score": score, "recommend_score": recommend, **extra}


SURVEYS = [
    # local day 2024-03-04, ticket T1
    survey("S1", "2024-03-04 09:00+08:00", "responded", score=5, recommend=10),  # satisfied, promoter
    survey("S2", "2024-03-04 10:00+08:00", "responded", score=4, recommend=8),   # satisfied, passive
    survey("S3", "2024-03-04 11:00+08:00", "responded", score=2, recommend=3),   # not satisfied, detractor
    survey("S4", "2024-03-04 12:00+08:00", "no_answer"),
    survey("S5", "2024-03-03 16:30+00:00", "responded"),  # 00:30 local on the 4th; answered, no scores
    # local day 2024-03-05, ticket T1
    survey("S6", "2024-03-05 09:00+08:00", "refused"),
    # a periodic survey without a ticket, site B
    survey("S7", "2024-03-05 09:00+08:00", "responded", score=3, ticket_id=None, site="B", agent="wang"),
]


def test_csat_daily_sums_per_day_and_dimensions(warehouse):
    con = warehouse(tickets=[TICKET], surveys=SURVEYS)
    got = con.sql("""
        SELECT * FROM metrics.csat_daily ORDER BY attempted_date, site
    """).pl().to_dicts()
    counts = ("attempts", "responses", "scored_responses", "satisfied", "score_sum", "promoters",
              "detractors", "nps_responses")
    assert [(r["attempted_date"], r["site"], r["agent"], r["department"]) for r in got] == [
        (date(2024, 3, 4), "A", "li", "engineering"),
        (date(2024, 3, 5), "A", "li", "engineering"),
        (date(2024, 3, 5), "B", "wang", None),
    ]
    # 4 March: 5 attempts (S1-S5), 4 responses (S1 S2 S3 S5), 3 with a score (S1 S2 S3),
    # 2 satisfied (5 and 4), score_sum 5 + 4 + 2 = 11; recommend 10 promoter, 8 passive, 3 detractor
    # -> promoters 1, detractors 1, nps_responses 3.
    assert tuple(got[0][c] for c in counts) == (5, 4, 3, 2, 11, 1, 1, 3)
    # 5 March site A: one refused attempt; every sum is 0, never null.
    assert tuple(got[1][c] for c in counts) == (1, 0, 0, 0, 0, 0, 0, 0)
    # 5 March site B: one response scoring 3 (not satisfied), no recommend score.
    assert tuple(got[2][c] for c in counts) == (1, 1, 1, 0, 3, 0, 0, 0)


def test_csat_daily_rates_divide_sums_over_any_filter(warehouse):
    con = warehouse(tickets=[TICKET], surveys=SURVEYS)
    csat, mean, response, nps = con.execute("""
        SELECT sum(satisfied) / sum(scored_responses),
               sum(score_sum) / sum(scored_responses),
               sum(responses) / sum(attempts),
               (sum(promoters) - sum(detractors)) / sum(nps_responses)
        FROM metrics.csat_daily
    """).fetchall()[0]
    # all rows: satisfied 2 / scored 4 (5, 4, 2, 3) = 0.5; mean (5+4+2+3)/4 = 3.5; responses 5 / attempts 7;
    # NPS (1 - 1) / 3 = 0.
    assert csat == pytest.approx(0.5)
    assert mean == pytest.approx(3.5)
    assert response == pytest.approx(5 / 7)
    assert nps == pytest.approx(0.0)


def test_csat_daily_reconciles_with_survey_responses(warehouse):
    con = warehouse(tickets=[TICKET], surveys=SURVEYS)
    assert con.execute("""
        SELECT (SELECT sum(attempts) FROM metrics.csat_daily),
               (SELECT count(*) FROM metrics.survey_responses),
               (SELECT sum(satisfied) FROM metrics.csat_daily),
               (SELECT count(*) FROM metrics.survey_responses WHERE is_satisfied)
    """).fetchall() == [(7, 7, 2, 2)]
