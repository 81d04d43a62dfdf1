"""Sign-in, roles, site scopes, masking and the audit log in the Streamlit app (issue 17), through AppTest from the
entrypoint on the demo warehouse. The accounts live in a configuration of their own (`[accounts] path`), so the
other dashboard tests keep running without accounts (localhost mode)."""

from __future__ import annotations

import shutil
from datetime import timedelta

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth
from pipelines import accounts, audit
from pipelines.warehouse import connect
from tests.dashboard_fixtures import Project, demo_project, open_app  # noqa: F401 (pytest fixture)

PASSWORD = "a long password"


@pytest.fixture
def secured(demo_project, tmp_path) -> tuple[Project, list[str]]:
    """A copy of the demo warehouse (its own state folder: audit log, throttling) behind accounts: ada (admin),
    ann (analyst), vic (viewer), sam (analyst, one site)."""
    (tmp_path / "data").mkdir()
    shutil.copy(demo_project.config.warehouse_path, tmp_path / "data" / "warehouse.duckdb")
    text = demo_project.config_path.read_text(encoding="utf-8")
    config_path = tmp_path / "sqd.toml"
    config_path.write_text(text + '\n[accounts]\npath = "users.toml"\ntimeout_minutes = 30\n', encoding="utf-8")
    project = Project(tmp_path, config_path)
    con = connect(project.config)
    sites = [r[0] for r in con.execute("SELECT site FROM core.sites ORDER BY site").fetchall()]
    con.close()
    users = tmp_path / "users.toml"
    for name, role, scope in (("ada", "admin", ()), ("ann", "analyst", ()), ("vic", "viewer", ()),
                              ("sam", "analyst", (sites[0],))):
        accounts.add_user(users, name, PASSWORD, role, scope)
    return project, sites




def sign_in(at: AppTest, user: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key="sqd_sign_in_user").input(user)
    at.text_input(key="sqd_sign_in_password").input(password)
    [submit] = [b for b in at.button if b.label == "Sign in"]
    submit.click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def signed_in_page(at: AppTest) -> bool:
    return not any(t.value == "Sign in" for t in at.title)


def page_titles(at: AppTest) -> set[str]:
    return {t.value for t in at.title}


def log_of(project: Project) -> pl.DataFrame:
    return audit.read(project.config)


# ------------------------------------------------------------------ sign-in

def test_accounts_require_sign_in_before_any_data(secured, monkeypatch):
    project, _ = secured
    at = open_app(project, monkeypatch)
    assert page_titles(at) == {"Sign in"}
    assert not at.metric and not at.dataframe and not at.multiselect  # no page, no sidebar filters
    sign_in(at, "ann", "not the password")
    assert page_titles(at) == {"Sign in"}
    assert any("Wrong user name or password" in e.value for e in at.error)
    sign_in(at, "ann")
    assert signed_in_page(at) and at.metric
    assert any("Signed in as **ann**" in c.value for c in at.sidebar.caption)
    log = log_of(project).filter(pl.col("action") == "sign_in").head(2)
    assert log["user"].to_list() == ["ann", "ann"] and log["ok"].to_list() == [True, False]


def test_sign_in_page_in_chinese_and_the_choice_carries_into_the_session(secured, monkeypatch):
    project, _ = secured
    at = open_app(project, monkeypatch)
    at.radio(key="sqd_sign_in_lang").set_value("zh").run()
    assert page_titles(at) == {"登录"}
    at.text_input(key="sqd_sign_in_user").input("ann")
    at.text_input(key="sqd_sign_in_password").input(PASSWORD)
    [submit] = [b for b in at.button if b.label == "登录"]
    submit.click().run()
    assert not at.exception and signed_in_page(at)
    assert any("当前用户 **ann**" in c.value for c in at.sidebar.caption)


def test_five_wrong_passwords_are_throttled_even_with_the_right_one_next(secured, monkeypatch):
    project, _ = secured
    at = open_app(project, monkeypatch)
    for _ in range(accounts.MAX_FAILURES):
        sign_in(at, "vic", "wrong password!")
    sign_in(at, "vic")  # the right password, too late
    assert page_titles(at) == {"Sign in"}
    assert any("Too many failed sign-ins" in e.value for e in at.error)
    log = log_of(project).filter(pl.col("user") == "vic")
    assert log["action"].to_list()[0] == "sign_in_refused"
    assert not log.filter(pl.col("ok") & (pl.col("action") == "sign_in")).height
    # a restart (a new session) is refused too: the failures are read from the audit log, by user name
    again = sign_in(open_app(project, monkeypatch), "vic")
    assert page_titles(again) == {"Sign in"}
    assert any("Too many failed sign-ins" in e.value for e in again.error)


def test_sign_out_and_idle_timeout(secured, monkeypatch):
    project, _ = secured
    at = sign_in(open_app(project, monkeypatch), "vic")
    assert signed_in_page(at)
    state = at.session_state[auth.SESSION]
    at.session_state[auth.SESSION] = {**state, "last": state["last"] - timedelta(minutes=31)}
    at.run()
    assert page_titles(at) == {"Sign in"}
    assert any("without activity" in i.value for i in at.info)
    sign_in(at, "vic")
    [out] = [b for b in at.sidebar.button if b.key == "w_sign_out"]
    out.click().run()
    assert page_titles(at) == {"Sign in"}
    actions = log_of(project).filter(pl.col("user") == "vic")["action"].to_list()
    assert actions[:4] == ["sign_out", "sign_in", "timeout", "sign_in"]


# ------------------------------------------------------------------ roles

def test_viewer_sees_pages_but_not_the_workspace_audit_or_loading(secured, monkeypatch):
    project, _ = secured
    at = sign_in(open_app(project, monkeypatch), "vic")
    for page in ("pages/sql_workspace.py", "pages/audit_log.py", "pages/load_files.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)  # not among the viewer's pages: no link, no route
    at.switch_page("pages/weekly_review.py").run()
    assert not at.exception and "Weekly" in " ".join(page_titles(at))
    assert any("Only an administrator" in c.value for c in at.caption)   # notes read-only
    assert not [ta for ta in at.text_area if (ta.key or "").startswith("wr_notes")]


def test_require_stops_a_page_run_for_a_lower_role(secured, monkeypatch):
    """The page's own check (what a page reached by Streamlit's legacy path meets): a viewer running the SQL
    workspace's script gets the refusal, not the editor."""
    project, _ = secured
    at = sign_in(open_app(project, monkeypatch), "vic")
    at.session_state["_sqd_session"] = auth.Session(accounts.Account("vic", "viewer"))

    def page():
        from dashboard import auth

        auth.require("analyst")
        import streamlit as st

        st.title("SQL workspace")

    probe = AppTest.from_function(page)
    probe.session_state["_sqd_session"] = auth.Session(accounts.Account("vic", "viewer"))
    probe.run()
    assert not probe.title and "analyst" in probe.error[0].value


def test_analyst_runs_sql_and_each_statement_is_logged(secured, monkeypatch):
    project, _ = secured
    at = sign_in(open_app(project, monkeypatch), "ann")
    at.switch_page("pages/sql_workspace.py").run()
    assert "SQL workspace" in page_titles(at)
    at.text_area(key="sqlws_editor").input("SELECT count(*) AS n FROM core.tickets")
    [run] = [b for b in at.button if b.label.startswith("Run")]
    run.click().run()
    assert not at.exception
    line = log_of(project).filter(pl.col("action") == "sql").row(0, named=True)
    assert line["user"] == "ann" and line["detail"] == "SELECT count(*) AS n FROM core.tickets"
    assert line["rows"] == 1 and line["duration_s"] is not None and line["ok"]


def test_admin_sees_the_audit_log_and_load_pages(secured, monkeypatch):
    project, _ = secured
    at = sign_in(open_app(project, monkeypatch), "ada")
    at.switch_page("pages/audit_log.py").run()
    assert not at.exception and "Audit log" in page_titles(at)
    shown = at.dataframe[0].value
    assert "ada" in shown.iloc[:, 1].tolist()  # the sign-in just made
    assert not at.text_area and not [b for b in at.button if "delete" in b.label.lower()]  # nothing edits it
    at.switch_page("pages/load_files.py").run()
    assert not at.exception and "Load files" in page_titles(at)


# ------------------------------------------------------------------ site scope

def test_scoped_account_sees_only_its_site_and_a_link_to_another_shows_nothing(secured, monkeypatch):
    project, sites = secured
    at = sign_in(open_app(project, monkeypatch), "sam")
    assert at.multiselect(key="w_site").options == [sites[0]]
    assert at.multiselect(key="w_channel").options  # every other filter still offers the scope's values
    con = connect(project.config)
    whole = con.execute("SELECT count(*) FROM core.tickets").fetchall()[0][0]
    con.close()
    at.switch_page("pages/sql_workspace.py").run()
    at.text_area(key="sqlws_editor").input("SELECT count(DISTINCT site) AS s, count(*) AS n FROM core.tickets")
    [run] = [b for b in at.button if b.label.startswith("Run")]
    run.click().run()
    frame = at.dataframe[0].value
    assert frame["s"].tolist() == [1] and frame["n"].tolist()[0] < whole
    at.text_area(key="sqlws_editor").input("SELECT count(*) FROM warehouse.core.tickets")
    [run] = [b for b in at.button if b.label.startswith("Run")]
    run.click().run()
    assert any("site-scoped" in c.value for c in at.code)
    # a shared link to another site: a message, and nothing of it
    other = open_app(project, monkeypatch, site=sites[1])
    sign_in(other, "sam")
    assert any(sites[1] in w.value and "shows nothing" in w.value for w in other.warning)
    values = [m.value for m in other.metric]
    assert values and all(v in ("—", "0", "0.0 %", "", None) for v in values), values


# ------------------------------------------------------------------ masking

def test_viewer_tables_and_downloads_are_masked_and_aggregate_only(monkeypatch):
    def page():
        import polars as pl

        from dashboard import ui

        ui.table(pl.DataFrame({"ticket_id": ["T1"], "customer_id": ["C-1001"],
                               "comment": ["王先生说 13812345678 没人接，座机 021-55556666"]}), "rows")
        ui.table(pl.DataFrame({"site": ["A"], "tickets": [3]}), "aggregate")

    at = AppTest.from_function(page)
    at.session_state["_sqd_session"] = auth.Session(accounts.Account("vic", "viewer"))
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    rows = at.dataframe[0].value
    text = " ".join(str(v) for v in rows.to_numpy().ravel())
    assert "C-1001" not in text and "13812345678" not in text and "55556666" not in text and "王" not in text
    downloads = at.get("download_button")
    assert len(downloads) == 1  # the aggregate's; the row-level table has none for a viewer
    assert any("analyst" in c.value for c in at.caption)
    # an analyst sees the same rows unmasked, with both downloads
    at = AppTest.from_function(page)
    at.session_state["_sqd_session"] = auth.Session(accounts.Account("ann", "analyst"))
    at.run()
    assert "C-1001" in " ".join(str(v) for v in at.dataframe[0].value.to_numpy().ravel())
    assert len(at.get("download_button")) == 2


def test_mask_text_rules_and_their_limits():
    frame = pl.DataFrame({"comment": ["请联系王先生13812345678,13912345678谢谢", "电话 021-12345678，李女士",
                                      "姓名：张三 投诉", "+86 139 1234 5678 Mr. Smith", "订单12345678901234",
                                      None]})
    out = auth.mask_frame(frame)["comment"].to_list()
    assert out[0] == "请联***先生***,***谢谢"          # the character before the name goes too: a stated limit
    assert out[1] == "电话 ***，***女士"
    assert out[2] == "姓名：*** 投诉"
    assert out[3] == "*** Mr. ***"
    assert out[4] == "订单12345678901234"               # a long number is not a phone number
    assert out[5] is None


def test_viewer_weekly_pack_is_masked(secured, monkeypatch):
    from pipelines import weekly
    from pipelines.warehouse import direct

    project, _ = secured
    con = connect(project.config)
    run = direct(con)
    pack = weekly.build_pack(run, project.config)
    con.close()
    assert not pack.comments.is_empty(), "the demo week's low-score comments are what masking is checked on"
    masked = auth.mask_pack(pack)
    assert masked.comments.height == pack.comments.height
    seeded = pack.comments.with_columns(pl.lit("王先生 13812345678").alias("comment"))
    assert auth.mask_pack(weekly_replace(pack, seeded)).comments["comment"].to_list()[0] == "***先生 ***"


def weekly_replace(pack, comments):
    from dataclasses import replace

    return replace(pack, comments=comments)


def test_is_loopback():
    assert auth.is_loopback("127.0.0.1") and auth.is_loopback("localhost") and auth.is_loopback("::1")
    assert not auth.is_loopback("0.0.0.0") and not auth.is_loopback("") and not auth.is_loopback(None)
    assert not auth.is_loopback("192.168.1.10")


def test_scoped_account_sees_a_new_load_after_a_rerun(secured, monkeypatch):
    """The scope's connection follows the warehouse version: a load published while signed in shows at the next
    run, and the replaced file's connection is closed."""
    from pipelines.ingest import ingest_files

    project, sites = secured
    at = sign_in(open_app(project, monkeypatch), "sam")
    before = {m.label: m.value for m in at.metric}
    key = (str(project.config.warehouse_path), (sites[0],))
    first = auth._CONNECTIONS.current(key)
    extra = project.folder / "more.csv"
    rows = "\n".join(f"NEW-{i},2026-11-20 09:{i:02d}:00,phone,complaint,normal,{sites[0]},open" for i in range(40))
    extra.write_text("ticket_id,created_at,channel,ticket_type,priority,site,status\n" + rows + "\n",
                     encoding="utf-8")
    [result] = ingest_files([extra], project.config, profile="tickets__canonical")
    assert result.inserted == 40, result.message
    at.run()
    assert not at.exception
    after = {m.label: m.value for m in at.metric}
    assert after != before
    assert auth._CONNECTIONS.current(key) is not first and not auth._CONNECTIONS.is_open(first)


def test_an_unreadable_accounts_file_stops_the_dashboard(secured, monkeypatch):
    project, _ = secured
    (project.folder / "users.toml").write_text("[users.ann]\nrole = 'king'\nhash = 'x'\n", encoding="utf-8")
    at = open_app(project, monkeypatch)
    assert any("accounts file cannot be read" in e.value for e in at.error)
    assert not at.metric and not at.multiselect and not at.text_input  # no data, no sign-in form
