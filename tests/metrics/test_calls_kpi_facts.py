"""The call KPIs of the weekly scorecard (metrics.kpi_facts: service_level, abandon_rate), the pack's worst
intervals, and a pack built from a warehouse without calls, by hand."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from pipelines import report, weekly
from pipelines.warehouse import direct
from pipelines.weekly import IsoWeek
from tests.metrics.test_calls_interval import CALLS, call

WEEK = IsoWeek.parse("2024-W10")            # Monday 2024-03-04 .. Sunday 2024-03-10

# CALLS (tests/metrics/test_calls_interval.py), Monday 2024-03-04 local, plus one call offered on Monday 17:00 UTC,
# i.e. Tuesday 01:00 local: its metric_date is the local offered date.
SEEDED = [dict(c, agent="A1") if c["call_id"] == "G1" else c for c in CALLS] + [
    call("X1", "2024-03-04 17:00:00+00:00", 8, "2024-03-04 17:00:08+00:00", talk=60, agent="A2"),
]


def test_call_kpi_facts_by_hand(warehouse):
    con = warehouse(calls=SEEDED)
    rows = con.sql("""
        SELECT metric, metric_date, queue, agent, sum(numerator) AS n, sum(denominator) AS d, count(*) AS facts,
               count(site) + count(department) + count(channel) + count(category) + count(product) AS ticket_dims
        FROM metrics.kpi_facts WHERE metric IN ('service_level', 'abandon_rate')
        GROUP BY ALL ORDER BY ALL
    """).fetchall()
    got = {(m, day, q, a): (n, d, facts, dims) for m, day, q, a, n, d, facts, dims in rows}
    monday, tuesday = date(2024, 3, 4), date(2024, 3, 5)
    # Monday, general: counted calls G1 (agent A1) + G2 G3 G4 G6 G8 G9 (G5 and G7: short abandons, 0 / 0 rows);
    # within 20 s: G1 (10 s, agent A1), G2 (18 s from the timestamps), G8 (5 s), G9 (exactly 20 s); abandoned: G6
    assert got[("service_level", monday, "general", None)] == (3, 6, 8, 0)
    assert got[("service_level", monday, "general", "A1")] == (1, 1, 1, 0)
    assert got[("abandon_rate", monday, "general", None)] == (1, 6, 8, 0)
    assert got[("abandon_rate", monday, "general", "A1")] == (0, 1, 1, 0)
    # repair: R1 abandoned by outcome after 12 s
    assert got[("service_level", monday, "repair", None)] == (0, 1, 1, 0)
    assert got[("abandon_rate", monday, "repair", None)] == (1, 1, 1, 0)
    # X1: Tuesday local
    assert got[("service_level", tuesday, "general", "A2")] == (1, 1, 1, 0)
    assert got[("abandon_rate", tuesday, "general", "A2")] == (0, 1, 1, 0)
    assert len(got) == 8
    # the week's rates: service level 4 / 8 on Monday (+ X1: 5 / 9), abandon rate 2 / 9
    totals = {m: (n, d) for m, n, d in con.sql("""
        SELECT metric, sum(numerator), sum(denominator) FROM metrics.kpi_facts
        WHERE metric_date BETWEEN DATE '2024-03-04' AND DATE '2024-03-10' GROUP BY metric""").fetchall()}
    assert totals["service_level"] == (5, 9) and totals["abandon_rate"] == (2, 9)
    history = weekly.kpi_history(direct(con), WEEK, weeks_before=1)
    this = {r["metric"]: r for r in history.filter(history["week_start"] == WEEK.start).to_dicts()}
    assert (this["service_level"]["numerator"], this["service_level"]["denominator"]) == (5, 9)
    assert this["abandon_rate"]["value"] == pytest.approx(2 / 9)


def test_worst_intervals_by_hand(warehouse):
    con = warehouse(calls=SEEDED)
    run = direct(con)
    # 09:00 (queues pooled): offered G1-G8 + R1 = 9, calls 7 (less G5, G7), within 20 s G1 G2 G8, abandoned G6 R1;
    # 09:30: G9 alone (1 offered); Tuesday 01:00: X1 alone
    worst = weekly.worst_intervals(run, WEEK, limit=5, min_offered=2)
    assert worst["interval_start"].to_list() == [datetime(2024, 3, 4, 9, 0)]
    first = worst.row(0, named=True)
    assert (first["offered"], first["calls"], first["answered"], first["abandoned"]) == (9, 7, 5, 2)
    assert first["service_level"] == pytest.approx(3 / 7) and first["abandon_rate"] == pytest.approx(2 / 7)
    # answered waits G1 10 + G2 18 + G3 45 + G4 90 + G8 5 = 168 s over 5 answered
    assert first["asa_seconds"] == pytest.approx(168 / 5)
    assert first["agents_needed"] >= 1 and first["agents_available"] is not None   # Erlang C; no roster: answering
    everything = weekly.worst_intervals(run, WEEK, limit=2, min_offered=1)
    assert everything["interval_start"].to_list() == [datetime(2024, 3, 4, 9, 0), datetime(2024, 3, 4, 9, 30)]
    assert weekly.worst_intervals(run, WEEK.shift(1)).height == 0


def test_pack_without_calls_shows_no_data(warehouse):
    con = warehouse(tickets=[{"ticket_id": "T1", "created_at": "2024-03-05 10:00+08:00", "ticket_type": "repair",
                              "status": "open"}])
    pack = weekly.build_pack(direct(con), warehouse.config, WEEK)
    for key in ("service_level", "abandon_rate"):
        row = pack.row(key)
        assert (row.value, row.numerator, row.denominator, row.light) == (None, 0, 0, "grey"), key
    assert pack.targets["service_level"] == 0.80 and pack.targets["abandon_rate"] == 0.05
    assert pack.row("complaint_rate").denominator == 1
    assert pack.worst_intervals.height == 0
    page = report.render_html(pack, "en")
    assert "No contact-centre interval this week had enough calls to judge." in page
    assert 'data-kpi="service_level" data-col="value">—<' in page
