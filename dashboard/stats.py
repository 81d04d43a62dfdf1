"""Statistics the pages draw around the metric views' counts: intervals, funnel limits, Kaplan-Meier.

None of these define a metric: they take numerators and denominators (or aggregated event counts) that
dashboard/queries.py computed in SQL, and add uncertainty or account for censoring.
"""

from __future__ import annotations

import numpy as np
import polars as pl

Z95 = 1.959963984540054
Z998 = 3.090232306167813  # two-sided 99.8 %, the funnel plot's outer limit


def wilson(successes, trials, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for each successes/trials pair (NaN where trials is 0)."""
    from statsmodels.stats.proportion import proportion_confint  # 1.8 s to import: only pages that need it

    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    lo = np.full(n.shape, np.nan)
    hi = np.full(n.shape, np.nan)
    ok = n > 0
    if ok.any():
        lo[ok], hi[ok] = proportion_confint(k[ok], n[ok], alpha=alpha, method="wilson")
    return lo, hi


def with_wilson(frame: pl.DataFrame, successes: str, trials: str, prefix: str = "ci") -> pl.DataFrame:
    """`frame` with `<prefix>_low` and `<prefix>_high` columns (95 % Wilson interval)."""
    lo, hi = wilson(frame[successes].to_numpy(), frame[trials].to_numpy())
    return frame.with_columns(pl.Series(f"{prefix}_low", lo), pl.Series(f"{prefix}_high", hi))


def funnel_limits(p: float, n_max: int, points: int = 200) -> pl.DataFrame:
    """Control limits of a funnel plot around the overall rate `p`: 95 % and 99.8 % for 1..n_max responses."""
    n = np.unique(np.geomspace(1, max(n_max, 2), points).round()).astype(float)
    se = np.sqrt(max(p * (1 - p), 0.0) / n)
    return pl.DataFrame({
        "n": n,
        "low_95": np.clip(p - Z95 * se, 0, 1), "high_95": np.clip(p + Z95 * se, 0, 1),
        "low_998": np.clip(p - Z998 * se, 0, 1), "high_998": np.clip(p + Z998 * se, 0, 1),
    })


def funnel_position(rate, n, p: float) -> np.ndarray:
    """'above', 'below' or 'within' the 99.8 % funnel limits for each unit."""
    rate = np.asarray(rate, dtype=float)
    n = np.asarray(n, dtype=float)
    se = np.sqrt(max(p * (1 - p), 0.0) / np.where(n > 0, n, np.nan))
    out = np.full(rate.shape, "within", dtype=object)
    out[rate > p + Z998 * se] = "above"
    out[rate < p - Z998 * se] = "below"
    return out


def kaplan_meier(times, events, censored) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier survival S(t) from aggregated counts: at each distinct time, how many reached the event and
    how many were censored (still open at that age). Censored cases at time t count as at risk at t.
    Returns (t, S(t)) just after each time."""
    t = np.asarray(times, dtype=float)
    d = np.asarray(events, dtype=float)
    c = np.asarray(censored, dtype=float)
    if t.size == 0:
        return t, t
    order = np.argsort(t, kind="stable")
    t, d, c = t[order], d[order], c[order]
    at_risk = (d + c)[::-1].cumsum()[::-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(at_risk > 0, 1.0 - d / at_risk, 1.0)
    return t, np.cumprod(factor)


def km_median(times, events, censored) -> float | None:
    """Smallest time at which S(t) <= 0.5; None when fewer than half have reached the event."""
    return curve_median(*kaplan_meier(times, events, censored))


def curve_median(t: np.ndarray, s: np.ndarray) -> float | None:
    """The median of a Kaplan-Meier curve already computed (kaplan_meier's t, S)."""
    hit = np.nonzero(s <= 0.5)[0]
    return float(t[hit[0]]) if hit.size else None
