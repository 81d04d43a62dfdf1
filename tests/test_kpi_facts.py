"""metrics.kpi_facts read for a few metrics through its own branches (pipelines/kpi_facts.py): the same rows as the
view, for every metric, and only the asked metrics' source tables in the plan."""

from __future__ import annotations

import re
from datetime import date

from pipelines import kpi_facts, weekly
from pipelines.warehouse import connect, direct
from tests.review_fixtures import review_project  # noqa: F401


def test_every_metric_the_view_yields_has_a_branch_and_the_scorecard_reads_them_all(review_project):
    con = connect(review_project)
    try:
        yielded = {m for (m,) in con.execute("SELECT DISTINCT metric FROM metrics.kpi_facts").fetchall()}
    finally:
        con.close()
    assert yielded <= kpi_facts.metrics() and len(yielded) >= 10
    assert kpi_facts.metrics() == {k.key for k in weekly.KPIS}
    names = [b.metrics for b in kpi_facts.branches()]
    assert sum(len(n) for n in names) == len(kpi_facts.metrics())        # each metric in one branch only
    assert all("UNION ALL" not in b.select for b in kpi_facts.branches())
    assert sum(1 for b in kpi_facts.branches() if b.instant) >= 6


def test_the_narrowed_facts_are_the_views_rows_for_each_metric_alone_and_together(review_project):
    con = connect(review_project)
    run = direct(con)
    try:
        windows = {}
        for metric in sorted(kpi_facts.metrics()):
            for window in ((None, None), (date(2026, 9, 1), date(2026, 11, 1))):
                sql, params = kpi_facts.facts_sql(run, {metric: window})
                start, stop = window
                where = "metric = ?" + (" AND metric_date >= ? AND metric_date < ?" if start else "")
                view = f"SELECT * FROM metrics.kpi_facts WHERE {where}"
                view_params = [metric, *([start, stop] if start else [])]
                differ = con.execute(f"""SELECT count(*) FROM (({view}) EXCEPT ALL (SELECT * FROM {sql}))""",
                                     view_params + params).fetchall()[0][0]
                extra = con.execute(f"""SELECT count(*) FROM ((SELECT * FROM {sql}) EXCEPT ALL ({view}))""",
                                    params + view_params).fetchall()[0][0]
                assert (differ, extra) == (0, 0), (metric, window)
            windows[metric] = (date(2026, 8, 1), None)
        # all of them at once, each from 1 August: the view's rows from that day
        sql, params = kpi_facts.facts_sql(run, windows)
        got = con.execute(f"SELECT metric, count(*), sum(numerator), sum(denominator) FROM {sql} GROUP BY 1 ORDER BY 1",
                          params).fetchall()
        want = con.execute("""SELECT metric, count(*), sum(numerator), sum(denominator) FROM metrics.kpi_facts
                              WHERE metric_date >= DATE '2026-08-01' GROUP BY 1 ORDER BY 1""").fetchall()
        assert got == want and len(got) >= 10
        # a metric the view does not yield: no rows, no error
        sql, params = kpi_facts.facts_sql(run, {"no_such_metric": (None, None)})
        assert con.execute(f"SELECT count(*) FROM {sql}", params).fetchall() == [(0,)]
    finally:
        con.close()


def test_a_read_of_the_defect_rate_plans_no_ticket_survey_or_call_table(review_project):
    """The reason for the branches: through the view, the defect rate's read evaluated every ticket and call."""
    con = connect(review_project)
    run = direct(con)
    try:
        sql, params = kpi_facts.facts_sql(run, {"defect_rate": (date(2026, 9, 1), None)})
        plan = "\n".join(r[1] for r in con.execute(f"EXPLAIN SELECT * FROM {sql}", params).fetchall())
        assert "inspections" in plan
        assert re.search(r"inspected_at\s*>=", plan), plan     # the dates bound the lots' instants in the scan
        assert not re.search(r"\b(tickets|surveys|calls|ticket_sla_base)\b", plan), plan
        through_view = "\n".join(r[1] for r in con.execute(
            "EXPLAIN SELECT * FROM metrics.kpi_facts WHERE metric = 'defect_rate'").fetchall())
        assert re.search(r"\btickets\b", through_view)       # what the branches avoid
    finally:
        con.close()
