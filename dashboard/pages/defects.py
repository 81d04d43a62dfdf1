"""Defects: p-chart per product and stage with signals, Pareto of defect types, cost of poor quality, and
field failures inside the warranty window traced back to their lots."""

import polars as pl
import streamlit as st

from dashboard import charts, queries, ui
from dashboard.i18n import label
from dashboard.sections import light_charts, more_charts

ctx = ui.page_context()
tr, lg, run, f = ctx.tr, ctx.lang, ctx.run, ctx.filters

st.title(tr("def.title"))
st.caption(tr("period", start=f.start, end=f.end))
# first drawing: the p-chart drawn light; the Plotly figures when asked (issue 13 target 4)
more = more_charts.toggle(tr, 4)

with ui.section("def.p_chart", view="defect_lots", help_key="def.p_chart.help"):
    series = queries.defect_series(run, f)
    if not ui.no_data(series):
        # the period's defect rate against its target (the overview's scorecard query: one definition, cached)
        total = queries.scorecard_defects(run, f).filter(pl.col("week_start").is_null())
        if total.height:
            row = total.row(0, named=True)
            goal = ctx.targets.get("defect_rate")
            c1, c2, c3 = st.columns(3)
            c1.metric(tr("metric.defect_rate"), ui.fmt_pct(row["value"], 2), border=True,
                      **ui.verdict(ui.at_most(row["value"], goal)),
                      help=None if goal is None else tr("hl.target_max", value=ui.fmt_pct(goal, 2)))
            c2.metric(tr("col.inspected_qty"), ui.fmt_int(row["denominator"]), border=True)
            c3.metric(tr("col.nonconforming_qty"), ui.fmt_int(row["numerator"]), border=True)
        c1, c2 = st.columns(2)
        with c1:
            products = series["product"].unique(maintain_order=True).to_list()
            product = ui.url_selectbox("product", tr("def.pick_product"), products,
                                       format_func=lambda p: label("product", p, lg))
        with c2:
            stages = series.filter(pl.col("product") == product)["stage"].to_list()
            stage = ui.url_selectbox("stage", tr("def.pick_stage"), stages,
                                     default="final" if "final" in stages else None,
                                     format_func=lambda s: label("stage", s, lg))
        lots = queries.p_chart(run, f, product, stage)
        p_title = f"{label('product', product, lg)} · {label('stage', stage, lg)}"
        if more:
            ui.chart(charts.p_chart(lots, lg, title=p_title), "p_chart")
        else:
            light_charts.p_chart(lots, lg, "light_p_chart", title=p_title)
        flagged = lots.filter(pl.col("is_out_of_control") | pl.col("signal").is_not_null())
        st.caption(tr("def.signals_found", n=ui.fmt_int(flagged.height), lots=ui.fmt_int(lots.height)))
        if flagged.height:
            ids = flagged["lot_id"].to_list()
            signal_names = dict(zip(ids, flagged["signal"].to_list()))
            rates = dict(zip(ids, flagged["defect_rate"].to_list()))
            pick = ui.url_selectbox(
                "signal", tr("def.pick_signal"), ids, default=ids[-1],
                format_func=lambda lot: tr("def.signal_option", lot=lot, rate=ui.fmt_pct(rates[lot], 2),
                                           signal=label("signal", signal_names[lot], lg)))
            ui.table(queries.signal_lots(run, product, stage, pick), "signal_lots",
                     column_config={"defect_rate": ui.percent_column(), "lcl": ui.percent_column(),
                                    "ucl": ui.percent_column()},
                     caption=tr("def.signal_lots"))
        with st.expander(tr("def.all_lots")):
            ui.table(lots, "p_chart_lots", column_config={c: ui.percent_column()
                                                          for c in ("defect_rate", "p_bar", "lcl", "ucl")}, collapsed=True)

with ui.section("def.pareto", view="defect_pareto", help_key="def.pareto.help"):
    measure = ui.url_selectbox("measure", tr("def.pareto_measure"), ["qty", "total_cost"], default="qty",
                               format_func=lambda m: tr(f"col.{m}"))
    par = queries.pareto(run, f, measure or "qty")
    if more:
        ui.chart(charts.pareto(par, measure or "qty", lg), "pareto")
    ui.table(par, "defect_pareto", column_config={"cumulative_share": ui.percent_column()})

with ui.section("def.copq", help_key="def.copq.help"):
    left, right = st.columns(2)
    with left:
        ui.applies("nonconformity_costs")
        by_disp = queries.copq_by(run, f, "disposition")
        if more:
            ui.chart(charts.stacked_bars(by_disp, "month", "cost", "group", lg, money=True,
                                         y_title=tr("col.cost"), colour_dimension="disposition",
                                         title=tr("def.copq_disposition")), "copq_disposition")
        ui.table(by_disp, "copq_by_disposition_month", collapsed=True,
                 caption=None if more else tr("def.copq_disposition"))
    with right:
        ui.applies("cost_by_department")
        by_dept = queries.copq_by(run, f, "department")
        if more:
            ui.chart(charts.stacked_bars(by_dept, "month", "cost", "group", lg, money=True,
                                         y_title=tr("col.cost"), colour_dimension="department",
                                         title=tr("def.copq_department")), "copq_department")
        ui.table(by_dept, "copq_by_department_month", collapsed=True,
                 caption=None if more else tr("def.copq_department"))

with ui.section("def.field", view="field_failures", help_key="def.field.help"):
    summary = queries.field_failure_summary(run, f)
    if not ui.no_data(summary):
        c1, c2, c3 = st.columns(3)
        c1.metric(tr("def.field_failures"), ui.fmt_int(summary["failures"].sum()), border=True)
        c2.metric(tr("def.in_warranty"), ui.fmt_int(summary["in_warranty"].sum()), border=True,
                  help=tr("def.in_warranty.help"))
        c3.metric(tr("def.in_warranty_cost"), ui.fmt_money(summary["in_warranty_cost"].sum()), border=True)
        ui.table(summary, "field_failures_by_product", column_config={"in_warranty_rate": ui.percent_column()})
        st.markdown("**" + tr("def.field_lots") + "**")
        lots = queries.field_failure_lots(run, f)
        picked = ui.table(lots, "field_failure_lots", on_select="rerun", key="w_field_lot", height=300,
                          column_config={"lot_defect_rate": ui.percent_column()})
        rows = picked.selection.rows if picked is not None and hasattr(picked, "selection") else []
        lot = lots["lot_id"][rows[0]] if rows else None
        st.markdown("**" + (tr("def.failures_of_lot", lot=lot) if lot else tr("def.failures_all")) + "**")
        ui.table(queries.field_failures(run, f, lot), "field_failures",
                 column_config={"lot_defect_rate": ui.percent_column()})
        if lot and lot != "(unknown)":
            ui.table(queries.lot_inspection(run, lot), "field_failure_lot_inspection",
                     column_config={c: ui.percent_column() for c in ("defect_rate", "p_bar", "lcl", "ucl")},
                     caption=tr("def.lot_inspection"))

from dashboard.sections import nc_workflow as nc_section  # noqa: E402 (issue 15: the workflow)
nc_section.workflow(ctx)
from dashboard.sections import capa as capa_section  # noqa: E402 (issue 15: the CAPA tracker)
capa_section.tracker(ctx)
