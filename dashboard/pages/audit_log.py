"""Audit log (admins): sign-ins, SQL statements, downloads, loads and releases, newest first, read from the
append-only log beside the warehouse (pipelines/audit.py). The page only reads it."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import auth, ui
from pipelines import audit

ctx = ui.page_context(needs_data=False)
auth.require("admin")
tr, config = ctx.tr, ctx.config

st.title(tr("audit.title"))
st.caption(tr("audit.intro", path=str(audit.log_path(config))))
frame = audit.read(config, limit=5000)
if frame.is_empty():
    st.info(tr("audit.empty"))
    st.stop()
left, right = st.columns(2)
users = sorted(u for u in frame["user"].unique().to_list() if u)
who = left.multiselect(tr("audit.filter_user"), users, key="audit_users", placeholder=tr("filter.all"))
what = right.multiselect(tr("audit.filter_action"), list(audit.ACTIONS), key="audit_actions",
                         placeholder=tr("filter.all"))
if who:
    frame = frame.filter(pl.col("user").is_in(who))
if what:
    frame = frame.filter(pl.col("action").is_in(what))
ui.table(frame.drop("session"), "audit_log", height=600)
