"""Sections drawn only when asked (issue 13 target 4): a toggle whose state is part of the shared link
(`?<page>_<name>=1`), so a page's first drawing does not wait for its heaviest figures and queries, and a link can
open them. The section's queries run only while the toggle is on (test: tests/test_dashboard_app.py)."""

from __future__ import annotations

import streamlit as st

from dashboard import ui

ON = "1"


def _store(name: str, wkey: str) -> None:
    key = ui._page_key(name)
    if st.session_state.get(wkey):
        st.query_params[key] = ON
    elif key in st.query_params:
        del st.query_params[key]


def toggle(label_text: str, name: str, help: str | None = None) -> bool:
    """A toggle of the page, off unless the link says `<page>_<name>=1`; `label_text` is translated (tr)."""
    wkey = f"w_{ui._page_key(name)}"
    ui._show(wkey, st.query_params.get(ui._page_key(name)) == ON)
    return st.toggle(label_text, key=wkey, help=help, on_change=_store, args=(name, wkey))
