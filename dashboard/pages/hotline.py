"""Hotline (issue 14): complaint-limit attainment by coordination level, the hotline's satisfaction rate by kind
against its targets, first-contact resolution, repeat complaints with the earlier complaint beside each and routing
mismatches (dashboard/queries_hotline_kpis.py; docs/metrics.md "Hotline"), and the work-order lifecycle sections
(dashboard/sections/hotline_lifecycle.py). Every sidebar filter applies; each section names the ones it uses."""

import polars as pl
import streamlit as st

from dashboard import queries_hotline_kpis as hq
from dashboard import ui
from dashboard.i18n import label
from dashboard.sections import hotline_lifecycle, more_charts

ctx = ui.page_context()
tr, lg, run, f = ctx.tr, ctx.lang, ctx.run, ctx.filters
PERCENT = {c: ui.percent_column() for c in ("attainment_rate", "answer_on_time_rate", "satisfaction_rate", "target",
                                            "first_contact_resolution_rate", "repeat_complaint_rate")}


def named(frame: pl.DataFrame, columns: dict[str, str]) -> pl.DataFrame:
    """Coded values of `columns` (column -> dimension of the translation table) by their names in this language."""
    return frame.with_columns(
        pl.col(c).replace_strict({v: label(d, v, lg) for v in frame[c].unique().to_list() if v is not None},
                                 default=pl.col(c)) for c, d in columns.items() if c in frame.columns)


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


goals = hq.targets(run)

st.title(tr("hl.title"))
st.caption(tr("period", start=f.start, end=f.end))
# the lifecycle flow drawn light first; its Plotly figures (it, returns, escalations) when asked (issue 13 target 4)
more = more_charts.toggle(tr, 3)

with ui.section("hl.limits", view="complaint_limits", help_key="hl.limits.help"):
    summary = hq.complaint_limit_summary(run, f)
    if not ui.no_data(summary):
        row = summary.row(0, named=True)
        target = goals.get("complaint_limit_rate")
        met = ui.at_least(row["attainment_rate"], target)
        c1, c2, c3 = st.columns(3)
        c1.metric(tr("col.attainment_rate"), pct(row["attainment_rate"]), border=True,
                  **ui.verdict(met),
                  help=tr("hl.target_min", value=pct(target)))
        c2.metric(tr("col.pending"), ui.fmt_int(row["pending"]), border=True, help=tr("hl.pending.help"))
        c3.metric(tr("col.without_level"), ui.fmt_int(row["without_level"]), border=True)
        ui.table(named(hq.complaint_limits_by_level(run, f), {"coordination_level": "coordination_level"}),
                 "complaint_limits_by_level", column_config=PERCENT, caption=tr("hl.clock_rule"))

with ui.section("hl.satisfaction", view="hotline_satisfaction", help_key="hl.satisfaction.help"):
    kinds = hq.satisfaction_by_kind(run, f)
    columns = st.columns(len(kinds))
    for column, row in zip(columns, kinds.iter_rows(named=True), strict=True):
        rate, target = row["satisfaction_rate"], row["target"]
        met = ui.at_least(rate, target)
        column.metric(label("hotline_kind", row["kind"], lg), pct(rate), border=True,
                      **ui.verdict(met),
                      help=tr("hl.target_min", value=pct(target)))
    ui.table(named(kinds, {"kind": "hotline_kind"}).rename({"kind": "satisfaction_kind"}), "hotline_satisfaction",
             column_config=PERCENT, collapsed=True)

with ui.section("hl.fcr", view="first_contact_resolution", help_key="hl.fcr.help"):
    fcr = hq.first_contact(run, f)
    if not ui.no_data(fcr):
        row = fcr.row(0, named=True)
        target = goals.get("first_contact_resolution_rate")
        rate = row["first_contact_resolution_rate"]
        met = ui.at_least(rate, target)
        c1, c2, c3, c4 = st.columns(4)
        c1.metric(tr("col.first_contact_resolution_rate"), pct(rate), border=True,
                  **ui.verdict(met),
                  help=tr("hl.target_min", value=pct(target)))
        c2.metric(tr("col.dispatched"), ui.fmt_int(row["dispatched"]), border=True)
        c3.metric(tr("col.called_again"), ui.fmt_int(row["called_again"]), border=True)
        c4.metric(tr("col.without_calls"), ui.fmt_int(row["without_calls"]), border=True)
        ui.table(hq.first_contact_by_type(run, f), "first_contact_by_type", column_config=PERCENT, collapsed=True)

with ui.section("hl.repeats", view="repeat_complaints", help_key="hl.repeats.help"):
    repeats = hq.repeat_summary(run, f)
    if not ui.no_data(repeats):
        row = repeats.row(0, named=True)
        target = goals.get("repeat_complaint_rate")
        rate = row["repeat_complaint_rate"]
        met = ui.at_most(rate, target)
        c1, c2, c3, c4 = st.columns(4)
        c1.metric(tr("col.repeat_complaint_rate"), pct(rate), border=True,
                  **ui.verdict(met),
                  help=tr("hl.target_max", value=pct(target)))
        c2.metric(tr("col.repeats"), ui.fmt_int(row["repeats"]), border=True)
        c3.metric(tr("col.derived_repeats"), ui.fmt_int(row["derived_repeats"]), border=True)
        c4.metric(tr("col.flagged_only"), ui.fmt_int(row["flagged_only"]), border=True)
        listed = hq.repeat_list(run, f)
        ui.table(named(listed, {"coordination_level": "coordination_level", "earlier_reason": "earlier_reason",
                                "earlier_category": "category", "earlier_department": "department"}),
                 "repeat_complaints", caption=tr("hl.repeats.limit", n=hq.REPEAT_LIMIT)
                 if listed.height >= hq.REPEAT_LIMIT else None)

with ui.section("hl.routing", view="hotline_routing", help_key="hl.routing.help"):
    routing = hq.routing_summary(run, f)
    if not ui.no_data(routing):
        row = routing.row(0, named=True)
        if not row["with_rule"]:
            st.info(tr("hl.routing.none"))
        c1, c2, c3 = st.columns(3)
        c1.metric(tr("col.mismatch_share"), pct(row["mismatch_share"]), border=True)
        c2.metric(tr("col.mismatched"), ui.fmt_int(row["mismatched"]), border=True)
        c3.metric(tr("col.routed"), ui.fmt_int(row["routed"]), border=True)
        ui.table(named(hq.routing_mismatches(run, f), {"suggested_department": "department"}), "routing_mismatches")

# The work-order lifecycle sections (dashboard/sections/hotline_lifecycle.py).
hotline_lifecycle.lifecycle(ctx, more)
