"""`sqd report`: the weekly quality-review pack (pipelines/weekly.py) as one self-contained HTML file and a PDF.

* HTML: every chart is a Plotly figure; plotly.js is written inline once in the page head, so the file opens
  offline and can be mailed as is. Text is escaped; numbers are formatted the same way as on the dashboard page.
* PDF: the HTML printed by headless Chromium (`/usr/bin/chromium --headless --print-to-pdf`, with the network and
  background services off). Without Chromium the report says so (PdfUnavailable) and writes the HTML only.

The figure builders are shared with the dashboard's weekly-review page.
"""

from __future__ import annotations

import base64
import html
import shutil
import subprocess
import tempfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import plotly.graph_objects as go
import polars as pl
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from pipelines.report_template import CSS, STATUS_MARKS, capa_value, column, t, value_label
from pipelines.weekly import (
    NOISE_FACTOR,
    Change,
    ScoreRow,
    WeeklyPack,
    fmt_pct,
    fmt_pp,
    worst_intervals_help,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--run-all-compositor-stages-before-draw",
    "--virtual-time-budget=10000", "--disable-dev-shm-usage", "--no-pdf-header-footer",
    "--generate-pdf-document-outline",
)
FIG_WIDTH = 700          # fits an A4 page with 12 mm margins, and the screen
GOOD, BAD, NEUTRAL, GREY = "#0072B2", "#D55E00", "#56B4E9", "#999999"   # Okabe-Ito, as dashboard/charts.py
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Plotly's toolbar is for the screen: in the file and on paper it would be printed over the chart titles.
FIGURE_CONFIG = {"displayModeBar": False, "displaylogo": False, "responsive": False, "staticPlot": False}
# Short columns of coded values that must not wrap one character per line (Chinese 类型, 站点 ...).
NOWRAP = frozenset({"ticket_id", "site", "category", "ticket_type", "target", "status_now", "department",
                    "product", "stage", "line", "defect_type", "agent", "lot_id", "attempted_date",
                    "inspected_date", "material_batch_id", "score", "interval_start", "capa_id", "source_type",
                    "owner", "due_date", "capa_status", "machine", "opened_date", "completed_on",
                    "satisfaction_kind"})
# The reviewed week's point on the trend charts: the shape of its status mark (STATUS_MARKS), not colour alone.
MARKER_SYMBOLS = {"green": "circle", "amber": "triangle-up", "red": "x", "grey": "circle-open"}
SECTIONS = ("scorecard", "trends", "changes", "breaches", "worst_intervals", "signals", "pareto", "comments",
            "class1", "capa", "notes")
# a month's or quarter's pack adds the comparison with a year before and the seeds' monthly tables
PERIOD_SECTIONS = ("scorecard", "trends", "changes", "changes_yoy", "complaints_department", "nonconformities",
                   "satisfaction_kind", "capa", "breaches", "worst_intervals", "signals", "pareto", "comments",
                   "class1", "notes")
CAPA_COLUMNS = ["capa_id", "source_type", "source_ids", "owner", "action", "due_date", "days_overdue",
                "capa_status"]
WORST_INTERVAL_COLUMNS = ["interval_start", "offered", "calls", "answered", "abandoned", "service_level",
                          "abandon_rate", "asa_seconds", "agents_needed", "agents_available"]


class PdfUnavailable(RuntimeError):
    """No Chromium to print the PDF with."""


# ------------------------------------------------------------------ figures

def _layout(fig: go.Figure, height: int, title: str | None = None) -> go.Figure:
    fig.update_layout(width=FIG_WIDTH, height=height, template="plotly_white", title=title,
                      margin={"l": 50, "r": 20, "t": 50 if title else 30, "b": 40},
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
                      font={"family": "Noto Sans CJK SC, Noto Sans SC, Arial, sans-serif", "size": 11})
    return fig


def date_label(day: date, lang: str = "en") -> str:
    """A date as a chart tick: "21 Sep" / "9月21日" (no locale needed)."""
    return f"{day.month}月{day.day}日" if lang == "zh" else f"{day.day} {MONTHS[day.month - 1]}"


def period_label(day: date, kind: str, lang: str = "en") -> str:
    """A period's start as a chart tick: a week's date ("16 Nov" / "11月16日"); a month or quarter by its label
    as the pack's title writes it ("2026-11", "2026-Q4"), short enough not to run into the panel's y axis."""
    if kind == "month":
        return f"{day.year}-{day.month:02d}"
    if kind == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return date_label(day, lang)


def week_ticks(days: list[date], lang: str = "en", step: int = 5, kind: str = "week") -> tuple[list[str], list[str]]:
    """Tick values (ISO dates, as the traces' x) and labels: every `step`-th period counted back from the last
    (the reviewed period is always labelled)."""
    picked = days[::-1][::step][::-1]
    return [d.isoformat() for d in picked], [period_label(d, kind, lang) for d in picked]


def panel_title(text: str, lang: str, width: int = 19) -> str:
    """A trend panel's title wrapped at word breaks: a fifth of the page holds about 19 Latin characters at the
    panel font (longer English KPI names ran into the next panel's title)."""
    if lang == "zh" or len(text) <= width:
        return text
    import textwrap  # noqa: PLC0415

    return "<br>".join(textwrap.wrap(text, width, break_long_words=False))


def trend_figure(pack: WeeklyPack, lang: str = "en") -> go.Figure:
    """Every KPI over the 13 weeks the pack read, with its target; the reviewed week marked."""
    kpis = [r.kpi for r in pack.scorecard]  # the KPIs the pack scores: optional ones only with data
    # 9 KPIs: 5 panels a row (2 rows keep the trends on the first printed page, under the scorecard), each
    # labelled at its first and last week (three dates do not fit a fifth of the page in Chinese)
    cols = 5 if len(kpis) > 8 else 4
    kind = pack.kind
    step = 12 if cols > 4 else 5
    if kind != "week":   # first and last period of the history
        step = max(pack.history.filter(pl.col("metric") == kpis[0].key).height - 1, 1)
    rows = (len(kpis) + cols - 1) // cols
    titles = [panel_title(t(f"kpi.{k.key}", lang), lang) for k in kpis]
    wrapped = any("<br>" in title for title in titles)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles,
                        horizontal_spacing=0.07, vertical_spacing=0.26 if wrapped else 0.2)
    for i, k in enumerate(kpis):
        r, c = i // cols + 1, i % cols + 1
        h = pack.history.filter(pl.col("metric") == k.key).sort("week_start")
        weeks = [d.isoformat() for d in h["week_start"].to_list()]
        values = h["value"].to_list()
        fig.add_trace(go.Scatter(
            x=weeks, y=values, mode="lines+markers", line={"color": GOOD, "width": 2}, marker={"size": 4},
            name=t(f"kpi.{k.key}", lang), showlegend=False,
            customdata=list(zip(h["numerator"].to_list(), h["denominator"].to_list())),
            hovertemplate="%{x}: %{y:.2%} (%{customdata[0]:,} / %{customdata[1]:,})<extra></extra>"), row=r, col=c)
        target = pack.targets.get(k.key)
        if target is not None and weeks:
            fig.add_trace(go.Scatter(x=[weeks[0], weeks[-1]], y=[target, target], mode="lines",
                                     line={"color": GREY, "dash": "dash", "width": 1.5}, showlegend=False,
                                     hovertemplate=f"{t('chart.target', lang)} {target:.1%}<extra></extra>"),
                          row=r, col=c)
        if weeks and values[-1] is not None:
            row = pack.row(k.key)
            colour = STATUS_MARKS.get(row.light, STATUS_MARKS["grey"])[1]
            fig.add_trace(go.Scatter(x=[weeks[-1]], y=[values[-1]], mode="markers", showlegend=False,
                                     marker={"size": 10, "color": colour, "symbol": MARKER_SYMBOLS.get(row.light),
                                             "line": {"color": "white", "width": 1}},
                                     hoverinfo="skip"), row=r, col=c)
        fig.update_yaxes(tickformat=".0%" if k.digits == 1 else ".1%", rangemode="tozero", row=r, col=c)
        tickvals, ticktext = week_ticks(h["week_start"].to_list(), lang, step, kind)
        fig.update_xaxes(type="category", tickmode="array", tickvals=tickvals, ticktext=ticktext, tickangle=0,
                         tickfont={"size": 9}, row=r, col=c)
    fig.update_annotations(font_size=11)
    return _layout(fig, (135 if cols > 4 else 155) * rows + 55 + (30 if wrapped else 0))


def contribution_figure(change: Change, lang: str = "en") -> go.Figure:
    """Per dimension value, its contribution to the change (percentage points); the named drivers first."""
    frame = change.contributions.filter(pl.col("value").is_not_null())
    frame = (frame.sort(pl.col("contribution").abs(), descending=True).head(12)
             .sort(pl.col("contribution").abs()))
    labels = [f"{t(f'dim.{d}', lang)}: {value_label(d, v, lang)}"
              for d, v in zip(frame["dimension"].to_list(), frame["value"].to_list())]
    values = [v * 100 for v in frame["contribution"].to_list()]
    worse = [(v > 0) != change.kpi.higher_is_better for v in frame["contribution"].to_list()]
    fig = go.Figure(go.Bar(
        x=values, y=labels, orientation="h", marker_color=[BAD if w else GOOD for w in worse],
        customdata=list(zip([s * 100 if s is not None else None for s in frame["share"].to_list()],
                            frame["n1"].to_list(), frame["d1"].to_list(), frame["n0"].to_list(),
                            frame["d0"].to_list())),
        hovertemplate=("%{y}: %{x:+.2f} pp (%{customdata[0]:.0f} %)<br>"
                       "%{customdata[1]:,} / %{customdata[2]:,} ← %{customdata[3]:,} / %{customdata[4]:,}"
                       "<extra></extra>")))
    fig.update_xaxes(title_text=t("chart.contribution", lang), zeroline=True, zerolinecolor="#888")
    fig.update_yaxes(automargin=True)
    return _layout(fig, 60 + 24 * max(frame.height, 3), title=t(f"kpi.{change.kpi.key}", lang))


def pareto_figure(pack: WeeklyPack, lang: str = "en") -> go.Figure:
    """This week's and last week's defect types by units, each with its cumulative share."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=[t("pareto.this", lang, pack.kind),
                                                        t("pareto.last", lang, pack.kind)],
                        specs=[[{"secondary_y": True}, {"secondary_y": True}]], horizontal_spacing=0.14)
    for col, period in ((1, "this"), (2, "last")):
        part = pack.pareto.filter(pl.col("period") == period)
        names = [value_label("defect_type", v, lang) for v in part["defect_type"].to_list()]
        fig.add_trace(go.Bar(x=names, y=part["qty"].to_list(), marker_color=GOOD if col == 1 else NEUTRAL,
                             name=t("chart.units", lang), showlegend=False,
                             hovertemplate="%{x}: %{y:,}<extra></extra>"), row=1, col=col, secondary_y=False)
        fig.add_trace(go.Scatter(x=names, y=part["cumulative_share"].to_list(), mode="lines+markers",
                                 line={"color": BAD}, name=t("chart.cumulative", lang), showlegend=False,
                                 hovertemplate="%{x}: %{y:.0%}<extra></extra>"), row=1, col=col, secondary_y=True)
        fig.update_yaxes(range=[0, 1.05], tickformat=".0%", dtick=0.25, row=1, col=col, secondary_y=True)
        fig.update_xaxes(tickangle=-40, row=1, col=col)
    fig.update_annotations(font_size=12)
    return _layout(fig, 360)


def p_chart_figure(lots: pl.DataFrame, lang: str = "en", kind: str = "week") -> go.Figure:
    """One product x stage: each lot's defect rate with its own 3-sigma limits; this week's lots marked."""
    lots = lots.sort("inspected_at", "lot_id")
    x = list(range(1, lots.height + 1))
    product, stage = lots["product"][0], lots["stage"][0]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=x, y=lots["ucl"].to_list(), mode="lines", line={"shape": "hvh", "color": GREY,
                                                                               "dash": "dot"},
                             name="UCL", hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x, y=lots["p_bar"].to_list(), mode="lines", line={"color": GREY}, name="p̄",
                             hoverinfo="skip"))
    fig.add_trace(go.Scatter(
        x=x, y=lots["defect_rate"].to_list(), mode="lines+markers", name=t("chart.defect_rate", lang),
        line={"color": NEUTRAL, "width": 1}, marker={"size": 5, "color": GOOD},
        customdata=list(zip(lots["lot_id"].to_list(), [str(d) for d in lots["inspected_date"].to_list()])),
        hovertemplate="%{customdata[0]} %{customdata[1]}: %{y:.2%}<extra></extra>"))
    flagged = lots.with_row_index("i", offset=1).filter(pl.col("is_out_of_control") | pl.col("signal").is_not_null())
    if flagged.height:
        fig.add_trace(go.Scatter(
            x=flagged["i"].to_list(), y=flagged["defect_rate"].to_list(), mode="markers",
            name=t("chart.signal", lang),
            marker={"symbol": "x", "size": 10, "color": BAD},
            customdata=list(zip(flagged["lot_id"].to_list(),
                                [value_label("signal", s, lang) if s else "" for s in flagged["signal"].to_list()])),
            hovertemplate="%{customdata[0]}: %{y:.2%} %{customdata[1]}<extra></extra>"))
    in_week = lots.with_row_index("i", offset=1).filter(pl.col("in_week"))
    if in_week.height:
        fig.add_vrect(x0=in_week["i"].min() - 0.5, x1=in_week["i"].max() + 0.5, fillcolor=NEUTRAL, opacity=0.12,
                      line_width=0, annotation_text=t("chart.this_week", lang, kind), annotation_position="top left")
    fig.update_yaxes(tickformat=".1%", rangemode="tozero")
    # a date at each week's first lot; a week too close to the next one (few lots) goes unlabelled so no two
    # labels overlap, the reviewed week is always labelled
    min_gap = max(1, -(-lots.height // 10))
    firsts = (lots.with_row_index("i", offset=1)
              .group_by(pl.col("inspected_date").dt.truncate("1w").alias("week_start"))
              .agg(pl.col("i").min()).sort("week_start")
              .filter((pl.col("i").shift(-1) - pl.col("i")).fill_null(min_gap) >= min_gap))
    fig.update_xaxes(title_text=t("chart.lots", lang), tickmode="array", tickvals=firsts["i"].to_list(),
                     ticktext=[date_label(d, lang) for d in firsts["week_start"].to_list()], tickangle=0,
                     tickfont={"size": 9})
    title = f"{value_label('product', product, lang)} · {value_label('stage', stage, lang)}"
    _layout(fig, 280, title=title)
    fig.update_layout(legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"})
    return fig


def figures(pack: WeeklyPack, lang: str = "en") -> dict[str, go.Figure]:
    """Every chart of the pack, keyed by a stable id (trend, change-<kpi>, pchart-<n>, pareto)."""
    out = {"trend": trend_figure(pack, lang)}
    for change in (*pack.changes, *pack.year_changes):
        out[change.figure_key] = contribution_figure(change, lang)
    if pack.p_chart_lots.height:
        for i, part in enumerate(pack.p_chart_lots.partition_by("product", "stage", maintain_order=True)):
            out[f"pchart-{i + 1}"] = p_chart_figure(part, lang, pack.kind)
    if pack.pareto.height:
        out["pareto"] = pareto_figure(pack, lang)
    return out


# ------------------------------------------------------------------ HTML

def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _fmt_cell(name: str, value: object, lang: str) -> tuple[str, bool]:
    """(text, is_number) of one table cell."""
    if value is None:
        return "—", False
    if name in ("defect_rate", "ucl", "lcl"):
        return fmt_pct(value, 2), True  # type: ignore[arg-type]
    if name in ("attainment_rate", "cumulative_share", "service_level", "abandon_rate", "share", "cost_share",
                "satisfaction_rate", "csat", "kind_target"):
        return fmt_pct(value, 1), True  # type: ignore[arg-type]
    if name in ("rate_before", "rate_after"):
        return fmt_pct(value, 2), True  # type: ignore[arg-type]
    if name in ("source_type", "capa_status", "satisfaction_kind"):
        return capa_value(name, value, lang), False
    if name == "source_ids":                       # a list of ids may break between them
        return str(value).replace(";", "; "), False
    if name == "metric":
        return t(f"kpi.{value}", lang), False
    if name == "total_cost":
        return f"¥{value:,.0f}", True
    if isinstance(value, bool):
        return ("yes" if value else "no") if lang != "zh" else ("是" if value else "否"), False
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M"), False
    if isinstance(value, date):
        return value.isoformat(), False
    if isinstance(value, int):
        return f"{value:,}", True
    if isinstance(value, float):
        return f"{value:,.1f}", True
    if name in ("category", "department", "product", "stage", "target", "ticket_type", "status_now", "signal",
                "defect_type"):
        return value_label(name, value, lang), False
    return str(value), False


def html_table(frame: pl.DataFrame, lang: str, columns: list[str] | None = None) -> str:
    columns = columns or frame.columns
    head = "".join(f'<th class="num">{_e(column(c, lang))}</th>' if frame.schema[c].is_numeric()
                   else f'<th class="nw">{_e(column(c, lang))}</th>' if c in NOWRAP
                   else f"<th>{_e(column(c, lang))}</th>" for c in columns)
    body = []
    for row in frame.select(columns).iter_rows(named=True):
        cells = []
        for c in columns:
            text, num = _fmt_cell(c, row[c], lang)
            cells.append(f'<td class="num">{_e(text)}</td>' if num
                         else f'<td class="nw">{_e(text)}</td>' if c in NOWRAP else f"<td>{_e(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def target_text(row: ScoreRow) -> str:
    if row.target is None:
        return "—"
    sign = {">=": "≥", "<": "<", "<=": "≤"}[row.kpi.comparison]
    return f"{sign} {fmt_pct(row.target, row.kpi.digits)}"


def counts_text(row: ScoreRow) -> str:
    return f"{row.numerator:,} / {row.denominator:,}"


def interval_text(row: ScoreRow) -> str:
    if row.ci_low is None or row.ci_high is None:
        return "—"
    return f"{fmt_pct(row.ci_low, row.kpi.digits)} – {fmt_pct(row.ci_high, row.kpi.digits)}"


def trend_text(row: ScoreRow) -> str:
    """The last 4 weekly values; a value never breaks inside itself (no-break space before %), only at the arrows."""
    return " → ".join(fmt_pct(v, row.kpi.digits).replace(" ", "\u00a0") for _, v in row.trend)


SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 60, 20, 3


def trend_cell(row: ScoreRow) -> str:
    """The last 4 weeks as a sparkline (the target dashed, this week's point in its status colour; a week without
    data a gap) with the values as its text (alt and tooltip: what a screen reader reads; the printed pack has
    the values in its trend charts). Four percentages wrapped over four lines of a printed scorecard; a line reads
    at a glance."""
    text = trend_text(row)
    values = [v for _, v in row.trend]
    known = [v for v in values if v is not None]
    if not known:
        return _e(text)
    lo = min(known + ([row.target] if row.target is not None else []))
    hi = max(known + ([row.target] if row.target is not None else []))
    span = (hi - lo) or max(abs(hi), 0.01)
    inner_w, inner_h = SPARK_WIDTH - 2 * SPARK_PAD, SPARK_HEIGHT - 2 * SPARK_PAD
    step = inner_w / max(len(values) - 1, 1)

    def y(v: float) -> float:
        return SPARK_PAD + inner_h * (1 - (v - lo) / span if hi > lo else 0.5)

    points = [(SPARK_PAD + i * step, None if v is None else y(v)) for i, v in enumerate(values)]
    runs: list[list[str]] = [[]]
    for x, py in points:                     # a week without data breaks the line
        if py is None:
            runs.append([])
        else:
            runs[-1].append(f"{x:.1f},{py:.1f}")
    runs = [r for r in runs if r]
    parts = []
    if row.target is not None:
        ty = y(row.target)
        parts.append(f'<line x1="0" y1="{ty:.1f}" x2="{SPARK_WIDTH}" y2="{ty:.1f}" stroke="#999999" '
                     'stroke-width="1" stroke-dasharray="2,2"/>')
    parts += [f'<polyline points="{" ".join(r)}" fill="none" stroke="#57606a" stroke-width="1.5"/>' if len(r) > 1
              else f'<circle cx="{r[0].split(",")[0]}" cy="{r[0].split(",")[1]}" r="1.5" fill="#57606a"/>'
              for r in runs]
    last_x, last_y = points[-1]
    if last_y is not None:
        colour = STATUS_MARKS.get(row.light, STATUS_MARKS["grey"])[1]
        parts.append(f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="2.5" fill="{colour}"/>')
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" '
           f'viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}">{"".join(parts)}</svg>')
    # an image, not inline SVG: the dashboard's st.html sanitiser drops <svg>; alt and title carry the values
    source = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    return (f'<img class="spark" src="{source}" width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}" alt="{_e(text)}" '
            f'title="{_e(text)}">')


def status_mark(status: str, lang: str) -> str:
    """A traffic light as HTML: the status's shape in its colour-blind-safe colour, then its name."""
    symbol, colour, key = STATUS_MARKS.get(status, STATUS_MARKS["grey"])
    return (f'<span class="mark {_e(status)}" style="color: {colour}" aria-hidden="true">{symbol}</span>'
            f"{_e(t(key, lang))}")


def generated_text(pack: WeeklyPack) -> str:
    """When the pack was made, in the warehouse's time zone, to the second, with the zone's name."""
    moment = pack.generated_at
    local = (moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))).astimezone(ZoneInfo(pack.timezone))
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M:%S} {pack.timezone} (UTC{offset[:3]}:{offset[3:]})"


def noise_text(row: ScoreRow, lang: str) -> str:
    return "—" if row.noise is None else "±" + fmt_pp(NOISE_FACTOR * row.noise, lang, row.kpi.digits).lstrip("+")


def scorecard_table(pack: WeeklyPack, lang: str) -> str:
    """The scorecard; a month's or quarter's adds the same period a year before and the change on it."""
    kind = pack.kind
    heads = ["kpi", "light", "value", "counts", "target", "interval", "previous", "change", "noise", "trend"]
    if kind != "week":   # the change on a year; the last periods' values are in the trend grid below
        heads[8:8] = ["year_ago", "year_change"]
        heads.remove("trend")
    numeric = {"value", "counts", "target", "interval", "previous", "change", "noise", "year_ago", "year_change"}
    head = "".join(f'<th class="{"num" if h in numeric else "nw" if h in ("light", "trend") else ""}">'
                   f'{_e(t("col." + h, lang, kind))}</th>' for h in heads)
    body = []
    for r in pack.scorecard:
        cells = [
            _e(t(f"kpi.{r.kpi.key}", lang)),
            status_mark(r.light, lang),
            _e(fmt_pct(r.value, r.kpi.digits)), _e(counts_text(r)), _e(target_text(r)), _e(interval_text(r)),
            _e(fmt_pct(r.previous, r.kpi.digits)), _e(fmt_pp(r.change, lang, r.kpi.digits)),
            _e(noise_text(r, lang)), trend_cell(r),
        ]
        if kind != "week":
            cells[8:8] = [_e(fmt_pct(r.year_ago, r.kpi.digits)), _e(fmt_pp(r.year_change, lang, r.kpi.digits))]
            cells.pop()
        body.append("<tr>" + "".join(
            f'<td class="{"num" if h in numeric else ""}" data-kpi="{r.kpi.key}" data-col="{h}">{c}</td>'
            for h, c in zip(heads, cells)) + "</tr>")
    table_class = "scorecard" if kind == "week" else "scorecard period"
    return (f'<div class="keep"><table class="{table_class}"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def contribution_table(change: Change, lang: str) -> str:
    frame = change.contributions
    rows = []
    for d in frame.iter_rows(named=True):
        rows.append("<tr>" + "".join(f"<td{cls}>{_e(v)}</td>" for cls, v in (
            ("", t(f"dim.{d['dimension']}", lang)),
            ("", value_label(d["dimension"], d["value"], lang)),
            (' class="num"', fmt_pp(d["contribution"], lang, change.kpi.digits)),
            (' class="num"', "—" if d["share"] is None else f"{d['share'] * 100:.0f} %"),
            (' class="num"', fmt_pct(d["rate_current"], change.kpi.digits)),
            (' class="num"', f"{d['n1']:,} / {d['d1']:,}"),
            (' class="num"', fmt_pct(d["rate_reference"], change.kpi.digits)),
            (' class="num"', f"{d['n0']:,} / {d['d0']:,}"),
        )) + "</tr>")
    head = "".join(f'<th{" class=num" if i > 1 else ""}>{_e(t("col." + h, lang, change.kind))}</th>' for i, h in enumerate(
        ("dimension", "dim_value", "contribution", "share", "rate_current", "counts_current", "rate_reference",
         "counts_reference")))
    return f"<details><summary>{_e(t('col.contribution', lang, change.kind))}</summary><table><thead><tr>{head}</tr></thead>" \
           f"<tbody>{''.join(rows)}</tbody></table></details>"


def _figure_html(fig: go.Figure, div_id: str) -> str:
    return '<div class="figure">' + fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                                                 config=FIGURE_CONFIG) + "</div>"


def render_html(pack: WeeklyPack, lang: str = "en") -> str:
    """The pack as one HTML document with plotly.js inline (opens offline)."""
    figs = figures(pack, lang)
    week = pack.week
    kind_ = pack.kind
    parts: list[str] = []

    def tt(key: str, **values: object) -> str:
        return t(key, lang, kind_, **values)

    def section(key: str, body: str, help_key: str | None = None, help_text: str | None = None) -> None:
        help_text = help_text if help_text is not None else tt(help_key) if help_key else None
        help_html = f'<p class="help">{_e(help_text)}</p>' if help_text else ""
        parts.append(f'<section id="{key}"><h2>{_e(tt("section." + key))}</h2>{help_html}{body}</section>')

    def change_blocks(changes: list[Change]) -> str:
        blocks = []
        for change in changes:
            kind = "better" if change.improved else "worse"
            key = change.figure_key
            blocks.append(f'<div class="change {kind}" data-kpi="{change.kpi.key}"><p>{_e(change.sentence(lang))}'
                          f"</p>{_figure_html(figs[key], 'fig-' + key)}"
                          f"{contribution_table(change, lang)}</div>")
        return "".join(blocks)

    def listed(frame: pl.DataFrame, key: str, columns: list[str], help_key: str | None = None) -> None:
        section(key, html_table(frame, lang, columns) if frame.height else f"<p>{_e(tt('none.' + key))}</p>",
                help_key)

    section("scorecard", scorecard_table(pack, lang), "section.scorecard.help")
    section("trends", _figure_html(figs["trend"], "fig-trend"))
    if pack.changes:
        section("changes", change_blocks(pack.changes), "section.changes.help")
    else:
        section("changes", f"<p>{_e(tt('none.changes'))}</p>", "section.changes.help")
    if kind_ != "week":
        section("changes_yoy", change_blocks(pack.year_changes) if pack.year_changes
                else f"<p>{_e(tt('none.changes_yoy'))}</p>", "section.changes_yoy.help")
        listed(pack.complaints_by_department, "complaints_department",
               ["department", "complaints", "share", "attributable", "repeats", "still_open"],
               "section.complaints_department.help")
        nc = pack.nonconformities_by_source
        section("nonconformities", '<div class="cols">' + "".join(
            "<div>" + html_table(nc.filter(pl.col("grouping") == g), lang, columns) + "</div>"
            for g, columns in (("machine", ["product", "machine", "records", "qty", "total_cost", "cost_share"]),
                               ("department", ["department", "records", "qty", "total_cost", "cost_share"])))
                + "</div>" if nc.height else f"<p>{_e(tt('none.nonconformities'))}</p>",
                "section.nonconformities.help")
        listed(pack.satisfaction_by_kind, "satisfaction_kind",
               ["satisfaction_kind", "handled", "pending", "with_answer", "satisfied", "satisfaction_rate",
                "kind_target",
                "csat"], "section.satisfaction_kind.help")
        listed(pack.capa, "capa", CAPA_COLUMNS, "section.capa.help")
    if pack.breaches.height:
        section("breaches", html_table(pack.breaches_by_site, lang) + html_table(
            pack.breaches, lang, ["ticket_id", "site", "category", "ticket_type", "target", "policy_id",
                                  "created_at", "due_at", "event_at", "overdue_hours"]), "section.breaches.help")
    else:
        section("breaches", f"<p>{_e(tt('none.breaches'))}</p>", "section.breaches.help")
    worst = pack.worst_intervals
    section("worst_intervals", html_table(worst, lang, WORST_INTERVAL_COLUMNS) if worst.height
            else f"<p>{_e(tt('none.worst_intervals'))}</p>", help_text=worst_intervals_help(pack, lang))
    if pack.signals.height:
        charts = "".join(_figure_html(fig, f"fig-{key}") for key, fig in figs.items() if key.startswith("pchart-"))
        section("signals", html_table(pack.signals, lang, [
            "lot_id", "product", "stage", "line", "inspected_date", "material_batch_id", "inspected_qty",
            "nonconforming_qty", "defect_rate", "ucl", "signal"]) + charts, "section.signals.help")
    else:
        section("signals", f"<p>{_e(tt('none.signals'))}</p>", "section.signals.help")
    if pack.pareto.height:
        tables = "".join(
            f"<div><h3>{_e(tt('pareto.' + p))}</h3>"
            + html_table(pack.pareto.filter(pl.col("period") == p), lang,
                         ["defect_type", "qty", "records", "total_cost", "cumulative_share"]) + "</div>"
            for p in ("this", "last"))
        section("pareto", _figure_html(figs["pareto"], "fig-pareto") + f'<div class="cols">{tables}</div>')
    else:
        section("pareto", f"<p>{_e(tt('none.pareto'))}</p>")
    section("comments", html_table(pack.comments, lang, ["attempted_date", "site", "agent", "category", "score",
                                                         "comment", "ticket_id"])
            if pack.comments.height else f"<p>{_e(tt('none.comments'))}</p>", "section.comments.help")
    section("class1", html_table(pack.class1_open, lang, ["ticket_id", "created_at", "site", "department",
                                                          "category", "status_now", "age_days"])
            if pack.class1_open.height else f"<p>{_e(tt('none.class1'))}</p>", "section.class1.help")
    if kind_ == "week":
        listed(pack.capa, "capa", CAPA_COLUMNS, "section.capa.help")
    section("notes", f'<div class="notes">{_e(pack.notes)}</div>' if pack.notes.strip()
            else f"<p>{_e(tt('notes.empty'))}</p>")

    title = tt("pack.title", week=week.label)
    subtitle = tt("pack.subtitle", week=week.label, start=week.start.isoformat(), end=week.end.isoformat(),
                  tz=pack.timezone, generated=generated_text(pack))
    unfinished = (f'<p class="unfinished">{_e(tt("pack.unfinished", through=pack.unfinished_through.isoformat()))}'
                  "</p>" if pack.unfinished_through is not None else "")
    if pack.approximate_calendar:
        unfinished += (f'<p class="unfinished calendar">'
                       f'{_e(tt("pack.calendar", years=", ".join(map(str, pack.approximate_calendar))))}</p>')
    return (
        f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{CSS}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head>'
        f'<body data-week="{week.label}" data-lang="{lang}"><header><h1>{_e(title)}</h1>'
        f'<p class="meta">{_e(subtitle)}</p><p class="meta">{_e(tt("pack.source"))}</p>{unfinished}</header>'
        + "".join(parts) + "</body></html>\n"
    )


# ------------------------------------------------------------------ files

def report_name(pack: WeeklyPack, lang: str) -> str:
    return f"quality-review-{pack.week.label}-{lang}"


def write_html(pack: WeeklyPack, out_dir: Path, lang: str = "en") -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{report_name(pack, lang)}.html"
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(render_html(pack, lang), encoding="utf-8")
    tmp.replace(path)
    return path


def chromium_path() -> Path | None:
    if CHROMIUM.exists():
        return CHROMIUM
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return Path(found) if found else None


def write_pdf(html_path: Path, pdf_path: Path | None = None, chromium: Path | None = None,
              timeout_s: float = 180) -> Path:
    """Print the HTML with headless Chromium. Raises PdfUnavailable without Chromium, RuntimeError if it fails."""
    chromium = chromium or chromium_path()
    if chromium is None or not Path(chromium).exists():
        raise PdfUnavailable("the PDF needs Chromium: install Debian's chromium (apt-get install -y chromium); "
                             "the HTML report was written and prints to PDF from any browser")
    pdf_path = pdf_path or html_path.with_suffix(".pdf")
    pdf_path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="sqd-chromium-") as profile:
        command = [str(chromium), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                   f"--print-to-pdf={pdf_path.resolve()}", html_path.resolve().as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"chromium did not finish printing within {timeout_s:g} s") from exc
    if not pdf_path.exists() or pdf_path.stat().st_size == 0:
        raise RuntimeError(f"chromium printed no PDF (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    return pdf_path
