"""The dashboard in a real browser: `streamlit run dashboard/app.py` on a free localhost port against the demo test
warehouse, driven by Debian's Chromium through Playwright (never a downloaded browser). Screenshots of every page
go to test-artifacts/."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.conftest import require_chromium
from tests.dashboard_fixtures import Project, demo_project  # noqa: F401 (a pytest fixture)

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run"]
# /sla is opened first (the first request the server serves), the overview last (through a link with filters)
PAGES = ("satisfaction", "defects", "data_quality")
TIMEOUT_MS = 60_000


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(demo_project: Project) -> Iterator[str]:
    require_chromium()
    pytest.importorskip("playwright.sync_api")
    port = _free_port()
    env = {**os.environ, "SQD_CONFIG": str(demo_project.config_path), "PYTHONPATH": str(REPO)}
    log = (ARTIFACTS / "streamlit-server.log")
    ARTIFACTS.mkdir(exist_ok=True)
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard" / "app.py"),
             "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
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


BUSY = ('[data-testid="stStatusWidgetRunningIcon"], [data-testid="stStatusWidgetRunningManIcon"], '
        '[data-testid="stSkeleton"], [data-stale="true"]')


def settle(page) -> None:
    """Wait until Streamlit has finished the run and drawn everything: a title, no running indicator, no
    skeleton placeholders, no stale elements, for a second in a row."""
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=TIMEOUT_MS)
    deadline = time.monotonic() + 60
    quiet_since = None
    while time.monotonic() < deadline:
        if page.locator(BUSY).count() > 0:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 0.4:
            assert page.locator('[role="dialog"]').count() == 0, page.locator('[role="dialog"]').all_inner_texts()
            return
        page.wait_for_timeout(100)
    raise AssertionError("the page kept running for 60 s")


def no_exception(page, what: str) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, f"{what}: {errors.all_inner_texts()[:1]}"


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def test_dashboard_browser_pages_language_and_url_filter(browser, server):
    # tall enough that a screenshot holds the whole page (Streamlit scrolls inside its main block)
    context = browser.new_context(viewport={"width": 1440, "height": 2400})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)

    # a shared link to a page other than the first, on a server that has not run yet: the shell renders
    page.goto(f"{server}/sla")
    settle(page)
    no_exception(page, "first request to /sla")
    assert page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').count() >= 7
    shot(page, "sla-en")

    for name in PAGES:
        page.goto(f"{server}/{name}")
        settle(page)
        no_exception(page, name)
        assert page.locator('[data-testid="stMain"] h1').count() >= 1
        shot(page, f"{name}-en")
    assert "from" in query(page) and "to" in query(page)  # the period is part of every link

    # switch the language in the sidebar (on the last page opened, data quality)
    page.locator('[data-testid="stSidebar"] label').filter(has_text="简体中文").first.click()
    settle(page)
    no_exception(page, "language switch")
    assert page.locator('[data-testid="stMain"] h1').first.inner_text().strip() == "数据质量"
    assert query(page).get("lang") == ["zh"]
    shot(page, "data_quality-zh")

    # a filter through the URL (the overview, at the root): the sidebar shows it and it stays on the next page
    page.goto(f"{server}/?site=Hillcrest&type=repair&lang=zh")
    settle(page)
    no_exception(page, "URL filter")
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert "Hillcrest" in sidebar.inner_text()
    assert query(page).get("site") == ["Hillcrest"] and query(page).get("type") == ["repair"]
    shot(page, "overview-zh-hillcrest-repair")
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text="服务时效").first.click()
    settle(page)
    no_exception(page, "SLA after URL filter")
    assert urlparse(page.url).path.endswith("/sla")
    assert query(page).get("site") == ["Hillcrest"] and query(page).get("lang") == ["zh"]
    assert "Hillcrest" in sidebar.inner_text()
    shot(page, "sla-zh-hillcrest-repair")
    context.close()


def test_weekly_review_page_reads_like_a_document_in_both_languages(browser, server):
    """The page the meeting opens, in both languages: screenshots in test-artifacts/ to look at, and no raw code
    of the canonical model on the Chinese page (the PDF names them; the page must say the same)."""
    context = browser.new_context(viewport={"width": 1440, "height": 4200})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    for lang in ("en", "zh"):
        page.goto(f"{server}/weekly_review?lang={lang}")
        settle(page)
        no_exception(page, f"weekly review ({lang})")
        shot(page, f"weekly_review-{lang}")
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "周" in page.locator('[data-testid="stMain"] h1').first.inner_text()
    for code in ("on_site", "in_progress", "customer_service", "we_rule_", "water leak", " UTC"):
        assert code not in main, code
    context.close()


def test_light_first_drawings_in_both_languages(browser, server):
    """The contact-centre and Hotline pages draw their headline chart as Vega-Lite (no Plotly until asked) in a
    real browser, in both languages: screenshots in test-artifacts/ to look at."""
    context = browser.new_context(viewport={"width": 1440, "height": 3200})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    for name in ("contact_centre", "hotline"):
        for lang in ("en", "zh"):
            page.goto(f"{server}/{name}?lang={lang}")
            settle(page)
            no_exception(page, f"{name} ({lang})")
            drawn = page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg')
            assert drawn.count() >= 1, f"{name} ({lang}): the headline chart was not drawn"
            assert page.locator(".js-plotly-plot").count() == 0, f"{name} ({lang}): Plotly on a first drawing"
            shot(page, f"{name}-{lang}")
    context.close()
