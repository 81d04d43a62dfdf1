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

from dashboard.charts import SEQUENCE, TARGET_COLOUR
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


def stacked_bars(frame: pl.DataFrame, x: str, y: str, colour: str, lang: str, key: str,
                 colour_dimension: str | None = None, y_title: str | None = None) -> None:
    """Counts over time stacked by a coded column (charts.stacked_bars' weekly form)."""
    if frame.height == 0:
        return
    data = frame.with_columns(_series(frame, colour, colour_dimension or colour, lang).alias("_series"))
    spec = {"mark": {"type": "bar"}, "height": 320,
            "encoding": {"x": _x(x, lang),
                         "y": {"field": y, "type": "quantitative", "title": y_title, "stack": True},
                         "color": {"field": "_series", "type": "nominal", "title": None,
                                   "legend": {"orient": "bottom"}, "scale": {"range": SEQUENCE}},
                         "tooltip": [{"field": "_series", "title": t(f"col.{colour}", lang)},
                                     {"field": x, "type": "temporal", "format": "%Y-%m-%d"},
                                     {"field": y, "type": "quantitative", "format": ",", "title": y_title}]}}
    _show(spec, data, key)
