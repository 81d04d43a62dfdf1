"""The CAPA tracker's queries (no Streamlit: tested on a real warehouse in tests/test_capa.py). Every figure is a
sum over metrics.capa_actions and metrics.capa_effectiveness (docs/metrics.md "Corrective actions").

Corrective actions are few; metrics.capa_effectiveness joins them to metrics.kpi_facts, which DuckDB evaluates
whole (every ticket, survey, call and lot: 1-7 s at 1M tickets, even with no action to check). So these queries
read the view's own text (`effectiveness_sql`) with metrics.kpi_facts replaced by the facts its join can reach:
only the branches of the metrics the actions name, each within the span of its actions' windows (each window is
at most the action's window_days, default 28, either side of completed_on; pipelines/kpi_facts.py). With no
action to check, the rows are the view's: none, and kpi_facts is not read. tests/test_capa.py holds the narrowed
rows equal to the view's.
"""

from __future__ import annotations

import re
from importlib import resources

import polars as pl

from pipelines import kpi_facts
from pipelines.warehouse import Run

TRACKER_COLUMNS = ["capa_id", "source_type", "source_ids", "owner", "action", "root_cause", "due_date", "status",
                   "days_overdue", "completed_on", "verified_on", "verified_by", "verification_result", "metric",
                   "rate_before", "rate_after", "is_improved"]


FACTS = "JOIN metrics.kpi_facts AS k"


def _view_body() -> str:
    text = resources.files("pipelines").joinpath("sql", "metrics", "capa_effectiveness.sql").read_text("utf-8")
    if text.count(FACTS) != 1:
        raise RuntimeError(f"capa_effectiveness.sql must hold one '{FACTS}'")
    return re.split(r"CREATE OR REPLACE VIEW metrics\.capa_effectiveness AS\s*", text, maxsplit=1)[1]


def effectiveness_sql(run: Run) -> tuple[str, list[object]]:
    """A query giving metrics.capa_effectiveness's rows, and its bound values: the view's text with the facts
    narrowed to the metrics and dates the actions' windows can reach, or an empty relation of the view's columns
    when no action has a metric and a completion date (the view's own rows are then none)."""
    spans = run("""
        SELECT metric, min(completed_on - greatest(coalesce(window_days, 28), 0)) AS start,
               max(completed_on + greatest(coalesce(window_days, 28), 0)) AS stop
        FROM core.corrective_actions WHERE metric IS NOT NULL AND completed_on IS NOT NULL
        GROUP BY metric ORDER BY metric
    """, [])
    if spans.is_empty():
        return "SELECT * FROM metrics.capa_effectiveness WHERE FALSE", []
    facts, params = kpi_facts.facts_sql(run, {m: (start, stop) for m, start, stop in spans.iter_rows()})
    return _view_body().replace(FACTS, f"JOIN {facts} AS k"), params


CHECK_COLUMNS = ["capa_id", "action", "metric", "product", "department", "site", "completed_on", "window_days",
                 "rate_before", "numerator_before", "denominator_before", "rate_after", "numerator_after",
                 "denominator_after", "change", "is_improved", "verification_result"]


def actions(run: Run) -> pl.DataFrame:
    """Every action (metrics.capa_actions) with its effectiveness check's columns (null without one; `has_check`).
    One statement for the counts, the list and the checks: the dashboard's cache runs it once per warehouse
    version, and the three below only filter, sort and count its rows."""
    checks, params = effectiveness_sql(run)
    return run(f"""
        WITH e AS ({checks})
        SELECT a.capa_id, a.source_type, a.source_ids, a.owner, a.action, a.root_cause, a.due_date, a.status,
               a.days_overdue, a.completed_on, a.verified_on, a.verified_by, a.verification_result, a.metric,
               e.rate_before, e.rate_after, e.is_improved, a.opened_at, a.is_open, a.is_overdue,
               a.is_closed_unverified, e.capa_id IS NOT NULL AS has_check, e.metric AS check_metric,
               e.product AS check_product, e.department AS check_department, e.site AS check_site,
               e.completed_on AS check_completed_on, e.window_days, e.numerator_before, e.denominator_before,
               e.numerator_after, e.denominator_after, e.change
        FROM metrics.capa_actions AS a
        LEFT JOIN e USING (capa_id)
    """, params)


def counts(run: Run) -> dict[str, int]:
    """open, overdue, closed without verification, and verified not effective (by the check's own result or,
    where its rates exist, by a rate that did not improve)."""
    frame = actions(run).select(
        pl.col("is_open").sum().alias("open"), pl.col("is_overdue").sum().alias("overdue"),
        pl.col("is_closed_unverified").sum().alias("closed_unverified"),
        (pl.col("verified_on").is_not_null()
         & ((pl.col("verification_result") == "not_effective") | ~pl.col("is_improved")))
        .fill_null(False).sum().alias("not_effective"))
    return {k: int(v or 0) for k, v in frame.row(0, named=True).items()}


def tracker(run: Run, which: str = "open") -> pl.DataFrame:
    """Actions for the tracker: which = open (overdue first, then by due date), overdue, closed_unverified, or all
    (newest first); each with its effectiveness check's rates before and after."""
    frame = actions(run)
    if which != "all":
        frame = frame.filter(pl.col({"open": "is_open", "overdue": "is_overdue",
                                     "closed_unverified": "is_closed_unverified"}[which]).fill_null(False))
        frame = frame.sort(["is_overdue", "due_date", "capa_id"], descending=[True, False, False], nulls_last=True)
    else:
        frame = frame.sort(["opened_at", "capa_id"], descending=[True, False], nulls_last=True)
    return frame.select(TRACKER_COLUMNS)


def effectiveness(run: Run) -> pl.DataFrame:
    """Every action with a check: the KPI before and after over equal windows (metrics.capa_effectiveness)."""
    frame = actions(run).filter(pl.col("has_check"))
    return (frame.select("capa_id", "action", pl.col("check_metric").alias("metric"),
                         *[pl.col(f"check_{c}").alias(c) for c in ("product", "department", "site", "completed_on")],
                         *CHECK_COLUMNS[7:])
            .sort(["completed_on", "capa_id"], descending=[True, False], nulls_last=True))
