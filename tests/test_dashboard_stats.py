"""dashboard/stats.py and dashboard/present.py: the estimators against statsmodels, the scorecard's pairing."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest
from statsmodels.duration.survfunc import SurvfuncRight
from statsmodels.stats.proportion import proportion_confint

from dashboard import present, stats
from pipelines.weekly import KPI_BY_KEY


def _aggregate(times: np.ndarray, done: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t = np.unique(times)
    events = np.array([np.sum((times == v) & done) for v in t])
    censored = np.array([np.sum((times == v) & ~done) for v in t])
    return t, events, censored


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_dashboard_kaplan_meier_matches_statsmodels(seed):
    rng = np.random.default_rng(seed)
    times = rng.integers(1, 60, size=400).astype(float)
    done = rng.random(400) < 0.7
    t, events, censored = _aggregate(times, done)
    ours_t, ours_s = stats.kaplan_meier(t, events, censored)
    ref = SurvfuncRight(times, done.astype(int))
    assert np.allclose(ours_t[events > 0], ref.surv_times)
    assert np.allclose(ours_s[events > 0], ref.surv_prob)
    assert stats.km_median(t, events, censored) == pytest.approx(ref.quantile(0.5))


def test_dashboard_kaplan_meier_counts_open_tickets():
    # 4 done at 10, 6 still open at 5: the plain median of the done ones is 10; KM says half are still
    # waiting until the last event, at 10 (S drops from 1 to 0 there), and censoring before it changes nothing.
    assert stats.km_median([5, 10], [0, 4], [6, 0]) == 10
    # 2 done at 1, 8 open at 50, 0 done later: fewer than half reached the event, no median
    assert stats.km_median([1, 50], [2, 0], [0, 8]) is None
    t, s = stats.kaplan_meier([], [], [])
    assert t.size == 0 and s.size == 0


def test_dashboard_wilson_matches_statsmodels_and_handles_zero():
    lo, hi = stats.wilson([8, 0, 5], [10, 0, 5])
    ref_lo, ref_hi = proportion_confint(8, 10, method="wilson")
    assert (lo[0], hi[0]) == pytest.approx((ref_lo, ref_hi))
    assert np.isnan(lo[1]) and np.isnan(hi[1])
    assert hi[2] == pytest.approx(1.0) and lo[2] < 1


def test_dashboard_funnel_limits_narrow_with_n_and_positions():
    limits = stats.funnel_limits(0.85, 1000)
    width = (limits["high_95"] - limits["low_95"]).to_numpy()
    assert np.all(np.diff(width) <= 1e-12) and limits["n"][0] == 1 and limits["n"][-1] == 1000
    assert (limits["low_998"] <= limits["low_95"]).all()
    # a small unit at 60 % is within the limits; a large one at 60 % is below
    pos = stats.funnel_position([0.6, 0.6, 0.99], [5, 500, 800], 0.85)
    assert pos.tolist() == ["within", "below", "above"]


def test_dashboard_fair_comparison_adds_intervals_not_ranks():
    frame = pl.DataFrame({"unit": ["b", "a"], "scored_responses": [4, 400], "satisfied": [2, 200],
                          "csat_rate": [0.5, 0.5]})
    out, limits = present.fair_comparison(frame, 0.85)
    assert out["unit"].to_list() == ["b", "a"]  # order kept
    assert out.filter(pl.col("unit") == "b")["position"][0] == "within"
    assert out.filter(pl.col("unit") == "a")["position"][0] == "below"
    assert limits is not None and limits["n"].max() == 400


def test_dashboard_scorecard_cards_delta_is_latest_week_minus_previous():
    frame = pl.DataFrame({
        "metric": ["csat_rate"] * 4,
        "week_start": [date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 19), None],
        "numerator": [8, 9, 0, 17], "denominator": [10, 10, 0, 20], "value": [0.8, 0.9, None, 0.85],
    })
    card = {c.metric: c for c in present.scorecard_cards(frame, {"csat_rate": 0.85})}["csat_rate"]
    assert card.value == 0.85 and (card.numerator, card.denominator) == (17, 20)
    assert card.delta == pytest.approx(0.1)  # the empty week is skipped
    assert card.latest_week == date(2026, 1, 12) and card.spark == [80.0, 90.0]
    assert card.meets_target is True
    missing = {c.metric: c for c in present.scorecard_cards(frame, {})}["defect_rate"]
    assert missing.value is None and missing.delta is None and missing.meets_target is None
    complaint = present.Card(KPI_BY_KEY["complaint_rate"], 0.03, 3, 100, None, None, [], 0.03)
    assert complaint.meets_target is False  # the complaint target is strict
    # the overview shows each KPI as the weekly pack does: complaint and defect rates with 2 decimals
    assert {k.key: k.digits for k in present.SCORECARD} == {
        "timeliness_rate": 1, "csat_rate": 1, "complaint_rate": 2, "defect_rate": 2, "follow_up_rate": 1}


def test_dashboard_km_by_target_splits_one_query():
    frame = pl.DataFrame({"target": ["a", "a", "b"], "minute": [1, 2, 5], "events": [1, 1, 0],
                          "censored": [0, 0, 3]})
    assert present.km_by_target(frame) == {"a": 1.0, "b": None}
