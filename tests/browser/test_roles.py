"""Sign-in and roles in a real browser (issue 17): `streamlit run dashboard/app.py` on a free localhost port against a
copy of the demo warehouse with accounts, driven by Debian's Chromium through Playwright. Each role signs in and sees
its pages and nothing more; a viewer's link to the SQL workspace or to another site's data shows nothing of it; five
wrong passwords are throttled; the audit log holds each action. Screenshots go to test-artifacts/roles-*.png."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from pipelines import accounts, audit
from pipelines.config import load_config
from pipelines.warehouse import connect
from tests.browser.test_dashboard_browser import (ARTIFACTS, BUSY, LAUNCH_ARGS, REPO, TIMEOUT_MS, _free_port,
                                                  no_exception)
from tests.conftest import require_chromium
from tests.dashboard_fixtures import Project, demo_project  # noqa: F401 (a pytest fixture)

pytestmark = pytest.mark.browser
PASSWORD = "browser password"


@pytest.fixture(scope="module")
def secured(demo_project: Project, tmp_path_factory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("roles")
    (folder / "data").mkdir()
    shutil.copy(demo_project.config.warehouse_path, folder / "data" / "warehouse.duckdb")
    (folder / "sqd.toml").write_text(demo_project.config_path.read_text(encoding="utf-8")
                                     + '\n[accounts]\npath = "users.toml"\n', encoding="utf-8")
    con = connect(load_config(folder / "sqd.toml"))
    sites = [r[0] for r in con.execute("SELECT site FROM core.sites ORDER BY site").fetchall()]
    con.close()
    for name, role, scope in (("ada", "admin", ()), ("ann", "analyst", ()), ("vic", "viewer", (sites[0],)),
                              ("tom", "viewer", ())):
        accounts.add_user(folder / "users.toml", name, PASSWORD, role, scope)
    return folder / "sqd.toml", sites


@pytest.fixture(scope="module")
def server(secured) -> Iterator[str]:
    config_path, _ = secured
    yield from _serve(config_path, "127.0.0.1", "streamlit-server-roles.log")


def _serve(config_path: Path, address: str, log_name: str) -> Iterator[str]:
    require_chromium()
    pytest.importorskip("playwright.sync_api")
    port = _free_port()
    env = {**os.environ, "SQD_CONFIG": str(config_path), "PYTHONPATH": str(REPO)}
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / log_name
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard" / "app.py"),
             "--server.port", str(port), "--server.address", address, "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            import socket

            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if proc.poll() is not None:
                        pytest.fail(f"streamlit exited with {proc.returncode}: {log.read_text()[-2000:]}")
                    time.sleep(0.3)
            else:
                pytest.fail("streamlit did not start within 60 s")
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(require_chromium()), args=LAUNCH_ARGS)
        yield instance
        instance.close()


def settle(page) -> None:
    """Wait until Streamlit has drawn a title and stopped running for a moment (a "page not found" dialog, what a
    link to a page outside the role gives, is allowed here)."""
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=TIMEOUT_MS)
    deadline = time.monotonic() + 60
    quiet_since = None
    while time.monotonic() < deadline:
        if page.locator(BUSY).count() > 0:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 0.6:
            return
        page.wait_for_timeout(100)
    raise AssertionError("the page kept running for 60 s")


def submit(page, user: str, password: str) -> None:
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_timeout(300)
    settle(page)


def sign_in(browser, server: str, user: str, password: str = PASSWORD, path: str = ""):
    """A new browser context (a new session) at `path`, signed in as `user`."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{server}/{path}", timeout=TIMEOUT_MS)
    settle(page)
    submit(page, user, password)
    page.get_by_label("Password", exact=True).wait_for(state="detached", timeout=TIMEOUT_MS)
    settle(page)
    return context, page


def nav_links(page) -> set[str]:
    """The sidebar's page links by title (the icon's name comes first in their text)."""
    return {t.strip().splitlines()[-1] for t in page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()}


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"roles-{name}.png"))


def test_each_role_sees_its_pages_and_nothing_more(browser, server):
    expected = {
        "tom": ({"Overview", "Weekly review"}, {"SQL workspace", "Audit log", "Load files"}),
        "ann": ({"Overview", "SQL workspace"}, {"Audit log", "Load files"}),
        "ada": ({"Overview", "SQL workspace", "Audit log", "Load files"}, set()),
    }
    for user, (shown, hidden) in expected.items():
        context, page = sign_in(browser, server, user)
        no_exception(page, user)
        links = nav_links(page)
        assert shown <= links, (user, links)
        assert not hidden & links, (user, links)
        assert page.locator('[data-testid="stSidebar"]').get_by_text(f"Signed in as {user}").count() == 1
        shot(page, user)
        context.close()


def test_viewer_links_to_the_workspace_and_another_site_show_nothing(browser, server, secured):
    _, sites = secured
    context, page = sign_in(browser, server, "vic", path="sql_workspace")
    no_exception(page, "viewer sql link")
    assert page.locator("textarea").count() == 0  # no SQL editor
    assert "SQL workspace" not in page.locator('[data-testid="stMain"] h1').all_inner_texts()
    shot(page, "viewer-sql-link")
    context.close()
    context, page = sign_in(browser, server, "vic", path=f"?site={sites[1]}")
    no_exception(page, "viewer other site")
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "shows nothing here" in body and sites[1] in body
    metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert metrics and all(m.strip() in ("—", "0", "0.0 %") for m in metrics), metrics
    shot(page, "viewer-other-site")
    context.close()


def test_five_wrong_passwords_are_throttled(browser, server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(server, timeout=TIMEOUT_MS)
    settle(page)
    for _ in range(accounts.MAX_FAILURES):
        submit(page, "ann", "wrong password")
    assert page.get_by_text("Wrong user name or password").count() == 1
    submit(page, "ann", PASSWORD)  # the right password, too late
    assert page.get_by_text("Too many failed sign-ins").count() == 1
    assert page.get_by_label("Password", exact=True).count() == 1  # still the sign-in page
    shot(page, "throttled")
    context.close()


def test_audit_log_holds_each_action(browser, server, secured):
    config_path, _ = secured
    context, page = sign_in(browser, server, "ada", path="sql_workspace")
    page.locator("textarea").first.fill("SELECT count(*) AS n FROM core.tickets")
    page.get_by_role("button", name="Run").click()
    page.wait_for_timeout(500)
    settle(page)
    page.goto(f"{server}/audit_log", timeout=TIMEOUT_MS)
    settle(page)
    no_exception(page, "audit log")
    shot(page, "audit-log")
    context.close()
    log = audit.read(load_config(config_path))
    mine = log.filter(pl.col("user") == "ada")
    assert {"sign_in", "sql"} <= set(mine["action"].to_list())
    sql = mine.filter(pl.col("action") == "sql").row(0, named=True)
    assert sql["detail"] == "SELECT count(*) AS n FROM core.tickets" and sql["rows"] == 1
    assert log.filter((pl.col("action") == "sign_in") & ~pl.col("ok")).height >= 1


def test_admin_loads_a_file_with_its_result_and_the_load_is_logged(browser, server, secured, tmp_path):
    config_path, sites = secured
    upload = tmp_path / "tickets_update.csv"
    upload.write_text("ticket_id,created_at,channel,ticket_type,priority,site,status\n"
                      f"UPLOAD-1,2026-11-20 09:00:00,phone,repair,normal,{sites[0]},open\n"
                      f"UPLOAD-2,2026-11-20 10:00:00,phone,inquiry,low,{sites[0]},open\n", encoding="utf-8")
    context, page = sign_in(browser, server, "ada", path="load_files")
    assert "Load files" in page.locator('[data-testid="stMain"] h1').all_inner_texts()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
    page.get_by_test_id("stBaseButton-primaryFormSubmit").click()  # enabled once the upload is done
    page.get_by_text("Data-quality result after the load").wait_for(timeout=180_000)
    settle(page)
    no_exception(page, "load files")
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "tickets_update.csv:" in body
    shot(page, "load-files")
    context.close()
    con = connect(load_config(config_path))
    assert con.execute("SELECT count(*) FROM core.tickets WHERE ticket_id LIKE 'UPLOAD-%'").fetchall() == [(2,)]
    con.close()
    line = audit.read(load_config(config_path), actions=("load",)).row(0, named=True)
    assert line["user"] == "ada" and line["ok"] and "tickets_update.csv: published" in line["detail"]


def test_without_accounts_a_server_on_all_interfaces_refuses_to_serve(browser, demo_project, tmp_path):
    """No accounts and --server.address 0.0.0.0: every page says why it serves nothing (`make run` binds to
    127.0.0.1 when there are no accounts)."""
    (tmp_path / "data").mkdir()
    shutil.copy(demo_project.config.warehouse_path, tmp_path / "data" / "warehouse.duckdb")
    shutil.copy(demo_project.config_path, tmp_path / "sqd.toml")
    for url in _serve(tmp_path / "sqd.toml", "0.0.0.0", "streamlit-server-open.log"):
        page = browser.new_page()
        for path in ("", "sla"):
            page.goto(f"{url}/{path}", timeout=TIMEOUT_MS)
            page.get_by_text("refuses to serve anything").wait_for(timeout=TIMEOUT_MS)
            assert page.locator('[data-testid="stMetricValue"]').count() == 0
            assert page.locator('[data-testid="stSidebarNav"] a').count() == 0
        shot(page, "open-without-accounts")
        page.close()
