"""SLA: attainment per target over time, breakdowns, time distributions, Kaplan-Meier medians, backlog,
breaches, reopen and escalation rates."""

import polars as pl
import streamlit as st

from dashboard import charts, present, queries, show_more, ui
from dashboard.i18n import label
from dashboard.sections import light_charts, more_charts

ctx = ui.page_context()
tr, lg, run, f = ctx.tr, ctx.lang, ctx.run, ctx.filters
goal = ctx.targets.get("timeliness_rate")

st.title(tr("sla.title"))
st.caption(tr("period", start=f.start, end=f.end))
# first drawing: the attainment trend drawn light; the Plotly figures when asked (issue 13 target 4)
more = more_charts.toggle(tr, 4)

with ui.section("sla.attainment", view="ticket_sla", help_key="sla.attainment.help"):
    rates = queries.sla_attainment(run, f)
    summary = rates.filter(pl.col("week_start").is_null())
    if not ui.no_data(summary):
        for column, row in zip(st.columns(len(summary)), summary.iter_rows(named=True)):
            rate = row["attainment_rate"]
            column.metric(label("target", row["target"], lg), ui.fmt_pct(rate),
                          **ui.verdict(ui.at_least(rate, goal)),    # [targets] timeliness_rate
                          help=tr("sla.attainment.metric_help", met=ui.fmt_int(row["met"]),
                                  breached=ui.fmt_int(row["breached"]), pending=ui.fmt_int(row["pending"]))
                          + ("" if goal is None else " " + tr("sla.attainment.goal", value=ui.fmt_pct(goal))),
                          border=True)
        weekly = rates.filter(pl.col("week_start").is_not_null())
        if more:
            ui.chart(charts.rate_trend(weekly, "week_start", "attainment_rate", lg, series="target",
                                       series_dimension="target", target=goal, count="met",
                                       y_title=tr("chart.attainment")), "attainment_trend")
        else:
            light_charts.rate_trend(weekly, "week_start", "attainment_rate", lg, "light_attainment_trend",
                                    series="target", series_dimension="target", target=goal,
                                    y_title=tr("chart.attainment"))
        ui.table(weekly, "sla_attainment_weekly", column_config={"attainment_rate": ui.percent_column()}, collapsed=True)

target = ui.url_selectbox("target", tr("sla.pick_target"), list(queries.SLA_TARGETS), default="resolution",
                          format_func=lambda v: label("target", v, lg))

with ui.section("sla.heatmap", view="ticket_sla"):
    heat = queries.sla_heatmap(run, f, target)
    if more:
        ui.chart(charts.heatmap(heat, "category", "site", "attainment_rate", lg, "met", "measured",
                                title=label("target", target, lg), target=goal), "heatmap")
    # the figures themselves while the heatmap is off, so the section is never a bare heading
    ui.table(heat, "sla_site_category", column_config={"attainment_rate": ui.percent_column()}, collapsed=more)

# The time distributions and medians (two figures, five of the page's heaviest queries) are drawn on demand, so the
# page's first drawing does not wait for them (issue 13 target 4).
with ui.section("sla.times", view="ticket_sla", help_key="sla.times.help"):
    show_times = show_more.toggle(tr("sla.show_times"), "times")
    policies = queries.sla_policies(run, f, target) if show_times else None
    if show_times and not ui.no_data(policies):
        minutes = dict(zip(policies["policy_id"].to_list(), policies["target_minutes"].to_list()))
        calendars = dict(zip(policies["policy_id"].to_list(), policies["calendar"].to_list()))
        policy = ui.url_selectbox(
            "policy", tr("sla.pick_policy"), policies["policy_id"].to_list(),
            format_func=lambda p: tr("sla.policy_option", policy=p, hours=ui.fmt_hours(minutes[p], lg),
                                     calendar=label("calendar", calendars[p], lg)))
        hist = queries.sla_time_histogram(run, f, target, policy)
        surv = queries.sla_survival(run, f, target, policy)
        km_median, km_t, km_s = present.km_summary(surv)
        left, right = st.columns(2)
        with left:
            ui.chart(charts.time_histogram(hist, lg, title=tr("sla.distribution")), "time_histogram")
        with right:
            ui.chart(charts.survival(km_t, km_s, lg, target_minutes=minutes[policy], median_minutes=km_median,
                                     title=tr("sla.km_title")), "survival")
        done = hist["completed"].sum() if hist.height else 0
        still_open = hist["open"].sum() if hist.height else 0
        c1, c2, c3 = st.columns(3)
        plain_policy = queries.sla_times(run, f, target, policy)
        c1.metric(tr("sla.plain_median"), ui.fmt_hours(plain_policy["median_minutes"][0], lg),
                  help=tr("sla.plain_median.help"), border=True)
        c2.metric(tr("sla.km_median"), ui.fmt_hours(km_median, lg) if km_median is not None else tr("sla.not_reached"),
                  help=tr("sla.km_median.help"), border=True)
        c3.metric(tr("sla.open_share"), ui.fmt_int(still_open),
                  help=tr("sla.open_share.help", done=ui.fmt_int(done)), border=True)
        ui.table(hist.drop("bin"), "sla_time_distribution", collapsed=True)

with ui.section("sla.medians", view="ticket_sla", help_key="sla.medians.help"):
    times = queries.sla_times(run, f) if show_times else None
    if not show_times:
        st.caption(tr("sla.medians_with_times"))
    if show_times and not ui.no_data(times):
        km_medians = present.km_by_target(queries.sla_survival(run, f))
        km = [km_medians.get(tgt) for tgt in times["target"].to_list()]
        shown = times.with_columns(
            pl.Series("km_median_minutes", km, dtype=pl.Float64),
        ).with_columns(
            (pl.col(c) / 60).round(2).alias(c.replace("_minutes", "_hours"))
            for c in ("median_minutes", "p90_minutes", "km_median_minutes")
        ).drop("median_minutes", "p90_minutes", "km_median_minutes")
        ui.table(shown.with_columns(pl.col("target").replace_strict(
            {v: label("target", v, lg) for v in queries.SLA_TARGETS}, default=pl.col("target"))), "sla_medians")

with ui.section("sla.backlog", view="backlog", help_key="sla.backlog.help"):
    buckets = queries.backlog_buckets(run, f)
    total_open = int(buckets["tickets"].sum()) if buckets.height else 0
    breached_open = int(buckets.filter(pl.col("is_breached"))["tickets"].sum()) if buckets.height else 0
    c1, c2 = st.columns(2)
    c1.metric(tr("sla.backlog_total"), ui.fmt_int(total_open), border=True)
    c2.metric(tr("sla.backlog_breached"), ui.fmt_int(breached_open), border=True)
    left, right = st.columns([2, 3]) if more else (None, st.container())
    if more:
        with left:
            ui.chart(charts.backlog(buckets, lg), "backlog")
    elif buckets.height:   # the chart's figures in a line: open tickets per age bucket
        per_bucket = buckets.group_by("age_bucket", "age_bucket_order").agg(
            pl.col("tickets").sum(), pl.col("tickets").filter(pl.col("is_breached")).sum().alias("breached"))
        st.caption(" · ".join(tr("sla.backlog_bucket", bucket=label("age_bucket", r["age_bucket"], lg),
                                 n=ui.fmt_int(r["tickets"]), breached=ui.fmt_int(r["breached"]))
                              for r in per_bucket.sort("age_bucket_order").iter_rows(named=True)))
    with right:
        ui.table(queries.backlog_oldest(run, f), "backlog_oldest", height=320,
                 caption=tr("sla.backlog_oldest"))

with ui.section("sla.breaches", view="ticket_sla", help_key="sla.breaches.help"):
    count = queries.breach_count(run, f)
    # the list (a sort of every breached target by how overdue it is now) is computed when asked (issue 13 targets
    # 2 and 4); the count above comes from the SLA rollup
    found, rows = None, []
    if show_more.toggle(tr("sla.show_breaches"), "breaches"):
        found = queries.breaches(run, f)
        st.caption(tr("sla.breaches_shown", shown=ui.fmt_int(found.height), total=ui.fmt_int(count)))
        picked = ui.table(found, "sla_breaches", height=360, on_select="rerun", key="w_breach_pick")
        rows = picked.selection.rows if picked is not None and hasattr(picked, "selection") else []
    else:
        st.caption(tr("sla.breaches_total", total=ui.fmt_int(count)))
    typed = ui.url_text("ticket", tr("sla.ticket_lookup"), placeholder=tr("sla.ticket_placeholder"))
    ticket = found["ticket_id"][rows[0]] if rows else typed.strip()
    if ticket:
        detail = queries.ticket_detail(run, ticket)
        st.markdown(tr("sla.ticket_detail", ticket=ticket))
        if not ui.no_data(detail):
            ui.table(detail, "ticket_detail")

with ui.section("sla.reopen", view="ticket_kpis", help_key="sla.reopen.help"):
    rates = queries.reopen_escalation(run, f)
    weekly, total = present.split_total(rates)
    if not ui.no_data(weekly):
        c1, c2 = st.columns(2)
        c1.metric(tr("metric.reopen_rate"), ui.fmt_pct(total["reopen_rate"] if total else None),
                  help=tr("metric.reopen_rate.help"), border=True)
        c2.metric(tr("metric.escalation_rate"), ui.fmt_pct(total["escalation_rate"] if total else None),
                  help=tr("metric.escalation_rate.help"), border=True)
        long = weekly.unpivot(on=["reopen_rate", "escalation_rate"], index=["week_start", "tickets"],
                              variable_name="rate", value_name="value")
        if more:
            ui.chart(charts.rate_trend(long, "week_start", "value", lg, series="rate", series_dimension="rate",
                                       count="tickets", y_title=tr("chart.rate")), "rates_trend")
        ui.table(weekly, "reopen_escalation_weekly",
                 column_config={"reopen_rate": ui.percent_column(), "escalation_rate": ui.percent_column()},
                 collapsed=more)
