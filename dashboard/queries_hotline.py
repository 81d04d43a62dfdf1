"""Read-only SELECTs for the Hotline page's work-order lifecycle sections (issue 14), against the work-order views
(pipelines/sql/metrics/work_order_*.sql, hotline_lifecycle_flow.sql; definitions in docs/metrics.md "Work-order
lifecycle"). Rates are sums of view columns divided here; the views define the metrics.

Every function takes `run` (sql, params -> Polars frame) and the sidebar's `Filters`, turned into a WHERE clause of
allow-listed columns and bound values by dashboard.queries.where (the views are registered in its VIEWS below).
"""

from __future__ import annotations

import polars as pl

from dashboard import queries
from dashboard.queries import Filters, Run, ViewFilter

_DIMS = {d: d for d in ("site", "ticket_type", "category", "channel", "priority")}
LIFECYCLE_VIEWS = {
    # the state of tickets received in the period; department = the one holding it now
    "work_order_state": ViewFilter("created_date", {**_DIMS, "department": "current_department"},
                                   instant_column="created_at"),
    "work_order_holds": ViewFilter("received_date", {**_DIMS, "department": "department"},
                                   instant_column="received_at"),
    "work_order_appeals": ViewFilter("appealed_date", {**_DIMS, "department": "department"},
                                     instant_column="appealed_at"),
    "work_order_escalations": ViewFilter("occurred_date", {**_DIMS, "department": "department"},
                                         instant_column="occurred_at"),
    "hotline_lifecycle_flow": ViewFilter("created_date", _DIMS),
}
for _name, _spec in LIFECYCLE_VIEWS.items():
    queries.VIEWS.setdefault(_name, _spec)

FLOW = ("received", "dispatched", "returned", "redispatched", "transferred", "replied", "reviewed", "reminded",
        "escalated", "appealed", "archived", "reopened")
OPEN_LIMIT = 500


def _rate(numerator: str, denominator: str) -> str:
    return f"CAST({numerator} AS DOUBLE) / nullif({denominator}, 0)"


def has_events(run: Run) -> bool:
    """Whether the warehouse holds any work-order event (the lifecycle sections say so when not)."""
    return bool(run("SELECT EXISTS (SELECT 1 FROM core.ticket_events) AS has", [])["has"][0])


# metrics.work_order_state's count column of each step (hotline_lifecycle_flow's rows, summed)
FLOW_COUNTS = {"received": "receipts", "dispatched": "dispatches", "returned": "returns",
               "redispatched": "redispatches", "transferred": "transfers", "replied": "replies", "reviewed": "reviews",
               "reminded": "reminders", "escalated": "escalations", "appealed": "appeals", "archived": "archives",
               "reopened": "reopens"}


def flow(run: Run, f: Filters) -> pl.DataFrame:
    """Tickets received in the period that reached each step, in the lifecycle's order: step, tickets, times
    (the sums of metrics.hotline_lifecycle_flow, read from the per-ticket counts in one pass)."""
    w, p = queries.where("work_order_state", f)
    # identifiers from the constant FLOW_COUNTS
    sums = ", ".join(f"count(*) FILTER (WHERE {c} > 0) AS t_{step}, sum({c}) AS n_{step}"
                     for step, c in FLOW_COUNTS.items())
    pairs = ", ".join(f"(t_{step}, n_{step}) AS {step}" for step in FLOW_COUNTS)
    order = ", ".join(f"'{step}'" for step in FLOW)
    return run(f"""
        UNPIVOT (SELECT {sums} FROM metrics.work_order_state WHERE {w})
        ON {pairs} INTO NAME step VALUE tickets, times
        ORDER BY list_position([{order}], step)
    """, p).filter(pl.col("tickets") > 0)


def summary(run: Run, f: Filters) -> pl.DataFrame:
    """One row: the lifecycle rates of tickets received in the period (docs/metrics.md)."""
    w, p = queries.where("work_order_state", f)
    w2, p2 = queries.where("work_order_appeals", f)
    dispatched = "sum(is_dispatched::INT)"
    return run(f"""
        WITH s AS (SELECT * FROM metrics.work_order_state WHERE {w}),
        a AS (SELECT count(*) AS appeals, sum(is_upheld::INT) AS upheld, sum(is_decided::INT) AS decided
              FROM metrics.work_order_appeals WHERE {w2})
        SELECT count(*) AS tickets,
               {dispatched} AS dispatched,
               {_rate("sum(is_returned::INT)", dispatched)} AS return_rate,
               {_rate("sum(is_redispatched::INT)", dispatched)} AS redispatch_rate,
               {_rate("sum(is_transferred::INT)", dispatched)} AS transfer_rate,
               {_rate("sum(transfers)", dispatched)} AS transfers_per_ticket,
               {_rate("sum(is_replied::INT) FILTER (WHERE is_dispatched AND NOT is_cancelled_by_review)",
                      "sum(is_dispatched::INT) FILTER (WHERE NOT is_cancelled_by_review)")} AS reply_rate,
               {_rate("sum(is_replied_on_time::INT)", "count(is_replied_on_time)")} AS on_time_reply_rate,
               {_rate("count(*) FILTER (WHERE review_verdict = 'valid')", "count(review_verdict)")}
                   AS review_pass_rate,
               {_rate("sum(is_appealed::INT)", "sum(is_replied::INT)")} AS appeal_rate,
               any_value(a.appeals) AS appeals,
               {_rate("any_value(a.upheld)", "any_value(a.decided)")} AS upheld_share,
               sum(is_open::INT) AS open_work_orders
        FROM s CROSS JOIN a
    """, [*p, *p2])


def by_department(run: Run, f: Filters) -> pl.DataFrame:
    """Per department: work orders received in the period, returned, transferred on, their rates, time lost."""
    w, p = queries.where("work_order_holds", f)
    return run(f"""
        SELECT department,
               count(*) AS received,
               sum(is_returned::INT) AS returned,
               sum(is_transferred_on::INT) AS transferred_on,
               {_rate("sum(is_returned::INT)", "count(*)")} AS return_rate,
               {_rate("sum(is_transferred_on::INT)", "count(*)")} AS transfer_rate,
               sum(lost_minutes) FILTER (WHERE is_returned) / 60.0 AS lost_hours_returns,
               sum(lost_minutes) FILTER (WHERE is_transferred_on) / 60.0 AS lost_hours_transfers,
               {_rate("sum(is_replied_on_time::INT)", "count(is_replied_on_time)")} AS on_time_reply_rate
        FROM metrics.work_order_holds WHERE {w}
        GROUP BY department ORDER BY return_rate DESC NULLS LAST, received DESC
    """, p)


def by_reason(run: Run, f: Filters) -> pl.DataFrame:
    """Returns and transfers by department and reason: how many, and the hours they lost."""
    w, p = queries.where("work_order_holds", f)
    return run(f"""
        SELECT department, end_step AS handoff, coalesce(end_reason, '—') AS reason, count(*) AS work_orders,
               sum(lost_minutes) / 60.0 AS lost_hours, avg(lost_minutes) / 60.0 AS mean_lost_hours
        FROM metrics.work_order_holds WHERE {w} AND end_step IN ('returned', 'transferred')
        GROUP BY ALL ORDER BY work_orders DESC, department, reason
    """, p)


def open_work_orders(run: Run, f: Filters, limit: int = OPEN_LIMIT) -> pl.DataFrame:
    """Open work orders now (whatever their date, as the backlog), longest held first, with their department."""
    w, p = queries.where("work_order_state", f, dates=False)
    return run(f"""
        SELECT ticket_id, status, current_department, held_since, held_minutes / 60.0 AS held_hours,
               current_deadline_at AS deadline_at, created_at, returns, transfers, reminders + escalations AS chases,
               max_escalation_level
        FROM metrics.work_order_state WHERE {w} AND is_open
        ORDER BY held_minutes DESC NULLS LAST, created_at
        LIMIT ?
    """, [*p, limit])


def open_by_department(run: Run, f: Filters) -> pl.DataFrame:
    """Open work orders now by the department holding them: how many, how long held (median, longest)."""
    w, p = queries.where("work_order_state", f, dates=False)
    return run(f"""
        SELECT coalesce(current_department, '(none)') AS current_department, count(*) AS open_work_orders,
               median(held_minutes) / 60.0 AS median_held_hours, max(held_minutes) / 60.0 AS max_held_hours,
               sum((current_deadline_at < (SELECT now_at FROM metrics.clock))::INT) AS past_deadline
        FROM metrics.work_order_state WHERE {w} AND is_open
        GROUP BY ALL ORDER BY open_work_orders DESC
    """, p)


def appeals(run: Run, f: Filters) -> pl.DataFrame:
    """Appeals in the period by grade and outcome."""
    w, p = queries.where("work_order_appeals", f)
    return run(f"""
        SELECT appeal_grade, outcome, count(*) AS appeals
        FROM metrics.work_order_appeals WHERE {w}
        GROUP BY ALL ORDER BY appeal_grade, outcome
    """, p)


def appeal_list(run: Run, f: Filters, limit: int = OPEN_LIMIT) -> pl.DataFrame:
    w, p = queries.where("work_order_appeals", f)
    return run(f"""
        SELECT ticket_id, appeal_ticket_id, appeal_grade, outcome, appealed_at, decided_at, department
        FROM metrics.work_order_appeals WHERE {w}
        ORDER BY appealed_at DESC LIMIT ?
    """, [*p, limit])


def escalations(run: Run, f: Filters) -> pl.DataFrame:
    """Reminders and escalations in the period by level and department."""
    w, p = queries.where("work_order_escalations", f)
    return run(f"""
        SELECT level, level_rank, department, count(*) AS steps, count(DISTINCT ticket_id) AS work_orders
        FROM metrics.work_order_escalations WHERE {w}
        GROUP BY ALL ORDER BY level_rank, steps DESC
    """, p)
