"""Plotly builders: a frame (and the language) in, a figure out. One visual style for every page.

* Colours: the Okabe-Ito palette (distinguishable with the common colour-vision deficiencies); black is left out so
  lines read on the dark theme too. Good/bad pairs are blue/vermillion, never red/green.
* Targets are grey dashed lines with their value written on them; hover text names every value in words and
  formats rates as percentages.
* Backgrounds and fonts are left to Streamlit's theme (`st.plotly_chart(theme="streamlit")`), so the light and
  dark themes both work.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from dashboard.i18n import duration, label, t

OKABE_ITO = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00",
    "sky": "#56B4E9", "purple": "#CC79A7", "yellow": "#F0E442", "grey": "#999999",
}
SEQUENCE = [OKABE_ITO[c] for c in ("blue", "orange", "green", "vermillion", "sky", "purple", "yellow", "grey")]
TARGET_COLOUR = OKABE_ITO["grey"]
GOOD, BAD, NEUTRAL = OKABE_ITO["blue"], OKABE_ITO["vermillion"], OKABE_ITO["sky"]
HEATMAP_SCALE = "Cividis"  # perceptually uniform and colour-blind safe
HEIGHT = 360
# Large series (issue 13 target 4): beyond WEBGL_POINTS points a trace is drawn with WebGL (one canvas, not one SVG
# element per point); a line beyond SCREEN_POINTS points keeps, per run of points that share a screen column, the
# first, lowest and highest point (its shape as a screen shows it: spikes stay).
WEBGL_POINTS = 1000
SCREEN_POINTS = 1500


def screen_rows(frame: pl.DataFrame, columns: list[str], max_points: int = SCREEN_POINTS) -> pl.DataFrame:
    """The rows of `frame` (ordered along x) that a line of `max_points` screen columns shows: per bucket of
    consecutive rows, the first row and the rows holding each column's minimum and maximum. Vectorised."""
    if frame.height <= max_points:
        return frame
    buckets = max(1, max_points // (1 + 2 * len(columns)))
    indexed = frame.with_row_index("_row").with_columns(
        (pl.col("_row") * buckets // frame.height).alias("_bucket"))
    picks = [pl.col("_row").first().alias("_first")]
    for i, c in enumerate(columns):
        picks += [pl.col("_row").sort_by(pl.col(c).fill_null(float("inf"))).first().alias(f"_lo{i}"),
                  pl.col("_row").sort_by(pl.col(c).fill_null(float("-inf"))).last().alias(f"_hi{i}")]
    keep = indexed.group_by("_bucket").agg(picks).drop("_bucket").unpivot()["value"].unique()
    return frame.with_row_index("_row").filter(pl.col("_row").is_in(keep.implode())).drop("_row")


def scatter(n_points: int, **kwargs) -> go.Scatter | go.Scattergl:
    """go.Scatter, or go.Scattergl (WebGL) for a trace of more than WEBGL_POINTS points."""
    return go.Scattergl(**kwargs) if n_points > WEBGL_POINTS else go.Scatter(**kwargs)


def _layout(fig: go.Figure, title: str | None = None, y_title: str | None = None, x_title: str | None = None,
            y_format: str | None = None, height: int = HEIGHT, legend: bool = True) -> go.Figure:
    # the title sits at the top of the figure and the legend on its own line between title and plot
    fig.update_layout(
        title={"text": title, "y": 0.99, "yref": "container", "yanchor": "top", "x": 0, "xref": "paper"}
        if title else None,
        height=height + (40 if title else 0),
        margin={"l": 10, "r": 10, "t": (50 if title else 20) + (70 if legend else 0), "b": 10},
        showlegend=legend,
        hovermode="closest", legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0},
        colorway=SEQUENCE,
    )
    if y_title is not None:
        fig.update_yaxes(title_text=y_title)
    if x_title is not None:
        fig.update_xaxes(title_text=x_title)
    if y_format:
        fig.update_yaxes(tickformat=y_format)
    return fig


# Chinese date ticks by zoom level (Plotly's own are English month names: "Sep 2026"); dtick ranges in ms.
_DAY, _MONTH = 86_400_000, "M1"
ZH_DATE_STOPS = (
    {"dtickrange": [None, _DAY], "value": "%m月%d日 %H:%M"},
    {"dtickrange": [_DAY, 7 * _DAY], "value": "%m月%d日"},
    {"dtickrange": [7 * _DAY, _MONTH], "value": "%Y年%m月%d日"},
    {"dtickrange": [_MONTH, "M12"], "value": "%Y年%m月"},
    {"dtickrange": ["M12", None], "value": "%Y年"},
)


def _is_dates(values: object) -> bool:
    if values is None or len(values) == 0:  # type: ignore[arg-type]
        return False
    first = values[0]  # type: ignore[index]
    return isinstance(first, (date, np.datetime64)) or (isinstance(first, str) and len(first) >= 10
                                                         and first[4] == "-" and first[7] == "-")


def localise_dates(fig: go.Figure, lang: str) -> go.Figure:
    """Date axes in the page's language: Chinese tick formats (2026年09月) on lang=zh; axes with their own
    tick texts (the weekly pack's week ticks) keep them."""
    if lang != "zh":
        return fig
    axes = {getattr(trace, "xaxis", None) or "x" for trace in fig.data if _is_dates(getattr(trace, "x", None))}
    for ref in axes:
        name = "xaxis" if ref == "x" else f"xaxis{ref[1:]}"
        axis = fig.layout[name]
        if axis.tickformat or axis.ticktext:
            continue
        axis.tickformatstops = ZH_DATE_STOPS
        axis.hoverformat = "%Y年%m月%d日"
    return fig


def _target_line(fig: go.Figure, value: float | None, text: str, vertical: bool = False, **kwargs) -> None:
    if value is None:
        return
    add = fig.add_vline if vertical else fig.add_hline
    kwargs.setdefault("annotation_position", "top" if vertical else "top right")
    add(value, line_dash="dash", line_color=TARGET_COLOUR, line_width=2, annotation_text=text,
        annotation_font_color=TARGET_COLOUR, **kwargs)


def empty_figure(lang: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=t("section.no_data", lang), showarrow=False, font={"size": 14})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, height=200, legend=False)


def rate_trend(frame: pl.DataFrame, x: str, y: str, lang: str, series: str | None = None,
               target: float | None = None, target_label: str | None = None, low: str | None = None,
               high: str | None = None, count: str | None = None, title: str | None = None,
               y_title: str | None = None, series_dimension: str | None = None,
               lower_is_better: bool = False) -> go.Figure:
    """Rates over time (one line per series), optional interval band, target line, counts in the hover."""
    if frame.height == 0:
        return empty_figure(lang)
    fig = go.Figure()
    groups = frame.partition_by(series, maintain_order=True, as_dict=True) if series else {("",): frame}
    for i, (key, part) in enumerate(groups.items()):
        name = label(series_dimension or series or "", key[0], lang) if series else (y_title or "")
        colour = SEQUENCE[i % len(SEQUENCE)]
        part = part.sort(x)
        if low and high:
            fig.add_trace(go.Scatter(
                x=pl.concat([part[x], part[x].reverse()]).to_list(),
                y=pl.concat([part[high], part[low].reverse()]).to_list(),
                fill="toself", fillcolor=colour, opacity=0.18, line={"width": 0}, hoverinfo="skip",
                showlegend=False, name=t("chart.interval", lang)))
        custom = np.column_stack([
            part[count].to_numpy() if count else np.zeros(part.height),
            part[low].to_numpy() if low else np.full(part.height, np.nan),
            part[high].to_numpy() if high else np.full(part.height, np.nan),
        ])
        hover = f"<b>{name}</b><br>%{{x|%Y-%m-%d}}<br>{y_title or ''}: %{{y:.1%}}"
        if low and high:
            hover += f"<br>{t('chart.interval95', lang)}: %{{customdata[1]:.1%}} – %{{customdata[2]:.1%}}"
        if count:
            hover += f"<br>{t('chart.n', lang)}: %{{customdata[0]:,.0f}}"
        fig.add_trace(go.Scatter(x=part[x].to_list(), y=part[y].to_list(), mode="lines+markers", name=name,
                                 line={"color": colour, "width": 2}, marker={"size": 6}, customdata=custom,
                                 hovertemplate=hover + "<extra></extra>"))
    if target is not None:
        sign = "≤" if lower_is_better else "≥"
        _target_line(fig, target, target_label or t("chart.target", lang, sign=sign, value=f"{target:.0%}"))
    fig.update_yaxes(rangemode="tozero")
    return _layout(fig, title, y_title, None, ".0%")


def stacked_bars(frame: pl.DataFrame, x: str, y: str, colour: str, lang: str, title: str | None = None,
                 y_title: str | None = None, x_dimension: str | None = None, colour_dimension: str | None = None,
                 horizontal: bool = False, money: bool = False) -> go.Figure:
    """Counts (or costs) by x, stacked by colour; category codes shown translated."""
    if frame.height == 0:
        return empty_figure(lang)
    fig = go.Figure()
    value_fmt = "¥%{y:,.0f}" if money else "%{y:,.0f}"
    if horizontal:
        value_fmt = value_fmt.replace("%{y", "%{x")
    for i, (key, part) in enumerate(frame.partition_by(colour, maintain_order=True, as_dict=True).items()):
        name = label(colour_dimension or colour, key[0], lang)
        xs = [label(x_dimension or x, v, lang) if isinstance(v, str) else v for v in part[x].to_list()]
        ys = part[y].to_list()
        axis_value = "%{y}" if horizontal else "%{x}"
        fig.add_trace(go.Bar(
            x=ys if horizontal else xs, y=xs if horizontal else ys, name=name,
            orientation="h" if horizontal else "v", marker_color=SEQUENCE[i % len(SEQUENCE)],
            hovertemplate=f"<b>{name}</b><br>{axis_value}<br>{y_title or ''}: {value_fmt}<extra></extra>"))
    fig.update_layout(barmode="stack")
    return _layout(fig, title, None if horizontal else y_title, y_title if horizontal else None)


def heatmap(frame: pl.DataFrame, x: str, y: str, z: str, lang: str, numerator: str, denominator: str,
            title: str | None = None, target: float | None = None) -> go.Figure:
    """Rate heatmap (e.g. site x category); every cell shows its rate and hover gives met / measured."""
    if frame.height == 0:
        return empty_figure(lang)
    wide = frame.pivot(on=x, index=y, values=[z, numerator, denominator], aggregate_function="first")
    xs = sorted(frame[x].unique().to_list())
    ys = wide[y].to_list()
    zz = np.array([[v if v is not None else np.nan for v in wide[f"{z}_{c}"].to_list()] for c in xs]).T
    nn = np.array([[v or 0 for v in wide[f"{numerator}_{c}"].to_list()] for c in xs]).T
    dd = np.array([[v or 0 for v in wide[f"{denominator}_{c}"].to_list()] for c in xs]).T
    text = np.where(np.isnan(zz), "", np.vectorize(lambda v: f"{v:.0%}")(np.nan_to_num(zz)))
    fig = go.Figure(go.Heatmap(
        z=zz, x=[label(x, v, lang) for v in xs], y=[label(y, v, lang) for v in ys], text=text,
        texttemplate="%{text}", colorscale=HEATMAP_SCALE, zmin=0, zmax=1,
        customdata=np.dstack([nn, dd]), colorbar={"tickformat": ".0%"},
        hovertemplate=(f"{t('dim.' + y, lang)}: %{{y}}<br>{t('dim.' + x, lang)}: %{{x}}<br>"
                       f"{t('chart.rate', lang)}: %{{z:.1%}}<br>{t('chart.met_of', lang)}: "
                       "%{customdata[0]:,} / %{customdata[1]:,}<extra></extra>")))
    fig.update_xaxes(tickangle=-40)
    subtitle = f" ({t('chart.target', lang, sign='≥', value=f'{target:.0%}')})" if target is not None else ""
    return _layout(fig, (title or "") + subtitle if title else None,
                   height=max(HEIGHT, 28 * len(ys) + 160), legend=False)


def time_histogram(frame: pl.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """Elapsed-time bins (completed and still open stacked) with the target marked."""
    if frame.height == 0:
        return empty_figure(lang)
    hours_lo = (frame["bin_start_minutes"] / 60).to_list()
    hours_hi = (frame["bin_end_minutes"] / 60).to_list()
    labels = [f"≥ {lo:,.1f} h" if over else f"{lo:,.1f}–{hi:,.1f} h"
              for lo, hi, over in zip(hours_lo, hours_hi, frame["is_overflow"].to_list())]
    mids = [(lo + hi) / 2 for lo, hi in zip(hours_lo, hours_hi)]
    width = [hi - lo for lo, hi in zip(hours_lo, hours_hi)]
    fig = go.Figure()
    for col, colour, name in (("completed", GOOD, t("chart.completed", lang)),
                              ("open", OKABE_ITO["orange"], t("chart.still_open", lang))):
        fig.add_trace(go.Bar(x=mids, y=frame[col].to_list(), width=width, name=name, marker_color=colour,
                             customdata=labels,
                             hovertemplate=f"<b>{name}</b><br>%{{customdata}}<br>{t('chart.tickets', lang)}: "
                                           "%{y:,}<extra></extra>"))
    target_h = frame["target_minutes"][0] / 60
    _target_line(fig, target_h, t("chart.target_time", lang, value=duration(target_h * 60, lang)), vertical=True)
    fig.update_layout(barmode="stack", bargap=0.05)
    return _layout(fig, title, t("chart.tickets", lang), t("chart.elapsed_hours", lang))


def survival(t_minutes: np.ndarray, surv: np.ndarray, lang: str, target_minutes: float | None = None,
             median_minutes: float | None = None, title: str | None = None) -> go.Figure:
    """Kaplan-Meier curve: share of tickets still waiting for the event, by elapsed hours."""
    if len(t_minutes) == 0:
        return empty_figure(lang)
    curve = screen_rows(pl.DataFrame({"hours": np.concatenate([[0.0], np.asarray(t_minutes) / 60]),
                                      "share": np.concatenate([[1.0], np.asarray(surv)])}), ["share"])
    hours, share = curve["hours"].to_numpy(), curve["share"].to_numpy()
    fig = go.Figure(scatter(len(hours),
        x=hours, y=share, mode="lines", line_shape="hv", line={"color": GOOD, "width": 2},
        name=t("chart.km_curve", lang),
        hovertemplate=f"%{{x:,.1f}} h<br>{t('chart.still_waiting', lang)}: %{{y:.1%}}<extra></extra>"))
    if target_minutes is not None:
        _target_line(fig, target_minutes / 60, t("chart.target_time", lang, value=duration(target_minutes, lang)),
                     vertical=True)
    if median_minutes is not None:
        fig.add_trace(go.Scatter(x=[median_minutes / 60], y=[0.5], mode="markers", name=t("sla.km_median", lang),
                                 marker={"color": OKABE_ITO["orange"], "size": 11, "symbol": "diamond"},
                                 hovertemplate=f"{t('sla.km_median', lang)}: %{{x:,.1f}} h<extra></extra>"))
    if target_minutes:  # the same window as the histogram: up to three times the target
        fig.update_xaxes(range=[0, max(3 * target_minutes, (median_minutes or 0) * 1.2) / 60])
    fig.update_yaxes(range=[0, 1.02])
    return _layout(fig, title, t("chart.still_waiting", lang), t("chart.elapsed_hours", lang), ".0%")


def backlog(frame: pl.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """Open tickets per age bucket, breached ones in vermillion."""
    if frame.height == 0:
        return empty_figure(lang)
    fig = go.Figure()
    order = frame.sort("age_bucket_order")["age_bucket"].unique(maintain_order=True).to_list()
    for flag, colour, key in ((False, NEUTRAL, "chart.within_target"), (True, BAD, "chart.breached")):
        part = frame.filter(pl.col("is_breached") == flag)
        counts = dict(zip(part["age_bucket"].to_list(), part["tickets"].to_list()))
        name = t(key, lang)
        fig.add_trace(go.Bar(x=[label("age_bucket", b, lang) for b in order], y=[counts.get(b, 0) for b in order],
                             name=name, marker_color=colour,
                             hovertemplate=f"<b>{name}</b><br>%{{x}}<br>{t('chart.tickets', lang)}: "
                                           "%{y:,}<extra></extra>"))
    fig.update_layout(barmode="stack")
    return _layout(fig, title, t("chart.tickets", lang), t("col.age_bucket", lang))


def distribution(frame: pl.DataFrame, x: str, y: str, lang: str, title: str | None = None,
                 x_title: str | None = None, y_title: str | None = None, highlight: set | None = None) -> go.Figure:
    """Simple bars (e.g. the score distribution); highlighted categories in blue, the rest in sky blue."""
    if frame.height == 0:
        return empty_figure(lang)
    colours = [GOOD if highlight and v in highlight else NEUTRAL for v in frame[x].to_list()]
    total = max(sum(v or 0 for v in frame[y].to_list()), 1)
    share = [(v or 0) / total for v in frame[y].to_list()]
    fig = go.Figure(go.Bar(x=[str(v) for v in frame[x].to_list()], y=frame[y].to_list(), marker_color=colours,
                           customdata=share,
                           hovertemplate=f"{x_title or ''}: %{{x}}<br>{y_title or ''}: %{{y:,}} "
                                         "(%{customdata:.1%})<extra></extra>"))
    return _layout(fig, title, y_title, x_title, legend=False)


def funnel(frame: pl.DataFrame, limits: pl.DataFrame, overall: float, lang: str, target: float | None = None,
           title: str | None = None) -> go.Figure:
    """Funnel plot: each unit's rate against its number of responses, with 95 % and 99.8 % limits around the
    overall rate. Small units sit inside wide limits instead of topping or tailing a ranking."""
    if frame.height == 0:
        return empty_figure(lang)
    fig = go.Figure()
    for lo, hi, dash, name in (("low_998", "high_998", "dot", t("chart.limit998", lang)),
                               ("low_95", "high_95", "dash", t("chart.limit95", lang))):
        for col, show in ((hi, True), (lo, False)):
            fig.add_trace(go.Scatter(x=limits["n"].to_list(), y=limits[col].to_list(), mode="lines",
                                     line={"color": TARGET_COLOUR, "dash": dash, "width": 1}, name=name,
                                     legendgroup=name, showlegend=show, hoverinfo="skip"))
    fig.add_hline(overall, line_color=OKABE_ITO["sky"], line_width=1,
                  annotation_text=t("chart.overall", lang, value=f"{overall:.1%}"))
    if target is not None:
        _target_line(fig, target, t("chart.target", lang, sign="≥", value=f"{target:.0%}"),
                     annotation_position="bottom right")
    colour_of = {"above": GOOD, "below": BAD, "within": OKABE_ITO["grey"]}
    symbol_of = {"above": "triangle-up", "below": "triangle-down", "within": "circle"}
    for pos in ("within", "above", "below"):
        part = frame.filter(pl.col("position") == pos)
        if part.height == 0:
            continue
        custom = np.column_stack([part["unit"].to_numpy(), part["ci_low"].to_numpy(), part["ci_high"].to_numpy(),
                                  part["satisfied"].to_numpy()])
        fig.add_trace(go.Scatter(
            x=part["scored_responses"].to_list(), y=part["csat_rate"].to_list(), mode="markers",
            name=t(f"chart.funnel_{pos}", lang), customdata=custom,
            marker={"color": colour_of[pos], "symbol": symbol_of[pos], "size": 9,
                    "line": {"width": 1, "color": "rgba(128,128,128,0.6)"}},
            hovertemplate=(f"<b>%{{customdata[0]}}</b><br>CSAT: %{{y:.1%}} (%{{customdata[3]:,}} / %{{x:,}})<br>"
                           f"{t('chart.interval95', lang)}: %{{customdata[1]:.1%}} – %{{customdata[2]:.1%}}"
                           "<extra></extra>")))
    fig.update_xaxes(type="log")
    return _layout(fig, title, "CSAT", t("chart.responses", lang), ".0%")


def intervals(frame: pl.DataFrame, lang: str, overall: float | None = None, target: float | None = None,
              title: str | None = None) -> go.Figure:
    """Each unit's CSAT as a point with its 95 % Wilson interval, in name order (not a ranking)."""
    if frame.height == 0:
        return empty_figure(lang)
    frame = frame.sort("unit", descending=True)
    fig = go.Figure(go.Scatter(
        x=frame["csat_rate"].to_list(), y=frame["unit"].to_list(), mode="markers",
        marker={"color": GOOD, "size": 8},
        error_x={"type": "data", "symmetric": False, "color": OKABE_ITO["sky"],
                 "array": (frame["ci_high"] - frame["csat_rate"]).to_list(),
                 "arrayminus": (frame["csat_rate"] - frame["ci_low"]).to_list()},
        customdata=np.column_stack([frame["scored_responses"].to_numpy(), frame["ci_low"].to_numpy(),
                                    frame["ci_high"].to_numpy()]),
        hovertemplate=(f"<b>%{{y}}</b><br>CSAT: %{{x:.1%}}<br>{t('chart.interval95', lang)}: "
                       f"%{{customdata[1]:.1%}} – %{{customdata[2]:.1%}}<br>{t('chart.n', lang)}: "
                       "%{customdata[0]:,}<extra></extra>"), name="CSAT", showlegend=False))
    if target is not None:
        _target_line(fig, target, t("chart.target", lang, sign="≥", value=f"{target:.0%}"), vertical=True)
    if overall is not None:
        fig.add_vline(overall, line_color=OKABE_ITO["sky"], line_width=1)
    fig.update_xaxes(tickformat=".0%", range=[0, 1.02])
    return _layout(fig, title, None, "CSAT", height=max(HEIGHT, 22 * frame.height + 120), legend=False)


def dimension_bars(frame: pl.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """Mean score per technician dimension (1-5), with the share of 4-5 answers in the hover."""
    if frame.height == 0:
        return empty_figure(lang)
    names = [label("score_dimension", d, lang) for d in frame["dimension"].to_list()]
    fig = go.Figure(go.Bar(
        x=frame["mean_score"].to_list(), y=names, orientation="h", marker_color=GOOD,
        customdata=np.column_stack([frame["top_two_rate"].to_numpy(), frame["responses"].to_numpy()]),
        text=[f"{v:.2f}" if v is not None else "" for v in frame["mean_score"].to_list()], textposition="auto",
        hovertemplate=(f"<b>%{{y}}</b><br>{t('chart.mean_score', lang)}: %{{x:.2f}}<br>"
                       f"{t('chart.top_two', lang)}: %{{customdata[0]:.1%}}<br>{t('chart.n', lang)}: "
                       "%{customdata[1]:,}<extra></extra>")))
    fig.update_xaxes(range=[1, 5])
    return _layout(fig, title, None, t("chart.mean_score", lang), height=260, legend=False)


def p_chart(frame: pl.DataFrame, lang: str, title: str | None = None) -> go.Figure:
    """p-chart: each lot's nonconforming share with its own 3-sigma limits (they follow the lot's size),
    out-of-control lots and Western Electric signals marked."""
    if frame.height == 0:
        return empty_figure(lang)
    x = frame["inspected_at"].to_list()
    n = len(x)  # every lot is kept (a control chart's point is a lot); many lots are drawn with WebGL
    fig = go.Figure()
    for col, name in (("ucl", t("chart.ucl", lang)), ("lcl", t("chart.lcl", lang))):
        fig.add_trace(scatter(n, x=x, y=frame[col].to_list(), mode="lines", line_shape="hvh", name=name,
                                 line={"color": TARGET_COLOUR, "dash": "dot", "width": 1},
                                 hovertemplate=f"{name}: %{{y:.2%}}<extra></extra>"))
    fig.add_trace(scatter(n, x=x, y=frame["p_bar"].to_list(), mode="lines", name=t("chart.centre", lang),
                             line={"color": OKABE_ITO["sky"], "width": 1},
                             hovertemplate=f"{t('chart.centre', lang)}: %{{y:.2%}}<extra></extra>"))
    custom = np.column_stack([frame["lot_id"].to_numpy(), frame["nonconforming_qty"].to_numpy(),
                              frame["inspected_qty"].to_numpy(),
                              np.array([s or "" for s in frame["signal"].to_list()], dtype=object)])
    hover = (f"<b>%{{customdata[0]}}</b><br>%{{x|%Y-%m-%d}}<br>{t('chart.defect_rate', lang)}: %{{y:.2%}}"
             f"<br>%{{customdata[1]:,}} / %{{customdata[2]:,}}<br>%{{customdata[3]}}<extra></extra>")
    fig.add_trace(scatter(n, x=x, y=frame["defect_rate"].to_list(), mode="lines+markers",
                             name=t("chart.defect_rate", lang), customdata=custom, hovertemplate=hover,
                             line={"color": GOOD, "width": 1}, marker={"size": 5}))
    signals = frame.filter(pl.col("signal").is_not_null() & ~pl.col("is_out_of_control"))
    if signals.height:
        fig.add_trace(go.Scatter(
            x=signals["inspected_at"].to_list(), y=signals["defect_rate"].to_list(), mode="markers",
            name=t("chart.we_signal", lang), customdata=signals["signal"].to_list(),
            marker={"color": OKABE_ITO["orange"], "symbol": "diamond-open", "size": 12, "line": {"width": 2}},
            hovertemplate="%{customdata}<extra></extra>"))
    out = frame.filter(pl.col("is_out_of_control"))
    if out.height:
        fig.add_trace(go.Scatter(
            x=out["inspected_at"].to_list(), y=out["defect_rate"].to_list(), mode="markers",
            name=t("chart.out_of_control", lang), customdata=out["lot_id"].to_list(),
            marker={"color": BAD, "symbol": "x", "size": 11},
            hovertemplate=f"%{{customdata}}: {t('chart.out_of_control', lang)}<extra></extra>"))
    return _layout(fig, title, t("chart.defect_rate", lang), None, ".1%", height=420)


def pareto(frame: pl.DataFrame, measure: str, lang: str, title: str | None = None) -> go.Figure:
    """Pareto: defect types by units (or cost), largest first, cumulative share on the right axis."""
    if frame.height == 0:
        return empty_figure(lang)
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    money = measure == "total_cost"
    value_name = t("col.total_cost" if money else "col.qty", lang)
    types = [label("defect_type", v, lang) for v in frame["defect_type"].to_list()]
    fig.add_trace(go.Bar(x=types, y=frame[measure].to_list(), name=value_name,
                         marker_color=GOOD,
                         hovertemplate=f"<b>%{{x}}</b><br>{value_name}: "
                                       + ("¥%{y:,.0f}" if money else "%{y:,}") + "<extra></extra>"),
                  secondary_y=False)
    fig.add_trace(go.Scatter(x=types, y=frame["cumulative_share"].to_list(),
                             mode="lines+markers", name=t("chart.cumulative", lang),
                             line={"color": OKABE_ITO["orange"], "width": 2},
                             hovertemplate=f"{t('chart.cumulative', lang)}: %{{y:.1%}}<extra></extra>"),
                  secondary_y=True)
    fig.add_hline(0.8, line_dash="dash", line_color=TARGET_COLOUR, secondary_y=True,
                  annotation_text="80 %", annotation_font_color=TARGET_COLOUR)
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05], tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1.0], showgrid=False,
                     secondary_y=True, title_text=t("chart.cumulative", lang))
    fig.update_yaxes(title_text=value_name, secondary_y=False)
    fig.update_xaxes(tickangle=-30)
    return _layout(fig, title)


# ------------------------------------------------------------------ contact centre (issue 16)

def service_level_heatmap(frame: pl.DataFrame, lang: str, target: float | None = None) -> go.Figure:
    """Service level per week (rows) x time of day (columns); hover gives answered in time / calls."""
    if frame.height == 0:
        return empty_figure(lang)
    weeks = sorted(frame["week_start"].unique().to_list())
    times = sorted(frame["time_of_day"].unique().to_list())
    grid = pl.DataFrame({"week_start": weeks}).join(pl.DataFrame({"time_of_day": times}), how="cross").join(
        frame, on=["week_start", "time_of_day"], how="left").sort("week_start", "time_of_day")
    shape = (len(weeks), len(times))
    zz = grid["service_level"].fill_null(np.nan).to_numpy().reshape(shape)
    custom = np.dstack([grid["answered_within_service_level"].fill_null(0).to_numpy().reshape(shape),
                        grid["calls"].fill_null(0).to_numpy().reshape(shape)])
    fig = go.Figure(go.Heatmap(
        z=zz, x=times, y=[str(w) for w in weeks], colorscale=HEATMAP_SCALE, zmin=0, zmax=1, customdata=custom,
        colorbar={"tickformat": ".0%"},
        hovertemplate=(f"{t('col.week_start', lang)}: %{{y}}<br>{t('cc.time_of_day', lang)}: %{{x}}<br>"
                       f"{t('cc.service_level', lang)}: %{{z:.1%}}<br>{t('cc.in_time_of_calls', lang)}: "
                       "%{customdata[0]:,} / %{customdata[1]:,}<extra></extra>")))
    fig.update_yaxes(type="category", autorange="reversed")
    fig.update_xaxes(type="category", tickangle=-45)
    subtitle = t("chart.target", lang, sign="≥", value=f"{target:.0%}") if target is not None else None
    return _layout(fig, subtitle, t("col.week_start", lang), t("cc.time_of_day", lang),
                   height=max(HEIGHT, 22 * len(weeks) + 160), legend=False)


def calls_by_time_of_day(frame: pl.DataFrame, lang: str) -> go.Figure:
    """Offered (line) against answered and abandoned (stacked bars) per time of day."""
    if frame.height == 0:
        return empty_figure(lang)
    x = frame["time_of_day"].to_list()
    fig = go.Figure()
    for column, colour in (("answered", GOOD), ("abandoned", BAD), ("short_abandons", TARGET_COLOUR)):
        name = t(f"col.{column}", lang)
        fig.add_trace(go.Bar(x=x, y=frame[column].to_list(), name=name, marker_color=colour,
                             hovertemplate=f"<b>{name}</b><br>%{{x}}: %{{y:,}}<extra></extra>"))
    name = t("col.offered", lang)
    fig.add_trace(go.Scatter(x=x, y=frame["offered"].to_list(), name=name, mode="lines+markers",
                             line={"color": OKABE_ITO["orange"], "width": 2},
                             hovertemplate=f"<b>{name}</b><br>%{{x}}: %{{y:,}}<extra></extra>"))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category", tickangle=-45)
    return _layout(fig, None, t("cc.calls_axis", lang), t("cc.time_of_day", lang))


def wait_distribution(frame: pl.DataFrame, bins: tuple[int, ...], lang: str,
                      target_seconds: float | None = None) -> go.Figure:
    """Calls per wait bin, answered and abandoned stacked."""
    if frame.height == 0:
        return empty_figure(lang)
    names = {lo: (f"≥ {lo}" if i == len(bins) - 1 else f"{lo}–{bins[i + 1]}") for i, lo in enumerate(bins)}
    fig = go.Figure()
    for outcome, colour in (("answered", GOOD), ("abandoned", BAD), ("other", NEUTRAL)):
        part = frame.filter(pl.col("call_outcome") == outcome)
        if part.height == 0:
            continue
        name = t(f"cc.outcome.{outcome}", lang)
        fig.add_trace(go.Bar(x=[names[b] for b in part["bin_start_seconds"].to_list()], y=part["calls"].to_list(),
                             name=name, marker_color=colour,
                             hovertemplate=f"<b>{name}</b><br>%{{x}} s: %{{y:,}}<extra></extra>"))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=[names[b] for b in bins])
    if target_seconds is not None:
        fig.add_annotation(text=t("cc.target_seconds", lang, value=f"{target_seconds:g}"), showarrow=False,
                           xref="paper", yref="paper", x=1, y=1, xanchor="right", font={"color": TARGET_COLOUR})
    return _layout(fig, None, t("cc.calls_axis", lang), t("cc.wait_axis", lang))


def staffing(frame: pl.DataFrame, lang: str) -> go.Figure:
    """Agents needed (Erlang C) against agents available per interval, the shortfall shaded."""
    if frame.height == 0:
        return empty_figure(lang)
    needed, available = t("col.agents_needed", lang), t("col.agents_available", lang)
    fig = go.Figure()
    big = frame.height > WEBGL_POINTS
    line = go.Scattergl if big else go.Scatter
    if not big:
        x = frame["interval_start"].to_list()
        fig.add_trace(go.Bar(x=x, y=frame["agent_gap"].to_list(), name=t("col.agent_gap", lang), marker_color=BAD,
                             opacity=0.5, hovertemplate="%{x|%Y-%m-%d %H:%M}: %{y:,}<extra></extra>"))
    else:  # months of intervals: the gap as a WebGL area, the lines as a screen shows them
        frame = screen_rows(frame, ["agent_gap", "agents_needed", "agents_available"])
        x = frame["interval_start"].to_list()
        fig.add_trace(go.Scattergl(x=x, y=frame["agent_gap"].to_list(), name=t("col.agent_gap", lang),
                                   mode="lines", fill="tozeroy", line={"color": BAD, "width": 0, "shape": "hv"},
                                   opacity=0.5, hovertemplate="%{x|%Y-%m-%d %H:%M}: %{y:,}<extra></extra>"))
    fig.add_trace(line(x=x, y=frame["agents_needed"].to_list(), name=needed, mode="lines",
                             line={"color": OKABE_ITO["orange"], "width": 2, "shape": "hv"},
                             hovertemplate=f"<b>{needed}</b><br>%{{x|%Y-%m-%d %H:%M}}: %{{y:,}}<extra></extra>"))
    fig.add_trace(line(x=x, y=frame["agents_available"].to_list(), name=available, mode="lines",
                             line={"color": GOOD, "width": 2, "shape": "hv"},
                             hovertemplate=f"<b>{available}</b><br>%{{x|%Y-%m-%d %H:%M}}: %{{y:,}}<extra></extra>"))
    return _layout(fig, None, t("cc.agents_axis", lang))
