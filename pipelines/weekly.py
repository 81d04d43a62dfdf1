"""The weekly quality-review pack: what the meeting reads for one ISO week (docs/weekly-review.md).

`build_pack(run, config, week)` collects, for the week:

* the scorecard: every KPI that has a target in sqd.toml, this week against its target (traffic light), last week,
  the change, the normal week-to-week noise and the last four weeks;
* "what changed": each KPI that moved beyond its noise, with the change split into contributions of the
  dimension values (site, category, department, product, agent; product, line, stage and material batch for
  defects) and a sentence in English and Chinese;
* the contact centre's worst intervals of the week (lowest service level, with enough calls to judge);
* the top SLA breaches, the p-chart signals, this week's and last week's defect Pareto, the lowest-scored
  comments, the class-1 complaints open at the end of the week, and the meeting's saved notes.

Every number comes from the metric views: KPI numerators and denominators are sums of metrics.kpi_facts (the one
definition of each scorecard KPI, docs/metrics.md), and rates are divided in SQL. Python adds statistics around
those counts (noise, intervals, limits) and picks what to say.

`run(sql, params) -> polars.DataFrame` is any read-only runner: `direct(con)` on a `pipelines.warehouse.connect`
connection, or the dashboard's cached runner.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl

from pipelines import clock, kpi_facts, status
from pipelines.config import Config
from pipelines.report_template import t, value_label
from pipelines.warehouse import Run, direct  # noqa: F401 (direct: re-exported for the tests)

HISTORY_WEEKS = 12          # weeks before the reviewed one that the pack reads
NOISE_CHANGES = 8           # previous weekly changes whose standard deviation is the "normal noise"
MIN_NOISE_CHANGES = 4       # fewer than this: no noise test
NOISE_FACTOR = 2.0          # |change| > 2 sd -> moved
BASELINE_WEEKS = 8          # weeks pooled for the binomial limits
BASELINE_ALPHA = 0.005      # this week outside the central 99 % of Binomial(n, baseline rate) -> moved
MIN_BASELINE_WEEKS = 4      # weeks with data among the BASELINE_WEEKS before: fewer, no baseline rule
DRIVER_MIN_SHARE = 0.25     # a dimension value is named when it accounts for at least this share of the change
DRIVER_MIN_EXCESS = 0.15    # ... and for this much more of the change than its share of the week's volume
MAX_DRIVERS = 3
TOP_BREACHES = 15
TOP_COMMENTS = 10
TOP_CONTRIBUTIONS = 5       # rows per dimension kept in the contribution table
WORST_INTERVALS = 5         # the week's intervals with the lowest service level ...
WORST_MIN_OFFERED = 10      # ... among those with at least this many offered calls (fewer: one call swings it)
MAX_P_CHARTS = 4

WEEK_PATTERN = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})$")
QUARTER_PATTERN = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
# periods before the reviewed one that a pack reads: 13 weeks, 13 months (the same month a year before is in it),
# 9 quarters (the same quarter a year before, and a baseline of 8)
HISTORY = {"week": HISTORY_WEEKS, "month": 12, "quarter": 8}
# the SQL bucket of each kind: date_trunc unit and the spine's step
BUCKETS = {"week": ("week", "7 DAY"), "month": ("month", "1 MONTH"), "quarter": ("quarter", "3 MONTH")}
# periods back to the same period a year before (a week has none: 52 ISO weeks are not a year)
YEAR_BACK = {"month": 12, "quarter": 4}
KINDS = ("week", "month", "quarter")


# ------------------------------------------------------------------ periods: ISO week, month, quarter
#
# Every period has the same interface: kind, start (first day), end (last day), stop (the day after), label,
# shift(n), of(day), parse(text). The pack reads [start, stop) in local dates; nothing else differs by kind.

class _Period:
    kind: str

    @property
    def stop(self) -> date:
        """The day after the period's last day (the exclusive bound every query uses)."""
        return self.end + timedelta(days=1)

    @property
    def year_ago(self):
        """The same period a year before (None for a week)."""
        back = YEAR_BACK.get(self.kind)
        return None if back is None else self.shift(-back)

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, order=True)
class IsoWeek(_Period):
    year: int
    week: int
    kind = "week"

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """'2026-W46' (or '2026W46'); ValueError for anything else or a week the year does not have."""
        match = WEEK_PATTERN.match(text.strip())
        if not match:
            raise ValueError(f"{text!r}: give an ISO week as YYYY-Www, e.g. 2026-W46")
        year, week = int(match.group(1)), int(match.group(2))
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError as exc:
            raise ValueError(f"{text!r}: {year} has no ISO week {week}") from exc
        return cls(year, week)

    @classmethod
    def of(cls, day: date) -> IsoWeek:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @property
    def start(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def end(self) -> date:
        """Sunday, the last day of the week."""
        return self.start + timedelta(days=6)

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    def shift(self, weeks: int) -> IsoWeek:
        return IsoWeek.of(self.start + timedelta(weeks=weeks))

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, order=True)
class Month(_Period):
    year: int
    month: int
    kind = "month"

    @classmethod
    def parse(cls, text: str) -> Month:
        """'2026-11'; ValueError for anything else."""
        match = MONTH_PATTERN.match(text.strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise ValueError(f"{text!r}: give a month as YYYY-MM, e.g. 2026-11")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        return self.shift(1).start - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.year}-{self.month:02d}"

    def shift(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, order=True)
class Quarter(_Period):
    year: int
    quarter: int
    kind = "quarter"

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """'2026-Q4' (or '2026Q4'); ValueError for anything else."""
        match = QUARTER_PATTERN.match(text.strip())
        if not match:
            raise ValueError(f"{text!r}: give a quarter as YYYY-Qn, e.g. 2026-Q4")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        return self.shift(1).start - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    def shift(self, quarters: int) -> Quarter:
        index = self.year * 4 + self.quarter - 1 + quarters
        return Quarter(index // 4, index % 4 + 1)

    def __str__(self) -> str:
        return self.label


Period = IsoWeek | Month | Quarter
PERIOD_CLASSES: dict[str, type] = {"week": IsoWeek, "month": Month, "quarter": Quarter}


def parse_period(kind: str, text: str) -> Period:
    """A period of `kind` ('week', 'month', 'quarter') from its label; ValueError when it does not parse."""
    if kind not in PERIOD_CLASSES:
        raise ValueError(f"{kind!r}: a period is a week, month or quarter")
    return PERIOD_CLASSES[kind].parse(text)


def approximate_calendar(run: Run, period: Period) -> list[int]:
    """The years the period's working-day deadlines fall in (its start to a month after its end) that have no
    official schedule (pipelines/status.py): its SLA and complaint-limit figures there are approximate."""
    frame = run(f"SELECT year FROM ({status.FALLBACK_YEARS_SQL}) AS f WHERE year BETWEEN ? AND ? ORDER BY year",
                [period.start.year, (period.end + timedelta(days=status.CALENDAR_LOOKAHEAD_DAYS)).year])
    return [int(y) for y in frame["year"].to_list()]


def last_data_date(run: Run) -> date | None:
    """The last local date with a ticket, survey or inspection."""
    frame = run("""
        WITH tz AS (SELECT coalesce(max(value), 'UTC') AS tz FROM meta.settings WHERE key = 'timezone')
        SELECT CAST(timezone((SELECT tz FROM tz), max(ts)) AS DATE) AS last_date FROM (
            SELECT max(created_at) AS ts FROM core.tickets
            UNION ALL SELECT max(attempted_at) FROM core.surveys
            UNION ALL SELECT max(inspected_at) FROM core.inspections
        )
    """, [])
    return frame["last_date"][0] if frame.height else None


def last_full_period(run: Run, today: date, kind: str = "week") -> Period | None:
    """The latest period of `kind` that is over (its last day before `today`, the clock's date) and whose last
    day is on or before the last date with data."""
    last = last_data_date(run)
    if last is None:
        return None
    last = min(last, today - timedelta(days=1))
    period = PERIOD_CLASSES[kind].of(last)
    return period if last >= period.end else period.shift(-1)


def last_full_week(run: Run, today: date) -> IsoWeek | None:
    """The latest ISO week that is over (its Sunday before `today`, the clock's date) and whose Sunday is on or
    before the last date with data."""
    return last_full_period(run, today, "week")  # type: ignore[return-value]


def available_periods(run: Run, today: date, kind: str = "week") -> list[Period]:
    """Every period of `kind` from the first ticket to the last full one (see last_full_period), newest first."""
    frame = run("""
        WITH tz AS (SELECT coalesce(max(value), 'UTC') AS tz FROM meta.settings WHERE key = 'timezone')
        SELECT CAST(timezone((SELECT tz FROM tz), min(created_at)) AS DATE) AS first_date FROM core.tickets
    """, [])
    last = last_full_period(run, today, kind)
    first = frame["first_date"][0] if frame.height else None
    if last is None or first is None:
        return []
    periods, period = [], last
    while period.end >= first:
        periods.append(period)
        period = period.shift(-1)
    return periods


def available_weeks(run: Run, today: date) -> list[IsoWeek]:
    """Every ISO week from the first ticket to the last full week (see last_full_week), newest first."""
    return available_periods(run, today, "week")  # type: ignore[return-value]


# ------------------------------------------------------------------ KPIs

TICKET_DIMS = (("site", "site"), ("category", "category"), ("department", "department"), ("product", "product"),
               ("agent", "agent"))
DEFECT_DIMS = (("product", "product"), ("line", "line"), ("stage", "stage"),
               ("material_batch", "material_batch_id"))
CALL_DIMS = (("queue", "queue"), ("agent", "agent"))


@dataclass(frozen=True)
class Kpi:
    """One scorecard KPI. Its numerator and denominator are defined once, in SQL: metrics.kpi_facts."""

    key: str                      # metrics.kpi_facts.metric
    comparison: str               # against the target: ">=", "<", "<="
    dims: tuple[tuple[str, str], ...]
    digits: int = 1               # decimals of a percentage
    # scored only in a week that has cases for it (the hotline's KPIs: a warehouse without complaint levels, key
    # accounts or hotline tickets, or a week without cross-province complaints, prints no empty row for them)
    optional: bool = False

    @property
    def higher_is_better(self) -> bool:
        return self.comparison == ">="

    def meets(self, value: float, target: float) -> bool:
        return {">=": value >= target, "<": value < target, "<=": value <= target}[self.comparison]


KPIS: tuple[Kpi, ...] = (
    Kpi("timeliness_rate", ">=", TICKET_DIMS),
    Kpi("csat_rate", ">=", TICKET_DIMS),
    Kpi("complaint_rate", "<", TICKET_DIMS, 2),
    Kpi("repeat_complaint_rate", "<=", TICKET_DIMS),
    Kpi("follow_up_rate", ">=", TICKET_DIMS),
    Kpi("response_rate", ">=", TICKET_DIMS),
    Kpi("defect_rate", "<=", DEFECT_DIMS, 2),
    # the hotline's (issue 14, docs/metrics.md "Hotline"): targets in [targets]
    Kpi("complaint_limit_rate", ">=", TICKET_DIMS, optional=True),
    Kpi("hotline_satisfaction_inquiry", ">=", TICKET_DIMS, optional=True),
    Kpi("hotline_satisfaction_complaint", ">=", TICKET_DIMS, optional=True),
    Kpi("hotline_satisfaction_cross_province", ">=", TICKET_DIMS, optional=True),
    Kpi("hotline_satisfaction_key_account", ">=", TICKET_DIMS, optional=True),
    Kpi("first_contact_resolution_rate", ">=", TICKET_DIMS, optional=True),
    Kpi("service_level", ">=", CALL_DIMS),
    Kpi("abandon_rate", "<=", CALL_DIMS),
)
KPI_BY_KEY = {k.key: k for k in KPIS}


def kpi_history(run: Run, week: Period, weeks_before: int | None = None) -> pl.DataFrame:
    """(metric, week_start, numerator, denominator, value, baseline_numerator, baseline_denominator,
    baseline_value, baseline_weeks) for the period and the `weeks_before` periods before it (default HISTORY of
    its kind); a period without rows has 0 / 0 and a null value. The baseline is the pooled previous
    BASELINE_WEEKS periods. For a month or quarter, week_start is the period's first day."""
    weeks_before = HISTORY[week.kind] if weeks_before is None else weeks_before
    first = week.shift(-weeks_before).start
    stop = week.stop
    unit, step = BUCKETS[week.kind]
    keys = ", ".join(f"('{k.key}', {i})" for i, k in enumerate(KPIS))
    # metrics.kpi_facts's rows of the period, each branch bounded by its instants (pipelines/kpi_facts.py)
    facts, facts_params = kpi_facts.facts_sql(run, {k.key: (first, stop) for k in KPIS})
    sql = f"""
        WITH weekly AS (
            SELECT metric, CAST(date_trunc('{unit}', metric_date) AS DATE) AS week_start,
                   sum(numerator) AS numerator, sum(denominator) AS denominator
            FROM {facts} AS k
            WHERE metric_date >= CAST(? AS DATE) AND metric_date < CAST(? AS DATE)
            GROUP BY ALL
        ),
        spine AS (
            SELECT m.metric, m.ord, CAST(g.w AS DATE) AS week_start
            FROM (VALUES {keys}) AS m(metric, ord)
            CROSS JOIN generate_series(CAST(? AS DATE), CAST(? AS DATE), INTERVAL {step}) AS g(w)
        ),
        filled AS (
            SELECT s.metric, s.ord, s.week_start,
                   CAST(coalesce(w.numerator, 0) AS BIGINT) AS numerator,
                   CAST(coalesce(w.denominator, 0) AS BIGINT) AS denominator
            FROM spine AS s LEFT JOIN weekly AS w USING (metric, week_start)
        )
        SELECT metric, week_start, numerator, denominator,
               CAST(numerator AS DOUBLE) / nullif(denominator, 0) AS value,
               sum(numerator) OVER baseline AS baseline_numerator,
               sum(denominator) OVER baseline AS baseline_denominator,
               CAST(sum(numerator) OVER baseline AS DOUBLE) / nullif(sum(denominator) OVER baseline, 0)
                   AS baseline_value,
               count(*) FILTER (WHERE denominator > 0) OVER baseline AS baseline_weeks
        FROM filled
        WINDOW baseline AS (PARTITION BY metric ORDER BY week_start
                            ROWS BETWEEN {BASELINE_WEEKS} PRECEDING AND 1 PRECEDING)
        ORDER BY ord, week_start
    """
    return run(sql, [*facts_params, first, stop, first, week.start])


def contributions(run: Run, kpi: Kpi, current: Period, ref_start: date, ref_stop: date) -> pl.DataFrame:
    """The change of one KPI from a reference period [ref_start, ref_stop) to the current week, split by each
    dimension's values: (dimension, value, n1, d1, n0, d0, rate_current, rate_reference, weight, contribution);
    weight = the value's share of this week's denominator.

    contribution_i = (n1_i - R0 d1_i) / D1 - (n0_i - R0 d0_i) / D0, with R0 = N0 / D0 the reference rate: each
    value's excess over the reference rate, weighted by its share of the denominator, this week minus before. Per
    dimension they add up to R1 - R0 exactly; a value that only grew in volume at the reference rate adds 0."""
    dim_cols = [c for _, c in kpi.dims]
    # metrics.kpi_facts's rows of this KPI from its own branch (pipelines/kpi_facts.py)
    facts, facts_params = kpi_facts.facts_sql(run, {kpi.key: (min(ref_start, current.start),
                                                              max(ref_stop, current.stop))})
    grouping = ", ".join(f"(is_current, {c})" for c in dim_cols)
    which = " ".join(f"WHEN grouping({c}) = 0 THEN '{name}'" for name, c in kpi.dims)
    value = " ".join(f"WHEN grouping({c}) = 0 THEN CAST({c} AS VARCHAR)" for _, c in kpi.dims)
    sql = f"""
        WITH seg AS (
            SELECT is_current, CASE {which} END AS dimension, CASE {value} END AS value,
                   CAST(sum(numerator) AS DOUBLE) AS n, CAST(sum(denominator) AS DOUBLE) AS d
            FROM (SELECT *, metric_date >= CAST(? AS DATE) AS is_current FROM {facts} AS k
                  WHERE metric = ?
                    AND ((metric_date >= CAST(? AS DATE) AND metric_date < CAST(? AS DATE))
                      OR (metric_date >= CAST(? AS DATE) AND metric_date < CAST(? AS DATE))))
            GROUP BY GROUPING SETS ({grouping})
        ),
        wide AS (
            SELECT dimension, value,
                   coalesce(sum(n) FILTER (WHERE is_current), 0) AS n1,
                   coalesce(sum(d) FILTER (WHERE is_current), 0) AS d1,
                   coalesce(sum(n) FILTER (WHERE NOT is_current), 0) AS n0,
                   coalesce(sum(d) FILTER (WHERE NOT is_current), 0) AS d0
            FROM seg GROUP BY dimension, value
        ),
        totals AS (
            SELECT dimension, sum(n1) AS tn1, sum(d1) AS td1, sum(n0) AS tn0, sum(d0) AS td0
            FROM wide GROUP BY dimension
        )
        SELECT w.dimension, w.value, CAST(w.n1 AS BIGINT) AS n1, CAST(w.d1 AS BIGINT) AS d1,
               CAST(w.n0 AS BIGINT) AS n0, CAST(w.d0 AS BIGINT) AS d0,
               w.n1 / nullif(w.d1, 0) AS rate_current, w.n0 / nullif(w.d0, 0) AS rate_reference,
               w.d1 / t.td1 AS weight,
               (w.n1 - t.tn0 / t.td0 * w.d1) / t.td1 - (w.n0 - t.tn0 / t.td0 * w.d0) / t.td0 AS contribution
        FROM wide AS w JOIN totals AS t USING (dimension)
        WHERE t.td1 > 0 AND t.td0 > 0
        ORDER BY w.dimension, abs(contribution) DESC, w.value
    """
    return run(sql, [current.start, *facts_params, kpi.key, ref_start, ref_stop, current.start, current.stop])


# ------------------------------------------------------------------ statistics around the counts

def wilson(successes: float, trials: float, alpha: float = 0.05) -> tuple[float | None, float | None]:
    """Wilson score interval of successes / trials (None when there are no trials)."""
    if not trials or trials <= 0:
        return None, None
    from statsmodels.stats.proportion import proportion_confint  # slow to import: only the report needs it

    low, high = proportion_confint(successes, trials, alpha=alpha, method="wilson")
    return float(low), float(high)


def noise_sd(values: Sequence[float | None]) -> float | None:
    """Standard deviation of the week-to-week changes among consecutive weeks that both have a value."""
    changes = [b - a for a, b in zip(values, values[1:]) if a is not None and b is not None]
    if len(changes) < MIN_NOISE_CHANGES:
        return None
    mean = sum(changes) / len(changes)
    return math.sqrt(sum((c - mean) ** 2 for c in changes) / (len(changes) - 1))


def light(kpi: Kpi, value: float | None, target: float | None, low: float | None, high: float | None) -> str:
    """green: target met; amber: missed but the target is inside the 95 % interval; red: missed and outside it;
    grey: no value or no target."""
    if value is None or target is None:
        return "grey"
    if kpi.meets(value, target):
        return "green"
    if low is not None and high is not None and low <= target <= high:
        return "amber"
    return "red"


# ------------------------------------------------------------------ the pack

@dataclass
class ScoreRow:
    kpi: Kpi
    value: float | None
    numerator: int
    denominator: int
    target: float | None
    light: str
    ci_low: float | None
    ci_high: float | None
    previous: float | None
    previous_numerator: int
    previous_denominator: int
    change: float | None
    noise: float | None            # standard deviation of the previous weekly changes
    baseline: float | None         # pooled previous BASELINE_WEEKS weeks
    baseline_denominator: int
    baseline_weeks: int            # weeks with data among the BASELINE_WEEKS before
    trend: list[tuple[date, float | None]]   # the last 4 weeks, oldest first
    # the same period a year before (months and quarters; None for a week)
    year_ago: float | None = None
    year_ago_numerator: int = 0
    year_ago_denominator: int = 0

    @property
    def year_change(self) -> float | None:
        return None if self.value is None or self.year_ago is None else self.value - self.year_ago


@dataclass
class Change:
    """A KPI that moved beyond its noise, and the dimension values behind the move."""

    kpi: Kpi
    basis: str                     # "wow" (vs last period), "baseline" (vs the previous 8) or "yoy" (a year before)
    before: float                  # last week's value, or the baseline
    after: float
    delta: float
    noise: float | None
    low: float | None              # baseline limits (basis "baseline")
    high: float | None
    contributions: pl.DataFrame    # top TOP_CONTRIBUTIONS rows per dimension, with share of the change
    drivers: list[dict]            # the values named in the sentence

    @property
    def improved(self) -> bool:
        return (self.delta > 0) == self.kpi.higher_is_better

    kind: str = "week"             # the period's kind, for the sentence's words

    @property
    def figure_key(self) -> str:
        """The id of its contribution chart: change-<kpi>, or yoy-<kpi> against a year before."""
        return f"{'yoy' if self.basis == 'yoy' else 'change'}-{self.kpi.key}"

    def sentence(self, lang: str = "en") -> str:
        return describe(self, lang)


@dataclass
class WeeklyPack:
    week: Period
    timezone: str
    generated_at: datetime
    scorecard: list[ScoreRow]
    history: pl.DataFrame
    changes: list[Change]
    breaches: pl.DataFrame
    breaches_by_site: pl.DataFrame
    signals: pl.DataFrame
    p_chart_lots: pl.DataFrame
    pareto: pl.DataFrame           # period ("this"/"last"), defect_type, qty, records, total_cost, cumulative_share
    comments: pl.DataFrame
    class1_open: pl.DataFrame
    notes: str = ""
    targets: dict[str, float] = field(default_factory=dict)
    # the week's WORST_INTERVALS contact-centre intervals by service level (worst_intervals)
    worst_intervals: pl.DataFrame = field(default_factory=pl.DataFrame)
    # what the worst-intervals section's help states: interval minutes, service-level and short-abandon seconds
    call_settings: dict[str, float] = field(default_factory=dict)
    # corrective actions open at the end of the period (metrics.capa_actions), overdue ones first
    capa: pl.DataFrame = field(default_factory=pl.DataFrame)
    # a period not over yet: the last local date with data it holds (None: the period is over)
    unfinished_through: date | None = None
    # years its working-day deadlines fall in that have no official schedule (approximate_calendar)
    approximate_calendar: list[int] = field(default_factory=list)
    # months and quarters only: KPIs that moved against the same period a year before; the seeds' monthly tables
    year_changes: list[Change] = field(default_factory=list)
    complaints_by_department: pl.DataFrame = field(default_factory=pl.DataFrame)
    nonconformities_by_source: pl.DataFrame = field(default_factory=pl.DataFrame)
    satisfaction_by_kind: pl.DataFrame = field(default_factory=pl.DataFrame)

    @property
    def period(self) -> Period:
        return self.week

    @property
    def kind(self) -> str:
        return self.week.kind

    def row(self, key: str) -> ScoreRow:
        return next(r for r in self.scorecard if r.kpi.key == key)


def scorecard(history: pl.DataFrame, week: Period, targets: dict[str, float]) -> list[ScoreRow]:
    rows = []
    year_ago = week.year_ago
    for k in KPIS:
        h = history.filter(pl.col("metric") == k.key).sort("week_start")
        if k.optional and not h.filter(pl.col("week_start") == week.start)["denominator"].sum():
            continue              # a hotline KPI without cases this week: not scored (no empty row)
        values = h["value"].to_list()
        this = h.filter(pl.col("week_start") == week.start).row(0, named=True)
        prev_rows = h.filter(pl.col("week_start") == week.shift(-1).start)
        previous = prev_rows["value"][0] if prev_rows.height else None
        prev_n = int(prev_rows["numerator"][0]) if prev_rows.height else 0
        prev_d = int(prev_rows["denominator"][0]) if prev_rows.height else 0
        value = this["value"]
        low, high = wilson(this["numerator"], this["denominator"])
        prior = values[-(NOISE_CHANGES + 2):-1]        # the weeks before this one: NOISE_CHANGES changes
        trend = list(zip(h["week_start"].to_list()[-4:], values[-4:]))
        target = targets.get(k.key)
        ago = h.filter(pl.col("week_start") == year_ago.start) if year_ago is not None else h.clear()
        rows.append(ScoreRow(
            kpi=k, value=value, numerator=int(this["numerator"]), denominator=int(this["denominator"]),
            target=target, light=light(k, value, target, low, high), ci_low=low, ci_high=high,
            previous=previous, previous_numerator=prev_n, previous_denominator=prev_d,
            change=None if value is None or previous is None else value - previous,
            noise=noise_sd(prior), baseline=this["baseline_value"],
            baseline_denominator=int(this["baseline_denominator"] or 0),
            baseline_weeks=int(this["baseline_weeks"] or 0), trend=trend,
            year_ago=ago["value"][0] if ago.height else None,
            year_ago_numerator=int(ago["numerator"][0]) if ago.height else 0,
            year_ago_denominator=int(ago["denominator"][0]) if ago.height else 0,
        ))
    return rows


def moved(row: ScoreRow) -> tuple[str, float, float, float | None, float | None] | None:
    """(basis, before, delta, low, high) when the KPI moved beyond its normal noise, else None.

    * "wow": the change from last week exceeds NOISE_FACTOR standard deviations of the previous weekly changes
      and NOISE_FACTOR standard errors of the difference of two binomial proportions (so a week of 2 / 12 after
      0 / 11 is not news);
    * "baseline": this week's count lies outside the central 1 - 2 BASELINE_ALPHA of Binomial(n, p), n = this
      week's denominator, p = the pooled rate of the previous BASELINE_WEEKS weeks (exact, so weeks with few cases
      are judged fairly; a normal 3-sigma limit flags 2 repeat complaints out of 12 after a 1 % baseline).
    """
    if row.value is None:
        return None
    if row.change is not None and row.noise and abs(row.change) > NOISE_FACTOR * row.noise:
        n1, n0 = row.denominator, row.previous_denominator
        pooled = (row.numerator + row.previous_numerator) / (n1 + n0) if n1 + n0 else None
        se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0)) if pooled is not None and n1 and n0 else None
        if se is not None and abs(row.change) > NOISE_FACTOR * se:
            return "wow", row.previous, row.change, None, None  # type: ignore[return-value]
    p = row.baseline
    if p is not None and 0 < p < 1 and row.denominator > 0 and row.baseline_weeks >= MIN_BASELINE_WEEKS:
        low, high = binomial_range(row.denominator, p)
        if not low <= row.numerator <= high:
            return "baseline", p, row.value - p, low / row.denominator, high / row.denominator
    return None


def moved_from_year_ago(row: ScoreRow) -> tuple[str, float, float, None, None] | None:
    """("yoy", year-ago value, change, None, None) when the change from the same period a year before exceeds
    NOISE_FACTOR standard deviations of the previous period-to-period changes and NOISE_FACTOR standard errors of
    the difference of the two proportions (the week-over-week rule, with a year-ago reference)."""
    change = row.year_change
    if change is None or not row.noise or abs(change) <= NOISE_FACTOR * row.noise:
        return None
    n1, n0 = row.denominator, row.year_ago_denominator
    if not n1 or not n0:
        return None
    pooled = (row.numerator + row.year_ago_numerator) / (n1 + n0)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n0))
    if abs(change) > NOISE_FACTOR * se:
        return "yoy", row.year_ago, change, None, None  # type: ignore[return-value]
    return None


def binomial_range(n: int, p: float, alpha: float = BASELINE_ALPHA) -> tuple[int, int]:
    """Counts [low, high] holding the central 1 - 2 alpha of Binomial(n, p):
    P(X < low) < alpha and P(X > high) <= alpha."""
    from scipy.stats import binom  # noqa: PLC0415 (heavy import, only when a baseline exists)

    return int(binom.ppf(alpha, n, p)), int(binom.isf(alpha, n, p))


def explain(run: Run, row: ScoreRow, week: Period, year: bool = False) -> Change | None:
    """The KPI's change against the previous period or its baseline (`year`: against the same period a year
    before), split by dimension; None when it did not move."""
    found = moved_from_year_ago(row) if year else moved(row)
    if found is None:
        return None
    basis, before, delta, low, high = found
    if basis == "wow":
        ref_start, ref_stop = week.shift(-1).start, week.start
    elif basis == "yoy":
        ref_start, ref_stop = week.year_ago.start, week.year_ago.stop
    else:
        ref_start, ref_stop = week.shift(-BASELINE_WEEKS).start, week.start
    frame = contributions(run, row.kpi, week, ref_start, ref_stop)
    frame = frame.with_columns((pl.col("contribution") / delta).alias("share") if delta else
                               pl.lit(None, dtype=pl.Float64).alias("share"))
    top = (frame.sort(["dimension", "contribution"], descending=[False, delta > 0])
           .group_by("dimension", maintain_order=True).head(TOP_CONTRIBUTIONS))
    # Name a dimension's leading value when it carries a good part of the change, and clearly more than its share
    # of the volume (a value holding nearly every row, e.g. "no product" on service tickets, explains nothing).
    leaders = (top.filter(pl.col("value").is_not_null()).group_by("dimension", maintain_order=True).first()
               .with_columns((pl.col("share") - pl.col("weight")).alias("excess"))
               .filter((pl.col("share") >= DRIVER_MIN_SHARE) & (pl.col("excess") >= DRIVER_MIN_EXCESS))
               .sort(["excess", "dimension"], descending=[True, False]).head(MAX_DRIVERS))
    order = {name: i for i, (name, _) in enumerate(row.kpi.dims)}
    top = top.sort(pl.col("dimension").replace_strict(order, default=99), "contribution",
                   descending=[False, delta > 0])
    return Change(kpi=row.kpi, basis=basis, before=before, after=row.value, delta=delta,  # type: ignore[arg-type]
                  noise=row.noise, low=low, high=high, contributions=top, drivers=leaders.to_dicts(),
                  kind=week.kind)


def fmt_pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f} %"


def fmt_pp(value: float | None, lang: str = "en", digits: int = 1) -> str:
    if value is None:
        return "—"
    return t("pp", lang, value=f"{value * 100:+.{digits}f}")


def describe(change: Change, lang: str = "en") -> str:
    """The "what changed" sentence."""
    k = change.kpi
    digits = k.digits
    kind = change.kind
    verb = t("change.rose" if change.delta > 0 else "change.fell", lang)
    common = dict(kpi=t(f"kpi.{k.key}", lang), verb=verb, before=fmt_pct(change.before, digits),
                  after=fmt_pct(change.after, digits), delta=fmt_pp(change.delta, lang, digits))
    if change.basis in ("wow", "yoy"):
        text = t(f"change.{change.basis}", lang, kind,
                 noise=fmt_pp(NOISE_FACTOR * (change.noise or 0), lang, digits).lstrip("+"), **common)
    else:
        text = t("change.baseline", lang, kind, low=fmt_pct(change.low, digits), high=fmt_pct(change.high, digits),
                 **common)
    text += t("change.better" if change.improved else "change.worse", lang)
    if change.drivers:
        drivers = t("change.join", lang).join(
            t("change.driver", lang, dimension=t(f"dim.{d['dimension']}", lang),
              value=value_label(d["dimension"], d["value"], lang),
              contribution=fmt_pp(d["contribution"], lang, digits), share=f"{d['share'] * 100:.0f} %")
            for d in change.drivers)
        text += t("change.drivers", lang, drivers=drivers)
    else:
        text += t("change.spread.calls" if k.dims == CALL_DIMS else "change.spread", lang)
    return text


# ------------------------------------------------------------------ the week's lists

def top_breaches(run: Run, week: Period, limit: int = TOP_BREACHES) -> pl.DataFrame:
    return run("""
        SELECT ticket_id, site, category, ticket_type, target, policy_id, created_at, due_at, event_at,
               round((elapsed_minutes - target_minutes) / 60.0, 1) AS overdue_hours, is_open
        FROM metrics.ticket_sla
        WHERE created_date >= CAST(? AS DATE) AND created_date < CAST(? AS DATE) AND sla_status = 'breached'
        ORDER BY elapsed_minutes - target_minutes DESC, ticket_id, target
        LIMIT ?
    """, [week.start, week.stop, limit])


def breaches_by_site(run: Run, week: Period) -> pl.DataFrame:
    return run("""
        SELECT coalesce(site, '(none)') AS site,
               count(*) FILTER (WHERE NOT is_met) AS breached,
               count(is_met) AS decided,
               CAST(count(*) FILTER (WHERE is_met) AS DOUBLE) / nullif(count(is_met), 0) AS attainment_rate
        FROM metrics.ticket_sla
        WHERE created_date >= CAST(? AS DATE) AND created_date < CAST(? AS DATE)
        GROUP BY 1
        ORDER BY breached DESC, site
    """, [week.start, week.stop])


def week_signals(run: Run, week: Period) -> pl.DataFrame:
    return run("""
        SELECT lot_id, product, stage, line, inspected_date, material_batch_id, inspected_qty, nonconforming_qty,
               defect_rate, lcl, ucl, is_out_of_control, coalesce(signal, '') AS signal
        FROM metrics.defect_lots
        WHERE inspected_date >= CAST(? AS DATE) AND inspected_date < CAST(? AS DATE)
          AND (is_out_of_control OR signal IS NOT NULL)
        ORDER BY product, stage, inspected_at, lot_id
    """, [week.start, week.stop])


def p_chart_lots(run: Run, week: Period, signals: pl.DataFrame, weeks: int = 8) -> pl.DataFrame:
    """Lots of the last `weeks` weeks (a month or quarter: the period and the 4 weeks before it) of the product x
    stage pairs that signalled in the period (most signals first)."""
    if signals.height == 0:
        return pl.DataFrame(schema={"product": pl.Utf8, "stage": pl.Utf8})
    pairs = (signals.group_by("product", "stage").len().sort(["len", "product", "stage"],
                                                              descending=[True, False, False])
             .head(MAX_P_CHARTS))
    condition = " OR ".join("(product = ? AND stage = ?)" for _ in range(pairs.height))
    # a week: its 8 weeks; a month or quarter: the period and the 4 weeks before it
    first = min(week.stop - timedelta(weeks=weeks), week.start - timedelta(weeks=4))
    params: list[object] = [week.start, first, week.stop]
    for product, stage in pairs.select("product", "stage").iter_rows():
        params += [product, stage]
    return run(f"""
        SELECT product, stage, lot_id, inspected_at, inspected_date, defect_rate, p_bar, lcl, ucl,
               is_out_of_control, signal, inspected_date >= CAST(? AS DATE) AS in_week
        FROM metrics.defect_lots
        WHERE inspected_date >= CAST(? AS DATE) AND inspected_date < CAST(? AS DATE) AND ({condition})
        ORDER BY product, stage, inspected_at, lot_id
    """, params)


def pareto(run: Run, week: Period) -> pl.DataFrame:
    """Defect types of this week and last week (by units), with each week's cumulative share."""
    return run("""
        WITH t AS (
            SELECT CASE WHEN found_date >= CAST(? AS DATE) THEN 'this' ELSE 'last' END AS period,
                   coalesce(defect_type, '(none)') AS defect_type,
                   CAST(coalesce(sum(qty), 0) AS BIGINT) AS qty, count(*) AS records,
                   CAST(coalesce(sum(total_cost), 0) AS DOUBLE) AS total_cost
            FROM metrics.nonconformity_costs
            WHERE found_date >= CAST(? AS DATE) AND found_date < CAST(? AS DATE)
            GROUP BY ALL
        )
        SELECT period, defect_type, qty, records, total_cost,
               CAST(sum(qty) OVER (PARTITION BY period ORDER BY qty DESC, defect_type ROWS UNBOUNDED PRECEDING)
                    AS DOUBLE) / nullif(sum(qty) OVER (PARTITION BY period), 0) AS cumulative_share
        FROM t
        ORDER BY period DESC, qty DESC, defect_type
    """, [week.start, week.shift(-1).start, week.stop])


def lowest_comments(run: Run, week: Period, limit: int = TOP_COMMENTS, max_score: int = 3) -> pl.DataFrame:
    """Comments of the week's responses scored at most `max_score` (not satisfied), lowest first."""
    return run("""
        SELECT attempted_date, site, agent, category, score, comment, ticket_id
        FROM metrics.survey_responses
        WHERE attempted_date >= CAST(? AS DATE) AND attempted_date < CAST(? AS DATE)
          AND is_response AND score <= ? AND nullif(trim(comment), '') IS NOT NULL
        ORDER BY score, attempted_at, survey_id
        LIMIT ?
    """, [week.start, week.stop, max_score, limit])


def class1_open(run: Run, week: Period) -> pl.DataFrame:
    """Class-1 complaints received before the week ended and neither resolved nor closed by then."""
    return run("""
        WITH bound AS (
            SELECT timezone((SELECT value FROM meta.settings WHERE key = 'timezone'), CAST(? AS TIMESTAMP))
                AS week_end_at
        )
        SELECT c.ticket_id, c.created_at, c.site, c.department, c.category, c.status AS status_now,
               c.resolved_at,
               round(date_diff('minute', c.created_at, b.week_end_at) / 1440.0, 1) AS age_days
        FROM core.tickets AS c
        CROSS JOIN bound AS b
        WHERE c.complaint_grade = 'class_1' AND c.created_at < b.week_end_at
          AND c.status IS DISTINCT FROM 'cancelled'
          AND (c.resolved_at IS NULL OR c.resolved_at >= b.week_end_at)
          AND (c.closed_at IS NULL OR c.closed_at >= b.week_end_at)
        ORDER BY c.created_at, c.ticket_id
    """, [datetime.combine(week.stop, datetime.min.time())])


def worst_intervals(run: Run, week: Period, limit: int = WORST_INTERVALS,
                    min_offered: int = WORST_MIN_OFFERED) -> pl.DataFrame:
    """The week's contact-centre intervals (the queues pooled) with the lowest service level among those with at
    least `min_offered` offered calls, worst first: (interval_start local, weekday, offered, calls, answered,
    abandoned, service_level, abandon_rate, asa_seconds, agents_needed, agents_available). Counts and rates are
    metrics.calls_interval's sums; agents needed (Erlang C) and available are pipelines.staffing's. No calls: an
    empty frame with those columns."""
    from pipelines.staffing import staffing  # numpy Erlang C: only when the pack is built

    stop = week.stop
    frame = run("""
        SELECT interval_start, any_value(weekday) AS weekday, CAST(sum(offered) AS BIGINT) AS offered,
               CAST(sum(calls) AS BIGINT) AS calls, CAST(sum(answered) AS BIGINT) AS answered,
               CAST(sum(abandoned) AS BIGINT) AS abandoned,
               sum(answered_within_service_level) / nullif(sum(calls), 0) AS service_level,
               sum(abandoned) / nullif(sum(calls), 0) AS abandon_rate,
               sum(answered_wait_seconds) / nullif(sum(answered), 0) AS asa_seconds
        FROM metrics.calls_interval
        WHERE interval_date >= CAST(? AS DATE) AND interval_date < CAST(? AS DATE)
        GROUP BY interval_start
        HAVING sum(offered) >= ? AND sum(calls) > 0
        ORDER BY service_level, interval_start
        LIMIT ?
    """, [week.start, stop, min_offered, limit])
    agents = (staffing(run, week.start, week.end).select("interval_start", "agents_needed", "agents_available")
              if frame.height else pl.DataFrame(schema={"interval_start": frame.schema["interval_start"],
                                                        "agents_needed": pl.Int64, "agents_available": pl.Float64}))
    return frame.join(agents, on="interval_start", how="left", maintain_order="left")


def capa_open_at(run: Run, week: Period) -> pl.DataFrame:
    """Corrective actions open at the end of the period (metrics.capa_actions): opened before it ended and not
    closed or cancelled by then (closed_on, or a closed/cancelled status without a date), overdue ones first.
    is_overdue: due before the period ended and not carried out by then; days_overdue counted to the period's
    end (today for a period not over). The effectiveness check's rates come from metrics.capa_effectiveness."""
    return run("""
        WITH bound AS (
            SELECT least(CAST(? AS DATE),
                         CAST(timezone((SELECT value FROM meta.settings WHERE key = 'timezone'), now_at) AS DATE))
                       AS stop_date,
                   CAST(? AS DATE) AS period_stop
            FROM metrics.clock
        )
        SELECT a.capa_id, a.source_type, a.source_ids, a.opened_date, a.owner, a.action, a.root_cause,
               a.due_date, a.status AS capa_status,
               a.due_date < b.stop_date AND (a.completed_on IS NULL OR a.completed_on >= b.period_stop)
                   AS is_overdue,
               CASE WHEN a.due_date < b.stop_date AND (a.completed_on IS NULL OR a.completed_on >= b.period_stop)
                    THEN date_diff('day', a.due_date, b.stop_date) END AS days_overdue,
               a.completed_on, e.rate_before, e.rate_after, a.metric
        FROM metrics.capa_actions AS a
        CROSS JOIN bound AS b
        LEFT JOIN metrics.capa_effectiveness AS e USING (capa_id)
        WHERE coalesce(a.opened_date, a.due_date) < b.period_stop
          AND CASE WHEN a.closed_on IS NOT NULL THEN a.closed_on >= b.period_stop
                   ELSE a.status NOT IN ('closed', 'cancelled') END
        ORDER BY is_overdue DESC, a.due_date, a.capa_id
    """, [week.stop, week.stop])


def complaints_by_department(run: Run, week: Period) -> pl.DataFrame:
    """Complaints received in the period by responsible department (metrics.period_complaints): complaints,
    share of all complaints, attributable to service, repeats, still open; most complaints first."""
    return run("""
        SELECT coalesce(department, '(none)') AS department, count(*) AS complaints,
               CAST(count(*) AS DOUBLE) / sum(count(*)) OVER () AS share,
               count(*) FILTER (WHERE is_attributable_complaint) AS attributable,
               count(*) FILTER (WHERE is_repeat_complaint) AS repeats,
               count(*) FILTER (WHERE is_open) AS still_open
        FROM metrics.period_complaints
        WHERE created_date >= CAST(? AS DATE) AND created_date < CAST(? AS DATE)
        GROUP BY 1
        ORDER BY complaints DESC, department
    """, [week.start, week.stop])


def nonconformities_by_source(run: Run, week: Period) -> pl.DataFrame:
    """Nonconformities found in the period (metrics.period_nonconformities) in two groupings, `grouping`
    'machine' (by product and machine = line) and 'department' (by responsible department): records, units,
    losses and each group's share of the period's losses; largest loss first within each grouping."""
    return run("""
        WITH g AS (
            SELECT CASE WHEN grouping(responsible_department) = 1 THEN 'machine' ELSE 'department' END
                       AS grouping,
                   CASE WHEN grouping(product) = 0 THEN coalesce(product, '(none)') END AS product,
                   CASE WHEN grouping(machine) = 0 THEN coalesce(machine, '(none)') END AS machine,
                   CASE WHEN grouping(responsible_department) = 0 THEN coalesce(responsible_department, '(none)')
                   END AS department,
                   count(*) AS records, CAST(coalesce(sum(qty), 0) AS BIGINT) AS qty,
                   CAST(coalesce(sum(total_cost), 0) AS DOUBLE) AS total_cost
            FROM metrics.period_nonconformities
            WHERE found_date >= CAST(? AS DATE) AND found_date < CAST(? AS DATE)
            GROUP BY GROUPING SETS ((product, machine), (responsible_department))
        )
        SELECT *, total_cost / nullif(sum(total_cost) OVER (PARTITION BY grouping), 0) AS cost_share
        FROM g
        ORDER BY grouping DESC, total_cost DESC, qty DESC, product, machine, department
    """, [week.start, week.stop])


SATISFACTION_KINDS = ("inquiry", "complaint", "cross_province", "key_account")   # metrics.hotline_satisfaction


def satisfaction_by_kind(run: Run, week: Period, targets: dict[str, float] | None = None) -> pl.DataFrame:
    """Seed 004's satisfaction rate by kind for tickets handled in the period, from its one definition,
    metrics.hotline_satisfaction (satisfied / ALL handled, pending out; docs/metrics.md "Hotline"): handled,
    pending, with_answer, satisfied, satisfaction_rate, its target ([targets] hotline_satisfaction_<kind>) and
    CSAT = satisfied / with_answer. Every kind is listed (0 handled when none)."""
    targets = targets or {}
    kinds = pl.DataFrame({"satisfaction_kind": list(SATISFACTION_KINDS),
                          "kind_target": [targets.get(f"hotline_satisfaction_{k}") for k in SATISFACTION_KINDS]},
                         schema={"satisfaction_kind": pl.Utf8, "kind_target": pl.Float64})
    frame = run("""
        SELECT kind AS satisfaction_kind, count(*) AS handled, count(*) FILTER (WHERE is_pending) AS pending,
               count(*) FILTER (WHERE has_answer) AS with_answer, count(*) FILTER (WHERE is_satisfied) AS satisfied,
               CAST(count(*) FILTER (WHERE is_satisfied) AS DOUBLE)
                   / nullif(count(*) FILTER (WHERE NOT is_pending), 0) AS satisfaction_rate,
               CAST(count(*) FILTER (WHERE is_satisfied) AS DOUBLE)
                   / nullif(count(*) FILTER (WHERE has_answer), 0) AS csat
        FROM metrics.hotline_satisfaction
        WHERE resolved_date >= CAST(? AS DATE) AND resolved_date < CAST(? AS DATE)
        GROUP BY kind
    """, [week.start, week.stop])
    return (kinds.join(frame, on="satisfaction_kind", how="left", maintain_order="left")
            .with_columns(pl.col("handled", "pending", "with_answer", "satisfied").fill_null(0))
            .select("satisfaction_kind", "handled", "pending", "with_answer", "satisfied", "satisfaction_rate",
                    "kind_target", "csat"))


def call_targets(config: Config) -> dict[str, float]:
    """The call KPIs' targets, from [contact_centre]: service level >= its target (0.80), abandon rate <= the upper
    bound of its range (0.05)."""
    cc = config.contact_centre
    return {"service_level": cc.service_level_target, "abandon_rate": cc.abandon_rate_max}


def build_pack(run: Run, config: Config, week: Period | str | None = None, kind: str = "week") -> WeeklyPack:
    """Everything the review shows for the period `week` (an IsoWeek, Month or Quarter, or the label of one of
    `kind`; default: the last full period of `kind` with data). A month or quarter adds the comparison with the
    same period a year before and the seeds' monthly tables."""
    today = clock.today(config.timezone)
    if week is None:
        week = last_full_period(run, today, kind)
        if week is None:
            raise LookupError("the warehouse holds no tickets, surveys or inspections yet")
    elif isinstance(week, str):
        week = parse_period(kind, week)
    unfinished = None
    if week.end >= today:
        last = last_data_date(run)
        unfinished = min(last, today - timedelta(days=1)) if last is not None else today - timedelta(days=1)
    history = kpi_history(run, week)
    targets = dict(config.targets) | call_targets(config)
    rows = scorecard(history, week, targets)
    changes = [c for c in (explain(run, r, week) for r in rows) if c is not None]
    signals = week_signals(run, week)
    extra: dict[str, object] = {}
    if week.kind != "week":
        extra = dict(
            year_changes=[c for c in (explain(run, r, week, year=True) for r in rows) if c is not None],
            complaints_by_department=complaints_by_department(run, week),
            nonconformities_by_source=nonconformities_by_source(run, week),
            satisfaction_by_kind=satisfaction_by_kind(run, week, targets),
        )
    return WeeklyPack(
        week=week, timezone=config.timezone, generated_at=clock.stamp(), scorecard=rows,
        history=history, changes=changes, breaches=top_breaches(run, week),
        breaches_by_site=breaches_by_site(run, week), signals=signals,
        p_chart_lots=p_chart_lots(run, week, signals), pareto=pareto(run, week),
        comments=lowest_comments(run, week), class1_open=class1_open(run, week),
        notes=load_notes(config, week), targets=targets, worst_intervals=worst_intervals(run, week),
        call_settings={"minutes": config.contact_centre.interval_minutes, "min": WORST_MIN_OFFERED,
                       "seconds": config.contact_centre.service_level_seconds,
                       "short": config.contact_centre.short_abandon_seconds},
        capa=capa_open_at(run, week), unfinished_through=unfinished,
        approximate_calendar=approximate_calendar(run, week), **extra,  # type: ignore[arg-type]
    )

def worst_intervals_help(pack: WeeklyPack, lang: str = "en") -> str:
    """The worst-intervals section's explanation, with the pack's settings."""
    values = {k: f"{v:g}" for k, v in pack.call_settings.items()}
    return t("section.worst_intervals.help", lang, pack.kind, **values) if values else ""


# ------------------------------------------------------------------ notes (state_dir, outside the warehouse)

def _notes_path(config: Config, week: Period):
    return config.state_dir / "weekly_notes" / f"{week.label}.json"


def load_notes(config: Config, week: Period) -> str:
    try:
        data = json.loads(_notes_path(config, week).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return ""
    return str(data.get("text", "")) if isinstance(data, dict) else ""


def save_notes(config: Config, week: Period, text: str) -> None:
    """Save the meeting's decisions and actions for the week (replacing what was saved)."""
    from pipelines.sandbox import write_atomic  # noqa: PLC0415

    saved_at = clock.stamp().isoformat(timespec="seconds")
    payload = {"week": week.label, "text": text, "saved_at": saved_at}
    write_atomic(_notes_path(config, week), json.dumps(payload, ensure_ascii=False, indent=2))


# ------------------------------------------------------------------ corrective actions entered on the page

CAPA_ENTRIES = "corrective_actions/entries.csv"     # under state_dir
CAPA_PROFILE = "corrective_actions__canonical"


def capa_entries_path(config: Config):
    return config.state_dir / CAPA_ENTRIES


def next_capa_id(config: Config, period: Period) -> str:
    """WR-<period label>-<n>: the next free number among the page's entries of that period."""
    path = capa_entries_path(config)
    prefix = f"WR-{period.label}-"
    taken = (pl.read_csv(path, columns=["capa_id"], infer_schema=False)["capa_id"] if path.exists()
             else pl.Series([], dtype=pl.Utf8))
    numbers = taken.filter(taken.str.starts_with(prefix)).str.slice(len(prefix)).cast(pl.Int64, strict=False)
    return f"{prefix}{int(numbers.max() or 0) + 1}"


def save_action(config: Config, period: Period, *, action: str, owner: str, due_date: date, root_cause: str = "",
                source_type: str = "review", source_ids: str | None = None, metric: str | None = None,
                product: str | None = None, department: str | None = None, site: str | None = None):
    """A corrective action decided in the review of `period`: appended to state_dir/corrective_actions/
    entries.csv (the canonical layout, written atomically) and that whole file published through the loader
    (profile corrective_actions__canonical), the same path as any file: an upsert by capa_id, so earlier entries
    are unchanged and a later export of the same id updates it. Returns (capa_id, the load's LoadResult).
    ValueError without an action, owner or due date (the file's suite refuses those too)."""
    from pipelines.datasets import CORRECTIVE_ACTIONS  # noqa: PLC0415
    from pipelines.ingest import ingest_files  # noqa: PLC0415 (GX: only when an action is saved)
    from pipelines.sandbox import write_atomic  # noqa: PLC0415

    missing = [name for name, value in (("action", action), ("owner", owner), ("due_date", due_date))
               if value is None or not str(value).strip()]
    if missing:
        raise ValueError(f"a corrective action needs {', '.join(missing)}")
    capa_id = next_capa_id(config, period)
    opened = clock.now().astimezone(ZoneInfo(config.timezone)).replace(tzinfo=None)
    row = {c: None for c in CORRECTIVE_ACTIONS.columns} | {
        "capa_id": capa_id, "source_type": source_type, "source_ids": source_ids or period.label,
        "opened_at": opened.strftime("%Y-%m-%d %H:%M:%S"), "root_cause": root_cause.strip() or None,
        "action": action.strip(), "owner": owner.strip(), "due_date": due_date.isoformat(), "status": "open",
        "metric": metric, "product": product, "department": department, "site": site}
    new = pl.DataFrame([row], schema={c: pl.Utf8 for c in CORRECTIVE_ACTIONS.columns})
    path = capa_entries_path(config)
    if path.exists():
        new = pl.concat([pl.read_csv(path, infer_schema=False), new], how="diagonal_relaxed")
    write_atomic(path, new.select(list(CORRECTIVE_ACTIONS.columns)).write_csv())
    result = ingest_files([path], config, [CAPA_PROFILE])[0]
    return capa_id, result
