"""A page's headline chart as a Vega-Lite spec (Streamlit's own chart element), for its first drawing.

Measured in headless Chromium (docs/performance.md "Pages, third pass"): the first Plotly figure of a page costs the
browser its 4.7 MB Plotly bundle, +2.6 s for one small line chart on this machine at a load average of 15, where a
Vega-Lite chart of the same data costs +0.45 s. So a page's first drawing shows its headline chart here, and the
Plotly figures (the same data, with every hover) when the reader switches "the page's interactive charts" on
(dashboard/sections/more_charts.py). Colours are the Plotly charts' (dashboard/charts.py); every label is translated.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.charts import OKABE_ITO, SEQUENCE, TARGET_COLOUR
from dashboard.i18n import label, t
from dashboard.ui import element_key

DATE_FORMAT = {"en": "%b %d", "zh": "%m月%d日"}


def _series(frame: pl.DataFrame, column: str, dimension: str, lang: str) -> pl.Series:
    values = [v for v in frame[column].unique().to_list() if v is not None]
    return frame[column].replace_strict({v: label(dimension, v, lang) for v in values}, default=frame[column],
                                        return_dtype=pl.Utf8)


def _x(x: str, lang: str) -> dict:
    return {"field": x, "type": "temporal", "title": None,
            "axis": {"format": DATE_FORMAT.get(lang, DATE_FORMAT["en"]), "labelAngle": 0}}


def _show(spec: dict, data: pl.DataFrame, key: str) -> None:
    st.vega_lite_chart(data.to_arrow(), spec, width="stretch", key=element_key("chart", key))


def rate_trend(frame: pl.DataFrame, x: str, y: str, lang: str, key: str, series: str | None = None,
               series_dimension: str | None = None, target: float | None = None, y_title: str | None = None,
               low: str | None = None, high: str | None = None) -> None:
    """Rates over time, one line per series, an optional interval band and target rule (charts.rate_trend's)."""
    if frame.height == 0:
        return
    name = t("chart.series", lang) if series else (y_title or "")
    data = frame.with_columns(
        (_series(frame, series, series_dimension or series, lang) if series else pl.lit(y_title or "")).alias("_series"))
    colour = {"field": "_series", "type": "nominal", "title": None, "legend": {"orient": "bottom"},
              "scale": {"range": SEQUENCE}}
    tooltip = [{"field": "_series", "title": name}, {"field": x, "type": "temporal", "format": "%Y-%m-%d"},
               {"field": y, "type": "quantitative", "format": ".1%", "title": y_title or y}]
    layers: list[dict] = []
    if low and high:
        layers.append({"mark": {"type": "area", "opacity": 0.18},
                       "encoding": {"x": _x(x, lang), "y": {"field": low, "type": "quantitative"},
                                    "y2": {"field": high}, "color": colour}})
    layers.append({"mark": {"type": "line", "point": True},
                   "encoding": {"x": _x(x, lang),
                                "y": {"field": y, "type": "quantitative", "title": y_title,
                                      "axis": {"format": ".0%"}, "scale": {"zero": True}},
                                "color": colour, "tooltip": tooltip}})
    if target is not None:
        layers.append({"mark": {"type": "rule", "strokeDash": [6, 4], "color": TARGET_COLOUR},
                       "encoding": {"y": {"datum": target}}})
    _show({"layer": layers, "height": 320}, data, key)


def _stacked(data: pl.DataFrame, x: dict, x_tip: dict, y: str, series_title: str, key: str,
             y_title: str | None) -> None:
    """Bars along `x` (a Vega-Lite encoding, `x_tip` its tooltip field), stacked by `data`'s `_series` column."""
    spec = {"mark": {"type": "bar"}, "height": 320,
            "encoding": {"x": x,
                         "y": {"field": y, "type": "quantitative", "title": y_title, "stack": True},
                         "color": {"field": "_series", "type": "nominal", "title": None,
                                   "legend": {"orient": "bottom"}, "scale": {"range": SEQUENCE}},
                         "tooltip": [{"field": "_series", "title": series_title}, x_tip,
                                     {"field": y, "type": "quantitative", "format": ",", "title": y_title}]}}
    _show(spec, data, key)


def stacked_bars(frame: pl.DataFrame, x: str, y: str, colour: str, lang: str, key: str,
                 colour_dimension: str | None = None, y_title: str | None = None) -> None:
    """Counts over time stacked by a coded column (charts.stacked_bars' weekly form)."""
    if frame.height == 0:
        return
    data = frame.with_columns(_series(frame, colour, colour_dimension or colour, lang).alias("_series"))
    _stacked(data, _x(x, lang), {"field": x, "type": "temporal", "format": "%Y-%m-%d"}, y,
             t(f"col.{colour}", lang), key, y_title)


def category_bars(frame: pl.DataFrame, x: str, y: str, colour: str, lang: str, key: str,
                  x_dimension: str | None = None, colour_dimension: str | None = None,
                  y_title: str | None = None) -> None:
    """charts.stacked_bars over categories (steps, departments): bars in the frame's order, stacked by a coded
    column, both named in `lang`."""
    if frame.height == 0:
        return
    data = frame.select(
        _series(frame, x, x_dimension or x, lang).alias("_x"),
        _series(frame, colour, colour_dimension or colour, lang).alias("_series"), pl.col(y))
    _stacked(data, {"field": "_x", "type": "nominal", "sort": None, "title": None, "axis": {"labelAngle": -30}},
             {"field": "_x", "title": t(f"col.{x}", lang)}, y, t(f"col.{colour}", lang), key, y_title)


def p_chart(frame: pl.DataFrame, lang: str, key: str, title: str | None = None) -> None:
    """charts.p_chart's lines and marks: each lot's nonconforming share, its own 3-sigma limits (steps), the centre
    line, Western Electric signals and out-of-control lots."""
    if frame.height == 0:
        return
    names = {"ucl": t("chart.ucl", lang), "lcl": t("chart.lcl", lang), "p_bar": t("chart.centre", lang),
             "defect_rate": t("chart.defect_rate", lang), "signal": t("chart.we_signal", lang),
             "out": t("chart.out_of_control", lang)}
    colours = {"ucl": TARGET_COLOUR, "lcl": TARGET_COLOUR, "p_bar": OKABE_ITO["sky"], "defect_rate": SEQUENCE[0],
               "signal": OKABE_ITO["orange"], "out": OKABE_ITO["vermillion"]}
    scale = {"domain": [names[k] for k in colours], "range": list(colours.values())}
    x = {"field": "inspected_at", "type": "temporal", "title": None,
         "axis": {"format": DATE_FORMAT.get(lang, DATE_FORMAT["en"]), "labelAngle": 0}}
    y_axis = {"type": "quantitative", "title": names["defect_rate"], "axis": {"format": ".1%"}}

    def line(column: str, **mark: object) -> dict:
        return {"mark": {"type": "line", **mark},
                "encoding": {"x": x, "y": {"field": column, **y_axis},
                             "color": {"datum": names[column], "scale": scale, "title": None,
                                       "legend": {"orient": "bottom"}}}}

    tooltip = [{"field": "lot_id", "title": t("col.lot_id", lang)},
               {"field": "inspected_at", "type": "temporal", "format": "%Y-%m-%d"},
               {"field": "defect_rate", "type": "quantitative", "format": ".2%", "title": names["defect_rate"]},
               {"field": "nonconforming_qty", "type": "quantitative", "format": ",",
                "title": t("col.nonconforming_qty", lang)},
               {"field": "inspected_qty", "type": "quantitative", "format": ",", "title": t("col.inspected_qty", lang)}]
    layers = [line("ucl", interpolate="step", strokeDash=[2, 2], strokeWidth=1),
              line("lcl", interpolate="step", strokeDash=[2, 2], strokeWidth=1),
              line("p_bar", strokeWidth=1), line("defect_rate", point={"size": 20}, strokeWidth=1)]
    layers[-1]["encoding"]["tooltip"] = tooltip
    for flag, test, shape in (("signal", "datum.signal != null && !datum.is_out_of_control", "diamond"),
                              ("out", "datum.is_out_of_control", "cross")):
        layers.append({"transform": [{"filter": test}],
                       "mark": {"type": "point", "shape": shape, "size": 110, "filled": flag == "out"},
                       "encoding": {"x": x, "y": {"field": "defect_rate", **y_axis},
                                    "color": {"datum": names[flag], "scale": scale, "title": None}}})
    spec = {"layer": layers, "height": 420, **({"title": title} if title else {})}
    _show(spec, frame.select("lot_id", "inspected_at", "defect_rate", "p_bar", "lcl", "ucl", "nonconforming_qty",
                             "inspected_qty", "signal", "is_out_of_control"), key)


def service_level_heatmap(frame: pl.DataFrame, lang: str, key: str, target: float | None = None) -> None:
    """charts.service_level_heatmap's grid: service level per week (rows) x time of day (columns), Cividis 0-100 %;
    the tooltip gives the calls answered in time of the calls."""
    if frame.height == 0:
        return
    week, time_of_day = t("col.week_start", lang), t("cc.time_of_day", lang)
    data = frame.select("week_start", "time_of_day", "service_level", "answered_within_service_level", "calls")
    spec = {"mark": {"type": "rect"}, "height": max(320, 22 * data["week_start"].n_unique()),
            **({"title": {"text": "", "subtitle": t("chart.target", lang, sign="≥", value=f"{target:.0%}")}}
               if target is not None else {}),
            "encoding": {
                "x": {"field": "time_of_day", "type": "ordinal", "title": time_of_day, "axis": {"labelAngle": -45}},
                "y": {"field": "week_start", "type": "ordinal", "timeUnit": "yearmonthdate", "title": week,
                      "axis": {"format": DATE_FORMAT.get(lang, DATE_FORMAT["en"]), "formatType": "time"}},
                "color": {"field": "service_level", "type": "quantitative", "title": None,
                          "scale": {"scheme": "cividis", "domain": [0, 1]}, "legend": {"format": ".0%"}},
                "tooltip": [{"field": "week_start", "type": "temporal", "format": "%Y-%m-%d", "title": week},
                            {"field": "time_of_day", "title": time_of_day},
                            {"field": "service_level", "type": "quantitative", "format": ".1%",
                             "title": t("cc.service_level", lang)},
                            {"field": "answered_within_service_level", "type": "quantitative", "format": ",",
                             "title": t("cc.in_time_of_calls", lang)},
                            {"field": "calls", "type": "quantitative", "format": ",", "title": t("col.calls", lang)}]}}
    _show(spec, data, key)

