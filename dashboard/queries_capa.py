"""The CAPA tracker's queries (no Streamlit: tested on a real warehouse in tests/test_capa.py). Every figure is a
sum over metrics.capa_actions and metrics.capa_effectiveness (docs/metrics.md "Corrective actions")."""

from __future__ import annotations

import polars as pl

from pipelines.warehouse import Run

TRACKER_COLUMNS = ["capa_id", "source_type", "source_ids", "owner", "action", "root_cause", "due_date", "status",
                   "days_overdue", "completed_on", "verified_on", "verified_by", "verification_result", "metric",
                   "rate_before", "rate_after", "is_improved"]


def counts(run: Run) -> dict[str, int]:
    """open, overdue, closed without verification, and verified not effective (by the check's own result or,
    where its rates exist, by a rate that did not improve)."""
    frame = run("""
        SELECT count(*) FILTER (WHERE a.is_open) AS open,
               count(*) FILTER (WHERE a.is_overdue) AS overdue,
               count(*) FILTER (WHERE a.is_closed_unverified) AS closed_unverified,
               count(*) FILTER (WHERE a.verified_on IS NOT NULL
                                AND (a.verification_result = 'not_effective' OR e.is_improved = FALSE))
                   AS not_effective
        FROM metrics.capa_actions AS a
        LEFT JOIN metrics.capa_effectiveness AS e USING (capa_id)
    """, [])
    return {k: int(v or 0) for k, v in frame.row(0, named=True).items()}


def tracker(run: Run, which: str = "open") -> pl.DataFrame:
    """Actions for the tracker: which = open (overdue first, then by due date), overdue, closed_unverified, or all
    (newest first); each with its effectiveness check's rates before and after."""
    where = {"open": "a.is_open", "overdue": "a.is_overdue", "closed_unverified": "a.is_closed_unverified",
             "all": "TRUE"}[which]
    order = "a.opened_at DESC NULLS LAST, a.capa_id" if which == "all" else \
        "a.is_overdue DESC, a.due_date, a.capa_id"
    return run(f"""
        SELECT a.capa_id, a.source_type, a.source_ids, a.owner, a.action, a.root_cause, a.due_date, a.status,
               a.days_overdue, a.completed_on, a.verified_on, a.verified_by, a.verification_result, a.metric,
               e.rate_before, e.rate_after, e.is_improved
        FROM metrics.capa_actions AS a
        LEFT JOIN metrics.capa_effectiveness AS e USING (capa_id)
        WHERE {where}
        ORDER BY {order}
    """, [])


def effectiveness(run: Run) -> pl.DataFrame:
    """Every action with a check: the KPI before and after over equal windows (metrics.capa_effectiveness)."""
    return run("""
        SELECT e.capa_id, a.action, e.metric, e.product, e.department, e.site, e.completed_on, e.window_days,
               e.rate_before, e.numerator_before, e.denominator_before, e.rate_after, e.numerator_after,
               e.denominator_after, e.change, e.is_improved, a.verification_result
        FROM metrics.capa_effectiveness AS e
        JOIN metrics.capa_actions AS a USING (capa_id)
        ORDER BY e.completed_on DESC, e.capa_id
    """, [])
