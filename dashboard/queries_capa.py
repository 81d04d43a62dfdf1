"""The CAPA tracker's queries (no Streamlit: tested on a real warehouse in tests/test_capa.py). Every figure is a
sum over metrics.capa_actions and metrics.capa_effectiveness (docs/metrics.md "Corrective actions").

Corrective actions are few; metrics.capa_effectiveness joins them to metrics.kpi_facts, which DuckDB evaluates
whole (every ticket, survey, call and lot: 1-7 s at 1M tickets, even with no action to check). So these queries
read the view's own text (`effectiveness_sql`) with its `-- @narrow` line turned into the filter its join implies:
the metrics the actions name and the span of their windows (each window is at most the action's window_days,
default 28, either side of completed_on). With no action to check, the rows are the view's: none, and kpi_facts is
not read. tests/test_capa.py holds the narrowed rows equal to the view's.
"""

from __future__ import annotations

import re
from importlib import resources

import polars as pl

from pipelines.warehouse import Run

TRACKER_COLUMNS = ["capa_id", "source_type", "source_ids", "owner", "action", "root_cause", "due_date", "status",
                   "days_overdue", "completed_on", "verified_on", "verified_by", "verification_result", "metric",
                   "rate_before", "rate_after", "is_improved"]


NARROW = re.compile(r"^\s*-- @narrow\b.*$", re.MULTILINE)


def _view_body() -> str:
    text = resources.files("pipelines").joinpath("sql", "metrics", "capa_effectiveness.sql").read_text("utf-8")
    if len(NARROW.findall(text)) != 1:
        raise RuntimeError("capa_effectiveness.sql must hold one '-- @narrow' line")
    return re.split(r"CREATE OR REPLACE VIEW metrics\.capa_effectiveness AS\s*", text, maxsplit=1)[1]


def effectiveness_sql(run: Run) -> tuple[str, list[object]]:
    """A query giving metrics.capa_effectiveness's rows, and its bound values: the view's text narrowed to the
    metrics and dates the actions' windows can reach, or an empty relation of the view's columns when no action
    has a metric and a completion date (the view's own rows are then none)."""
    metrics, start, stop = run("""
        SELECT list(DISTINCT metric ORDER BY metric) AS metrics,
               min(completed_on - greatest(coalesce(window_days, 28), 0)) AS start,
               max(completed_on + greatest(coalesce(window_days, 28), 0)) AS stop
        FROM core.corrective_actions WHERE metric IS NOT NULL AND completed_on IS NOT NULL
    """, []).row(0)
    if not metrics:
        return "SELECT * FROM metrics.capa_effectiveness WHERE FALSE", []
    # identifiers and the filter's shape are this module's; the values are bound
    narrow = (f"     AND k.metric IN ({', '.join('?' for _ in metrics)})\n"
              "     AND k.metric_date >= CAST(? AS DATE) AND k.metric_date < CAST(? AS DATE)")
    return NARROW.sub(lambda _: narrow, _view_body()), [*metrics, start, stop]


def counts(run: Run) -> dict[str, int]:
    """open, overdue, closed without verification, and verified not effective (by the check's own result or,
    where its rates exist, by a rate that did not improve)."""
    checks, params = effectiveness_sql(run)
    frame = run(f"""
        WITH e AS ({checks})
        SELECT count(*) FILTER (WHERE a.is_open) AS open,
               count(*) FILTER (WHERE a.is_overdue) AS overdue,
               count(*) FILTER (WHERE a.is_closed_unverified) AS closed_unverified,
               count(*) FILTER (WHERE a.verified_on IS NOT NULL
                                AND (a.verification_result = 'not_effective' OR e.is_improved = FALSE))
                   AS not_effective
        FROM metrics.capa_actions AS a
        LEFT JOIN e USING (capa_id)
    """, params)
    return {k: int(v or 0) for k, v in frame.row(0, named=True).items()}


def tracker(run: Run, which: str = "open") -> pl.DataFrame:
    """Actions for the tracker: which = open (overdue first, then by due date), overdue, closed_unverified, or all
    (newest first); each with its effectiveness check's rates before and after."""
    where = {"open": "a.is_open", "overdue": "a.is_overdue", "closed_unverified": "a.is_closed_unverified",
             "all": "TRUE"}[which]
    order = "a.opened_at DESC NULLS LAST, a.capa_id" if which == "all" else \
        "a.is_overdue DESC, a.due_date, a.capa_id"
    checks, params = effectiveness_sql(run)
    return run(f"""
        WITH e AS ({checks})
        SELECT a.capa_id, a.source_type, a.source_ids, a.owner, a.action, a.root_cause, a.due_date, a.status,
               a.days_overdue, a.completed_on, a.verified_on, a.verified_by, a.verification_result, a.metric,
               e.rate_before, e.rate_after, e.is_improved
        FROM metrics.capa_actions AS a
        LEFT JOIN e USING (capa_id)
        WHERE {where}
        ORDER BY {order}
    """, params)


def effectiveness(run: Run) -> pl.DataFrame:
    """Every action with a check: the KPI before and after over equal windows (metrics.capa_effectiveness)."""
    checks, params = effectiveness_sql(run)
    return run(f"""
        WITH e AS ({checks})
        SELECT e.capa_id, a.action, e.metric, e.product, e.department, e.site, e.completed_on, e.window_days,
               e.rate_before, e.numerator_before, e.denominator_before, e.rate_after, e.numerator_after,
               e.denominator_after, e.change, e.is_improved, a.verification_result
        FROM e
        JOIN metrics.capa_actions AS a USING (capa_id)
        ORDER BY e.completed_on DESC, e.capa_id
    """, params)
