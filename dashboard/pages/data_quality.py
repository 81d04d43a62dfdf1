"""Data quality: suite runs and loads, failing expectations, quarantined rows."""

import polars as pl
import streamlit as st

from dashboard import queries, ui
from dashboard.i18n import dq_note
from dashboard.i18n_messages import message_expr, translated

ctx = ui.page_context(needs_data=False)
tr, run = ctx.tr, ctx.run
checks = queries.has_quality_tables(ctx.tables)

st.title(tr("dq.title"))
st.caption(ui.gate_status(ctx))
ui.calendar_warning(ctx)

runs = queries.dq_runs(run) if checks else None
with ui.section("dq.runs", help_key="dq.runs.help"):
    if runs is not None:
        if runs.height == 0:
            st.info(tr("dq.no_checks"))
        else:
            ui.table(translated(runs, ("message",), ctx.lang), "dq_runs", height=320)
    st.markdown("**" + tr("dq.loads") + "**")
    history = queries.load_history(run)
    if not ui.no_data(history):
        ui.table(translated(history, ("message",), ctx.lang), "load_history", height=320)

with ui.section("dq.failing", help_key="dq.failing.help"):
    if runs is None or runs.height == 0:
        st.info(tr("dq.no_checks"))
    else:
        failing = queries.dq_failing(run)
        # the explanation from the translation table (the suite's notes are English); observed numbers rounded
        observed = pl.col("observed_value").cast(pl.Float64, strict=False)
        failing = translated(failing, ("exception",), ctx.lang).with_columns(
            pl.col("expectation").replace_strict({e: dq_note(e, ctx.lang) for e in failing["expectation"].unique()},
                                                 default=None, return_dtype=pl.Utf8).alias("notes"),
            pl.when(observed.is_not_null() & pl.col("observed_value").str.contains(r"\.\d{3}"))
            .then(observed.round(2).cast(pl.Utf8))
            .otherwise(message_expr(pl.col("observed_value"), ctx.lang)).alias("observed_value"),
        )
        if failing.height == 0:
            st.success(tr("dq.all_passed"))
        else:
            ui.table(failing, "dq_failing_expectations", height=320)

with ui.section("dq.quarantine", help_key="dq.quarantine.help"):
    if not checks:
        st.info(tr("dq.no_checks"))
    else:
        released = st.toggle(tr("dq.include_released"), key="w_dq_released")
        rows = queries.quarantined(run, include_released=released)
        if rows.height == 0:
            st.info(tr("dq.no_quarantine"))
        else:
            ui.table(rows, "quarantined_rows", height=360,
                     caption=tr("dq.quarantine_shown", n=ui.fmt_int(rows.height)))
    refused = queries.quarantined_loads(run)
    if refused.height:
        ui.table(translated(refused, ("message",), ctx.lang), "quarantined_or_refused_loads",
                 caption=tr("dq.quarantined_loads"))
