"""Overview: the scorecard against the targets, week-over-week, and ticket volumes."""

import polars as pl
import streamlit as st

from dashboard import charts, present, queries, ui
from dashboard.present import SIGN
from dashboard.sections import light_charts, more_charts

ctx = ui.page_context()
tr, lg, run, f = ctx.tr, ctx.lang, ctx.run, ctx.filters

st.title(tr("overview.title"))
st.caption(tr("period", start=f.start, end=f.end))
# first drawing: the weekly volume drawn light; the Plotly figures when asked (issue 13 target 4)
more = more_charts.toggle(tr, 2)

with ui.section("overview.scorecard", help_key="overview.scorecard.help"):
    frame = queries.scorecard(run, f)
    cards = present.scorecard_cards(frame, ctx.targets)
    for column, card in zip(st.columns(len(cards)), cards):
        with column:
            digits = card.kpi.digits
            delta = ui.fmt_pp(card.delta, digits)
            flat = card.delta is None or round(card.delta * 100, digits) == 0
            st.metric(
                tr(f"metric.{card.metric}.short"), ui.fmt_pct(card.value, digits),
                delta=delta, delta_color="off" if flat else ("normal" if card.kpi.higher_is_better else "inverse"),
                delta_arrow="off" if flat else "auto",
                delta_description=tr("overview.wow"),
                help=tr(f"metric.{card.metric}") + " — " + tr(f"metric.{card.metric}.help",
                                                               n=ui.fmt_int(card.numerator),
                                                               d=ui.fmt_int(card.denominator))
                + " " + tr("overview.scorecard.help"),
                chart_data=card.spark or None, chart_type="line", border=True)
            if card.target is not None:
                target = f"{SIGN[card.kpi.comparison]} {ui.fmt_pct(card.target, 1)}"
                met = card.meets_target
                if met is None:
                    st.caption(tr("overview.target", target=target))
                elif met:
                    st.caption(":material/check_circle: " + tr("overview.target_met", target=target))
                else:
                    st.caption(":material/error: " + tr("overview.target_missed", target=target))
    totals = frame.filter(pl.col("week_start").is_null()).with_columns(
        pl.col("metric").replace_strict({c.metric: tr(f"metric.{c.metric}") for c in cards}, default=pl.col("metric")),
        pl.col("metric").replace_strict({c.metric: c.target for c in cards}, default=None,
                                        return_dtype=pl.Float64).alias("target"),
    ).drop("week_start")
    with st.expander(tr("overview.scorecard_table")):
        ui.table(totals, "scorecard", column_config={"value": ui.percent_column(), "target": ui.percent_column()})
        weekly = frame.filter(pl.col("week_start").is_not_null())
        ui.table(weekly, "scorecard_weekly", column_config={"value": ui.percent_column()})

left, right = st.columns(2)
with left, ui.section("overview.by_channel", view="ticket_kpis"):
    vol = queries.volumes(run, f)
    if more:
        ui.chart(charts.stacked_bars(vol, "channel", "tickets", "ticket_type", lg, y_title=tr("chart.tickets"),
                                     x_dimension="channel", colour_dimension="ticket_type"), "volumes_by_channel")
    ui.table(vol, "volumes_by_channel_type", collapsed=more)  # the figures themselves while the chart is off
with right, ui.section("overview.weekly_volume", view="ticket_kpis"):
    weekly_vol = queries.weekly_volume(run, f)
    if more:
        ui.chart(charts.stacked_bars(weekly_vol, "week_start", "tickets", "ticket_type", lg,
                                     y_title=tr("chart.tickets"), colour_dimension="ticket_type"), "weekly_volume")
    else:
        light_charts.stacked_bars(weekly_vol, "week_start", "tickets", "ticket_type", lg, "light_weekly_volume",
                                  colour_dimension="ticket_type", y_title=tr("chart.tickets"))
    ui.table(weekly_vol, "weekly_volume", collapsed=True)
