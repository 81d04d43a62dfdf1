"""Hotline (issue 14): complaint-limit attainment by coordination level, repeat complaints with the earlier
complaint beside each, the hotline's satisfaction rate by kind against its targets, first-contact resolution and
routing mismatches (dashboard/queries_hotline_kpis.py), and the work-order lifecycle sections
(dashboard/sections/hotline_lifecycle.py)."""

import streamlit as st

from dashboard import ui

ctx = ui.page_context()
tr, lg, run, f = ctx.tr, ctx.lang, ctx.run, ctx.filters

st.title(tr("hl.title"))
st.caption(tr("period", start=f.start, end=f.end))

# The work-order lifecycle sections (dashboard/sections/hotline_lifecycle.py) are called here.
