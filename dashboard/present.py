"""Shaping query results for display: no SQL and no metric definitions, only picking, pairing and
attaching the statistics of dashboard/stats.py. Pure functions, tested in tests/test_dashboard_present.py."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dashboard import stats
from pipelines.weekly import KPI_BY_KEY, Kpi

# The overview's cards: the weekly scorecard's KPIs (their comparison with the target and decimals come from there).
SCORECARD: tuple[Kpi, ...] = tuple(KPI_BY_KEY[k] for k in
                                   ("timeliness_rate", "csat_rate", "complaint_rate", "defect_rate", "follow_up_rate"))
SIGN = {">=": "≥", "<": "<", "<=": "≤"}


@dataclass(frozen=True)
class Card:
    kpi: Kpi
    value: float | None
    numerator: int
    denominator: int
    delta: float | None           # latest week minus the week before, as a fraction (pp / 100)
    latest_week: object | None
    spark: list[float]
    target: float | None

    @property
    def metric(self) -> str:
        return self.kpi.key

    @property
    def meets_target(self) -> bool | None:
        if self.value is None or self.target is None:
            return None
        return self.kpi.meets(self.value, self.target)


def scorecard_cards(frame: pl.DataFrame, targets: dict[str, float]) -> list[Card]:
    """One card per scorecard metric from queries.scorecard's rows (weekly rows plus a null-week total)."""
    cards = []
    for kpi in SCORECARD:
        rows = frame.filter(pl.col("metric") == kpi.key)
        total = rows.filter(pl.col("week_start").is_null())
        weekly = rows.filter(pl.col("week_start").is_not_null() & (pl.col("denominator") > 0)).sort("week_start")
        values = weekly["value"].to_list()
        delta = values[-1] - values[-2] if len(values) >= 2 else None
        cards.append(Card(
            kpi=kpi,
            value=total["value"][0] if total.height else None,
            numerator=int(total["numerator"][0]) if total.height else 0,
            denominator=int(total["denominator"][0]) if total.height else 0,
            delta=delta,
            latest_week=weekly["week_start"][-1] if weekly.height else None,
            spark=[round(v * 100, 2) for v in values],
            target=targets.get(kpi.key),
        ))
    return cards


def split_total(frame: pl.DataFrame, column: str = "week_start") -> tuple[pl.DataFrame, dict | None]:
    """Weekly rows and the period total (the row whose week is null) of a GROUPING SETS result."""
    total = frame.filter(pl.col(column).is_null())
    return frame.filter(pl.col(column).is_not_null()), (total.row(0, named=True) if total.height else None)


def km_summary(survival: pl.DataFrame) -> tuple[float | None, object, object]:
    """Kaplan-Meier median minutes and the curve (t, S) from queries.sla_survival's counts."""
    t, s = stats.kaplan_meier(survival["minute"].to_numpy(), survival["events"].to_numpy(),
                              survival["censored"].to_numpy())
    return stats.curve_median(t, s), t, s


def km_by_target(survival: pl.DataFrame) -> dict[str, float | None]:
    """Kaplan-Meier median minutes per target from queries.sla_survival (all targets)."""
    return {key[0]: km_summary(part)[0]
            for key, part in survival.partition_by("target", as_dict=True, maintain_order=True).items()}


def fair_comparison(frame: pl.DataFrame, overall: float | None
                    ) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """Per-unit CSAT (queries.csat_by) with a 95 % Wilson interval and its place in the funnel around the overall
    CSAT of the same filters (queries.csat_weekly's total): above / within / below the 99.8 % limits; plus the
    funnel's limits."""
    if frame.height == 0:
        return frame, None
    out = stats.with_wilson(frame, "satisfied", "scored_responses")
    if overall is None:
        return out.with_columns(pl.lit("within").alias("position")), None
    position = stats.funnel_position(out["csat_rate"].to_numpy(), out["scored_responses"].to_numpy(), overall)
    out = out.with_columns(pl.Series("position", position.tolist(), dtype=pl.Utf8))
    return out, stats.funnel_limits(overall, int(out["scored_responses"].max()))


def wait_table(waits: pl.DataFrame, bins: tuple[float, ...] | list[float]) -> pl.DataFrame:
    """queries.wait_distribution's rows as one row per wait bin (every bin, empty ones as 0): its calls answered,
    abandoned and in all, and the share of all calls that waited at least as long (the histogram's figures)."""
    wide = pl.DataFrame({"bin_start_seconds": [int(b) for b in bins]}, schema={"bin_start_seconds": pl.Int64})
    counts = (waits.with_columns(pl.col("bin_start_seconds").cast(pl.Int64))
              .group_by("bin_start_seconds").agg(
                  answered=pl.col("calls").filter(pl.col("call_outcome") == "answered").sum(),
                  abandoned=pl.col("calls").filter(pl.col("call_outcome") == "abandoned").sum(),
                  calls=pl.col("calls").sum()))
    wide = wide.join(counts, on="bin_start_seconds", how="left").fill_null(0).sort("bin_start_seconds")
    total = wide["calls"].sum()
    return wide.with_columns(
        (pl.col("calls").reverse().cum_sum().reverse() / total if total else pl.lit(None, pl.Float64))
        .alias("waited_at_least_share"))
