"""Read-only SELECTs against the metric views: the only place the dashboard talks SQL.

Every function takes `run` (sql, params -> Polars frame) and the sidebar's `Filters`; filters become a WHERE clause
of allow-listed columns and `?` placeholders, so DuckDB filters inside the view and only aggregates come back.
Rates are sum(numerator) / sum(denominator) of view columns, computed here in SQL; the views define the metrics.
`run` is `dashboard.db.run` in the app (cached per SQL, params and warehouse version) and `direct(con)` in tests
and bench/dashboard.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta

import duckdb
import polars as pl

from pipelines import kpi_facts, rollups, status
from pipelines.datasets import DATASETS
from pipelines.warehouse import SESSION_SETTINGS, Run, direct  # noqa: F401 (re-exported for pages and tests)

DIMENSIONS = ("site", "department", "channel", "ticket_type", "category", "priority", "product")
SLA_TARGETS = ("first_response", "on_site", "resolution")
SCORE_DIMENSIONS = ("score_attitude", "score_skill", "score_timeliness", "score_promise")
AGE_BUCKETS = ("<1d", "1-3d", "3-7d", "7-30d", ">30d")
DEFAULT_DAYS = 91  # the dashboard's default period: the last 13 weeks of data
BREACH_LIMIT = 1000
COMMENT_LIMIT = 500


@dataclass(frozen=True)
class Filters:
    """The sidebar's global filters. Empty tuples mean "all"."""

    start: date | None = None
    end: date | None = None
    site: tuple[str, ...] = ()
    department: tuple[str, ...] = ()
    channel: tuple[str, ...] = ()
    ticket_type: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    priority: tuple[str, ...] = ()
    product: tuple[str, ...] = ()

    def dims(self) -> dict[str, tuple[str, ...]]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in DIMENSIONS}


@dataclass(frozen=True)
class ViewFilter:
    """How the global filters map onto one view: its date column (and grain) and which dimensions it has."""

    date_column: str | None
    columns: dict[str, str]          # filter name -> column in the view
    date_grain: str = "day"          # "day" or "month" (month columns match every month the range touches)
    # The TIMESTAMPTZ column whose local date date_column is. A range on it, a day wider either side (so that every
    # time zone's dates fall inside), is added to the date filter: DuckDB then skips the rows outside the period in
    # the table scan instead of converting every row's instant to a local date first (the Hotline page's routing
    # query at 1M: 41 -> 8 ms). tests/test_dashboard_queries.py holds date_column = the instant's local date.
    instant_column: str | None = None


_TICKET_DIMS = {d: d for d in DIMENSIONS}
VIEWS: dict[str, ViewFilter] = {
    "ticket_sla": ViewFilter("created_date", _TICKET_DIMS, instant_column="created_at"),
    "ticket_kpis": ViewFilter("created_date", _TICKET_DIMS, instant_column="created_at"),
    "backlog": ViewFilter(None, _TICKET_DIMS),  # the current state: every open ticket, whatever its age
    "survey_responses": ViewFilter("attempted_date", _TICKET_DIMS, instant_column="attempted_at"),
    "csat_daily": ViewFilter("attempted_date", _TICKET_DIMS),
    "follow_up_tickets": ViewFilter("resolved_date", _TICKET_DIMS, instant_column="resolved_at"),
    "defect_lots": ViewFilter("inspected_date", {"product": "product"}, instant_column="inspected_at"),
    "defect_pareto": ViewFilter("month", {"product": "product"}, "month"),
    "nonconformity_costs": ViewFilter("found_date", {"product": "product",
                                                     "department": "responsible_department"},
                                      instant_column="found_at"),
    "cost_by_department": ViewFilter("month", {"product": "product", "department": "department"}, "month"),
    "field_failures": ViewFilter("found_date", {"product": "product"}),
    # the Hotline page's (dashboard/queries_hotline_kpis.py); here because a rollup reads it
    "hotline_satisfaction": ViewFilter("resolved_date", _TICKET_DIMS, instant_column="resolved_at"),
}


# Rollups (pipelines/rollups.py): day x dimension sums of a view's flags, built at publish. A page query reads one
# when every filter it is given is on a dimension the rollup carries (`rollup_ready`), else the view.
ROLLUP_DIMS: dict[str, tuple[str, ...]] = {
    **{r.name: tuple(d for d in r.dims if d in DIMENSIONS) for r in rollups.ROLLUPS},
    "csat": tuple(d for d in rollups.CSAT_DIMS if d in DIMENSIONS),
    "survey_scores": ("site",),
    "copq_department": ("department", "product"),
    "defect_pareto": ("product",),
    "nonconformity_costs": ("product", "department"),
    "field_failures": ("product",),
}
for _r in rollups.ROLLUPS:
    VIEWS[f"{_r.name}_daily_rollup"] = VIEWS[f"{_r.name}_pending_slice"] = ViewFilter(
        _r.day, {d: d for d in ROLLUP_DIMS[_r.name]})
VIEWS["csat_daily_rollup"] = VIEWS["csat_pending_slice"] = ViewFilter(
    "attempted_date", {d: d for d in ROLLUP_DIMS["csat"]})
VIEWS["survey_scores_daily_rollup"] = ViewFilter("attempted_date", {"site": "site"})
VIEWS["copq_department_monthly_rollup"] = VIEWS["cost_by_department"]
VIEWS["defect_pareto_monthly_rollup"] = VIEWS["defect_pareto"]
for _view in rollups.MATERIALISED:
    VIEWS[f"{_view}_materialised"] = VIEWS[_view]


def nc_source(run: Run, view: str, f: Filters) -> str:
    """A nonconformity view, or its rows materialised at publish when the warehouse has them."""
    return f"{view}_materialised" if rollup_ready(run, view, f) else view
NOW = "(SELECT now_at FROM metrics.clock)"


def built_rollups(run: Run) -> frozenset[str]:
    """Rollups this warehouse holds, of this code's version, built at or before now (a clock before the publish's
    cannot use the pending slices: they only hold what was pending then)."""
    tables = meta_tables(run)
    if tables.filter((pl.col("table_schema") == "metrics") & (pl.col("table_name") == "rollup_state")).is_empty():
        return frozenset()
    frame = run(f"SELECT rollup FROM metrics.rollup_state WHERE version = ? AND built_now <= {NOW}",
                [rollups.ROLLUP_VERSION])
    return frozenset(frame["rollup"].to_list())


ROLLUP_VIEWS = {"ticket": "ticket_kpis", "sla": "ticket_sla", "follow_up": "follow_up_tickets", "csat": "csat_daily",
                "hotline_satisfaction": "hotline_satisfaction",
                "survey_scores": "survey_responses", "copq_department": "cost_by_department",
                "defect_pareto": "defect_pareto", "nonconformity_costs": "nonconformity_costs",
                "field_failures": "field_failures"}


def rollup_ready(run: Run, name: str, f: Filters) -> bool:
    """Whether a query can read rollup `name` under filters `f`: every filter its view applies is on a dimension
    the rollup carries, and the warehouse holds the rollup."""
    applies = VIEWS[ROLLUP_VIEWS[name]].columns
    if any(values and dim in applies and dim not in ROLLUP_DIMS[name] for dim, values in f.dims().items()):
        return False
    return name in built_rollups(run)


def applied_filters(view: str) -> list[str]:
    """Names of the global filters that apply to a view ("date" first when it has one)."""
    spec = VIEWS[view]
    return (["date"] if spec.date_column else []) + [d for d in DIMENSIONS if d in spec.columns]


def where(view: str, f: Filters, alias: str = "", dates: bool = True) -> tuple[str, list[object]]:
    """WHERE body for a view: allow-listed identifiers, values bound as parameters."""
    spec = VIEWS[view]
    prefix = f"{alias}." if alias else ""
    parts: list[str] = ["TRUE"]
    params: list[object] = []
    if dates and spec.date_column:
        col = prefix + spec.date_column
        if f.start is not None:
            if spec.date_grain == "month":
                parts.append(f"{col} >= CAST(date_trunc('month', CAST(? AS DATE)) AS DATE)")
            else:
                parts.append(f"{col} >= CAST(? AS DATE)")
            params.append(f.start)
        if f.end is not None:
            parts.append(f"{col} <= CAST(? AS DATE)")
            params.append(f.end)
        if spec.instant_column and spec.date_grain == "day":   # the dates [start, end] as instants, any zone
            end = None if f.end is None else f.end + timedelta(days=1)
            parts.extend(kpi_facts.instant_filter(prefix + spec.instant_column, f.start, end, params))
    for name, values in f.dims().items():
        if values and name in spec.columns:
            parts.append(f"{prefix}{spec.columns[name]} IN ({', '.join('?' for _ in values)})")
            params.extend(values)
    return " AND ".join(parts), params


def sla_view(f: Filters) -> str:
    """metrics.ticket_sla, or metrics.ticket_sla_status when no ticket attribute is filtered: the same rows and SLA
    columns without the join to core.tickets (about 8 ms of a 20 ms query at the demo size). For queries that
    select no ticket attribute."""
    return "metrics.ticket_sla" if any(f.dims().values()) else "metrics.ticket_sla_status"


def to_frame(result: duckdb.DuckDBPyRelation) -> pl.DataFrame:
    """A relation's rows as a Polars frame (empty results keep their schema)."""
    return result.pl()


def _allowed(value: str, allowed: Sequence[str], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {list(allowed)}, got {value!r}")
    return value


# ------------------------------------------------------------------ shared: sidebar, freshness, data quality

def dimension_values(run: Run) -> pl.DataFrame:
    """(dimension, value): the options of the sidebar's filters, from the dimension tables (channel, type and
    priority, which have none, from metrics.ticket_values_daily_rollup when the warehouse holds it)."""
    if "ticket_values" in built_rollups(run):
        return run(f"""
            SELECT 'site' AS dimension, site AS value FROM core.sites
            UNION ALL SELECT 'department', department FROM core.departments
            UNION ALL SELECT 'category', category FROM core.categories
            UNION ALL SELECT 'product', product FROM core.products
            UNION ALL {" UNION ALL ".join(
                f"SELECT DISTINCT '{c}', {c} FROM metrics.ticket_values_daily_rollup WHERE {c} IS NOT NULL"
                for c in rollups.TICKET_VALUE_COLUMNS)}
            ORDER BY dimension, value
        """, [])
    return run("""
        SELECT 'site' AS dimension, site AS value FROM core.sites
        UNION ALL SELECT 'department', department FROM core.departments
        UNION ALL SELECT DISTINCT 'channel', channel FROM core.tickets WHERE channel IS NOT NULL
        UNION ALL SELECT DISTINCT 'ticket_type', ticket_type FROM core.tickets WHERE ticket_type IS NOT NULL
        UNION ALL SELECT 'category', category FROM core.categories
        UNION ALL SELECT DISTINCT 'priority', priority FROM core.tickets WHERE priority IS NOT NULL
        UNION ALL SELECT 'product', product FROM core.products
        ORDER BY dimension, value
    """, [])


def date_bounds(run: Run) -> pl.DataFrame:
    """First and last local date with any record, over every dataset the registry puts in the date range."""
    stamps = " UNION ALL ".join(
        f'SELECT min("{d.event_time}") AS lo, max("{d.event_time}") AS hi FROM core."{d.name}"'
        for d in DATASETS.values() if d.in_date_range)
    return run(f"""
        WITH tz AS (SELECT coalesce(max(value), 'UTC') AS tz FROM meta.settings WHERE key = 'timezone'),
        stamps AS ({stamps})
        SELECT CAST(timezone((SELECT tz FROM tz), min(lo)) AS DATE) AS first_date,
               CAST(timezone((SELECT tz FROM tz), max(hi)) AS DATE) AS last_date
        FROM stamps
    """, [])


def default_period(run: Run, today: date) -> tuple[date | None, date | None]:
    """The default date range: the last DEFAULT_DAYS days up to `today` (the clock's date) or to the last date
    with data, whichever is earlier (data that stopped a year ago still shows its last quarter)."""
    bounds = date_bounds(run)
    first, last = bounds["first_date"][0], bounds["last_date"][0]
    if first is None or last is None:
        return None, None
    last = max(first, min(last, today))
    return max(first, last - timedelta(days=DEFAULT_DAYS - 1)), last


def meta_tables(run: Run) -> pl.DataFrame:
    """Tables and views present in the meta and metrics schemas (the data-quality tables are optional)."""
    return run("""
        SELECT table_schema, table_name FROM information_schema.tables
        WHERE table_schema IN ('meta', 'metrics') ORDER BY table_schema, table_name
    """, [])


def load_history(run: Run, limit: int = 200) -> pl.DataFrame:
    """The load ledger, newest first."""
    return run("""
        SELECT started_at, finished_at, dataset, status, source_file, profile, rows_read, rows_inserted,
               rows_updated, rows_unchanged, rows_quarantined, newest_record_at, message, load_id
        FROM meta.load_log ORDER BY finished_at DESC, load_id DESC LIMIT ?
    """, [limit])


def last_gate(run: Run) -> pl.DataFrame:
    """The newest load's result and the rows quarantined by the newest load of each file."""
    return run("""
        WITH latest AS (
            SELECT * FROM meta.load_log ORDER BY finished_at DESC, load_id DESC LIMIT 1
        ),
        per_file AS (
            SELECT rows_quarantined FROM meta.load_log
            WHERE status <> 'already_loaded'
            QUALIFY row_number() OVER (PARTITION BY dataset, source_file ORDER BY finished_at DESC) = 1
        )
        SELECT l.finished_at, l.dataset, l.status, l.source_file, l.rows_quarantined AS last_quarantined,
               (SELECT CAST(coalesce(sum(rows_quarantined), 0) AS BIGINT) FROM per_file) AS quarantined_rows,
               (SELECT count(*) FROM meta.load_log WHERE status = 'refused') AS refused_loads
        FROM latest AS l
    """, [])


# ------------------------------------------------------------------ overview

# Scorecard sources: one query per view (each view is read once, and each result is cached on its own).
# Every query returns (metric, week_start, numerator, denominator, value) per ISO week plus one row with a null
# week_start for the whole period (GROUPING SETS), each rate a ratio of sums.


def ticket_overview(run: Run, f: Filters) -> pl.DataFrame:
    """One read of ticket_kpis for the overview, three results told apart by `grain`:
    'rate': service timeliness (timely / measured) and attributable complaint rate (complaints / tickets) per week
    and for the period (scorecard rows); 'channel': tickets by channel x type; 'week': tickets by week x type."""
    source, p = _ticket_counts(run, f, ("measured", "timely", "complaints"), ("channel", "ticket_type"))
    return run(f"""
        WITH k AS MATERIALIZED ({source}),
        per_week AS (
            SELECT week_start, sum(timely) AS timely, sum(measured) AS measured, sum(complaints) AS complaints,
                   sum(tickets) AS tickets
            FROM k GROUP BY week_start
        ),
        weekly AS (
            SELECT 'timeliness_rate' AS metric, week_start, timely AS numerator, measured AS denominator
            FROM per_week
            UNION ALL
            SELECT 'complaint_rate', week_start, complaints, tickets FROM per_week
        ),
        rates AS (
            SELECT metric, week_start, sum(numerator) AS numerator, sum(denominator) AS denominator
            FROM weekly GROUP BY GROUPING SETS ((metric, week_start), (metric))
        )
        SELECT 'rate' AS grain, metric, week_start, NULL AS channel, NULL AS ticket_type,
               CAST(numerator AS BIGINT) AS numerator, CAST(denominator AS BIGINT) AS denominator,
               CAST(numerator AS DOUBLE) / nullif(denominator, 0) AS value
        FROM rates
        UNION ALL
        SELECT 'channel', NULL, NULL, coalesce(channel, '(none)'), coalesce(ticket_type, '(none)'), NULL,
               CAST(sum(tickets) AS BIGINT), NULL
        FROM k GROUP BY ALL HAVING sum(tickets) > 0
        UNION ALL
        SELECT 'week', NULL, week_start, NULL, coalesce(ticket_type, '(none)'), NULL, CAST(sum(tickets) AS BIGINT),
               NULL
        FROM k GROUP BY ALL HAVING sum(tickets) > 0
        ORDER BY grain, metric, week_start NULLS LAST, channel, ticket_type
    """, p)


_TICKET_FLAGS = {"measured": "is_measured", "timely": "is_measured AND is_timely",
                 "complaints": "is_attributable_complaint", "reopened": "is_reopened", "escalated": "is_escalated"}


def _ticket_counts(run: Run, f: Filters, flags: Sequence[str], dims: Sequence[str]) -> tuple[str, list[object]]:
    """SELECT (week_start, *dims, tickets, *flags) counts of metrics.ticket_kpis under `f`: from the ticket rollup
    plus the pending slice rows still pending now when it can serve `f`, else grouped from the view."""
    cols = ", ".join((*dims, "tickets", *flags))
    if rollup_ready(run, "ticket", f):
        w, p = where("ticket_daily_rollup", f)
        sql = (f"SELECT week_start, {cols} FROM metrics.ticket_daily_rollup WHERE {w} UNION ALL "
               f"SELECT week_start, {cols} FROM metrics.ticket_pending_slice WHERE {w} AND decided_from > {NOW}")
        return sql, [*p, *p]
    w, p = where("ticket_kpis", f)
    counts = ", ".join(f"count(*) FILTER (WHERE {_TICKET_FLAGS[flag]}) AS {flag}" for flag in flags)
    sql = (f"SELECT week_start, {', '.join(dims)}{', ' if dims else ''}count(*) AS tickets, {counts} "
           f"FROM metrics.ticket_kpis WHERE {w} GROUP BY ALL")
    return sql, p


def scorecard_tickets(run: Run, f: Filters) -> pl.DataFrame:
    """Service timeliness and attributable complaint rate, scorecard rows (from ticket_overview)."""
    return (ticket_overview(run, f).filter(pl.col("grain") == "rate")
            .select("metric", "week_start", "numerator", "denominator", "value"))


def _scorecard_rows(frame: pl.DataFrame, metric: str, numerator: str, denominator: str,
                    value: str) -> pl.DataFrame:
    """Scorecard rows (metric, week_start, numerator, denominator, value; the period's total last) from a page
    query's weekly-and-total result, so a rate is computed by one query, whichever page asks first."""
    if frame.filter(pl.col("week_start").is_not_null()).is_empty():
        frame = frame.clear()
    return frame.select(pl.lit(metric).alias("metric"), "week_start",
                        pl.col(numerator).cast(pl.Int64).alias("numerator"),
                        pl.col(denominator).cast(pl.Int64).alias("denominator"),
                        pl.col(value).cast(pl.Float64).alias("value")).sort("week_start", nulls_last=True)


def scorecard_csat(run: Run, f: Filters) -> pl.DataFrame:
    """CSAT: satisfied / scored responses (from csat_overview)."""
    return _scorecard_rows(csat_weekly(run, f), "csat_rate", "satisfied", "scored_responses", "csat_rate")


def scorecard_follow_up(run: Run, f: Filters) -> pl.DataFrame:
    """Follow-up rate: resolved repairs and complaints with an attempt / resolved (from follow_up_weekly)."""
    return _scorecard_rows(follow_up_weekly(run, f), "follow_up_rate", "followed_up", "resolved",
                           "follow_up_rate")


def scorecard_defects(run: Run, f: Filters) -> pl.DataFrame:
    """Defect rate: nonconforming / inspected units."""
    w, p = where("defect_lots", f)
    return run(f"""
        SELECT 'defect_rate' AS metric, week_start_date AS week_start,
               CAST(sum(nonconforming_qty) AS BIGINT) AS numerator, CAST(sum(inspected_qty) AS BIGINT) AS denominator,
               CAST(sum(nonconforming_qty) AS DOUBLE) / nullif(sum(inspected_qty), 0) AS value
        FROM metrics.defect_lots WHERE {w}
        GROUP BY GROUPING SETS ((week_start_date), ())
        HAVING count(*) > 0         -- no lots: no total row either, like the other scorecard queries
        ORDER BY week_start NULLS LAST
    """, p)


SCORECARD_QUERIES = (scorecard_tickets, scorecard_csat, scorecard_follow_up, scorecard_defects)


def scorecard(run: Run, f: Filters) -> pl.DataFrame:
    """(metric, week_start, numerator, denominator, value) of every scorecard KPI: weekly rows, and a row with a
    null week_start for the whole period."""
    return pl.concat([q(run, f) for q in SCORECARD_QUERIES], how="vertical_relaxed")


def volumes(run: Run, f: Filters) -> pl.DataFrame:
    """Tickets by channel and type (from ticket_overview)."""
    return (ticket_overview(run, f).filter(pl.col("grain") == "channel")
            .select("channel", "ticket_type", pl.col("denominator").alias("tickets")))


def weekly_volume(run: Run, f: Filters) -> pl.DataFrame:
    """Tickets created per week and type (from ticket_overview)."""
    return (ticket_overview(run, f).filter(pl.col("grain") == "week")
            .select("week_start", "ticket_type", pl.col("denominator").alias("tickets")))


def sla_attainment(run: Run, f: Filters) -> pl.DataFrame:
    """Attainment per target and week, and (week_start null) per target over the period: met / (met + breached);
    pending rows are not counted yet."""
    if rollup_ready(run, "sla", f):
        w, p = where("sla_daily_rollup", f)
        return run(f"""
            SELECT target, CAST(date_trunc('week', created_date) AS DATE) AS week_start,
                   CAST(sum(met) AS BIGINT) AS met, CAST(sum(breached) AS BIGINT) AS breached,
                   CAST(sum(targets - met - breached) AS BIGINT) AS pending,
                   CAST(sum(met) AS DOUBLE) / nullif(sum(met + breached), 0) AS attainment_rate
            FROM (SELECT created_date, target, met, breached, targets FROM metrics.sla_daily_rollup WHERE {w}
                  UNION ALL
                  SELECT created_date, target, met, breached, targets FROM metrics.sla_pending_slice
                  WHERE {w} AND decided_from > {NOW})
            GROUP BY GROUPING SETS ((target, week_start), (target))
            ORDER BY target, week_start NULLS FIRST
        """, [*p, *p])
    w, p = where("ticket_sla", f)
    return run(f"""
        SELECT target, CAST(date_trunc('week', created_date) AS DATE) AS week_start,
               count(*) FILTER (WHERE is_met) AS met,
               count(*) FILTER (WHERE NOT is_met) AS breached,
               count(*) FILTER (WHERE is_met IS NULL) AS pending,
               CAST(count(*) FILTER (WHERE is_met) AS DOUBLE) / nullif(count(is_met), 0) AS attainment_rate
        FROM {sla_view(f)} WHERE {w}
        GROUP BY GROUPING SETS ((target, week_start), (target))
        ORDER BY target, week_start NULLS FIRST
    """, p)


def sla_heatmap(run: Run, f: Filters, target: str) -> pl.DataFrame:
    """Attainment of one target by site x category."""
    _allowed(target, SLA_TARGETS, "target")
    if rollup_ready(run, "sla", f):
        w, p = where("sla_daily_rollup", f)
        return run(f"""
            SELECT coalesce(site, '(none)') AS site, coalesce(category, '(none)') AS category,
                   CAST(sum(met) AS BIGINT) AS met, CAST(sum(met + breached) AS BIGINT) AS measured,
                   CAST(sum(met) AS DOUBLE) / nullif(sum(met + breached), 0) AS attainment_rate
            FROM (SELECT site, category, met, breached, targets FROM metrics.sla_daily_rollup
                  WHERE target = ? AND {w}
                  UNION ALL
                  SELECT site, category, met, breached, targets FROM metrics.sla_pending_slice
                  WHERE target = ? AND {w} AND decided_from > {NOW})
            GROUP BY ALL HAVING sum(targets) > 0 ORDER BY site, category
        """, [target, *p, target, *p])
    w, p = where("ticket_sla", f)
    return run(f"""
        SELECT coalesce(site, '(none)') AS site, coalesce(category, '(none)') AS category,
               count(*) FILTER (WHERE is_met) AS met, count(is_met) AS measured,
               CAST(count(*) FILTER (WHERE is_met) AS DOUBLE) / nullif(count(is_met), 0) AS attainment_rate
        FROM metrics.ticket_sla WHERE target = ? AND {w}
        GROUP BY ALL ORDER BY site, category
    """, [target, *p])


def sla_policies(run: Run, f: Filters, target: str) -> pl.DataFrame:
    """Policies that set the target, with their target minutes and calendar, most tickets first."""
    _allowed(target, SLA_TARGETS, "target")
    w, p = where("ticket_sla", f)
    return run(f"""
        SELECT policy_id, any_value(target_minutes) AS target_minutes, any_value(calendar) AS calendar,
               count(*) AS tickets
        FROM {sla_view(f)} WHERE target = ? AND {w}
        GROUP BY policy_id ORDER BY tickets DESC, policy_id
    """, [target, *p])


def sla_time_histogram(run: Run, f: Filters, target: str, policy_id: str, bins: int = 24) -> pl.DataFrame:
    """Elapsed time (in the policy's calendar) binned in SQL: bins of target/8 up to 3x target, the last bin
    holding everything beyond; completed and still-open tickets counted apart."""
    _allowed(target, SLA_TARGETS, "target")
    w, p = where("ticket_sla", f)
    return run(f"""
        WITH rows AS (
            SELECT elapsed_minutes, is_open, target_minutes, target_minutes / 8.0 AS width
            FROM {sla_view(f)} WHERE target = ? AND policy_id = ? AND {w}
        ),
        binned AS (
            SELECT least(CAST(floor(greatest(elapsed_minutes, 0) / width) AS INTEGER), ?) AS bin,
                   any_value(width) AS width, any_value(target_minutes) AS target_minutes,
                   count(*) FILTER (WHERE NOT is_open) AS completed,
                   count(*) FILTER (WHERE is_open) AS open
            FROM rows GROUP BY 1
        )
        SELECT bin, bin * width AS bin_start_minutes, (bin + 1) * width AS bin_end_minutes,
               bin = ? AS is_overflow, target_minutes, completed, open
        FROM binned ORDER BY bin
    """, [target, policy_id, *p, bins - 1, bins - 1])


def _target_policy(target: str | None, policy_id: str | None) -> tuple[str, list[object]]:
    """Optional SLA target and policy conditions (to AND onto a WHERE) and their parameters."""
    extra, args = "", []
    if target:
        extra += " AND target = ?"
        args.append(_allowed(target, SLA_TARGETS, "target"))
    if policy_id:
        extra += " AND policy_id = ?"
        args.append(policy_id)
    return extra, args


def sla_survival(run: Run, f: Filters, target: str | None = None, policy_id: str | None = None) -> pl.DataFrame:
    """Input of the Kaplan-Meier estimate, per target: per whole minute of elapsed time (in the policy's
    calendar), how many tickets reached the event then and how many are still open (censored) at that age."""
    w, p = where("ticket_sla", f)
    extra, args = _target_policy(target, policy_id)
    return run(f"""
        SELECT target, CAST(ceil(greatest(elapsed_minutes, 0)) AS BIGINT) AS minute,
               count(*) FILTER (WHERE NOT is_open) AS events,
               count(*) FILTER (WHERE is_open) AS censored
        FROM {sla_view(f)} WHERE {w}{extra}
        GROUP BY ALL ORDER BY target, minute
    """, [*p, *args])


def sla_times(run: Run, f: Filters, target: str | None = None, policy_id: str | None = None) -> pl.DataFrame:
    """Plain median and 90th percentile of elapsed minutes per target (optionally of one target and policy),
    completed tickets only."""
    w, p = where("ticket_sla", f)
    extra, args = _target_policy(target, policy_id)
    return run(f"""
        SELECT target, count(*) AS tickets,
               count(*) FILTER (WHERE NOT is_open) AS completed,
               count(*) FILTER (WHERE is_open) AS still_open,
               quantile_cont(elapsed_minutes, 0.5) FILTER (WHERE NOT is_open) AS median_minutes,
               quantile_cont(elapsed_minutes, 0.9) FILTER (WHERE NOT is_open) AS p90_minutes
        FROM {sla_view(f)} WHERE {w}{extra}
        GROUP BY target ORDER BY target
    """, [*p, *args])


def backlog_rows(run: Run, f: Filters) -> pl.DataFrame:
    """Every ticket open now under the filters (the date range does not apply), oldest first: one read of
    metrics.backlog that the bucket counts and the oldest list share (the second is a cache hit in the app). The
    view reads the open tickets stored per load (metrics.backlog_base, pipelines/backlog.py), not every ticket."""
    w, p = where("backlog", f)
    return run(f"""
        SELECT ticket_id, created_at, age_hours, age_bucket, age_bucket_order,
               coalesce(is_breached, FALSE) AS is_breached,
               site, department, agent, channel, ticket_type, category, priority
        FROM metrics.backlog WHERE {w}
        ORDER BY age_hours DESC, ticket_id
    """, p)


def backlog_buckets(run: Run, f: Filters) -> pl.DataFrame:
    """Open tickets by age bucket, breached or not (all open tickets: the date range does not apply)."""
    return (backlog_rows(run, f).group_by("age_bucket", "age_bucket_order", "is_breached")
            .agg(pl.len().cast(pl.Int64).alias("tickets")).sort("age_bucket_order", "is_breached"))


def backlog_oldest(run: Run, f: Filters, limit: int = 200) -> pl.DataFrame:
    """The oldest open tickets."""
    return (backlog_rows(run, f).head(limit)
            .select("ticket_id", "created_at", pl.col("age_hours").round(1), "age_bucket", "is_breached",
                    "site", "department", "agent", "channel", "ticket_type", "category", "priority"))


def breaches(run: Run, f: Filters, limit: int = BREACH_LIMIT) -> pl.DataFrame:
    """Breached targets, most overdue first (capped at `limit` rows; breach_count holds the total)."""
    w, p = where("ticket_sla", f)
    if sla_view(f) == "metrics.ticket_sla_status":
        # no attribute filtered: the most overdue rows first, then the ticket's attributes for those only (the
        # join metrics.ticket_sla makes, on `limit` rows instead of every breach; 1M tickets: 13 weeks 110 -> 38 ms,
        # whole history 270 -> 107 ms)
        return run(f"""
            WITH top AS (
                SELECT * FROM metrics.ticket_sla_status WHERE sla_status = 'breached' AND {w}
                ORDER BY elapsed_minutes - target_minutes DESC, ticket_id, target LIMIT ?
            )
            SELECT s.ticket_id, s.target, s.policy_id, s.created_at, s.due_at, s.event_at, s.is_open,
                   round((s.elapsed_minutes - s.target_minutes) / 60.0, 1) AS overdue_hours,
                   t.site, t.department, t.agent, t.channel, t.ticket_type, t.category, t.priority, t.product,
                   t.status
            FROM top AS s JOIN core.tickets AS t ON t.ticket_id = s.ticket_id
            ORDER BY s.elapsed_minutes - s.target_minutes DESC, s.ticket_id, s.target
        """, [*p, limit])
    return run(f"""
        SELECT ticket_id, target, policy_id, created_at, due_at, event_at, is_open,
               round((elapsed_minutes - target_minutes) / 60.0, 1) AS overdue_hours,
               site, department, agent, channel, ticket_type, category, priority, product, status
        FROM metrics.ticket_sla WHERE sla_status = 'breached' AND {w}
        ORDER BY elapsed_minutes - target_minutes DESC, ticket_id, target LIMIT ?
    """, [*p, limit])


def breach_count(run: Run, f: Filters) -> int:
    if rollup_ready(run, "sla", f):  # breached targets are the rollup's `breached` sums, as in sla_attainment
        w, p = where("sla_daily_rollup", f)
        frame = run(f"""
            SELECT CAST(coalesce(sum(breached), 0) AS BIGINT) AS n
            FROM (SELECT breached FROM metrics.sla_daily_rollup WHERE {w}
                  UNION ALL
                  SELECT breached FROM metrics.sla_pending_slice WHERE {w} AND decided_from > {NOW})
        """, [*p, *p])
        return int(frame["n"][0])
    w, p = where("ticket_sla", f)
    frame = run(f"SELECT count(*) AS n FROM {sla_view(f)} WHERE sla_status = 'breached' AND {w}", p)
    return int(frame["n"][0])


def ticket_detail(run: Run, ticket_id: str) -> pl.DataFrame:
    """Every SLA target of one ticket, with the ticket's own record."""
    return run("""
        SELECT s.target, s.policy_id, s.calendar, s.target_minutes, s.due_at, s.event_at, s.sla_status,
               round(s.elapsed_minutes, 1) AS elapsed_minutes, t.created_at, t.channel, t.ticket_type,
               t.category, t.priority, t.complaint_grade, t.site, t.department, t.agent, t.status,
               t.reopen_count, t.is_escalated, t.first_response_at, t.on_site_at, t.resolved_at, t.closed_at
        FROM core.tickets AS t LEFT JOIN metrics.ticket_sla AS s USING (ticket_id)
        WHERE t.ticket_id = ?
        ORDER BY s.target
    """, [ticket_id])


def reopen_escalation(run: Run, f: Filters) -> pl.DataFrame:
    """Reopen and escalation rates per week and (week_start null) over the period."""
    source, p = _ticket_counts(run, f, ("reopened", "escalated"), ())
    return run(f"""
        SELECT week_start,
               CAST(coalesce(sum(tickets), 0) AS BIGINT) AS tickets,
               CAST(coalesce(sum(reopened), 0) AS BIGINT) AS reopened,
               CAST(coalesce(sum(escalated), 0) AS BIGINT) AS escalated,
               CAST(sum(reopened) AS DOUBLE) / nullif(sum(tickets), 0) AS reopen_rate,
               CAST(sum(escalated) AS DOUBLE) / nullif(sum(tickets), 0) AS escalation_rate
        FROM ({source})
        GROUP BY GROUPING SETS ((week_start), ())
        ORDER BY week_start NULLS LAST
    """, p)


# ------------------------------------------------------------------ satisfaction

def csat_overview(run: Run, f: Filters) -> pl.DataFrame:
    """One read of csat_daily for the satisfaction page: per week, per agent, per site and for the period
    (`grain` 'week', 'agent', 'site', 'total'): attempts, responses, satisfied / scored responses (CSAT), mean score,
    response rate and NPS."""
    sums = ("attempts, responses, pending_attempts, scored_responses, satisfied, score_sum, promoters, detractors, "
            "nps_responses")
    if rollup_ready(run, "csat", f):
        w, p = where("csat_daily_rollup", f)
        slice_sums = ", ".join(c if c == "pending_attempts" else f"0 AS {c}" for c in sums.split(", "))
        source = (f"SELECT attempted_date, agent, site, {sums} FROM metrics.csat_daily_rollup WHERE {w} UNION ALL "
                  f"SELECT attempted_date, agent, site, {slice_sums} FROM metrics.csat_pending_slice "
                  f"WHERE {w} AND decided_from > {NOW}")
        p = [*p, *p]
    else:
        w, p = where("csat_daily", f)
        source = f"SELECT attempted_date, agent, site, {sums} FROM metrics.csat_daily WHERE {w}"
    return run(f"""
        WITH d AS MATERIALIZED (
            SELECT CAST(date_trunc('week', attempted_date) AS DATE) AS week_start, agent, site, {sums}
            FROM ({source})
        ),
        grouped AS (
            SELECT CASE WHEN grouping(week_start) = 0 THEN 'week' WHEN grouping(agent) = 0 THEN 'agent'
                        WHEN grouping(site) = 0 THEN 'site' ELSE 'total' END AS grain,
                   CASE WHEN grouping(week_start) = 0 THEN NULL
                        WHEN grouping(agent) = 0 THEN coalesce(agent, '(none)')
                        WHEN grouping(site) = 0 THEN coalesce(site, '(none)') END AS unit,
                   CASE WHEN grouping(week_start) = 0 THEN week_start END AS week_start,
                   sum(attempts) AS attempts, sum(responses) AS responses, sum(pending_attempts) AS pending,
                   sum(scored_responses) AS scored,
                   sum(satisfied) AS satisfied, sum(score_sum) AS score_sum, sum(promoters) AS promoters,
                   sum(detractors) AS detractors, sum(nps_responses) AS nps_responses
            FROM d GROUP BY GROUPING SETS ((week_start), (agent), (site), ())
        )
        SELECT grain, unit, week_start,
               CAST(coalesce(attempts, 0) AS BIGINT) AS attempts, CAST(coalesce(responses, 0) AS BIGINT) AS responses,
               CAST(coalesce(scored, 0) AS BIGINT) AS scored_responses,
               CAST(coalesce(satisfied, 0) AS BIGINT) AS satisfied,
               CAST(satisfied AS DOUBLE) / nullif(scored, 0) AS csat_rate,
               CAST(score_sum AS DOUBLE) / nullif(scored, 0) AS mean_score,
               CAST(responses AS DOUBLE) / nullif(attempts - pending, 0) AS response_rate,
               CAST(promoters - detractors AS DOUBLE) / nullif(nps_responses, 0) AS nps
        FROM grouped
        ORDER BY grain, unit, week_start
    """, p)


def csat_weekly(run: Run, f: Filters) -> pl.DataFrame:
    """CSAT, mean score, response rate and NPS per week and (week_start null) over the period."""
    frame = csat_overview(run, f)
    return (frame.filter(pl.col("grain").is_in(["week", "total"])).sort("week_start", nulls_last=True)
            .drop("grain", "unit"))


def survey_scores(run: Run, f: Filters) -> pl.DataFrame:
    """One read of survey_responses: responses per overall score (`dimension` 'score') and, per technician
    dimension (attitude, skill, timeliness, promise), responses, mean score and top-two-box share."""
    if rollup_ready(run, "survey_scores", f):
        w, p = where("survey_scores_daily_rollup", f)
        per_dimension = " UNION ALL ".join(
            f"SELECT '{d}' AS dimension, {d}_n AS n, {d}_sum AS total, {d}_top2 AS top2 FROM r"
            for d in rollups.SCORE_DIMENSIONS)
        return run(f"""
            WITH r AS MATERIALIZED (SELECT * FROM metrics.survey_scores_daily_rollup WHERE {w})
            SELECT 'score' AS dimension, score, CAST(sum(responses) AS BIGINT) AS responses,
                   NULL::DOUBLE AS mean_score, NULL::DOUBLE AS top_two_rate
            FROM r WHERE score IS NOT NULL GROUP BY score
            UNION ALL
            SELECT dimension, NULL, CAST(sum(n) AS BIGINT), CAST(sum(total) AS DOUBLE) / sum(n),
                   CAST(sum(top2) AS DOUBLE) / sum(n)
            FROM ({per_dimension}) GROUP BY dimension HAVING sum(n) > 0
            ORDER BY dimension, score
        """, p)
    w, p = where("survey_responses", f)
    return run(f"""
        WITH r AS MATERIALIZED (
            SELECT score, score_attitude, score_skill, score_timeliness, score_promise
            FROM metrics.survey_responses WHERE is_response AND {w}
        ),
        long AS (
            UNPIVOT r ON score_attitude, score_skill, score_timeliness, score_promise
            INTO NAME dimension VALUE value
        )
        SELECT 'score' AS dimension, score, count(*) AS responses, NULL::DOUBLE AS mean_score,
               NULL::DOUBLE AS top_two_rate
        FROM r WHERE score IS NOT NULL GROUP BY score
        UNION ALL
        SELECT dimension, NULL, count(value), avg(value),
               CAST(count(*) FILTER (WHERE value >= 4) AS DOUBLE) / nullif(count(value), 0)
        FROM long GROUP BY dimension
        ORDER BY dimension, score
    """, p)


def score_distribution(run: Run, f: Filters) -> pl.DataFrame:
    """Responses per overall score 1-5."""
    return survey_scores(run, f).filter(pl.col("dimension") == "score").select("score", "responses")


def follow_up_weekly(run: Run, f: Filters) -> pl.DataFrame:
    """Follow-up rate (followed up within the window / resolved tickets whose window is decided; those still
    inside it are `pending`, as in metrics.kpi_facts) and the hotline satisfaction rate (satisfied / the same
    decided tickets)."""
    cols = "resolved, pending, followed_up, reached, satisfied"
    if rollup_ready(run, "follow_up", f):
        w, p = where("follow_up_daily_rollup", f)
        source = (f"SELECT resolved_date, {cols} FROM metrics.follow_up_daily_rollup WHERE {w} UNION ALL "
                  f"SELECT resolved_date, {cols} FROM metrics.follow_up_pending_slice WHERE {w} "
                  f"AND decided_from > {NOW}")
        p = [*p, *p]
    else:
        w, p = where("follow_up_tickets", f)
        source = f"""
            SELECT resolved_date, count(*) FILTER (WHERE NOT is_follow_up_pending) AS resolved,
                   count(*) FILTER (WHERE is_follow_up_pending) AS pending,
                   count(*) FILTER (WHERE is_followed_up) AS followed_up,
                   count(*) FILTER (WHERE has_response AND NOT is_follow_up_pending) AS reached,
                   count(*) FILTER (WHERE is_satisfied AND NOT is_follow_up_pending) AS satisfied
            FROM metrics.follow_up_tickets WHERE {w} GROUP BY resolved_date"""
    return run(f"""
        SELECT week_start,
               CAST(coalesce(sum(resolved), 0) AS BIGINT) AS resolved,
               CAST(coalesce(sum(pending), 0) AS BIGINT) AS pending,
               CAST(coalesce(sum(followed_up), 0) AS BIGINT) AS followed_up,
               CAST(coalesce(sum(reached), 0) AS BIGINT) AS reached,
               CAST(coalesce(sum(satisfied), 0) AS BIGINT) AS satisfied,
               CAST(sum(followed_up) AS DOUBLE) / nullif(sum(resolved), 0) AS follow_up_rate,
               CAST(sum(satisfied) AS DOUBLE) / nullif(sum(resolved), 0) AS hotline_satisfaction_rate
        FROM (SELECT CAST(date_trunc('week', resolved_date) AS DATE) AS week_start, * FROM ({source}))
        GROUP BY GROUPING SETS ((week_start), ())
        ORDER BY week_start NULLS LAST
    """, p)


def csat_by(run: Run, f: Filters, by: str) -> pl.DataFrame:
    """CSAT per agent or site with its counts (the page adds intervals and funnel limits)."""
    _allowed(by, ("agent", "site"), "by")
    return (csat_overview(run, f).filter((pl.col("grain") == by) & (pl.col("scored_responses") > 0))
            .select("unit", "scored_responses", "satisfied", "csat_rate"))


def dimension_scores(run: Run, f: Filters) -> pl.DataFrame:
    """Mean and top-two-box share of each technician dimension score (attitude, skill, timeliness, promise)."""
    return (survey_scores(run, f).filter(pl.col("dimension") != "score")
            .select("dimension", "responses", "mean_score", "top_two_rate"))


def low_score_comments(run: Run, f: Filters, max_score: int = 2, search: str = "",
                       limit: int = COMMENT_LIMIT) -> pl.DataFrame:
    """Comments of responses scoring at most `max_score`, newest first, optionally containing `search`."""
    w, p = where("survey_responses", f)
    needle = search.strip()
    like = "AND comment ILIKE ? ESCAPE '\\'" if needle else ""
    pattern = ["%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"] if needle else []
    return run(f"""
        SELECT attempted_date, score, comment, agent, site, ticket_id, survey_id, category, ticket_type
        FROM metrics.survey_responses
        WHERE is_response AND score <= ? AND comment IS NOT NULL AND trim(comment) <> '' {like} AND {w}
        ORDER BY attempted_at DESC, survey_id LIMIT ?
    """, [int(max_score), *pattern, *p, limit])


# ------------------------------------------------------------------ defects

def defect_series(run: Run, f: Filters) -> pl.DataFrame:
    """Product x stage combinations with lots in the period (the p-chart's choices)."""
    w, p = where("defect_lots", f)
    return run(f"""
        SELECT product, coalesce(stage, '(none)') AS stage, count(*) AS lots,
               count(*) FILTER (WHERE is_out_of_control OR signal IS NOT NULL) AS signals
        FROM metrics.defect_lots WHERE {w}
        GROUP BY ALL ORDER BY lots DESC, product, stage
    """, p)


def p_chart(run: Run, f: Filters, product: str, stage: str) -> pl.DataFrame:
    """Lots of one product and stage in inspection order with their limits and signals."""
    w, p = where("defect_lots", f)
    return run(f"""
        SELECT lot_id, inspected_at, inspected_date, line, inspected_qty, nonconforming_qty, defect_rate,
               p_bar, lcl, ucl, z_score, is_out_of_control, we_rule_1, we_rule_2, we_rule_3, we_rule_4, signal
        FROM metrics.defect_lots
        WHERE product = ? AND coalesce(stage, '(none)') = ? AND {w}
        ORDER BY inspected_at, lot_id
    """, [product, stage, *p])


def signal_lots(run: Run, product: str, stage: str, lot_id: str) -> pl.DataFrame:
    """The lots that make up a signal: the signalled lot and the run before it (1, 3, 5 or 8 lots for rules 1-4,
    the longest rule that fired), in the lot's product and stage."""
    return run("""
        WITH ordered AS (
            SELECT *, row_number() OVER (ORDER BY inspected_at, lot_id) AS seq
            FROM metrics.defect_lots WHERE product = ? AND coalesce(stage, '(none)') = ?
        ),
        hit AS (
            SELECT seq, CASE WHEN we_rule_4 THEN 8 WHEN we_rule_3 THEN 5 WHEN we_rule_2 THEN 3 ELSE 1 END AS span
            FROM ordered WHERE lot_id = ?
        )
        SELECT o.lot_id, o.product, o.line, o.stage, o.inspected_at, o.inspected_qty, o.nonconforming_qty,
               o.defect_rate, o.lcl, o.ucl, o.z_score, o.is_out_of_control, o.signal, o.lot_id = ? AS is_signal_lot
        FROM ordered AS o, hit AS h
        WHERE o.seq BETWEEN h.seq - h.span + 1 AND h.seq
        ORDER BY o.seq
    """, [product, stage, lot_id, lot_id])


def lot_inspection(run: Run, lot_id: str) -> pl.DataFrame:
    """One lot's inspection result and p-chart position."""
    return run("""
        SELECT lot_id, product, line, stage, inspected_at, production_date, material_batch_id, inspected_qty,
               nonconforming_qty, defect_rate, p_bar, lcl, ucl, is_out_of_control, signal
        FROM metrics.defect_lots WHERE lot_id = ?
    """, [lot_id])


def quarantined_loads(run: Run, limit: int = 200) -> pl.DataFrame:
    """Loads that held rows back or were refused, newest first."""
    return run("""
        SELECT finished_at, dataset, status, source_file, rows_read, rows_quarantined, message
        FROM meta.load_log WHERE rows_quarantined > 0 OR status = 'refused'
        ORDER BY finished_at DESC, load_id DESC LIMIT ?
    """, [limit])


def pareto(run: Run, f: Filters, measure: str = "qty") -> pl.DataFrame:
    """Defect types by units (or cost), largest first, with the cumulative share."""
    _allowed(measure, ("qty", "total_cost"), "measure")
    source = "defect_pareto_monthly_rollup" if rollup_ready(run, "defect_pareto", f) else "defect_pareto"
    w, p = where(source, f)
    return run(f"""
        WITH by_type AS (
            SELECT coalesce(defect_type, '(none)') AS defect_type, CAST(sum(qty) AS BIGINT) AS qty, CAST(sum(records) AS BIGINT) AS records,
                   CAST(sum(total_cost) AS DOUBLE) AS total_cost
            FROM metrics.{source} WHERE {w}
            GROUP BY 1
        )
        SELECT defect_type, qty, records, total_cost,
               CAST(sum({measure}) OVER (ORDER BY {measure} DESC, defect_type
                                         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS DOUBLE)
                   / nullif(sum({measure}) OVER (), 0) AS cumulative_share
        FROM by_type ORDER BY {measure} DESC, defect_type
    """, p)


def copq_by(run: Run, f: Filters, by: str) -> pl.DataFrame:
    """Cost of poor quality by disposition or by charged department, per month."""
    _allowed(by, ("disposition", "department"), "by")
    if by == "department" and rollup_ready(run, "copq_department", f):
        w, p = where("copq_department_monthly_rollup", f)
        return run(f"""
            SELECT month, coalesce(department, '(none)') AS "group", CAST(sum(cost) AS DOUBLE) AS cost,
                   CAST(sum(records) AS BIGINT) AS records
            FROM metrics.copq_department_monthly_rollup WHERE {w}
            GROUP BY ALL ORDER BY month, "group"
        """, p)
    if by == "department":
        w, p = where("cost_by_department", f)
        return run(f"""
            SELECT month, coalesce(department, '(none)') AS "group", CAST(sum(cost) AS DOUBLE) AS cost,
                   count(DISTINCT nc_id) AS records
            FROM metrics.cost_by_department WHERE {w}
            GROUP BY ALL ORDER BY month, "group"
        """, p)
    source = nc_source(run, "nonconformity_costs", f)
    w, p = where(source, f)
    return run(f"""
        SELECT month, coalesce(disposition, '(none)') AS "group", CAST(sum(total_cost) AS DOUBLE) AS cost,
               count(*) AS records
        FROM metrics.{source} WHERE {w}
        GROUP BY ALL ORDER BY month, "group"
    """, p)


def field_failure_summary(run: Run, f: Filters) -> pl.DataFrame:
    """Field failures per product: inside, outside and unknown warranty, and their cost."""
    source = nc_source(run, "field_failures", f)
    w, p = where(source, f)
    return run(f"""
        SELECT coalesce(product, '(none)') AS product, count(*) AS failures,
               count(*) FILTER (WHERE in_warranty) AS in_warranty,
               count(*) FILTER (WHERE NOT in_warranty) AS out_of_warranty,
               count(*) FILTER (WHERE in_warranty IS NULL) AS warranty_unknown,
               CAST(sum(total_cost) FILTER (WHERE in_warranty) AS DOUBLE) AS in_warranty_cost,
               CAST(sum(total_cost) AS DOUBLE) AS total_cost,
               CAST(count(*) FILTER (WHERE in_warranty) AS DOUBLE) / nullif(count(*), 0) AS in_warranty_rate
        FROM metrics.{source} WHERE {w}
        GROUP BY 1 ORDER BY failures DESC, product
    """, p)


def field_failure_lots(run: Run, f: Filters, limit: int = 500) -> pl.DataFrame:
    """Lots behind the field failures: failures inside the warranty window and the lot's inspection result."""
    source = nc_source(run, "field_failures", f)
    w, p = where(source, f)
    return run(f"""
        SELECT coalesce(lot_id, '(unknown)') AS lot_id, any_value(product) AS product,
               any_value(material_batch_id) AS material_batch_id, min(production_date) AS production_date,
               count(*) AS failures, count(*) FILTER (WHERE in_warranty) AS in_warranty,
               CAST(sum(total_cost) AS DOUBLE) AS total_cost, any_value(lot_defect_rate) AS lot_defect_rate,
               round(avg(days_since_production), 1) AS mean_days_since_production
        FROM metrics.{source} WHERE {w}
        GROUP BY 1 ORDER BY in_warranty DESC, failures DESC, lot_id LIMIT ?
    """, [*p, limit])


def field_failures(run: Run, f: Filters, lot_id: str | None = None, limit: int = 1000) -> pl.DataFrame:
    """Field failures (optionally of one lot), newest first."""
    source = nc_source(run, "field_failures", f)
    w, p = where(source, f)
    lot = "AND coalesce(lot_id, '(unknown)') = ?" if lot_id else ""
    return run(f"""
        SELECT nc_id, ticket_id, product, lot_id, material_batch_id, production_date, found_date,
               days_since_production, in_warranty, CAST(total_cost AS DOUBLE) AS total_cost, lot_defect_rate
        FROM metrics.{source} WHERE {w} {lot}
        ORDER BY found_date DESC, nc_id LIMIT ?
    """, [*p, *([lot_id] if lot_id else []), limit])


# ------------------------------------------------------------------ data quality (meta.dq_runs, dq_results, quarantine)
# Written by pipelines/gate.py and pipelines/quality.py at every load and `sqd check`. A warehouse built before
# they existed has none of these tables: callers check `has_quality_tables` first.

QUALITY_TABLES = (("meta", "dq_runs"), ("meta", "dq_latest_results"), ("meta", "quarantine"))


def has_quality_tables(tables: set[tuple[str, str]]) -> bool:
    return all(t in tables for t in QUALITY_TABLES)


def approximate_calendar_years(run: Run) -> list[int]:
    """The years in use whose working days are the fallback's, not an official schedule (pipelines/status.py)."""
    return [int(y) for y in run(status.APPROXIMATE_CALENDAR_SQL, [])["year"].to_list()]


def gate_summary(run: Run) -> pl.DataFrame:
    """The newest suite run (load gate or `sqd check`) with the rows still in quarantine and the refused loads."""
    return run("""
        WITH latest AS (SELECT * FROM meta.dq_runs ORDER BY finished_at DESC, started_at DESC LIMIT 1)
        SELECT l.finished_at, l.kind, l.dataset, l.outcome, l.checks_run, l.checks_failed,
               (SELECT count(*) FROM meta.quarantine WHERE released_at IS NULL) AS quarantined_rows,
               (SELECT count(*) FROM meta.load_log WHERE status = 'refused') AS refused_loads
        FROM latest AS l
    """, [])


def dq_runs(run: Run, limit: int = 200) -> pl.DataFrame:
    """Suite runs, newest first."""
    return run("""
        SELECT finished_at, kind, dataset, outcome, source_file, rows_checked, rows_quarantined, checks_run,
               checks_failed, round(validation_seconds, 2) AS validation_seconds, message, run_id, load_id
        FROM meta.dq_runs ORDER BY finished_at DESC, started_at DESC LIMIT ?
    """, [limit])


def dq_failing(run: Run) -> pl.DataFrame:
    """Expectations that failed in the latest run of each dataset's suite (meta.dq_latest_results)."""
    return run("""
        SELECT dataset, expectation, severity, column_name, observed_value, unexpected_count,
               round(unexpected_percent, 2) AS unexpected_percent, notes, exception, run_outcome, kind,
               source_file, sample_rows, expectation_type, run_id
        FROM meta.dq_latest_results WHERE NOT coalesce(success, FALSE)
        ORDER BY dataset, position
    """, [])


def quarantined(run: Run, include_released: bool = False, limit: int = 1000) -> pl.DataFrame:
    """Rows held back by row-level expectations, newest first (open ones unless include_released)."""
    return run("""
        SELECT quarantined_at, dataset, record_key, expectation, column_name, offending_values, source_file,
               source_row, load_id, released_at, resolution, row_values
        FROM meta.quarantine WHERE ? OR released_at IS NULL
        ORDER BY quarantined_at DESC, dataset, source_file, source_row, expectation LIMIT ?
    """, [include_released, limit])


# ------------------------------------------------------------------ what each page runs at its defaults

Query = Callable[[Run, Filters], object]


def page_queries(run: Run, f: Filters) -> dict[str, list[tuple[str, Query]]]:
    """What each page runs with its default selections (resolved from the data like the page does): timed by
    bench/dashboard.py, and run by dashboard/db.py's warmer after each publish so the first visitor finds them
    cached."""
    from dashboard import present  # the Kaplan-Meier step the SLA page runs on two results
    # the areas' query modules import this one: imported here, not at the top
    from dashboard import queries_capa, queries_hotline, queries_hotline_kpis, queries_nc

    policies = sla_policies(run, f, "resolution")
    policy = policies["policy_id"][0] if policies.height else "default"
    series = defect_series(run, f)
    product = series["product"][0] if series.height else ""
    stage = "final"
    lots = p_chart(run, f, product, stage) if product else pl.DataFrame()
    flagged = lots.filter(pl.col("signal").is_not_null() | pl.col("is_out_of_control")) if lots.height else lots
    signal_lot = flagged["lot_id"][-1] if flagged.height else ""
    shared: list[tuple[str, Query]] = [
        ("meta_tables", lambda r, f: meta_tables(r)),
        ("dimension_values", lambda r, f: dimension_values(r)),
        ("date_bounds", lambda r, f: date_bounds(r)),
        ("gate_summary", lambda r, f: gate_summary(r)),
        ("approximate_calendar_years", lambda r, f: approximate_calendar_years(r)),
    ]
    plan = {
        "(sidebar)": shared,
        "overview": [
            ("ticket_overview (scorecard, volumes)", ticket_overview),
            *[(fn.__name__, fn) for fn in SCORECARD_QUERIES if fn is not scorecard_tickets],
        ],
        "sla": [
            ("sla_attainment (summary, weekly)", sla_attainment),
            ("sla_heatmap", lambda r, f: sla_heatmap(r, f, "resolution")),
            ("backlog_rows (buckets, oldest)", backlog_rows),
            ("breach_count", breach_count),
            ("reopen_escalation", reopen_escalation),
        ],
        "sla (breach list, on demand)": [
            ("breaches", breaches),
        ],
        "sla (times, on demand)": [
            ("sla_policies", lambda r, f: sla_policies(r, f, "resolution")),
            ("sla_time_histogram", lambda r, f: sla_time_histogram(r, f, "resolution", policy)),
            ("sla_survival+KM (policy)", lambda r, f: present.km_summary(sla_survival(r, f, "resolution", policy))),
            ("sla_policy_times", lambda r, f: sla_times(r, f, "resolution", policy)),
            ("sla_times", sla_times),
            ("sla_survival+KM (all)", lambda r, f: present.km_by_target(sla_survival(r, f))),
        ],
        "satisfaction": [
            ("csat_overview (weekly, agents, sites)", csat_overview),
            ("survey_scores (scores, dimensions)", survey_scores),
            ("follow_up_weekly", follow_up_weekly),
        ],
        "satisfaction (comments, on demand)": [
            ("low_score_comments", lambda r, f: low_score_comments(r, f, 2, "")),
        ],
        "defects": [
            ("defect_series", defect_series),
            ("p_chart", lambda r, f: p_chart(r, f, product, stage)),
            ("signal_lots", lambda r, f: signal_lots(r, product, stage, signal_lot)),
            ("pareto", lambda r, f: pareto(r, f, "qty")),
            ("copq_by disposition", lambda r, f: copq_by(r, f, "disposition")),
            ("copq_by department", lambda r, f: copq_by(r, f, "department")),
            ("field_failure_summary", field_failure_summary),
            ("field_failure_lots", field_failure_lots),
            ("field_failures", field_failures),
        ],
        "defects (workflow, corrective actions)": [
            *[(f"nc.{fn.__name__}", fn) for fn in (queries_nc.summary, queries_nc.backlog, queries_nc.overdue_list,
                                                    queries_nc.times, queries_nc.reinspections,
                                                    queries_nc.yield_bands, queries_nc.sampling,
                                                    queries_nc.losses_by_rule)],
            # one statement (queries_capa.actions) gives the counts, the tracker and the checks
            ("capa.actions (counts, tracker, effectiveness)", lambda r, f: queries_capa.actions(r)),
        ],
        "hotline": [
            ("hotline.targets", lambda r, f: queries_hotline_kpis.targets(r)),
            *[(f"hotline.{fn.__name__}", fn) for fn in (
                queries_hotline_kpis.complaint_limit_summary, queries_hotline_kpis.complaint_limits_by_level,
                queries_hotline_kpis.satisfaction_by_kind, queries_hotline_kpis.routing_summary,
                queries_hotline_kpis.routing_mismatches)],
            # one statement each: first-contact resolution overall and by type; the repeats' summary and list
            ("hotline.first_contact (by type)", queries_hotline_kpis.first_contact),
            ("hotline.repeats (summary, list)", queries_hotline_kpis.repeat_summary),
            ("hotline.has_events", lambda r, f: queries_hotline.has_events(r)),
            *[(f"hotline.{fn.__name__}", fn) for fn in (
                queries_hotline.summary, queries_hotline.flow, queries_hotline.by_department,
                queries_hotline.by_reason, queries_hotline.open_by_department, queries_hotline.open_work_orders,
                queries_hotline.appeals, queries_hotline.appeal_list, queries_hotline.escalations)],
        ],
        "contact centre": [
            (fn.__name__, fn) for fn in (calls_summary, calls_heatmap, calls_by_time_of_day, wait_distribution,
                                         calls_by_queue, calls_by_agent, calls_staffing, calls_occupancy)
        ],
        "data quality": [
            ("dq_runs", lambda r, f: dq_runs(r)),
            ("load_history", lambda r, f: load_history(r)),
            ("dq_failing", lambda r, f: dq_failing(r)),
            ("quarantined", lambda r, f: quarantined(r)),
            ("quarantined_loads", lambda r, f: quarantined_loads(r)),
        ],
    }
    # The warmer (dashboard/db.py) runs them in this order after each load: every page's quick defaults first, then
    # the groups that take seconds at 1M tickets (the defects page's workflow and CAPA queries, the Hotline page's),
    # then the on-demand ones; so a visitor of another page soon after a load finds it warmed (issue 13 target 3).
    slow = ("defects (workflow, corrective actions)", "hotline")
    return dict(sorted(plan.items(), key=lambda item: 2 * ("on demand" in item[0]) + (item[0] in slow)))


# ------------------------------------------------------------------ contact centre (issue 16)
# metrics.calls_interval / metrics.call_facts: only the date range applies (calls carry none of the sidebar's
# ticket dimensions). Rates are sums divided here, never averages of the interval rates.

VIEWS["calls_interval"] = ViewFilter("interval_date", {})
VIEWS["call_facts"] = ViewFilter("interval_date", {})
VIEWS["roster_interval"] = ViewFilter("interval_date", {})
for _table in rollups.CC_TABLES:
    VIEWS[_table] = ViewFilter("interval_date", {})


def _cc(run: Run, view: str, rollup: str | None = None) -> str:
    """The contact-centre view, or its table maintained at publish (pipelines/rollups.py CC_TABLES: the view's rows
    materialised, or `rollup`, its sums per day) when the warehouse holds them. Only dates filter calls, so a
    rollup always applies."""
    if "contact_centre" not in built_rollups(run):
        return f"metrics.{view}"
    return rollups.cc_source(rollup or view + "_materialised")
WAIT_BINS = (0, 5, 10, 15, 20, 30, 60, 120)   # seconds: the bins' lower edges; the last is open

_CALL_RATES = """
    sum(offered) AS offered, sum(short_abandons) AS short_abandons, sum(calls) AS calls,
    sum(answered) AS answered, sum(abandoned) AS abandoned,
    sum(answered) / nullif(sum(calls), 0) AS connect_rate,
    sum(answered_within_limit) / nullif(sum(calls), 0) AS agent_answer_rate,
    sum(answered_within_service_level) / nullif(sum(calls), 0) AS service_level,
    sum(answered_late) / nullif(sum(answered), 0) AS late_answer_share,
    sum(abandoned) / nullif(sum(calls), 0) AS abandon_rate,
    sum(answered_wait_seconds) / nullif(sum(answered), 0) AS asa_seconds,
    sum(handle_seconds) / nullif(sum(answered), 0) AS aht_seconds,
    sum(transferred) / nullif(sum(answered), 0) AS transfer_rate"""


def calls_summary(run: Run, f: Filters) -> pl.DataFrame:
    """One row: the period's access rates (short abandons excluded and counted)."""
    clause, params = where("calls_interval", f)
    return run(f"SELECT {_CALL_RATES} FROM {_cc(run, 'calls_interval')} WHERE {clause} HAVING count(*) > 0",
               params)


def calls_heatmap(run: Run, f: Filters) -> pl.DataFrame:
    """Service level per week (Monday) x time of day: answered within the target / calls."""
    clause, params = where("calls_interval", f)
    return run(f"""
        SELECT CAST(date_trunc('week', interval_date) AS DATE) AS week_start,
               left(CAST(time_of_day AS VARCHAR), 5) AS time_of_day,
               sum(answered_within_service_level) AS answered_within_service_level, sum(calls) AS calls,
               sum(answered_within_service_level) / nullif(sum(calls), 0) AS service_level
        FROM {_cc(run, 'calls_interval')} WHERE {clause}
        GROUP BY ALL ORDER BY week_start, time_of_day
    """, params)


def calls_by_time_of_day(run: Run, f: Filters) -> pl.DataFrame:
    """Offered, answered and abandoned (and short abandons) per time of day over the period."""
    clause, params = where("calls_interval", f)
    return run(f"""
        SELECT left(CAST(time_of_day AS VARCHAR), 5) AS time_of_day, sum(offered) AS offered, sum(answered) AS answered,
               sum(abandoned) AS abandoned, sum(short_abandons) AS short_abandons,
               sum(answered_within_service_level) / nullif(sum(calls), 0) AS service_level
        FROM {_cc(run, 'calls_interval')} WHERE {clause}
        GROUP BY ALL ORDER BY time_of_day
    """, params)


def wait_distribution(run: Run, f: Filters) -> pl.DataFrame:
    """Calls per wait bin (seconds), answered and abandoned apart (short abandons in the first bins)."""
    clause, params = where("call_facts", f)
    # bin edges are this module's constants, not input
    source = _cc(run, "call_facts", "call_waits_daily_rollup")
    if "_rollup" in source:  # whole seconds of wait: integer edges bin them exactly
        bins = " ".join(f"WHEN wait_floor_seconds >= {int(e)} THEN {int(e)}" for e in reversed(WAIT_BINS))
        return run(f"""
            SELECT CASE {bins} ELSE {int(WAIT_BINS[0])} END AS bin_start_seconds,
                   CASE WHEN is_answered THEN 'answered' WHEN is_abandoned THEN 'abandoned' ELSE 'other' END
                       AS call_outcome, CAST(sum(calls) AS BIGINT) AS calls
            FROM {source} WHERE {clause}
            GROUP BY ALL ORDER BY bin_start_seconds, call_outcome
        """, params)
    bins = " ".join(f"WHEN coalesce(wait_seconds, 0) >= {int(e)} THEN {int(e)}" for e in reversed(WAIT_BINS))
    return run(f"""
        WITH binned AS (
            SELECT CASE {bins} ELSE {int(WAIT_BINS[0])} END AS bin_start_seconds,
                   CASE WHEN is_answered THEN 'answered' WHEN is_abandoned THEN 'abandoned' ELSE 'other' END
                       AS call_outcome
            FROM metrics.call_facts WHERE {clause}
        )
        SELECT bin_start_seconds, call_outcome, count(*) AS calls FROM binned
        GROUP BY ALL ORDER BY bin_start_seconds, call_outcome
    """, params)


def calls_by_queue(run: Run, f: Filters) -> pl.DataFrame:
    clause, params = where("calls_interval", f)
    return run(f"SELECT queue, {_CALL_RATES} FROM {_cc(run, 'calls_interval')} WHERE {clause} "
               "GROUP BY queue ORDER BY offered DESC, queue", params)


def calls_by_agent(run: Run, f: Filters) -> pl.DataFrame:
    """Per agent: answered calls, ASA, AHT and transfer rate; the answered count beside each so a figure from a
    handful of calls reads as such (the page sorts by it)."""
    clause, params = where("call_facts", f)
    source = _cc(run, "call_facts", "call_agents_daily_rollup")
    if "_rollup" in source:
        return run(f"""
            SELECT agent, CAST(sum(answered) AS BIGINT) AS answered,
                   sum(wait_seconds) / nullif(sum(wait_n), 0) AS asa_seconds,
                   sum(handle_seconds) / nullif(sum(handle_n), 0) AS aht_seconds,
                   sum(transferred) / sum(answered) AS transfer_rate,
                   sum(within_service_level) / sum(answered) AS answered_within_target_share
            FROM {source} WHERE {clause}
            GROUP BY agent ORDER BY answered DESC, agent
        """, params)
    return run(f"""
        SELECT agent, count(*) AS answered,
               avg(wait_seconds) AS asa_seconds, avg(handle_seconds) AS aht_seconds,
               count(*) FILTER (WHERE is_transferred) / count(*) AS transfer_rate,
               count(*) FILTER (WHERE is_within_service_level) / count(*) AS answered_within_target_share
        FROM metrics.call_facts WHERE {clause} AND is_answered AND agent IS NOT NULL
        GROUP BY agent ORDER BY answered DESC, agent
    """, params)


def calls_occupancy(run: Run, f: Filters) -> pl.DataFrame:
    """Occupancy (talk + wrap-up seconds / agent-seconds available, metrics.roster_interval) per rostered interval
    of the period, and the period's (the row whose interval_start is null): sums divided, never averaged."""
    clause, params = where("roster_interval", f)
    return run(f"""
        SELECT interval_start, sum(handle_seconds) AS handle_seconds, sum(available_seconds) AS available_seconds,
               sum(handle_seconds) / nullif(sum(available_seconds), 0) AS occupancy
        FROM {_cc(run, 'roster_interval')} WHERE {clause}
        GROUP BY GROUPING SETS ((interval_start), ())
        ORDER BY interval_start NULLS FIRST
    """, params)


def calls_staffing(run: Run, f: Filters) -> pl.DataFrame:
    """Erlang C per interval of the period (pipelines/staffing.py): agents needed vs available."""
    from pipelines import staffing

    if "contact_centre" not in built_rollups(run):
        return staffing.staffing(run, f.start, f.end)
    return staffing.staffing(run, f.start, f.end, sources={
        "calls_interval": rollups.cc_source("calls_interval_materialised"),
        "roster_interval": rollups.cc_source("roster_interval_materialised"),
        "agents_answering": rollups.cc_source("call_interval_agents_rollup")})
