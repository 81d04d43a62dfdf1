"""Load files (admins): upload exports and load them, one after the other, through the warm loader of
pipelines/watch.py (the same path as `sqd ingest`: mapping, the data-quality gate, an atomic publish), with a
progress bar, each file's outcome and the data-quality result afterwards. A corrected file releases the quarantined
rows it publishes (pipelines/gate.py); every load and release goes into the audit log."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import streamlit as st

from dashboard import auth, db, queries, ui
from dashboard.i18n import label
from dashboard.i18n_messages import message_text
from pipelines.config import Config
from pipelines.read import READABLE

ctx = ui.page_context(needs_data=False)
auth.require("admin")
tr, lg, config = ctx.tr, ctx.lang, ctx.config
log = auth.recorder()
_LOADING = threading.Lock()  # one load at a time from this dashboard process (the writer lock covers the others)


@st.cache_resource(show_spinner=False)
def _loader(_config: Config, path: str, profile: str):
    """One warm loader per warehouse and profile: GX and the loader imported once per server process."""
    from pipelines.watch import WarmLoader  # noqa: PLC0415

    return WarmLoader(_config, profile or None)


st.title(tr("load.title"))
st.caption(tr("load.intro"))
with st.form("load_files_form", clear_on_submit=True):
    files = st.file_uploader(tr("load.files"), accept_multiple_files=True, key="load_files_upload",
                             type=[suffix.lstrip(".") for suffix in READABLE])
    profile = st.text_input(tr("load.profile"), key="load_files_profile")
    submitted = st.form_submit_button(tr("load.start"), type="primary", icon=":material/upload:")
st.caption(tr("load.release.help"))

if submitted and files:
    bar = st.progress(0.0)
    outcomes = []
    with _LOADING, tempfile.TemporaryDirectory(prefix="sqd-upload-") as folder:
        loader = _loader(config, str(config.warehouse_path), profile.strip())
        for i, upload in enumerate(files):
            bar.progress(i / len(files), text=tr("load.progress", name=upload.name, done=i + 1, total=len(files)))
            path = Path(folder) / Path(upload.name).name
            path.write_bytes(upload.getbuffer())
            outcome = loader.load(path)
            result = outcome.result
            log("load", detail=f"{upload.name}: {outcome.status}"
                + (f" ({result.dataset}, new {result.inserted}, updated {result.updated}, quarantined "
                   f"{result.quarantined}, load {result.load_id})" if result is not None else "")
                + (f": {outcome.message.splitlines()[0][:300]}" if outcome.message else ""),
                rows=getattr(result, "rows_read", None), duration_s=outcome.seconds, ok=outcome.state == "done")
            outcomes.append((upload.name, outcome))
        bar.progress(1.0)
    run = db.runner(config, db.token(config))  # the warehouse as the loads left it
    for name, outcome in outcomes:
        text = tr("load.done", name=name, status=label("load_status", outcome.status, lg),
                  message=message_text(outcome.message.splitlines()[0][:500], lg) if outcome.message else "")
        (st.success if outcome.state == "done" else st.error)(text)
        load_id = getattr(outcome.result, "load_id", None)
        if load_id:
            released = run("SELECT count(*) AS n FROM meta.quarantine WHERE released_by_load_id = ?", [load_id])
            if released["n"][0]:
                log("release", detail=f"{name}: load {load_id}", rows=int(released["n"][0]))
    st.subheader(tr("load.quality"))
    tables = {(s, n) for s, n in queries.meta_tables(run).iter_rows()}
    st.caption(ui.gate_status(ui.Context(lg, config, db.token(config), "ready", run=run, tables=tables)))
    if queries.has_quality_tables(tables):
        failing = queries.dq_failing(run)
        if failing.height:
            ui.table(failing, "load_dq_failing")
