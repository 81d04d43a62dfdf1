"""Contact centre (issue 16): the hotline's access targets from call records (connect rate, agent answer rate,
service level 80/20, late answers, abandon rate), a week x time-of-day heat map of service level, calls by time
of day, the wait distribution, Erlang C staffing against the agents who worked, occupancy per rostered interval
(metrics.roster_interval), and per-queue and per-agent tables.
Only the date range applies: calls carry none of the sidebar's ticket dimensions."""

import polars as pl
import streamlit as st

from dashboard import charts, present, queries, ui
from dashboard.i18n import label
from dashboard.sections import light_charts, more_charts
from pipelines.config import ContactCentreConfig
from pipelines.staffing import gap_per_day

ctx = ui.page_context()
tr, lg, run, f = ctx.tr, ctx.lang, ctx.run, ctx.filters
cc = ctx.config.contact_centre if ctx.config else ContactCentreConfig()
RATES = ("connect_rate", "agent_answer_rate", "service_level", "late_answer_share", "abandon_rate",
         "transfer_rate")
PERCENT = {c: ui.percent_column() for c in (*RATES, "answered_within_target_share")}


def in_target(key: str, value: float | None) -> bool | None:
    if value is None:
        return None
    return {"connect_rate": value >= cc.connect_rate_target,
            "agent_answer_rate": value >= cc.agent_answer_rate_target,
            "service_level": value >= cc.service_level_target,
            "late_answer_share": value <= cc.late_answer_max_share,
            "abandon_rate": value <= cc.abandon_rate_max}.get(key)


st.title(tr("cc.title"))
st.caption(tr("period", start=f.start, end=f.end))
# the heat map drawn light first; the Plotly figures (it and three more) when asked (issue 13 target 4)
more = more_charts.toggle(tr, 4)

with ui.section("cc.access", view="calls_interval", help_key="cc.access.help"):
    summary = queries.calls_summary(run, f)
    if not ui.no_data(summary):
        row = summary.row(0, named=True)
        targets = {"connect_rate": tr("cc.target_min", value=f"{cc.connect_rate_target:.0%}"),
                   "agent_answer_rate": tr("cc.target_min", value=f"{cc.agent_answer_rate_target:.0%}"),
                   "service_level": tr("cc.target_sl", value=f"{cc.service_level_target:.0%}",
                                       seconds=f"{cc.service_level_seconds:g}"),
                   "late_answer_share": tr("cc.target_max", value=f"{cc.late_answer_max_share:.0%}"),
                   "abandon_rate": tr("cc.target_range", low=f"{cc.abandon_rate_min:.0%}",
                                      high=f"{cc.abandon_rate_max:.0%}")}
        columns = st.columns(len(targets))
        for column, (key, target) in zip(columns, targets.items(), strict=True):
            met = in_target(key, row[key])
            column.metric(tr(f"col.{key}"), "—" if row[key] is None else f"{row[key]:.1%}", border=True,
                          **ui.verdict(met), help=target)
        c1, c2, c3, c4 = st.columns(4)
        c1.metric(tr("col.calls"), ui.fmt_int(row["calls"]), border=True)
        c2.metric(tr("col.asa_seconds"), ui.fmt_num(row["asa_seconds"]), border=True)
        c3.metric(tr("col.aht_seconds"), ui.fmt_num(row["aht_seconds"]), border=True)
        c4.metric(tr("col.transfer_rate"), "—" if row["transfer_rate"] is None else f"{row['transfer_rate']:.1%}",
                  border=True)
        st.caption(tr("cc.short_abandons_note", n=ui.fmt_int(row["short_abandons"]),
                      offered=ui.fmt_int(row["offered"]), seconds=f"{cc.short_abandon_seconds:g}"))

with ui.section("cc.heatmap", view="calls_interval", help_key="cc.heatmap.help"):
    heat = queries.calls_heatmap(run, f)
    if more:
        ui.chart(charts.service_level_heatmap(heat, lg, cc.service_level_target), "cc_heatmap")
    else:
        light_charts.service_level_heatmap(heat, lg, "light_cc_heatmap", cc.service_level_target)

with ui.section("cc.by_time", view="calls_interval"):
    by_time = queries.calls_by_time_of_day(run, f)
    if more:
        ui.chart(charts.calls_by_time_of_day(by_time, lg), "cc_by_time")
    # the figures open while the chart is off, so the section is never a bare heading
    ui.table(by_time, "calls_by_time_of_day", column_config={"service_level": ui.percent_column()},
             collapsed=more)

with ui.section("cc.wait", view="call_facts", help_key="cc.wait.help"):
    waits = queries.wait_distribution(run, f)
    if more:
        ui.chart(charts.wait_distribution(waits, queries.WAIT_BINS, lg, cc.service_level_seconds), "cc_wait")
    ui.table(present.wait_table(waits, queries.WAIT_BINS), "wait_distribution", collapsed=more,
             column_config={"waited_at_least_share": ui.percent_column()})

with ui.section("cc.staffing", view="calls_interval", help_key="cc.staffing.help"):
    plan = queries.calls_staffing(run, f)
    if not ui.no_data(plan):
        days = gap_per_day(plan)
        occupancy = queries.calls_occupancy(run, f)          # the period's row first (interval_start null)
        c1, c2, c3, c4 = st.columns(4)
        c1.metric(tr("col.gap_agent_hours"), ui.fmt_num(days["gap_agent_hours"].sum()), border=True)
        c2.metric(tr("col.needed_agent_hours"), ui.fmt_num(days["needed_agent_hours"].sum()), border=True)
        c3.metric(tr("col.available_agent_hours"), ui.fmt_num(days["available_agent_hours"].sum()), border=True)
        period_occupancy = occupancy["occupancy"][0] if occupancy.height else None
        c4.metric(tr("col.occupancy"), "—" if period_occupancy is None else f"{period_occupancy:.1%}", border=True,
                  help=tr("cc.occupancy.help"))
        st.caption(tr(f"cc.available_from.{plan['available_from'][0]}"))
        if more:
            ui.chart(charts.staffing(plan, lg), "cc_staffing")
        ui.table(days.filter(pl.col("gap_agent_hours") > 0).sort("gap_agent_hours", descending=True),
                 "staffing_gap_days", caption=tr("cc.gap_days"))
        per_interval = occupancy.filter(pl.col("interval_start").is_not_null()).select("interval_start", "occupancy")
        ui.table(plan.select("interval_start", "calls", "aht_seconds", "traffic_erlangs", "agents_needed",
                             "agents_available", "agent_gap")
                 .join(per_interval, on="interval_start", how="left", maintain_order="left"),
                 "staffing_intervals", collapsed=True, column_config={"occupancy": ui.percent_column()})

with ui.section("cc.queues", view="calls_interval"):
    queues = queries.calls_by_queue(run, f)
    names = {q: label("queue", q, lg) for q in queues["queue"].unique().to_list()}   # queue codes by name
    ui.table(queues.with_columns(pl.col("queue").replace_strict(names, default=pl.col("queue"))),
             "calls_by_queue", column_config=PERCENT)

with ui.section("cc.agents", view="call_facts", help_key="cc.agents.help"):
    ui.table(queries.calls_by_agent(run, f), "calls_by_agent", column_config=PERCENT)
