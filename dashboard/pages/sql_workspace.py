"""SQL workspace: an editor (run with the button or Ctrl+Enter), a paged result with row count and time, a quick
chart, CSV / Parquet / XLSX downloads, the schema with its comments, example queries, saved queries and the
history. Every run goes through pipelines/sandbox.py (read-only, locked, one statement, time and row limits)."""

from __future__ import annotations

import threading

import plotly.express as px
import polars as pl
import streamlit as st

from dashboard import auth, ui
from dashboard.i18n_workspace import t
from pipelines import accounts, sandbox

ctx = ui.page_context(needs_data=False)
auth.require("analyst")  # a viewer's link to this page stops here (docs/security.md)
log = auth.recorder()


@st.cache_resource(show_spinner=False)
def _sandbox_server() -> bool:
    """Start the sandbox's fork server once per dashboard process, in the background, when the workspace is first
    opened: the first query then does not wait ~1 s for it (pipelines/sandbox.py)."""
    threading.Thread(target=sandbox.warm_up, daemon=True, name="sandbox-warm-up").start()
    return True


_sandbox_server()
lg, config = ctx.lang, ctx.config


def tr(key: str, **values: object) -> str:
    return t(key, lg, **values)


EDITOR = "sqlws_editor"
RESULT = "sqlws_result"
ROW_CAPS = (1_000, 10_000, 100_000)
CHARTS = ("bar", "line", "scatter", "area", "box", "histogram")


def load(sql: str) -> None:
    """Button callback: put a query into the editor (before the widget is drawn on the rerun)."""
    st.session_state[EDITOR] = sql


if EDITOR not in st.session_state:
    st.session_state[EDITOR] = sandbox.EXAMPLES["breaches_by_site"][2]

st.title(tr("ws.title"))
st.caption(tr("ws.intro", timeout=f"{sandbox.DEFAULT_TIMEOUT_S:g}", cap=f"{max(ROW_CAPS):,}"))

main, side = st.columns([3, 2], gap="large")

# ------------------------------------------------------------------ side: schema, examples, saved, history
with side:
    schema_tab, examples_tab, saved_tab, history_tab = st.tabs(
        [tr("ws.schema"), tr("ws.examples"), tr("ws.saved"), tr("ws.history")])
    with schema_tab:
        try:
            objects = sandbox.schema_objects(config)
            columns = sandbox.schema_columns(config)
        except Exception as exc:  # noqa: BLE001 (an unreadable warehouse shows as a message)
            st.warning(str(exc).splitlines()[0])
            objects = columns = None
        if objects is not None and objects.height:
            names = [f"{s}.{n}" for s, n in objects.select("schema_name", "object_name").iter_rows()]
            comments = dict(zip(names, objects["comment"].to_list()))
            kinds = dict(zip(names, objects["kind"].to_list()))
            default = "metrics.ticket_kpis" if "metrics.ticket_kpis" in names else names[0]
            picked = st.selectbox(tr("ws.schema.pick"), names, index=names.index(default),
                                  format_func=lambda n: f"{n} ({kinds[n]})", key="sqlws_schema_pick")
            if comments.get(picked):
                st.caption(comments[picked].replace("*", "\\*").replace("_", "\\_"))
            schema_name, object_name = picked.split(".", 1)
            cols = columns.filter((pl.col("schema_name") == schema_name) & (pl.col("object_name") == object_name))
            st.dataframe(cols.select("column_name", "data_type", pl.col("comment").fill_null("")).rename(
                {"column_name": tr("col.column_name"), "data_type": tr("col.data_type"),
                 "comment": tr("ws.col.description")}),
                hide_index=True, width="stretch", height=320, key="sqlws_schema_columns")
            st.button(tr("ws.schema.insert"), key="sqlws_schema_query", on_click=load,
                      args=(f"SELECT *\nFROM {picked}\nLIMIT 100",), icon=":material/input:")
            with st.expander(tr("ws.schema")):
                st.dataframe(objects.rename({c: tr("ws.col.description" if c == "comment" else f"col.{c}")
                                             for c in objects.columns}), hide_index=True,
                             width="stretch", key="sqlws_schema_objects")
    with examples_tab:
        keys = list(sandbox.EXAMPLES)
        key = st.selectbox(tr("ws.examples.pick"), keys, key="sqlws_example",
                           format_func=lambda k: sandbox.EXAMPLES[k][1 if lg == "zh" else 0])
        st.code(sandbox.EXAMPLES[key][2], language="sql")
        st.button(tr("ws.load"), key="sqlws_example_load", on_click=load, args=(sandbox.EXAMPLES[key][2],),
                  icon=":material/input:")
    with saved_tab:
        with st.form("sqlws_save", clear_on_submit=True, border=False):
            name = st.text_input(tr("ws.saved.name"))
            note = st.text_input(tr("ws.saved.description"))
            if st.form_submit_button(tr("ws.saved.save"), icon=":material/save:"):
                try:
                    sandbox.save_query(config, name, st.session_state.get(EDITOR, ""), note)
                    st.success(tr("ws.saved.done", name=name.strip()))
                except (ValueError, OSError) as exc:
                    st.warning(str(exc))
        saved = sandbox.saved_queries(config)
        if not saved:
            st.caption(tr("ws.saved.none"))
        else:
            by_name = {q.name: q for q in saved}
            pick = st.selectbox(tr("ws.saved.pick"), list(by_name), key="sqlws_saved_pick")
            query = by_name[pick]
            if query.description:
                st.caption(query.description)
            st.code(query.sql, language="sql")
            c1, c2 = st.columns(2)
            c1.button(tr("ws.load"), key="sqlws_saved_load", on_click=load, args=(query.sql,),
                      icon=":material/input:")
            if c2.button(tr("ws.saved.delete"), key="sqlws_saved_delete", icon=":material/delete:"):
                sandbox.delete_query(config, pick)
                st.rerun()
        st.caption(tr("ws.saved.where", path=str(config.state_dir)))
    with history_tab:
        entries = sandbox.history(config, limit=50)
        if not entries:
            st.caption(tr("ws.history.none"))
        else:
            frame = pl.DataFrame([{"ran_at": e.ran_at.replace("T", " ").split("+")[0], "status": e.status,
                                   "rows": e.rows, "elapsed_s": e.elapsed_s, "sql": e.sql} for e in entries])
            st.caption(tr("ws.history.pick"))
            chosen = st.dataframe(frame.rename({c: tr(f"col.{c}") for c in frame.columns}), hide_index=True,
                                  width="stretch", height=320, on_select="rerun", selection_mode="single-row",
                                  key="sqlws_history")
            rows = chosen.selection.rows if chosen is not None and hasattr(chosen, "selection") else []
            if rows:
                st.code(entries[rows[0]].sql, language="sql")
                st.button(tr("ws.load"), key="sqlws_history_load", on_click=load, args=(entries[rows[0]].sql,),
                          icon=":material/input:")

# ------------------------------------------------------------------ main: editor and result
with main:
    with st.form("sqlws_run", border=False, enter_to_submit=False):
        st.text_area(tr("ws.editor"), key=EDITOR, height=220, placeholder=tr("ws.editor.placeholder"))
        c1, c2, c3 = st.columns([2, 2, 2], vertical_alignment="bottom")
        run_clicked = c1.form_submit_button(tr("ws.run"), type="primary", icon=":material/play_arrow:",
                                            shortcut="Ctrl+Enter")
        cap = c2.selectbox(tr("ws.row_cap"), ROW_CAPS, index=1, format_func=lambda n: f"{n:,}",
                           key="sqlws_cap")
        timeout = c3.number_input(tr("ws.timeout"), min_value=1.0, max_value=300.0,
                                  value=float(sandbox.DEFAULT_TIMEOUT_S), step=5.0, key="sqlws_timeout")
    if run_clicked:
        try:
            # a site-scoped account's statement reads its sites only, in the sandbox (pipelines/accounts.py)
            ran = st.session_state[RESULT] = sandbox.run_query(
                accounts.scoped_config(config, ctx.scope), st.session_state.get(EDITOR, ""),
                timeout_s=float(timeout), row_cap=int(cap), source="dashboard")
            log("sql", detail=ran.sql, rows=ran.rows, duration_s=ran.elapsed_s, ok=ran.ok)
        except FileNotFoundError:
            ui.empty_state(ctx)
            st.stop()
        st.session_state["sqlws_page"] = 1

    result: sandbox.QueryResult | None = st.session_state.get(RESULT)
    st.subheader(tr("ws.result"))
    if result is None:
        st.caption(tr("ws.no_result"))
    elif not result.ok:
        detail = f" · {result.error_type}" if result.status == sandbox.ERROR else ""
        st.error(f"**{tr('ws.status.' + result.status)}**{detail}")
        if result.line and result.column:
            st.caption(tr("ws.position", line=result.line, column=result.column))
        elif result.line:
            st.caption(tr("ws.position_line", line=result.line))
        st.code(result.message, language=None)
    else:
        frame = result.frame
        st.caption(tr("ws.rows", rows=f"{result.rows:,}", elapsed=f"{result.elapsed_s:.2f}"))
        if result.truncated:
            st.warning(tr("ws.truncated", cap=f"{result.row_cap:,}"), icon=":material/content_cut:")
        p1, p2 = st.columns(2)
        size = p1.selectbox(tr("ws.page_size"), (100, 500, 1000), key="sqlws_page_size")
        pages = max(1, -(-frame.height // size))
        page = p2.number_input(tr("ws.page"), min_value=1, max_value=pages, step=1, key="sqlws_page")
        first = (int(page) - 1) * size
        st.dataframe(frame.slice(first, size), hide_index=True, width="stretch", key="sqlws_result")
        st.caption(tr("ws.page_of", first=f"{min(first + 1, frame.height):,}",
                      last=f"{min(first + size, frame.height):,}", rows=f"{frame.height:,}"))

        def logged(export, name: str):
            """The export's bytes, built when clicked; the download goes into the audit log."""
            return lambda: (log("download", detail=name, rows=frame.height), export(frame))[1]

        d1, d2, d3 = st.columns(3)

        d1.download_button(tr("ws.download_csv"), logged(sandbox.to_csv_bytes, "query.csv"), file_name="query.csv",
                           mime="text/csv", on_click="ignore", icon=":material/download:",
                           help=tr("ws.download.help"), key="sqlws_csv")
        d2.download_button(tr("ws.download_parquet"), logged(sandbox.to_parquet_bytes, "query.parquet"),
                           file_name="query.parquet", mime="application/octet-stream", on_click="ignore",
                           icon=":material/download:", key="sqlws_parquet")
        d3.download_button(tr("ws.download_xlsx"), logged(sandbox.to_xlsx_bytes, "query.xlsx"),
                           file_name="query.xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           on_click="ignore", icon=":material/download:", key="sqlws_xlsx")

        with st.expander(tr("ws.chart"), expanded=False, icon=":material/bar_chart:"):
            if not frame.columns:
                st.caption(tr("ws.chart.need_columns"))
            else:
                scalar = [c for c, dt in frame.schema.items() if not dt.is_nested()]
                numeric = [c for c, dt in frame.schema.items() if dt.is_numeric()]
                k1, k2, k3, k4 = st.columns(4)
                kind = k1.selectbox(tr("ws.chart.type"), CHARTS, format_func=lambda c: tr(f"ws.chart.{c}"),
                                    key="sqlws_chart_kind")
                x = k2.selectbox(tr("ws.chart.x"), scalar, key="sqlws_chart_x")
                y_options = numeric or scalar
                y = k3.selectbox(tr("ws.chart.y"), y_options, index=min(1, len(y_options) - 1) if
                                 y_options and y_options[0] == x and len(y_options) > 1 else 0,
                                 key="sqlws_chart_y", disabled=kind == "histogram")
                none = tr("ws.chart.none")
                colour = k4.selectbox(tr("ws.chart.colour"), [none, *scalar], key="sqlws_chart_colour")
                data = frame.select(list(dict.fromkeys(c for c in (x, y, None if colour == none else colour)
                                                       if c)))
                colour_arg = None if colour == none else colour
                try:
                    if kind == "histogram":
                        fig = px.histogram(data, x=x, color=colour_arg)
                    else:
                        fig = getattr(px, kind)(data, x=x, y=y, color=colour_arg)
                    ui.chart(fig, "query_chart")
                except Exception as exc:  # noqa: BLE001 (a column that cannot be drawn this way)
                    st.warning(str(exc).splitlines()[0])
