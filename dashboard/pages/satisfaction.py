"""Satisfaction: CSAT with its interval against the target, scores, follow-up and response rates, fair
comparison of agents and sites, dimension scores and low-score comments."""

import polars as pl
import streamlit as st

from dashboard import charts, present, queries, show_more, stats, ui
from dashboard.i18n import label
from dashboard.sections import light_charts, more_charts

ctx = ui.page_context()
tr, lg, run, f = ctx.tr, ctx.lang, ctx.run, ctx.filters
csat_target = ctx.targets.get("csat_rate")

st.title(tr("sat.title"))
st.caption(tr("period", start=f.start, end=f.end))
# first drawing: the CSAT trend drawn light; the Plotly figures when asked (issue 13 target 4)
more = more_charts.toggle(tr, 4)

overall = None
with ui.section("sat.csat", view="csat_daily", help_key="sat.csat.help"):
    csat = queries.csat_weekly(run, f)
    weekly, total = present.split_total(csat)
    if not ui.no_data(weekly):
        overall = total["csat_rate"] if total else None
        low, high = stats.wilson([total["satisfied"]], [total["scored_responses"]]) if total else ([None], [None])
        c1, c2, c3, c4 = st.columns(4)
        c1.metric("CSAT", ui.fmt_pct(overall), border=True, **ui.verdict(ui.at_least(overall, csat_target)),
                  help=tr("sat.csat.metric_help", low=ui.fmt_pct(low[0]), high=ui.fmt_pct(high[0]),
                          k=ui.fmt_int(total["satisfied"]), n=ui.fmt_int(total["scored_responses"])))
        c2.metric(tr("metric.mean_score"), ui.fmt_num(total["mean_score"], 2), border=True)
        c3.metric(tr("metric.response_rate"), ui.fmt_pct(total["response_rate"]), border=True,
                  **ui.verdict(ui.at_least(total["response_rate"], ctx.targets.get("response_rate"))),
                  help=tr("metric.response_rate.help"))
        c4.metric("NPS", ui.fmt_num(total["nps"] * 100 if total["nps"] is not None else None, 0), border=True,
                  help=tr("metric.nps.help"))
        shown = stats.with_wilson(weekly, "satisfied", "scored_responses")
        if more:
            ui.chart(charts.rate_trend(shown, "week_start", "csat_rate", lg, target=csat_target, low="ci_low",
                                       high="ci_high", count="scored_responses", y_title="CSAT"), "csat_trend")
        else:
            light_charts.rate_trend(shown, "week_start", "csat_rate", lg, "light_csat_trend", target=csat_target,
                                    y_title="CSAT", low="ci_low", high="ci_high")
        ui.table(shown, "csat_weekly", column_config={c: ui.percent_column() for c in
                                                      ("csat_rate", "response_rate", "ci_low", "ci_high")}, collapsed=True)

left, right = st.columns(2)
with left, ui.section("sat.scores", view="survey_responses"):
    scores = queries.score_distribution(run, f)
    if more:
        ui.chart(charts.distribution(scores, "score", "responses", lg, x_title=tr("col.score"),
                                     y_title=tr("col.responses"), highlight={4, 5}), "score_distribution")
    ui.table(scores, "score_distribution", collapsed=more)  # the figures themselves while the chart is off
with right, ui.section("sat.dimensions", view="survey_responses", help_key="sat.dimensions.help"):
    dims = queries.dimension_scores(run, f)
    if more:
        ui.chart(charts.dimension_bars(dims, lg), "dimension_scores")
    ui.table(dims.with_columns(pl.col("dimension").replace_strict(
        {d: label("score_dimension", d, lg) for d in queries.SCORE_DIMENSIONS}, default=pl.col("dimension"))),
        "dimension_scores", column_config={"top_two_rate": ui.percent_column()}, collapsed=more)

with ui.section("sat.follow_up", view="follow_up_tickets", help_key="sat.follow_up.help"):
    fu = queries.follow_up_weekly(run, f)
    fu_weekly, fu_total = present.split_total(fu)
    if not ui.no_data(fu_weekly):
        c1, c2 = st.columns(2)
        c1.metric(tr("metric.follow_up_rate"), ui.fmt_pct(fu_total["follow_up_rate"] if fu_total else None),
                  **ui.verdict(ui.at_least(fu_total["follow_up_rate"] if fu_total else None,
                                           ctx.targets.get("follow_up_rate"))),
                  help=tr("metric.follow_up_rate.help", n=ui.fmt_int(fu_total["followed_up"]),
                          d=ui.fmt_int(fu_total["resolved"])) if fu_total else None, border=True)
        c2.metric(tr("metric.hotline_satisfaction_rate"),
                  ui.fmt_pct(fu_total["hotline_satisfaction_rate"] if fu_total else None),
                  help=tr("metric.hotline_satisfaction_rate.help"), border=True)
        long = fu_weekly.unpivot(on=["follow_up_rate", "hotline_satisfaction_rate"],
                                 index=["week_start", "resolved"], variable_name="rate", value_name="value")
        resp = weekly.select("week_start", pl.lit("response_rate").alias("rate"),
                             pl.col("response_rate").alias("value"), pl.col("attempts").alias("resolved"))
        long = pl.concat([long, resp.select(long.columns)], how="vertical_relaxed") if weekly.height else long
        if more:
            ui.chart(charts.rate_trend(long, "week_start", "value", lg, series="rate", series_dimension="rate",
                                       target=ctx.targets.get("follow_up_rate"), count="resolved",
                                       target_label=tr("chart.target_named", name=tr("metric.follow_up_rate"),
                                                       value=ui.fmt_pct(ctx.targets.get("follow_up_rate"), 0)),
                                       y_title=tr("chart.rate")), "follow_up_trend")
        ui.table(fu_weekly, "follow_up_weekly",
                 column_config={"follow_up_rate": ui.percent_column(),
                                "hotline_satisfaction_rate": ui.percent_column()}, collapsed=True)

with ui.section("sat.fair", view="csat_daily", help_key="sat.fair.help"):
    by = ui.url_selectbox("by", tr("sat.compare_by"), ["agent", "site"], default="agent",
                          format_func=lambda v: tr(f"dim.{v}"))
    units, limits = present.fair_comparison(queries.csat_by(run, f, by), overall)
    # the two figures (one point per agent: hundreds at a large centre) are drawn when asked (issue 13 target 4);
    # the table below holds the same figures
    if not ui.no_data(units) and show_more.toggle(tr("sat.show_more"), "fair_charts"):
        left, right = st.columns(2)
        with left:
            if limits is not None:
                ui.chart(charts.funnel(units, limits, overall, lg, target=csat_target, title=tr("sat.funnel")), "funnel")
        with right:
            ui.chart(charts.intervals(units, lg, overall=overall, target=csat_target, title=tr("sat.intervals")), "intervals")
    if not ui.no_data(units):
        ui.table(units.with_columns(pl.col("position").replace_strict(
            {p: tr(f"chart.funnel_{p}") for p in ("above", "within", "below")}, default=pl.col("position"))),
            f"csat_by_{by}", column_config={c: ui.percent_column() for c in ("csat_rate", "ci_low", "ci_high")})

with ui.section("sat.comments", view="survey_responses", help_key="sat.comments.help"):
    # the list reads every survey response of the period (2 s at 10M tickets): drawn when asked (issue 13 target 2)
    if show_more.toggle(tr("sat.show_comments"), "comments"):
        c1, c2 = st.columns([1, 3])
        with c1:
            max_score = ui.url_selectbox("max_score", tr("sat.max_score"), ["1", "2", "3"], default="2")
        with c2:
            search = ui.url_text("search", tr("sat.search"), placeholder=tr("sat.search_placeholder"))
        comments = queries.low_score_comments(run, f, int(max_score or 2), search)
        st.caption(tr("sat.comments_shown", shown=ui.fmt_int(comments.height),
                      limit=ui.fmt_int(queries.COMMENT_LIMIT)))
        if not ui.no_data(comments):
            ui.table(comments, "low_score_comments", height=400)
