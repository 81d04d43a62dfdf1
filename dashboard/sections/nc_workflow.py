"""The nonconformity workflow on the defects page (issue 15): open and overdue by step and owner, time to notify /
decide / close against the limits, re-inspection pass rate, first-pass yield bands, sampling rate, losses by rule.
Layout only: the figures are dashboard/queries_nc.py's. Called from dashboard/pages/defects.py (`workflow`)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import queries_nc, ui
from dashboard.i18n import label

# column -> the value table (dashboard/i18n_nc.py VALUES) that names its codes
CODED = {"step": "nc_step", "next_step": "nc_step", "measure": "nc_measure", "loss_rule": "loss_rule",
         "pass_rate_band": "pass_rate_band", "grade": "nc_grade"}


def named(frame: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Coded values (steps, rules, bands, grades) by their names in `lang`."""
    return frame.with_columns(
        pl.col(c).replace_strict({v: label(d, v, lang) for v in frame[c].unique().to_list() if v is not None},
                                 default=pl.col(c))
        for c, d in CODED.items() if c in frame.columns and frame.schema[c] == pl.Utf8)


def workflow(ctx: ui.Context) -> None:
    tr, lg, run, f = ctx.tr, ctx.lang, ctx.run, ctx.filters
    with ui.section("nc.title", help_key="nc.help"):
        st.caption(tr("nc.filters"))
        n = queries_nc.summary(run, f)
        cols = st.columns(5)
        cols[0].metric(tr("nc.found"), ui.fmt_int(n["found"]), border=True)
        cols[1].metric(tr("nc.no_steps"), ui.fmt_int(n["no_steps"]), border=True, help=tr("nc.no_steps.help"))
        cols[2].metric(tr("nc.closed"), ui.fmt_int(n["closed"]), border=True)
        cols[3].metric(tr("nc.open"), ui.fmt_int(n["open_all"]), border=True)
        cols[4].metric(tr("nc.overdue"), ui.fmt_int(n["overdue_all"]), border=True)

        st.markdown("**" + tr("nc.backlog") + "**")
        backlog = queries_nc.backlog(run, f)
        if backlog.height == 0:
            st.info(tr("nc.none_open"))
        else:
            ui.table(named(backlog, lg), "nc_backlog")
            overdue = queries_nc.overdue_list(run, f)
            if overdue.height:
                with st.expander(tr("nc.overdue_list")):
                    ui.table(named(overdue, lg), "nc_overdue")

        st.markdown("**" + tr("nc.times") + "**")
        ui.table(named(queries_nc.times(run, f), lg), "nc_times", column_config={"met_rate": ui.percent_column()},
                 caption=tr("nc.times.caption"))

        r = queries_nc.reinspections(run, f)
        c1, c2, c3 = st.columns(3)
        c1.metric(tr("nc.reinspection"), _pct(r["pass_rate"]), border=True)
        c2.metric(tr("nc.reinspection_first"), _pct(r["first_pass_rate"]), border=True)
        c3.metric(tr("nc.reinspections"), ui.fmt_int(r["reinspections"]), border=True)

        st.markdown("**" + tr("nc.yield") + "**")
        bands = queries_nc.yield_bands(run, f)
        if not ui.no_data(bands):
            ui.table(named(bands, lg), "nc_yield_bands", caption=tr("nc.yield.caption"),
                     column_config={c: ui.percent_column() for c in ("first_pass_yield", "pass_rate_after_rework",
                                                                     "sampling_rate")})

        st.markdown("**" + tr("nc.sampling") + "**")
        sampled = queries_nc.sampling(run, f)
        if not ui.no_data(sampled):
            ui.table(sampled, "nc_sampling", column_config={"sampling_rate": ui.percent_column()})

        st.markdown("**" + tr("nc.losses") + "**")
        losses = queries_nc.losses_by_rule(run, f)
        if not ui.no_data(losses):
            ui.table(named(losses, lg), "nc_losses_by_rule", caption=tr("nc.losses.caption"))


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f} %"
