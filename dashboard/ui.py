"""Layout shared by every page: the run context, URL-bound state, the sidebar, tables with downloads, sections.

app.py calls `start()` (language, configuration, warehouse version, filters; the sidebar) before running the page;
pages call `page_context()` and lay out sections with `section()`, `table()`, `chart()`.

State and the URL: the global filters and the language live in `st.session_state["_sqd"]`, seeded once per
session from the query string and written back to it on every run, so a copied link reproduces the view (page
path, filters, language and the page's own selections). Widgets read that state through their keys; values the
data no longer has (a site that disappeared, a date outside the data) are dropped, never raised as errors.
"""

from __future__ import annotations

import runpy
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard import auth, db, queries
from dashboard.charts import localise_dates
from dashboard.i18n import LANGUAGES, duration, label, t
from dashboard.queries import DIMENSIONS, Filters, Run
from pipelines import clock, sandbox, weekly
from pipelines.config import Config, ConfigError, load_config
from pipelines.weekly import fmt_pct  # noqa: F401 (pages format rates with ui.fmt_pct)

STATE = "_sqd"
APP = str(Path(__file__).with_name("app.py"))
URL_NAMES = {"site": "site", "department": "dept", "channel": "channel", "ticket_type": "type",
             "category": "cat", "priority": "prio", "product": "product"}
GLOBAL_PARAMS = {"lang", "from", "to", *URL_NAMES.values()}
# dimension values shown translated (codes of the canonical model); other dimensions are names from the data
CODED_COLUMNS = {"channel": "channel", "ticket_type": "ticket_type", "priority": "priority",
                 "department": "department", "product": "product", "category": "category", "target": "target",
                 "age_bucket": "age_bucket", "stage": "stage", "disposition": "disposition", "calendar": "calendar",
                 "status": "status", "sla_status": "sla_status", "group": "group", "defect_type": "defect_type",
                 "signal": "signal", "complaint_grade": "complaint_grade", "dataset": "dataset",
                 "rate": "rate", "outcome": "outcome", "run_outcome": "outcome", "severity": "severity",
                 "kind": "kind", "column_name": "check_column"}
MONEY_COLUMNS = {"cost", "total_cost", "in_warranty_cost", "material_cost", "labour_cost", "discount_cost",
                 "external_cost"}
CODED_DIMENSIONS = {"department", "channel", "ticket_type", "category", "priority", "product"}


@dataclass
class Context:
    lang: str
    config: Config | None
    token: db.Token
    state: str                               # "ready", "empty" (warehouse without rows), "missing", "error"
    run: Run | None = None
    filters: Filters = field(default_factory=Filters)
    tables: set[tuple[str, str]] = field(default_factory=set)
    message: str = ""
    session: auth.Session = field(default_factory=lambda: auth.Session(auth.LOCAL, local=True))

    @property
    def user(self) -> str:
        return self.session.user

    @property
    def role(self) -> str:
        return self.session.role

    @property
    def scope(self) -> tuple[str, ...] | None:
        """The sites the signed-in account may see (None: all); its queries read only those (auth.runner)."""
        return self.session.scope

    def tr(self, key: str, **kwargs: object) -> str:
        """Translate into this run's language (safe inside format functions called after the run)."""
        return t(key, self.lang, **kwargs)

    @property
    def targets(self) -> dict[str, float]:
        return self.config.targets if self.config else {}


def lang() -> str:
    return st.session_state.get(STATE, {}).get("lang", "en")


def tr(key: str, **kwargs: object) -> str:
    """Translate for the current session's language."""
    return t(key, lang(), **kwargs)


# ------------------------------------------------------------------ URL state

def _url_state() -> dict:
    """Global state seeded from the query string, once per session."""
    if STATE not in st.session_state:
        qp = st.query_params
        state: dict = {"lang": qp.get("lang") if qp.get("lang") in LANGUAGES else "en", "dates": None}
        try:
            start, end = date.fromisoformat(qp.get("from", "")), date.fromisoformat(qp.get("to", ""))
            state["dates"] = (min(start, end), max(start, end))
        except ValueError:
            pass
        for dim, name in URL_NAMES.items():
            state[dim] = list(dict.fromkeys(qp.get_all(name)))
        st.session_state[STATE] = state
    return st.session_state[STATE]


def _sync_url(page_prefix: str) -> None:
    """Write the global state into the query string; keep the current page's own parameters."""
    state = st.session_state[STATE]
    wanted: dict[str, str | list[str]] = {}
    if state["lang"] != "en":
        wanted["lang"] = state["lang"]
    if state.get("dates"):
        wanted["from"], wanted["to"] = state["dates"][0].isoformat(), state["dates"][1].isoformat()
    for dim, name in URL_NAMES.items():
        if state.get(dim):
            wanted[name] = list(state[dim])
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    for key, values in current.items():
        if key.startswith(page_prefix) and key not in GLOBAL_PARAMS:
            wanted[key] = values if len(values) > 1 else values[0]
    normal = {k: v if isinstance(v, list) else [v] for k, v in wanted.items()}
    if normal != current:
        st.query_params.from_dict(wanted)


def _show(wkey: str, value: object) -> None:
    """Make a widget show `value`: set on every run before the widget is drawn. A user's change has already
    reached the state through on_change, so this never undoes it, and the value survives Streamlit giving the
    widget a new identity (another page, or the first run of a server process; see page_context)."""
    st.session_state[wkey] = value


def _page_key(name: str) -> str:
    return f"{st.session_state.get('_sqd_page', '')}_{name}"


def _store_page_param(name: str, wkey: str, default: str | None) -> None:
    """on_change: the widget's new value goes into the query string (the page parameters' only store)."""
    key, value = _page_key(name), st.session_state.get(wkey)
    value = value.strip() if isinstance(value, str) else value
    if value is None or value == "" or value == default:
        if key in st.query_params:
            del st.query_params[key]
    else:
        st.query_params[key] = value


def url_selectbox(name: str, label_text: str, options: Sequence[str], default: str | None = None,
                  format_func: Callable[[str], str] = str, help: str | None = None) -> str | None:
    """A selectbox of the page whose value is part of the shared link (`?<page>_<name>=value`)."""
    if not options:
        return None
    default = default if default in options else options[0]
    wkey = f"w_{_page_key(name)}"
    linked = st.query_params.get(_page_key(name))
    _show(wkey, linked if linked in options else default)
    return st.selectbox(label_text, options, key=wkey, format_func=format_func, help=help,
                        on_change=_store_page_param, args=(name, wkey, default))


def url_text(name: str, label_text: str, placeholder: str = "") -> str:
    """A text input of the page whose value is part of the shared link."""
    wkey = f"w_{_page_key(name)}"
    _show(wkey, st.query_params.get(_page_key(name), ""))
    return st.text_input(label_text, key=wkey, placeholder=placeholder, on_change=_store_page_param,
                         args=(name, wkey, None))


# ------------------------------------------------------------------ start: context and sidebar

def _run_marker() -> object | None:
    """An object that is new in every script run (the run context's cursor table)."""
    ctx = get_script_run_ctx()
    return ctx.cursors if ctx is not None else None


def _store(name: str, wkey: str) -> None:
    """on_change of a sidebar widget: its value becomes the session's state (and so the link's)."""
    value = st.session_state.get(wkey)
    if name == "dates":
        if _valid_range(value):
            st.session_state[STATE]["dates"] = (value[0], value[1])  # type: ignore[index]
    elif name == "lang":
        st.session_state[STATE]["lang"] = value if value in LANGUAGES else "en"
    else:
        st.session_state[STATE][name] = list(value or [])


def start(session: auth.Session | None = None) -> Context:
    """Language, configuration, warehouse version and filters for this run; draws the shared sidebar. `session`:
    the signed-in account (auth.gate); a site-scoped one reads through its own connection (auth.runner).

    Widgets show the session's state (set before each widget is drawn) and write a user's change back through
    on_change, so the state survives page switches and language changes whatever Streamlit does with widget
    identities across pages."""
    st.session_state["_shell_run"] = _run_marker()
    state = _url_state()
    _show("w_lang", state["lang"])
    with st.sidebar:
        st.radio(t("sidebar.language", state["lang"]), list(LANGUAGES), key="w_lang", horizontal=True,
                 format_func=lambda code: LANGUAGES[code], on_change=_store, args=("lang", "w_lang"))
    lg = state["lang"]
    session = session or auth.Session(auth.LOCAL, local=True)
    try:
        config = load_config()
    except ConfigError as exc:
        return Context(lg, None, None, "error", message=str(exc), session=session)
    tok = db.token(config)
    if tok is None:
        ctx = Context(lg, config, None, "missing", session=session)
        _sidebar_status(ctx, None)
        return ctx
    try:
        run = auth.runner(config, tok, session.scope) if session.scope else db.runner(config, tok)
        tables = {(s, n) for s, n in queries.meta_tables(run).iter_rows()}
        status = db.status(config, tok)
    except duckdb.Error as exc:
        return Context(lg, config, tok, "error", message=str(exc), session=session)
    ready = status.height > 0 and int(status["rows"].sum()) > 0
    ctx = Context(lg, config, tok, "ready" if ready else "empty", run=run, tables=tables, session=session)
    if ready:
        ctx.filters = _sidebar_filters(ctx, state)
    _sidebar_status(ctx, status)
    return ctx


def _sidebar_filters(ctx: Context, state: dict) -> Filters:
    assert ctx.run is not None
    options = queries.dimension_values(ctx.run)
    bounds = queries.date_bounds(ctx.run)
    first, last = bounds["first_date"][0], bounds["last_date"][0]
    default = queries.default_period(ctx.run, clock.today(ctx.config.timezone))
    lg = ctx.lang
    with st.sidebar:
        st.header(t("sidebar.filters", lg))
        start = end = None
        if first is not None and last is not None:
            dates = state.get("dates")
            if not dates:
                dates = default
            lo, hi = min(first, dates[0]), max(last, dates[1])
            state["dates"] = dates
            # the range is the widget's default (a new widget identity shows the state); its own value is only
            # replaced when the state moved elsewhere (reset, a link), never in the middle of picking a range
            shown = st.session_state.get("w_dates")
            if _valid_range(shown) and tuple(shown) != tuple(dates):  # type: ignore[arg-type]
                st.session_state["w_dates"] = tuple(dates)
            st.date_input(t("filter.dates", lg), value=tuple(dates), key="w_dates", min_value=lo, max_value=hi,
                          format="YYYY-MM-DD",
                          help=t("filter.dates.help", lg), on_change=_store, args=("dates", "w_dates"))
            start, end = dates
        chosen: dict[str, tuple[str, ...]] = {}
        outside: list[str] = []
        for dim in DIMENSIONS:
            values = options.filter(pl.col("dimension") == dim)["value"].to_list()
            key = f"w_{dim}"
            if dim == "site" and ctx.scope:  # a link's sites outside the account's scope stay in the filter (they
                outside = [v for v in state.get(dim, []) if v not in values]  # select nothing) and are named
            state[dim] = [v for v in state.get(dim, []) if v in values]  # values the data no longer has: gone
            _show(key, list(state[dim]))
            fmt = (lambda v, d=dim: label(d, v, lg)) if dim in CODED_DIMENSIONS else str
            st.multiselect(t(f"dim.{dim}", lg), values, key=key, format_func=fmt, placeholder=t("filter.all", lg),
                           on_change=_store, args=(dim, key))
            if values and len(state[dim]) < len(values):
                st.button(t("filter.select_all", lg), key=f"w_all_{dim}", on_click=_select_all, args=(dim, values),
                          type="tertiary", icon=":material/select_all:")
            chosen[dim] = tuple(state[dim])
        if any(chosen.values()) or (start, end) != tuple(default):
            st.button(t("filter.reset", lg), on_click=_reset_filters, key="w_reset")
    if outside:
        st.warning(t("auth.scope_outside", lg, scope=", ".join(ctx.scope or ()), sites=", ".join(outside)),
                   icon=":material/lock:")
        chosen["site"] = (*outside, *chosen["site"])
        state["site"] = [*outside, *state["site"]]
    return Filters(start=start, end=end, **chosen)


def _select_all(dim: str, values: list[str]) -> None:
    """on_click of a filter's "Select all": every value of the dimension (the link lists them all)."""
    st.session_state[STATE][dim] = list(values)


def _valid_range(value: object) -> bool:
    return isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, date) for v in value)


def _reset_filters() -> None:
    state = st.session_state[STATE]
    state["dates"] = None
    for dim in DIMENSIONS:
        state[dim] = []


def _sidebar_status(ctx: Context, status: pl.DataFrame | None) -> None:
    """Freshness (last load, newest record) and the data-quality gate, on every page."""
    lg = ctx.lang
    with st.sidebar:
        st.divider()
        st.subheader(t("fresh.title", lg))
        last_load = status["last_load_at"].max() if status is not None and status.height else None
        newest = status["newest_record_at"].max() if status is not None and status.height else None
        st.caption(t("fresh.last_load", lg, value=fmt_ts(last_load)))
        ages = status["newest_record_age_days"].drop_nulls() if status is not None and status.height else None
        age = int(ages.min()) if ages is not None and ages.len() else None
        st.caption(t("fresh.newest", lg, value=fmt_ts(newest)) + (t("fresh.age", lg, days=age) if age is not None
                                                                  else ""))
        gate = gate_status(ctx)
        st.caption(gate)
        years = calendar_years(ctx)
        if years:
            st.caption(t("calendar.approximate_short", lg, years=", ".join(map(str, years))))


def calendar_years(ctx: Context) -> list[int]:
    """The years in use whose working days are approximate (no official schedule: pipelines/status.py)."""
    if ctx.run is None or ("metrics", "clock") not in ctx.tables:
        return []
    try:
        return queries.approximate_calendar_years(ctx.run)
    except duckdb.Error:
        return []


def calendar_warning(ctx: Context) -> None:
    """The approximate working days in full, with what to do (the Data quality page)."""
    years = calendar_years(ctx)
    if years:
        from pipelines.calendar import OFFICIAL_YEARS   # chinese-calendar's data: imported where shown
        path = str(ctx.config.calendar_overrides) if ctx.config else "data/calendar_overrides.csv"
        st.warning(t("calendar.approximate", ctx.lang, years=", ".join(map(str, years)),
                     last_official=OFFICIAL_YEARS[-1], path=path), icon=":material/event_busy:")


def verdict(met: bool | None) -> dict[str, object]:
    """st.metric's delta for a rate against its target: "target met" / "target missed" in the theme's good / bad
    colours (blue / vermillion), without an arrow (a verdict, not a direction: a missed minimum is below it, a
    missed maximum above), or none when either is unknown. `met`: the caller's comparison."""
    if met is None:
        return {"delta": None}
    return {"delta": tr("target.met" if met else "target.missed"), "delta_color": "normal" if met else "inverse",
            "delta_arrow": "off"}


def at_least(rate: float | None, target: float | None) -> bool | None:
    return None if rate is None or target is None else rate >= target


def at_most(rate: float | None, target: float | None) -> bool | None:
    return None if rate is None or target is None else rate <= target


def gate_status(ctx: Context) -> str:
    """One line on the data-quality gate: the newest suite run's outcome and the rows in quarantine."""
    lg = ctx.lang
    if ctx.run is None:
        return t("dq.none", lg)
    try:
        if queries.has_quality_tables(ctx.tables):
            gate = queries.gate_summary(ctx.run)
            if gate.height:
                row = gate.row(0, named=True)
                return t("dq.line", lg, status=label("outcome", row["outcome"], lg),
                         dataset=label("dataset", row["dataset"], lg), when=fmt_ts(row["finished_at"]),
                         failed=fmt_int(row["checks_failed"]), checks=fmt_int(row["checks_run"]),
                         quarantined=fmt_int(row["quarantined_rows"]), refused=fmt_int(row["refused_loads"]))
        elif ("meta", "load_log") in ctx.tables:  # a warehouse from before the expectation suites
            gate = queries.last_gate(ctx.run)
            if gate.height:
                row = gate.row(0, named=True)
                return t("dq.line_loads", lg, status=label("load_status", row["status"], lg),
                         when=fmt_ts(row["finished_at"]), quarantined=fmt_int(row["quarantined_rows"]),
                         refused=fmt_int(row["refused_loads"]))
    except duckdb.Error:
        pass
    return t("dq.none", lg)


# ------------------------------------------------------------------ pages

def finish(ctx: Context, page) -> None:
    """After st.navigation: remember the page and bring the query string up to date (before the page runs,
    so a page that stops early still leaves a correct link)."""
    prefix = (getattr(page, "url_path", "") or "overview")
    st.session_state["_sqd_page"] = prefix
    st.session_state["_ctx"] = ctx
    if STATE in st.session_state:
        _sync_url(prefix + "_")


def page_context(needs_data: bool = True) -> Context:
    """The run's context for a page; shows the empty state and stops the page when there is nothing to show."""
    if st.session_state.get("_shell_run") is not _run_marker():
        # Streamlit ran this page file without app.py. Because a folder named pages/ sits beside app.py, the
        # first script run of a server process takes Streamlit's legacy multipage path, which runs a page
        # requested by URL (a shared link) directly. Run the app instead: its sidebar and st.navigation, which
        # runs this page again inside the shell; then end this outer run.
        runpy.run_path(APP, run_name="__main__")
        st.stop()
    ctx: Context = st.session_state["_ctx"]
    if ctx.state == "ready" or (not needs_data and ctx.state == "empty"):
        return ctx
    empty_state(ctx)
    st.stop()
    raise AssertionError("unreachable")


def empty_state(ctx: Context) -> None:
    lg = ctx.lang
    if ctx.state == "error":
        st.error(t("empty.error", lg, message=ctx.message))
        return
    st.info(t("empty.title", lg), icon=":material/database:")
    st.markdown(t("empty.body", lg,
                  path=str(ctx.config.warehouse_path) if ctx.config else "data/warehouse.duckdb"))
    st.code("sqd demo\nsqd ingest FILE.csv", language="bash")


def applies(view: str) -> None:
    """Caption naming the global filters that apply to a section's view."""
    names = [tr("filter.dates") if f == "date" else tr(f"dim.{f}") for f in queries.applied_filters(view)]
    st.caption(tr("filter.applies", names=", ".join(names) if names else tr("filter.none")))


@contextmanager
def section(title_key: str, view: str | None = None, help_key: str | None = None) -> Iterator[None]:
    """A titled section; a query error shows a warning inside it instead of a traceback for the page."""
    st.subheader(tr(title_key), help=tr(help_key) if help_key else None)
    if view:
        applies(view)
    try:
        yield
    except duckdb.Error as exc:
        st.warning(tr("section.error", message=str(exc).splitlines()[0]))


def no_data(frame: pl.DataFrame | None) -> bool:
    """True (and a note shown) when a result has no rows."""
    if frame is None or frame.height == 0:
        st.info(tr("section.no_data"))
        return True
    return False


def table(frame: pl.DataFrame, name: str, column_config: dict | None = None, height: int | str = "auto",
          on_select: str = "ignore", key: str | None = None, hide_index: bool = True, caption: str | None = None,
          collapsed: bool = False):
    """A table with a CSV download button (the SQL workspace's export: UTF-8 with BOM, so spreadsheet programs
    read Chinese, and formula-like text neutralised). `collapsed` puts the data behind a chart into an expander."""
    if collapsed:
        with st.expander(tr("table.show_data")):
            return table(frame, name, column_config, height, on_select, key, hide_index, caption)
    if frame.height == 0:
        # Streamlit's own placeholder for a table without rows is the English word "empty", and its download an
        # empty file: say it in the page's language instead (nothing to select: callers of on_select get None)
        st.caption(tr("table.no_rows"))
        return None
    if frame.height <= 10:
        height = "auto"
    lg = lang()
    session = auth.current()
    if session.masked:  # a viewer: customer ids, phone numbers and names in comments masked (table and download)
        frame = auth.mask_frame(frame)
    headers: dict[str, str] = {}
    for c in frame.columns:  # translated headers; a clash keeps the column's own name beside it
        text = t(f"col.{c}", lg)
        headers[c] = text if text not in headers.values() else f"{text} ({c})"
    coded = [c for c in frame.columns if c in CODED_COLUMNS and frame.schema[c] == pl.Utf8]
    if coded:  # codes of the canonical model (channel 'phone', target 'on_site'...) by their names
        frame = frame.with_columns(
            pl.col(c).replace_strict({v: label(CODED_COLUMNS[c], v, lg) for v in frame[c].unique().to_list()
                                      if v is not None}, default=pl.col(c)) for c in coded)
    percent = {c for c, v in (column_config or {}).items()
               if isinstance(v, dict) and v.get("type_config", {}).get("format") == "percent"}
    frame = readable(frame, percent)
    column_config = {c: v for c, v in (column_config or {}).items() if frame.schema.get(c) != pl.Utf8 or
                     c not in percent}
    shown = frame.rename(headers)
    config: dict = {}
    for c, dtype in frame.schema.items():
        if dtype == pl.Date:
            config[c] = st.column_config.DateColumn(format="YYYY-MM-DD")
        elif isinstance(dtype, pl.Datetime):
            config[c] = st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")
        elif c in MONEY_COLUMNS:
            config[c] = st.column_config.NumberColumn(format="¥%.2f")
        elif dtype == pl.Float64:
            config[c] = st.column_config.NumberColumn(format="%.2f")
    config.update(column_config or {})
    kwargs: dict = {"hide_index": hide_index, "height": height, "width": "stretch",
                    "column_config": {headers.get(k, k): v for k, v in config.items()}}
    if on_select != "ignore":
        kwargs.update(on_select=on_select, selection_mode="single-row")
    result = st.dataframe(shown, key=key or element_key("table", name), **kwargs)
    if caption:
        st.caption(caption)
    # The SQL workspace's export: BOM for spreadsheet programs, formula-like text (a comment "=HYPERLINK(...)")
    # neutralised; built only when clicked.
    if session.masked and auth.row_level(list(frame.columns)):
        st.caption(tr("auth.no_row_download"))
        return result
    log = auth.recorder()
    st.download_button(tr("table.download"), lambda: _download(shown, name, log), file_name=f"{name}.csv",
                       mime="text/csv", key=element_key("dl", name), icon=":material/download:", on_click="ignore")
    return result


def _download(frame: pl.DataFrame, name: str, log) -> bytes:
    """A table's CSV, built when its button is clicked; the download goes into the audit log."""
    log("download", detail=f"{name}.csv", rows=frame.height)
    return sandbox.to_csv_bytes(frame)


def element_key(kind: str, name: str) -> str:
    """A stable widget key for an element of this run: `<kind>_<page>_<name>`, with `_2`, `_3`... when a page draws
    the same name twice. Streamlit's auto-generated ids hash an element's content, so two elements with the same
    content (two empty charts under a narrow filter) would clash; an explicit key never does."""
    marker = _run_marker()
    if marker is None:  # outside a script run (a unit test calling ui.table): nothing to clash with
        return f"{kind}_{name}"
    if st.session_state.get("_sqd_keys_run") is not marker:
        st.session_state["_sqd_keys_run"] = marker
        st.session_state["_sqd_keys"] = set()
    used: set[str] = st.session_state["_sqd_keys"]
    base = f"{kind}_{st.session_state.get('_sqd_page', '')}_{name}"
    key, n = base, 1
    while key in used:
        n += 1
        key = f"{base}_{n}"
    used.add(key)
    return key


def readable(frame: pl.DataFrame, percent: set[str] = frozenset()) -> pl.DataFrame:  # type: ignore[assignment]
    """What a table shows for missing values: "—", never `None`. A column with gaps becomes text (dates and
    times formatted, floats rounded to 2 decimals, `percent` columns as "12.3 %"); whole columns keep their type
    and number formats."""
    gaps = [c for c in frame.columns if frame[c].null_count() and frame.schema[c] != pl.Boolean
            and not frame.schema[c].is_nested()]
    if not gaps:
        return frame

    def text(c: str) -> pl.Expr:
        dtype = frame.schema[c]
        if dtype == pl.Date:
            expr = pl.col(c).dt.strftime("%Y-%m-%d")
        elif isinstance(dtype, pl.Datetime):
            expr = pl.col(c).dt.strftime("%Y-%m-%d %H:%M")
        elif c in percent:
            expr = (pl.col(c) * 100).round(1).cast(pl.Utf8) + " %"
        elif dtype.is_float():
            expr = pl.col(c).round(2).cast(pl.Utf8)
        else:
            expr = pl.col(c).cast(pl.Utf8)
        return expr.fill_null("—").alias(c)

    return frame.with_columns(text(c) for c in gaps)


def chart(fig, name: str) -> None:
    """A Plotly figure under a stable key named by the page (`name`), see element_key; date axes in the page's
    language."""
    localise_dates(fig, lang())
    st.plotly_chart(fig, theme="streamlit", config={"displaylogo": False, "responsive": True},
                    key=element_key("chart", name))


def percent_column() -> object:
    return st.column_config.NumberColumn(format="percent")


# ------------------------------------------------------------------ formatting

def fmt_pp(value: float | None, digits: int = 1, lg: str | None = None) -> str | None:
    """A change in percentage points with the language's unit word (the weekly pack's: "pp" / "个百分点")."""
    return None if value is None else weekly.fmt_pp(value, lg or lang(), digits)


def fmt_int(value: float | None) -> str:
    return "—" if value is None else f"{int(value):,}"


def fmt_num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def fmt_money(value: float | None) -> str:
    return "—" if value is None else f"¥{value:,.0f}"


def fmt_hours(minutes: float | None, lg: str | None = None) -> str:
    """A duration: minutes below two hours ("20 min" / "20 分钟"), hours above (see i18n.duration). Pass the
    language inside format functions (they may run after the script run)."""
    return duration(minutes, lg or lang())


def fmt_ts(value: object) -> str:
    if value is None:
        return "—"
    return value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "strftime") else str(value)
