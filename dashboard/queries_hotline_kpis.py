"""Read-only SELECTs for the Hotline page's KPI sections (issue 14): complaint-limit attainment by coordination
level, repeat complaints with the earlier complaint beside each, the hotline's satisfaction rate by kind against
its targets, first-contact resolution and routing mismatches. The views define the metrics (docs/metrics.md
"Hotline", "First-contact resolution"); rates are sums of their flags divided here.

Every function takes `run` (sql, params -> Polars frame) and the sidebar's `Filters`, turned into a WHERE clause of
allow-listed columns and bound values by dashboard.queries.where (the views are registered in its VIEWS below).
"""

from __future__ import annotations

import polars as pl

from dashboard import queries
from dashboard.queries import Filters, Run, ViewFilter

_TICKET_DIMS = {d: d for d in queries.DIMENSIONS}
KPI_VIEWS = {
    "complaint_limits": ViewFilter("created_date", _TICKET_DIMS, instant_column="created_at"),
    "repeat_complaints": ViewFilter("created_date", _TICKET_DIMS, instant_column="created_at"),
    "hotline_routing": ViewFilter("created_date", _TICKET_DIMS, instant_column="created_at"),
    # first-contact resolution carries no product: that filter does not apply to it
    "first_contact_resolution": ViewFilter("contact_date", {d: d for d in queries.DIMENSIONS if d != "product"},
                                           instant_column="contact_at"),
}
for _name, _spec in KPI_VIEWS.items():
    queries.VIEWS.setdefault(_name, _spec)

LEVELS = ("within_department", "cross_department", "cross_province", "other_company", "(none)")
KINDS = ("inquiry", "complaint", "cross_province", "key_account")
REPEAT_LIMIT = 500
MISMATCH_LIMIT = 200


def _rate(numerator: str, denominator: str) -> str:
    return f"CAST({numerator} AS DOUBLE) / nullif({denominator}, 0)"


def targets(run: Run) -> dict[str, float]:
    """The [targets] the warehouse was last published with (meta.settings target_<key>)."""
    frame = run("SELECT key, value FROM meta.settings WHERE key LIKE 'target\\_%' ESCAPE '\\'", [])
    return {k.removeprefix("target_"): float(v) for k, v in frame.iter_rows()}


def complaint_limits_by_level(run: Run, f: Filters) -> pl.DataFrame:
    """Per coordination level (in 004's order, complaints without a level last): complaints, met, missed,
    pending, attainment (met / decided), the limit (hours or working days), median hours to solved and replied, hours lost in returns
    and transfers, and the promised answer's attainment."""
    w, p = queries.where("complaint_limits", f)
    order = ", ".join(f"('{level}', {i})" for i, level in enumerate(LEVELS))
    return run(f"""
        SELECT c.coordination_level,
               any_value(c.limit_minutes) / 60.0 AS limit_hours, any_value(c.limit_working_days) AS limit_working_days,
               count(*) AS complaints,
               count(*) FILTER (WHERE c.is_met) AS met,
               count(*) FILTER (WHERE NOT c.is_met) AS missed,
               count(*) FILTER (WHERE c.has_limit AND c.is_met IS NULL) AS pending,
               {_rate("count(*) FILTER (WHERE c.is_met)", "count(c.is_met)")} AS attainment_rate,
               round(median(c.elapsed_minutes) / 60, 1) AS median_hours,
               round(sum(c.lost_in_returns_minutes + c.lost_in_transfers_minutes) / 60, 1) AS lost_hours,
               {_rate("count(*) FILTER (WHERE c.is_answer_met)", "count(c.is_answer_met)")} AS answer_on_time_rate
        FROM metrics.complaint_limits AS c
        JOIN (VALUES {order}) AS o(level, ord) ON o.level = c.coordination_level
        WHERE {w}
        GROUP BY c.coordination_level, o.ord ORDER BY o.ord
    """, p)


def complaint_limit_summary(run: Run, f: Filters) -> pl.DataFrame:
    """One row: complaints, decided, met, attainment, pending, without a level."""
    w, p = queries.where("complaint_limits", f)
    return run(f"""
        SELECT count(*) AS complaints, count(is_met) AS decided, count(*) FILTER (WHERE is_met) AS met,
               {_rate("count(*) FILTER (WHERE is_met)", "count(is_met)")} AS attainment_rate,
               count(*) FILTER (WHERE has_limit AND is_met IS NULL) AS pending,
               count(*) FILTER (WHERE NOT has_limit) AS without_level
        FROM metrics.complaint_limits WHERE {w} HAVING count(*) > 0
    """, p)


REPEAT_SUMMARY = ["complaints", "repeats", "derived_repeats", "flagged_only", "repeat_complaint_rate"]


def _repeats(run: Run, f: Filters, limit: int = REPEAT_LIMIT) -> pl.DataFrame:
    """One statement for the summary and the list: the period's repeat complaints, newest first, up to `limit`,
    each row carrying the period's totals; a period with complaints but no repeat gives one row of totals whose
    ticket_id is null. The earlier complaint's category and department come from its own row of the same view
    (stored at publish: no clock to apply, unlike metrics.complaint_limits)."""
    w, p = queries.where("repeat_complaints", f, alias="r")
    return run(f"""
        WITH r AS (SELECT * FROM metrics.repeat_complaints AS r WHERE {w}),
        totals AS (
            SELECT count(*) AS complaints, count(*) FILTER (WHERE is_repeat) AS repeats,
                   count(*) FILTER (WHERE is_repeat_derived) AS derived_repeats,
                   count(*) FILTER (WHERE is_repeat AND NOT is_repeat_derived) AS flagged_only,
                   {_rate("count(*) FILTER (WHERE is_repeat)", "count(*) FILTER (WHERE NOT is_repeat)")}
                       AS repeat_complaint_rate
            FROM r HAVING count(*) > 0
        ),
        listed AS (
            SELECT r.ticket_id, r.created_at, r.customer_id, r.category, r.department, r.coordination_level,
                   r.earlier_ticket_id, r.earlier_created_at, e.category AS earlier_category,
                   e.department AS earlier_department, r.earlier_reason, r.is_repeat_flagged
            FROM r LEFT JOIN metrics.repeat_complaints AS e ON e.ticket_id = r.earlier_ticket_id
            WHERE r.is_repeat
            ORDER BY r.created_at DESC, r.ticket_id
            LIMIT ?
        )
        SELECT t.*, l.* FROM totals AS t LEFT JOIN listed AS l ON TRUE
        ORDER BY l.created_at DESC, l.ticket_id
    """, [*p, limit])


def repeat_summary(run: Run, f: Filters) -> pl.DataFrame:
    """One row: complaints, repeats (derived / flagged by the source only), rate = repeats / (complaints -
    repeats); no row when the period has no complaint."""
    return _repeats(run, f).head(1).select(REPEAT_SUMMARY)


def repeat_list(run: Run, f: Filters, limit: int = REPEAT_LIMIT) -> pl.DataFrame:
    """The period's repeat complaints, newest first, with the earlier complaint beside each (its receipt,
    category, department, level and why it left the customer unresolved)."""
    frame = _repeats(run, f, limit)
    return frame.drop(REPEAT_SUMMARY).filter(pl.col("ticket_id").is_not_null())


def satisfaction_by_kind(run: Run, f: Filters) -> pl.DataFrame:
    """Per kind (inquiry, complaint, cross_province, key_account): handled, satisfied, answered, pending, the rate
    satisfied / handled (not pending) and its target; every kind is listed, with 0 when it has no tickets. Read from
    the rollup (pipelines/rollups.py) when the filters allow, else from metrics.hotline_satisfaction."""
    sums = "handled, satisfied, answered, pending"
    if queries.rollup_ready(run, "hotline_satisfaction", f):
        w, p = queries.where("hotline_satisfaction_daily_rollup", f)
        source = (f"SELECT kind, {sums} FROM metrics.hotline_satisfaction_daily_rollup WHERE {w} UNION ALL "
                  f"SELECT kind, {sums} FROM metrics.hotline_satisfaction_pending_slice WHERE {w} "
                  f"AND decided_from > {queries.NOW}")
        p = [*p, *p]
    else:
        w, p = queries.where("hotline_satisfaction", f)
        source = f"""
            SELECT kind, count(*) FILTER (WHERE NOT is_pending) AS handled,
                   count(*) FILTER (WHERE is_satisfied) AS satisfied, count(*) FILTER (WHERE has_answer) AS answered,
                   count(*) FILTER (WHERE is_pending) AS pending
            FROM metrics.hotline_satisfaction WHERE {w} GROUP BY kind"""
    kinds = ", ".join(f"('{k}', {i})" for i, k in enumerate(KINDS))
    return run(f"""
        SELECT k.kind,
               CAST(coalesce(sum(s.handled), 0) AS BIGINT) AS handled,
               CAST(coalesce(sum(s.satisfied), 0) AS BIGINT) AS satisfied,
               CAST(coalesce(sum(s.answered), 0) AS BIGINT) AS answered,
               CAST(coalesce(sum(s.pending), 0) AS BIGINT) AS pending,
               {_rate("sum(s.satisfied)", "sum(s.handled)")} AS satisfaction_rate,
               CAST(t.value AS DOUBLE) AS target
        FROM (VALUES {kinds}) AS k(kind, ord)
        LEFT JOIN ({source}) AS s ON s.kind = k.kind
        LEFT JOIN meta.settings AS t ON t.key = 'target_hotline_satisfaction_' || k.kind
        GROUP BY k.kind, k.ord, t.value ORDER BY k.ord
    """, p)


def _first_contact(run: Run, f: Filters) -> pl.DataFrame:
    """First-contact resolution over the period (ticket_type null, is_total) and per ticket type, in one statement
    (the view is read once for both)."""
    w, p = queries.where("first_contact_resolution", f)
    return run(f"""
        SELECT grouping(ticket_type) = 1 AS is_total, ticket_type,
               count(*) AS tickets, count(*) FILTER (WHERE is_resolved) AS resolved,
               count(*) FILTER (WHERE is_first_contact_resolved) AS first_contact_resolved,
               {_rate("count(*) FILTER (WHERE is_first_contact_resolved)", "count(*) FILTER (WHERE is_resolved)")}
                   AS first_contact_resolution_rate,
               count(*) FILTER (WHERE is_resolved AND is_dispatched) AS dispatched,
               count(*) FILTER (WHERE is_resolved AND repeat_calls > 0) AS called_again,
               count(*) FILTER (WHERE is_resolved AND is_reopened) AS reopened,
               count(*) FILTER (WHERE calls = 0) AS without_calls
        FROM metrics.first_contact_resolution WHERE {w}
        GROUP BY GROUPING SETS ((), (ticket_type))
    """, p)


def first_contact(run: Run, f: Filters) -> pl.DataFrame:
    """One row: hotline tickets, resolved, resolved at first contact, the rate (/ resolved), and why the others
    were not: dispatched, called again, reopened; tickets without call records. No row without tickets."""
    return (_first_contact(run, f).filter(pl.col("is_total") & (pl.col("tickets") > 0))
            .drop("is_total", "ticket_type"))


def first_contact_by_type(run: Run, f: Filters) -> pl.DataFrame:
    """First-contact resolution per ticket type."""
    return (_first_contact(run, f).filter(~pl.col("is_total"))
            .select("ticket_type", "resolved", "first_contact_resolved", "first_contact_resolution_rate")
            .sort(["resolved", "ticket_type"], descending=[True, False], nulls_last=True))


def routing_summary(run: Run, f: Filters) -> pl.DataFrame:
    """One row: tickets, tickets whose category has a routing rule, routed (a rule and a department), routed
    elsewhere than suggested, and that share."""
    w, p = queries.where("hotline_routing", f)
    return run(f"""
        SELECT count(*) AS tickets, count(*) FILTER (WHERE has_rule) AS with_rule,
               count(*) FILTER (WHERE is_routed) AS routed, count(*) FILTER (WHERE is_mismatch) AS mismatched,
               {_rate("count(*) FILTER (WHERE is_mismatch)", "count(*) FILTER (WHERE is_routed)")} AS mismatch_share
        FROM metrics.hotline_routing WHERE {w} HAVING count(*) > 0
    """, p)


def routing_mismatches(run: Run, f: Filters, limit: int = MISMATCH_LIMIT) -> pl.DataFrame:
    """Category x suggested department x department the tickets went to, for the routed elsewhere, most first."""
    w, p = queries.where("hotline_routing", f)
    return run(f"""
        SELECT category, suggested_department, department, count(*) AS tickets
        FROM metrics.hotline_routing WHERE is_mismatch AND {w}
        GROUP BY ALL ORDER BY tickets DESC, category, department
        LIMIT ?
    """, [*p, limit])
