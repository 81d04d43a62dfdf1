"""The work-order lifecycle sections of the Hotline page (issue 14): the flow with counts, the lifecycle rates,
returns and transfers by department and reason, open work orders with the department holding them and for how
long, appeals and their outcomes, reminders and escalations by level. Layout only: the figures are
dashboard/queries_hotline.py's. Called from dashboard/pages/hotline.py (`lifecycle`)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import charts, queries_hotline, ui
from dashboard.i18n import label
from dashboard.sections import light_charts

# column -> the value table that names its codes (dashboard/i18n_hotline_events.py VALUES)
CODED = {"step": "wo_step", "handoff": "wo_step", "level": "wo_level", "max_escalation_level": "wo_level",
         "appeal_grade": "appeal_grade", "current_department": "department"}
RATES = ("return_rate", "redispatch_rate", "transfer_rate", "reply_rate", "on_time_reply_rate", "review_pass_rate",
         "appeal_rate", "upheld_share")


def named(frame: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Coded values (steps, levels, grades, departments) by their names in `lang`."""
    return frame.with_columns(
        pl.col(c).replace_strict({v: label(d, v, lang) for v in frame[c].unique().to_list() if v is not None},
                                 default=pl.col(c))
        for c, d in CODED.items() if c in frame.columns and frame.schema[c] == pl.Utf8)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def lifecycle(ctx: ui.Context, more: bool = True) -> None:
    """`more`: the page's interactive charts are on (Plotly figures); off, the flow is drawn light and the
    returns and escalations sections show their tables open (dashboard/sections/more_charts.py)."""
    tr, lg, run, f = ctx.tr, ctx.lang, ctx.run, ctx.filters
    with ui.section("wo.title", view="work_order_state", help_key="wo.help"):
        if not queries_hotline.has_events(run):
            st.info(tr("wo.no_events"))
            return
        st.caption(tr("wo.filters"))
        s = queries_hotline.summary(run, f).row(0, named=True)
        st.markdown("**" + tr("wo.rates") + "**")
        cols = st.columns(4)
        cols[0].metric(tr("wo.return_rate"), _pct(s["return_rate"]), border=True, help=tr("wo.return_rate.help"))
        cols[1].metric(tr("wo.redispatch_rate"), _pct(s["redispatch_rate"]), border=True)
        cols[2].metric(tr("wo.transfer_rate"), _pct(s["transfer_rate"]), border=True)
        cols[3].metric(tr("wo.transfers_per_ticket"), ui.fmt_num(s["transfers_per_ticket"], 2), border=True)
        cols = st.columns(4)
        for column, key in zip(cols, ("reply_rate", "on_time_reply_rate"), strict=False):
            value = s[key]
            column.metric(tr(f"wo.{key}"), _pct(value), border=True, help=tr("wo.on_time.help"),
                          **ui.verdict(ui.at_least(value, 1.0)))    # target 100 % (004)
        cols[2].metric(tr("wo.review_pass_rate"), _pct(s["review_pass_rate"]), border=True)
        cols[3].metric(tr("wo.open_count"), ui.fmt_int(s["open_work_orders"]), border=True)

    with ui.section("wo.flow", view="hotline_lifecycle_flow"):
        flow = queries_hotline.flow(run, f)
        if not ui.no_data(flow):
            bars = flow.with_columns(measure=pl.lit("tickets"))
            if more:
                ui.chart(charts.stacked_bars(bars, "step", "tickets", "measure", lg, y_title=tr("wo.chart.tickets"),
                                             x_dimension="wo_step", colour_dimension="wo_measure"), "wo_flow")
            else:
                light_charts.category_bars(bars, "step", "tickets", "measure", lg, "light_wo_flow",
                                           x_dimension="wo_step", colour_dimension="wo_measure",
                                           y_title=tr("wo.chart.tickets"))
            st.caption(tr("wo.flow.caption"))
            ui.table(named(flow, lg), "work_order_flow", collapsed=True)

    with ui.section("wo.by_department", view="work_order_holds"):
        depts = queries_hotline.by_department(run, f)
        if not ui.no_data(depts):
            reasons = queries_hotline.by_reason(run, f)
            returns = reasons.filter(pl.col("handoff") == "returned")
            if returns.height and more:
                ui.chart(charts.stacked_bars(returns, "department", "work_orders", "reason", lg,
                                             y_title=tr("col.returned"), x_dimension="department",
                                             colour_dimension="reason"), "wo_returns")
            ui.table(depts, "returns_transfers_by_department", caption=tr("wo.by_department.caption"),
                     column_config={c: ui.percent_column() for c in ("return_rate", "transfer_rate",
                                                                      "on_time_reply_rate")})
            st.markdown("**" + tr("wo.by_reason") + "**")
            ui.table(named(reasons, lg), "returns_transfers_by_reason")   # the returns chart's figures

    with ui.section("wo.open", view="work_order_state"):
        held = queries_hotline.open_by_department(run, f)
        if not ui.no_data(held):
            ui.table(named(held, lg), "open_work_orders_by_department")
            st.caption(tr("wo.open.caption", limit=queries_hotline.OPEN_LIMIT))
            ui.table(named(queries_hotline.open_work_orders(run, f), lg), "open_work_orders", collapsed=True)

    with ui.section("wo.appeals", view="work_order_appeals", help_key="wo.appeals.help"):
        c1, c2, c3 = st.columns(3)
        c1.metric(tr("col.appeals"), ui.fmt_int(s["appeals"]), border=True)
        c2.metric(tr("wo.appeal_rate"), _pct(s["appeal_rate"]), border=True)
        c3.metric(tr("wo.upheld_share"), _pct(s["upheld_share"]), border=True)
        outcomes = queries_hotline.appeals(run, f)
        if not ui.no_data(outcomes):
            ui.table(named(outcomes, lg), "appeals_by_grade_and_outcome")
            ui.table(named(queries_hotline.appeal_list(run, f), lg), "appeals", collapsed=True)

    with ui.section("wo.escalations", view="work_order_escalations"):
        levels = queries_hotline.escalations(run, f)
        if not ui.no_data(levels):
            if more:
                ui.chart(charts.stacked_bars(levels, "department", "steps", "level", lg, y_title=tr("col.steps"),
                                             x_dimension="department", colour_dimension="wo_level"),
                         "wo_escalations")
            # the figures open while the chart is off, so the section is never a bare heading
            ui.table(named(levels.drop("level_rank"), lg), "reminders_escalations", collapsed=more)
