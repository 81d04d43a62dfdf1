"""Entry point: `streamlit run dashboard/app.py`. The router and the shared sidebar (language, filters,
freshness and data-quality status); each page in dashboard/pages holds its layout only."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `streamlit run` from a checkout without install

from dashboard import auth, db, ui
from dashboard.i18n_workspace import t

# (script, title key, URL path, icon). The first page is the app's root URL. URL paths equal the file names on
# purpose: see ui.page_context for what Streamlit does with a pages/ folder beside this file.
PAGES = (
    ("pages/overview.py", "page.overview", "overview", ":material/dashboard:"),
    ("pages/sla.py", "page.sla", "sla", ":material/timer:"),
    ("pages/satisfaction.py", "page.satisfaction", "satisfaction", ":material/sentiment_satisfied:"),
    ("pages/defects.py", "page.defects", "defects", ":material/report:"),
    ("pages/contact_centre.py", "page.contact_centre", "contact_centre", ":material/support_agent:"),
    ("pages/hotline.py", "page.hotline", "hotline", ":material/call:"),
    ("pages/data_quality.py", "page.data_quality", "data_quality", ":material/fact_check:"),
    ("pages/weekly_review.py", "page.weekly_review", "weekly_review", ":material/event_note:"),
    ("pages/sql_workspace.py", "page.sql_workspace", "sql_workspace", ":material/terminal:"),
    ("pages/load_files.py", "page.load_files", "load_files", ":material/upload_file:"),
    ("pages/audit_log.py", "page.audit_log", "audit_log", ":material/policy:"),
)

st.set_page_config(layout="wide", page_icon=":material/monitoring:")
with db.visiting():  # the warmer waits while a visitor's run is in progress (dashboard/db.py)
    # sign-in (or localhost mode) before anything reads the warehouse; docs/security.md
    session = auth.gate([url for _, _, url, _ in PAGES])
    ctx = ui.start(session)
    st.set_page_config(page_title=t("app.title", ctx.lang))
    here = Path(__file__).parent
    page = st.navigation([  # only the pages the account's role may open (each page checks again)
        st.Page(here / path, title=t(title, ctx.lang), url_path=url, icon=icon, default=(i == 0))
        for i, (path, title, url, icon) in enumerate(PAGES) if auth.page_allowed(session, url)
    ])
    auth.sidebar(ctx.config, session, ctx.lang)
    ui.finish(ctx, page)
    page.run()
