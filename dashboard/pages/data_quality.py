"""Data quality: suite runs and loads, failing expectations, quarantined rows."""

import streamlit as st

from dashboard import queries, ui

ctx = ui.page_context(needs_data=False)
tr, run = ctx.tr, ctx.run
checks = queries.has_quality_tables(ctx.tables)

st.title(tr("dq.title"))
st.caption(ui.gate_status(ctx))

runs = queries.dq_runs(run) if checks else None
with ui.section("dq.runs", help_key="dq.runs.help"):
    if runs is not None:
        if runs.height == 0:
            st.info(tr("dq.no_checks"))
        else:
            ui.table(runs, "dq_runs", height=320)
    st.markdown("**" + tr("dq.loads") + "**")
    history = queries.load_history(run)
    if not ui.no_data(history):
        ui.table(history, "load_history", height=320)

with ui.section("dq.failing", help_key="dq.failing.help"):
    if runs is None or runs.height == 0:
        st.info(tr("dq.no_checks"))
    else:
        failing = queries.dq_failing(run)
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
        ui.table(refused, "quarantined_or_refused_loads", caption=tr("dq.quarantined_loads"))
