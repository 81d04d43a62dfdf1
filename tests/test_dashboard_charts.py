"""dashboard/charts.py: every builder takes a frame and returns a figure, with the target marked, palette colours
only, translated hover text, and an empty-state figure for an empty frame."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import numpy as np
import plotly.graph_objects as go
import polars as pl
import pytest

from dashboard import charts, stats

PALETTE = {c.lower() for c in charts.OKABE_ITO.values()}
WEEKS = [date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 19)]


def colours(fig: go.Figure) -> set[str]:
    """Every explicit colour in the figure's traces and shapes."""
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("color", "fillcolor", "line_color") and isinstance(value, str) and value.startswith("#"):
                    found.add(value.lower())
                elif isinstance(value, list) and key == "color":
                    found.update(v.lower() for v in value if isinstance(v, str) and v.startswith("#"))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    spec = json.loads(fig.to_json())
    walk(spec["data"])  # not layout.template: Streamlit's theme replaces Plotly's template
    walk(spec["layout"].get("shapes", []))
    return found


def has_target(fig: go.Figure, value: float) -> bool:
    return any(shape.line.dash == "dash" and value in (shape.y0, shape.x0) for shape in fig.layout.shapes)


FIGURES = {
    "rate_trend": lambda lang: charts.rate_trend(
        pl.DataFrame({"week_start": WEEKS * 2, "target": ["on_site"] * 3 + ["resolution"] * 3,
                      "rate": [0.8, 0.9, 0.95, 0.7, 0.75, 0.8], "n": [10, 20, 30, 10, 20, 30],
                      "lo": [0.6] * 6, "hi": [0.99] * 6}),
        "week_start", "rate", lang, series="target", series_dimension="target", target=0.9, low="lo", high="hi",
        count="n", y_title="x"),
    "stacked_bars": lambda lang: charts.stacked_bars(
        pl.DataFrame({"channel": ["phone", "app"], "tickets": [3, 4], "ticket_type": ["repair", "complaint"]}),
        "channel", "tickets", "ticket_type", lang, x_dimension="channel", colour_dimension="ticket_type"),
    "heatmap": lambda lang: charts.heatmap(
        pl.DataFrame({"site": ["A", "A", "B"], "category": ["x", "y", "x"], "met": [1, 2, 0], "measured": [2, 2, 1],
                      "attainment_rate": [0.5, 1.0, 0.0]}), "category", "site", "attainment_rate", lang, "met",
        "measured", title="t", target=0.9),
    "time_histogram": lambda lang: charts.time_histogram(
        pl.DataFrame({"bin": [0, 1], "bin_start_minutes": [0.0, 60.0], "bin_end_minutes": [60.0, 120.0],
                      "is_overflow": [False, True], "target_minutes": [480, 480], "completed": [5, 1],
                      "open": [0, 2]}), lang),
    "survival": lambda lang: charts.survival(*stats.kaplan_meier([10, 20], [3, 2], [0, 1]), lang,
                                             target_minutes=30, median_minutes=10),
    "backlog": lambda lang: charts.backlog(
        pl.DataFrame({"age_bucket": ["<1d", ">30d"], "age_bucket_order": [1, 5], "is_breached": [False, True],
                      "tickets": [3, 2]}), lang),
    "distribution": lambda lang: charts.distribution(
        pl.DataFrame({"score": [1, 4, 5], "responses": [1, 5, 9]}), "score", "responses", lang, highlight={4, 5}),
    "funnel": lambda lang: charts.funnel(
        pl.DataFrame({"unit": ["a", "b"], "scored_responses": [5, 500], "satisfied": [3, 300], "csat_rate": [0.6, 0.6],
                      "ci_low": [0.2, 0.55], "ci_high": [0.9, 0.64], "position": ["within", "below"]}),
        stats.funnel_limits(0.85, 500), 0.85, lang, target=0.85),
    "intervals": lambda lang: charts.intervals(
        pl.DataFrame({"unit": ["a", "b"], "scored_responses": [5, 500], "csat_rate": [0.6, 0.9],
                      "ci_low": [0.2, 0.87], "ci_high": [0.9, 0.93]}), lang, overall=0.85, target=0.85),
    "dimension_bars": lambda lang: charts.dimension_bars(
        pl.DataFrame({"dimension": ["score_skill"], "responses": [10], "mean_score": [4.2], "top_two_rate": [0.8]}),
        lang),
    "p_chart": lambda lang: charts.p_chart(
        pl.DataFrame({"lot_id": ["L1", "L2", "L3"],
                      "inspected_at": [datetime(2026, 1, d, tzinfo=UTC) for d in (1, 2, 3)],
                      "nonconforming_qty": [1, 9, 2], "inspected_qty": [100, 100, 100],
                      "defect_rate": [0.01, 0.09, 0.02], "p_bar": [0.02] * 3, "lcl": [0.0] * 3,
                      "ucl": [0.062] * 3, "signal": [None, "we_rule_1", "we_rule_2"],
                      "is_out_of_control": [False, True, False]}), lang),
    "pareto": lambda lang: charts.pareto(
        pl.DataFrame({"defect_type": ["cracking", "bubbles"], "qty": [8, 2], "records": [3, 1],
                      "total_cost": [10.0, 5.0], "cumulative_share": [0.8, 1.0]}), "qty", lang),
}


@pytest.mark.parametrize("name", sorted(FIGURES))
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_dashboard_charts_build_with_palette_colours(name, lang):
    fig = FIGURES[name](lang)
    assert isinstance(fig, go.Figure) and fig.data
    assert colours(fig) <= PALETTE, (name, colours(fig) - PALETTE)
    hover = " ".join(str(getattr(trace, "hovertemplate", "") or "") for trace in fig.data)
    if lang == "zh" and name not in ("distribution", "stacked_bars", "intervals"):
        assert any("\u4e00" <= ch <= "\u9fff" for ch in hover + json.dumps(fig.layout.to_plotly_json(),
                                                                             ensure_ascii=False)), name


def test_dashboard_charts_mark_targets():
    assert has_target(FIGURES["rate_trend"]("en"), 0.9)
    assert has_target(FIGURES["time_histogram"]("en"), 8.0)  # 480 minutes, in hours
    assert has_target(FIGURES["funnel"]("en"), 0.85)
    assert has_target(FIGURES["survival"]("en"), 0.5)  # 30 minutes, in hours


def test_dashboard_charts_empty_frames_give_a_note_not_an_error():
    empty = pl.DataFrame()
    for fig in (charts.rate_trend(empty, "x", "y", "en"), charts.stacked_bars(empty, "x", "y", "c", "en"),
                charts.backlog(empty, "en"), charts.p_chart(empty, "zh"), charts.pareto(empty, "qty", "en"),
                charts.survival(np.array([]), np.array([]), "en")):
        assert fig.layout.annotations and not fig.data


# ------------------------------------------------------------------ large series (issue 13 target 4)

def staffing_frame(n: int) -> pl.DataFrame:
    start = datetime(2026, 8, 3, 0, 0)
    needed = (10 + 5 * np.sin(np.arange(n) / 20)).round().astype(np.int64)
    needed[n // 2] = 99  # one spike must survive the thinning
    available = np.full(n, 12.0)
    return pl.DataFrame({
        "interval_start": pl.datetime_range(start, start + (n - 1) * timedelta(minutes=30), interval="30m",
                                            eager=True),
        "agents_needed": needed, "agents_available": available,
        "agent_gap": np.clip(needed - available, 0, None)})


def test_large_staffing_series_are_webgl_and_thinned_to_a_screen_keeping_spikes():
    small = charts.staffing(staffing_frame(200), "en")
    assert {type(tr).__name__ for tr in small.data} == {"Bar", "Scatter"}
    big = charts.staffing(staffing_frame(5000), "en")
    assert {type(tr).__name__ for tr in big.data} == {"Scattergl"}
    assert all(len(tr.x) <= charts.SCREEN_POINTS for tr in big.data)
    assert max(big.data[1].y) == 99 and max(big.data[0].y) == 99 - 12


def test_p_chart_keeps_every_lot_and_draws_many_with_webgl():
    n = 2500
    frame = pl.DataFrame({
        "inspected_at": [datetime(2026, 1, 1, tzinfo=UTC)] * n, "lot_id": [f"L{i}" for i in range(n)],
        "defect_rate": np.linspace(0, 0.02, n), "p_bar": [0.01] * n, "ucl": [0.03] * n, "lcl": [0.0] * n,
        "nonconforming_qty": [1] * n, "inspected_qty": [100] * n, "signal": [None] * n,
        "is_out_of_control": [False] * n})
    fig = charts.p_chart(frame, "en")
    lots = [tr for tr in fig.data if tr.customdata is not None and len(tr.customdata) == n]
    assert len(lots) == 1 and type(lots[0]).__name__ == "Scattergl"


def test_survival_curve_is_thinned_to_a_screen():
    t = np.arange(1, 20001, dtype=float)
    fig = charts.survival(t, np.linspace(1, 0, t.size), "en")
    curve = fig.data[0]
    assert len(curve.x) <= charts.SCREEN_POINTS and curve.x[0] == 0 and curve.y[-1] == 0
