"""Who may see what on the dashboard (issue 17, docs/security.md): sign-in, session timeout, roles, the site scope's
connection, masking for viewers, and the audit log's dashboard entries.

app.py calls `gate()` before anything reads the warehouse:

* No accounts file (or an empty one): localhost mode. The dashboard serves as before, every page, but only when
  Streamlit listens on a loopback address (a banner says so on every page); listening anywhere else it refuses to
  serve and says why.
* Accounts: until a session signs in, the only page is the sign-in form. Five failed sign-ins for one user name or
  from one browser session within 15 minutes refuse further tries for a while (pipelines/accounts.py, from the audit
  log, so a restart does not reset it). A signed-in session is re-read from the accounts file on every run (a removed
  account or a changed role applies at once) and signed out after `[accounts] timeout_minutes` without activity.

Roles: viewer (pages and the weekly pack, customer fields masked, aggregate downloads only), analyst (also the SQL
workspace and row-level downloads), admin (also the audit log, loading files and the weekly pack's notes).
`page_allowed` / `require` check a page's role; app.py lists only the pages a role may open.

A site-scoped account's queries run on their own connection (`runner`): an in-memory database whose `core`,
`metrics` and `meta` are views of the account's rows over the read-only warehouse (pipelines.accounts.attach_scoped),
so every page, the weekly pack and the sidebar read only its sites whatever SQL they send; the global filters also
carry the scope (queries.Filters.scope), so a `?site=` outside it selects nothing.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import timedelta

import duckdb
import polars as pl
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard.connections import Connections
from dashboard.i18n import t
from pipelines import accounts, audit, clock
from pipelines.config import Config

SESSION = "_sqd_auth"
PAGE_ROLES = {"sql_workspace": "analyst", "audit_log": "admin", "load_files": "admin"}
LOCAL = accounts.Account("", "admin")          # localhost mode: no accounts, everything as before

# masking (viewers): Chinese mobile numbers (1[3-9] and 9 digits, +86 and spaced groups allowed), landlines (area
# code 0xx(x) and 7-8 digits), the name after a name field, the one or two characters before 先生/女士/小姐/师傅,
# and Mr/Ms + a capitalised word; customer ids whole. Polars' regex has no look-behind, so the digit boundaries are
# captured and put back (${1}, ${2}), and each number pattern runs twice for numbers one character apart.
MOBILE = r"(^|\D)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(\D|$)"
LANDLINE = r"(^|\D)0\d{2,3}-?\d{7,8}(\D|$)"
NAME_FIELD = r"(姓名|联系人|户主|客户)([:：]\s*)[\p{Han}A-Za-z·]{1,4}"
HONORIFIC = r"\p{Han}{1,2}(先生|女士|小姐|师傅)"
ENGLISH_TITLE = r"\b(Mr|Mrs|Ms|Miss)(\.?\s+)[A-Z][a-z]+"
MASK = "***"
CUSTOMER_COLUMNS = {"customer_id", "customer_name", "customer", "phone", "contact_phone", "mobile", "name"}
ROW_LEVEL_COLUMNS = {"ticket_id", "customer_id", "survey_id", "comment", "call_id", "agent"}


@dataclass(frozen=True)
class Session:
    """Who this browser session is: an account (LOCAL in localhost mode)."""

    account: accounts.Account
    local: bool = False

    @property
    def user(self) -> str:
        return self.account.name

    @property
    def role(self) -> str:
        return self.account.role

    @property
    def scope(self) -> tuple[str, ...] | None:
        return self.account.scope

    @property
    def masked(self) -> bool:
        return self.account.role == "viewer"


# ------------------------------------------------------------------ the gate

def session_id() -> str:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else ""


def _lang() -> str:
    state = st.session_state.get("_sqd", {})
    if "lang" in state:
        return state["lang"]
    return "zh" if st.query_params.get("lang") == "zh" else "en"


def is_loopback(address: str | None) -> bool:
    """Whether Streamlit's server.address keeps it on this computer. Empty (all interfaces) is not."""
    if not address:
        return False
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def _served_locally() -> tuple[bool, str]:
    """(on loopback, the address). Outside a running server (bare mode, or AppTest, whose runtime is a stand-in of
    another type) nothing listens: True."""
    from streamlit import runtime  # noqa: PLC0415

    address = st.get_option("server.address")
    if not runtime.exists() or type(runtime.Runtime.instance()) is not runtime.Runtime:
        return True, address or ""
    return is_loopback(address), address or "0.0.0.0 (all interfaces)"


def gate(url_paths: Sequence[str] = ()) -> Session:
    """The signed-in session, or (after drawing the sign-in page or a refusal) st.stop(). `url_paths`: the app's
    page paths, where the sign-in form also answers, so a shared link opens its page after sign-in."""
    from pipelines.config import ConfigError, load_config  # noqa: PLC0415

    if get_script_run_ctx() is None:
        # bare mode: no browser to serve. (The sandbox's fork-server children re-run the main script, app.py,
        # without a script run; they must get through it, and they serve nothing.)
        return Session(LOCAL, local=True)
    lg = _lang()
    try:
        config = load_config()
    except ConfigError:  # ui.start shows the error; no warehouse is read, nothing to protect yet
        return _remember(Session(LOCAL, local=True), None)
    try:
        settings = accounts.settings(config)
        known = accounts.load_accounts(settings.path)
    except accounts.AccountError as exc:
        message = str(exc)
        _only(lambda: st.error(t("auth.bad_file", lg, message=message), icon=":material/lock:"), lg, url_paths)
        st.stop()
        raise AssertionError("unreachable") from exc
    if not known:
        local, address = _served_locally()
        if not local:
            _only(lambda: st.error(t("auth.refuse_bind", lg, address=address), icon=":material/lock:"), lg,
                  url_paths)
            st.stop()
        return _remember(Session(LOCAL, local=True), config)
    state = st.session_state.get(SESSION)
    now = clock.stamp()
    if state:
        account = known.get(state["user"])
        idle = now - state["last"]
        if account is None:
            _sign_out(config, state, "sign_out", detail="account removed")
        elif idle > timedelta(minutes=settings.timeout_minutes):
            _sign_out(config, state, "timeout", detail=f"idle {idle.total_seconds() / 60:.0f} min")
            st.session_state["_sqd_auth_note"] = t("auth.timed_out", lg, minutes=f"{settings.timeout_minutes:g}")
        else:
            state["last"] = now
            return _remember(Session(account), config)
    _sign_in_page(config, known, lg, url_paths)
    st.stop()
    raise AssertionError("unreachable")


def _remember(session: Session, config: Config | None) -> Session:
    st.session_state["_sqd_session"] = session
    st.session_state["_sqd_config"] = config
    return session


def _sign_out(config: Config, state: dict, action: str, detail: str = "") -> None:
    audit.record(config, action, user=state["user"], role=state.get("role", ""), detail=detail,
                 session=session_id())
    st.session_state.pop(SESSION, None)


def sign_out(config: Config) -> None:
    """on_click of the sidebar's Sign out."""
    state = st.session_state.get(SESSION)
    if state:
        _sign_out(config, state, "sign_out")
        st.session_state["_sqd_auth_note"] = t("auth.signed_out", _lang())


def _try_sign_in(config: Config, known: dict[str, accounts.Account], name: str, password: str) -> str | None:
    """Check a sign-in; the message to show when it fails (None: signed in)."""
    lg = _lang()
    sid = session_id()
    now = clock.stamp()
    failures = audit.failures_since(config, now - timedelta(minutes=accounts.WINDOW_MINUTES), name, sid)
    wait = accounts.retry_after(failures, now)
    if wait is not None:
        audit.record(config, "sign_in_refused", user=name, ok=False, detail="throttled", session=sid)
        return t("auth.throttled", lg, minutes=max(1, int(wait.total_seconds() // 60) + 1))
    account = accounts.authenticate(known, name, password)
    if account is None:
        audit.record(config, "sign_in", user=name, ok=False, detail="wrong user name or password", session=sid)
        return t("auth.failed", lg)
    audit.record(config, "sign_in", user=name, role=account.role, session=sid)
    st.session_state[SESSION] = {"user": name, "role": account.role, "last": now}
    return None


def _sign_in_page(config: Config, known: dict[str, accounts.Account], lg: str, url_paths: Sequence[str]) -> None:
    def draw() -> None:
        from dashboard.i18n import LANGUAGES  # noqa: PLC0415

        choice = st.radio(t("sidebar.language", lg), list(LANGUAGES), index=list(LANGUAGES).index(lg),
                          format_func=LANGUAGES.get, horizontal=True, key="sqd_sign_in_lang",
                          label_visibility="collapsed")
        if choice != lg:  # the link's ?lang= carries the choice into the signed-in session
            st.query_params["lang"] = choice
            st.rerun()
        st.title(t("auth.title", lg))
        note = st.session_state.pop("_sqd_auth_note", None)
        if note:
            st.info(note)
        st.caption(t("auth.intro", lg))
        with st.form("sqd_sign_in"):
            name = st.text_input(t("auth.user", lg), key="sqd_sign_in_user")
            password = st.text_input(t("auth.password", lg), type="password", key="sqd_sign_in_password")
            submitted = st.form_submit_button(t("auth.submit", lg), type="primary")
        if submitted:
            message = _try_sign_in(config, known, name.strip(), password)
            if message is None:
                st.rerun()
            st.error(message, icon=":material/lock:")

    _only(draw, lg, url_paths)


def _only(draw, lg: str, url_paths: Sequence[str]) -> None:
    """Run `draw` as the app's only page, answering at every page's path, with no navigation shown (without
    st.navigation Streamlit would list the pages/ folder's files)."""
    pages = [st.Page(draw, title=t("auth.title", lg), url_path="sign_in", icon=":material/login:", default=True)]
    pages += [st.Page(draw, title=f"{t('auth.title', lg)} ({url})", url_path=url) for url in url_paths]
    st.navigation(pages, position="hidden").run()


# ------------------------------------------------------------------ roles and pages

def page_allowed(session: Session, url_path: str) -> bool:
    return session.account.can(PAGE_ROLES.get(url_path, "viewer"))


def current() -> Session:
    """This run's session (LOCAL when app.py did not set one, e.g. a page run in a unit test)."""
    return st.session_state.get("_sqd_session") or Session(LOCAL, local=True)


def require(role: str) -> Session:
    """Stop the page unless this session's account has `role` (pages check again what app.py's list hides: a page
    reached by URL through Streamlit's legacy path runs app.py first, see ui.page_context)."""
    session = current()
    if not session.account.can(role):
        lg = _lang()
        st.error(t("auth.denied", lg, role=t(f"role.{role}", lg), current=t(f"role.{session.role}", lg)),
                 icon=":material/block:")
        st.stop()
    return session


def sidebar(config: Config | None, session: Session, lg: str) -> None:
    """Who is signed in and Sign out; the localhost banner and the scope caption on every page."""
    if session.local:  # a badge and a line, not a warning: nothing is wrong on a newcomer's own computer
        st.markdown(f":orange-badge[:material/lan: localhost] {t('auth.local', lg)}")
        return
    sites = t("auth.who.sites", lg, sites=", ".join(session.scope)) if session.scope else ""
    with st.sidebar:
        st.caption(t("auth.who", lg, user=session.user, role=t(f"role.{session.role}", lg), sites=sites))
        st.button(t("auth.sign_out", lg), on_click=sign_out, args=(config,), key="w_sign_out",
                  icon=":material/logout:", type="tertiary")
    if session.scope:
        st.caption(t("auth.scope_caption", lg, scope=", ".join(session.scope)))


def record(action: str, detail: str = "", rows: int | None = None, duration_s: float | None = None,
           ok: bool = True) -> None:
    """An audit-log line for this session's user (no-op without a configuration)."""
    recorder()(action, detail, rows, duration_s, ok)


def recorder():
    """`record` bound to this run's session, for callbacks that run outside the script run (a download's data)."""
    config = st.session_state.get("_sqd_config")
    session, sid = current(), session_id()

    def write(action: str, detail: str = "", rows: int | None = None, duration_s: float | None = None,
              ok: bool = True) -> None:
        if config is not None:
            audit.record(config, action, user=session.user or "(localhost)", role=session.role, ok=ok,
                         detail=detail, rows=rows, duration_s=duration_s, session=sid)

    return write


# ------------------------------------------------------------------ the scope's connection

_CONNECTIONS = Connections()   # per (path, scope): its open version, queries in flight (dashboard/connections.py)


@st.cache_resource(max_entries=8, show_spinner=False, on_release=_CONNECTIONS.release,
                   validate=_CONNECTIONS.is_open)
def _scoped_connection(_config: Config, path: str, token: object, scope: tuple[str, ...]):
    """The scope's connection to one warehouse version; the previous version's is closed once its queries have
    ended, which lets go of a replaced warehouse file."""
    from pipelines.warehouse import session as set_session  # noqa: PLC0415
    from pipelines.warehouse import sql_string

    def make() -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(":memory:")
        con.execute(f"ATTACH {sql_string(_config.warehouse_path)} AS warehouse (READ_ONLY)")
        accounts.attach_scoped(con, "warehouse", scope)
        set_session(con, _config)
        return con

    return _CONNECTIONS.open((path, scope), make)


@st.cache_data(max_entries=2000, show_spinner=False)
def _scoped_query(sql: str, params: tuple, path: str, token: object, scope: tuple[str, ...], timezone: str,
                  _config: Config) -> pl.DataFrame:
    from dashboard.queries import SESSION_SETTINGS  # noqa: PLC0415
    from pipelines.warehouse import session as set_session  # noqa: PLC0415

    key = (path, scope)
    with _CONNECTIONS.using(key, lambda: _scoped_connection(_config, path, token, scope)) as con:
        cur = set_session(con.cursor(), _config)
        try:
            for setting in SESSION_SETTINGS:
                cur.execute(setting)
            return cur.sql(sql, params=list(params)).pl()
        finally:
            cur.close()


def runner(config: Config, token: object, scope: tuple[str, ...]):
    """`run(sql, params)` reading only `scope`'s rows (see the module docstring), cached like dashboard.db's."""
    path = str(config.warehouse_path)

    def run(sql: str, params: Sequence[object] = ()) -> pl.DataFrame:
        return _scoped_query(sql, tuple(params), path, token, tuple(scope), config.timezone, config)

    return run


# ------------------------------------------------------------------ masking (viewers)

def mask_text(expr: pl.Expr) -> pl.Expr:
    """Phone numbers and names in text replaced by *** (see MOBILE ... ENGLISH_TITLE; docs/security.md: limits)."""
    for pattern in (MOBILE, MOBILE, LANDLINE, LANDLINE):
        expr = expr.str.replace_all(pattern, "${1}" + MASK + "${2}")
    return (expr.str.replace_all(NAME_FIELD, "${1}${2}" + MASK).str.replace_all(HONORIFIC, MASK + "${1}")
            .str.replace_all(ENGLISH_TITLE, "${1}${2}" + MASK))


def mask_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """A table as a viewer sees it: customer columns masked whole, phone numbers and names masked in every text
    column. Column names are matched before translation (the canonical names) and after (any header)."""
    text = [c for c, dtype in frame.schema.items() if dtype == pl.Utf8]
    whole = [c for c in text if c.lower() in CUSTOMER_COLUMNS or _is_customer_header(c)]
    return frame.with_columns(
        *(pl.when(pl.col(c).is_null()).then(None).otherwise(pl.lit(MASK)).alias(c) for c in whole),
        *(mask_text(pl.col(c)).alias(c) for c in text if c not in whole))


def _is_customer_header(header: str) -> bool:
    """A translated header of a customer column (dashboard's col.customer_id in either language)."""
    return header in _customer_headers()


def _customer_headers() -> set[str]:
    from dashboard.i18n import COLUMNS  # noqa: PLC0415

    return {text for c in CUSTOMER_COLUMNS if c in COLUMNS for text in COLUMNS[c]}


def row_level(columns: Sequence[str]) -> bool:
    """Whether a table lists records rather than aggregates (a viewer may not download it)."""
    from dashboard.i18n import COLUMNS  # noqa: PLC0415

    headers = {text for c in ROW_LEVEL_COLUMNS for text in COLUMNS.get(c, ())} | ROW_LEVEL_COLUMNS
    return any(c in headers for c in columns)


def mask_pack(pack):
    """The weekly pack with every table masked (a viewer's page and HTML download)."""
    changes = {f.name: mask_frame(getattr(pack, f.name)) for f in fields(pack)
               if isinstance(getattr(pack, f.name), pl.DataFrame)}
    return replace(pack, **changes)


def safe_name(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text)[:80]
