"""The nonconformity workflow's queries for the defects page (no Streamlit: tested on a real warehouse in
tests/test_nc_events.py). Every figure is a count or sum over the nc_* views and metrics.nonconformity_costs
(docs/metrics.md "Nonconformity workflow"); the page only lays them out.

Filters: the date range applies to when a nonconformity was found (found_date), or to the month of an inspection
(metrics.nc_pass_rate_bands is monthly: every month the range touches); product applies everywhere, department to
the responsible department. The backlog is the current state: every open nonconformity, whatever its date.
"""

from __future__ import annotations

import polars as pl

from dashboard import queries
from dashboard.queries import Filters
from pipelines.warehouse import Run

MEASURES = ("notify", "decide", "close")


def _where(f: Filters, date_column: str | None, product: str = "product",
           department: str | None = "responsible_department", month: bool = False) -> tuple[str, list[object]]:
    """WHERE body with bound values; identifiers come from this module only."""
    parts, params = ["TRUE"], []
    if date_column and f.start is not None:
        parts.append(f"{date_column} >= CAST(date_trunc('month', CAST(? AS DATE)) AS DATE)" if month
                     else f"{date_column} >= CAST(? AS DATE)")
        params.append(f.start)
    if date_column and f.end is not None:
        parts.append(f"{date_column} <= CAST(? AS DATE)")
        params.append(f.end)
    for column, values in ((product, f.product), (department, f.department)):
        if column and values:
            parts.append(f"{column} IN ({', '.join('?' for _ in values)})")
            params.extend(values)
    return " AND ".join(parts), params


def summary(run: Run, f: Filters) -> dict[str, int]:
    """Nonconformities found in the period: with steps recorded, without (a source with only found_at), open,
    overdue, closed; plus the open and overdue ones of any date (the backlog's totals)."""
    w, p = _where(f, "found_date")
    # one pass over the view (each scalar subquery evaluated it again: 3 x 7 ms at 1M)
    frame = run(f"""
        SELECT count(*) FILTER (WHERE {w}) AS found,
               count(*) FILTER (WHERE status = 'no_steps' AND {w}) AS no_steps,
               count(*) FILTER (WHERE status = 'closed' AND {w}) AS closed,
               count(*) FILTER (WHERE status IN ('pending', 'overdue')) AS open_all,
               count(*) FILTER (WHERE status = 'overdue') AS overdue_all
        FROM metrics.nc_workflow
    """, p * 3)
    return {k: int(v or 0) for k, v in frame.row(0, named=True).items()}


def backlog(run: Run, f: Filters) -> pl.DataFrame:
    """Open nonconformities by the step they wait for and its owner: open, overdue, pending (overdue first)."""
    w, p = _where(f, None, department=None)
    return run(f"""
        SELECT step, coalesce(owner, '—') AS owner, CAST(sum(open) AS BIGINT) AS open,
               CAST(sum(overdue) AS BIGINT) AS overdue, CAST(sum(pending) AS BIGINT) AS pending,
               min(oldest_due_at) AS oldest_due_at
        FROM metrics.nc_backlog WHERE {w}
        GROUP BY ALL
        ORDER BY overdue DESC, open DESC, step, owner
    """, p)


def overdue_list(run: Run, f: Filters, limit: int = 200) -> pl.DataFrame:
    """The overdue nonconformities themselves, the longest overdue first."""
    w, p = _where(f, None, department=None)
    return run(f"""
        SELECT nc_id, product, grade, next_step, owner, next_due_at, found_at, disposition
        FROM metrics.nc_workflow WHERE status = 'overdue' AND {w}
        ORDER BY next_due_at, nc_id LIMIT {int(limit)}
    """, p)


def times(run: Run, f: Filters) -> pl.DataFrame:
    """Time from finding to notification, to disposition decided and to closure, against the limits: done,
    within the limit, late (done late, or not done and past the limit), pending (not done, not yet due), the
    median and 90th percentile of the hours taken, and the limit (for closure: grade B's; A's is longer)."""
    w, p = _where(f, "found_date")
    selects = [f"""
        SELECT '{m}' AS measure, {i} AS ord,
               count(hours_to_{m}) AS done,
               count(*) FILTER (WHERE {m}_met) AS met,
               count(*) FILTER (WHERE NOT {m}_met) AS late,
               count(*) FILTER (WHERE {m}_met IS NULL AND hours_to_{m} IS NULL) AS pending,
               count(*) FILTER (WHERE {m}_met) / nullif(count({m}_met), 0) AS met_rate,
               median(hours_to_{m}) AS median_hours,
               quantile_cont(hours_to_{m}, 0.9) AS p90_hours,
               max({m}_limit_hours) FILTER (WHERE coalesce(grade, 'B') = 'B') AS limit_hours
        FROM steps""" for i, m in enumerate(MEASURES)]
    # the view evaluated once for the three measures (each branch of the union evaluated it again)
    frame = run(f"WITH steps AS MATERIALIZED (SELECT * FROM metrics.nc_workflow WHERE status <> 'no_steps' AND {w}) "
                + " UNION ALL ".join(selects) + " ORDER BY ord", p)
    return frame.drop("ord")


def reinspections(run: Run, f: Filters) -> dict[str, float | int | None]:
    """Re-inspections after rework or repair in the period: how many, passed, pass rate, and the first attempts'."""
    w, p = _where(f, "reinspected_date", department=None)
    frame = run(f"""
        SELECT count(*) AS reinspections, count(*) FILTER (WHERE is_pass) AS passed,
               count(*) FILTER (WHERE is_pass) / nullif(count(*), 0) AS pass_rate,
               count(*) FILTER (WHERE attempt = 1) AS first_attempts,
               count(*) FILTER (WHERE attempt = 1 AND is_pass) / nullif(count(*) FILTER (WHERE attempt = 1), 0)
                   AS first_pass_rate
        FROM metrics.nc_reinspections WHERE {w}
    """, p)
    return frame.row(0, named=True)


def yield_bands(run: Run, f: Filters) -> pl.DataFrame:
    """First-pass yield and its band (000 §9.1) per month, product and line at final inspection, with the pass
    rate after rework and the sampling rate (5-10 %)."""
    w, p = _where(f, "month", department=None, month=True)
    return run(f"""
        SELECT month, product, line, lots, inspected_qty, conforming_qty, first_pass_yield, pass_rate_after_rework,
               pass_rate_band, sampling_rate, lots_sampled_below, lots_sampled_above
        FROM metrics.nc_pass_rate_bands WHERE stage = 'final' AND {w}
        ORDER BY month DESC, product, line
    """, p)


def sampling(run: Run, f: Filters) -> pl.DataFrame:
    """Lots inspected in the period per product and stage: how many were sampled below, within and above the
    5-10 % rule, and the sampling rate (lots without a lot size are not counted)."""
    w, p = _where(f, "inspected_date", department=None)
    return run(f"""
        SELECT product, stage, count(*) FILTER (WHERE sampling_band IS NOT NULL) AS lots,
               count(*) FILTER (WHERE sampling_band = 'below') AS lots_sampled_below,
               count(*) FILTER (WHERE sampling_band = 'within') AS lots_sampled_within,
               count(*) FILTER (WHERE sampling_band = 'above') AS lots_sampled_above,
               sum(inspected_qty) FILTER (WHERE lot_qty > 0) / nullif(sum(lot_qty) FILTER (WHERE lot_qty > 0), 0)
                   AS sampling_rate
        FROM metrics.nc_lot_quality WHERE stage <> 'field' AND {w}
        GROUP BY ALL HAVING count(*) FILTER (WHERE sampling_band IS NOT NULL) > 0
        ORDER BY product, stage
    """, p)


def losses_by_rule(run: Run, f: Filters) -> pl.DataFrame:
    """Losses of the nonconformities found in the period by the rule that made each figure (the source's amount,
    a loss rule, or flagged: no price / no quantity)."""
    w, p = _where(f, "found_date")
    return run(f"""
        SELECT loss_rule, count(*) AS records, CAST(sum(total_cost) AS DOUBLE) AS total_cost
        FROM metrics.{queries.nc_source(run, "nonconformity_costs", f)} WHERE {w}
        GROUP BY ALL ORDER BY total_cost DESC, loss_rule
    """, p)
