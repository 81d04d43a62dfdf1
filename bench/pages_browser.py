"""Time each dashboard page until it has finished drawing, in headless Chromium (issue 13 target 4).

    python bench/pages_browser.py --config bench/out/<folder>/sqd.toml [--repeat 3]

Starts `streamlit run dashboard/app.py` on a free localhost port against the warehouse of `--config`, then opens
each page in a new browser tab (Debian's Chromium through Playwright: `pipelines.report.chromium_path()`, never a
downloaded browser) and measures from navigation until the page is settled: a title, no running indicator, no
skeleton or stale element, and every Plotly figure drawn (an SVG or WebGL canvas in each `.js-plotly-plot`), for
0.4 s in a row (the 0.4 s are not counted). The first round after the server starts is what the first visitor of a
page waits (nothing cached); later rounds hit the server's result cache. Prints median and slowest per page and
round.

    python bench/pages_browser.py --config ... --repeat 3 --publish-after 1 --wait 5

publishes the warehouse again after round 1 (nothing changed, but a new file and version token, like any load) and
waits `--wait` seconds: round 2 is then the first visitor after a load, round 3 the second (issue 13 target 3: the
server's warmer has run the new version's default queries by then).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipelines.report import chromium_path

PAGES = ("", "sla", "satisfaction", "defects", "contact_centre", "data_quality")
BUSY = ('[data-testid="stStatusWidgetRunningIcon"], [data-testid="stStatusWidgetRunningManIcon"], '
        '[data-testid="stSkeleton"], [data-stale="true"]')
UNDRAWN = "() => [...document.querySelectorAll('.js-plotly-plot')].filter(p => !p.querySelector('.main-svg, canvas')).length"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run"]
QUIET = 0.4


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(config: Path, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "SQD_CONFIG": str(config), "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard" / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=REPO, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"streamlit exited: {log.read_text()[-2000:]}") from None
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("streamlit did not start within 60 s")


def drawn_seconds(browser, url: str, timeout: float = 120) -> tuple[float, int]:
    """Seconds from navigation until the page is settled and every figure drawn; and how many figures."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    started = time.monotonic()
    page.goto(url)
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout * 1000)
    quiet_since = None
    while time.monotonic() - started < timeout:
        busy = page.locator(BUSY).count() > 0 or page.evaluate(UNDRAWN) > 0
        now = time.monotonic()
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since >= QUIET:
            figures = page.locator(".js-plotly-plot").count()
            page.close()
            return quiet_since - started, figures
        page.wait_for_timeout(50)
    page.close()
    raise RuntimeError(f"{url} still drawing after {timeout} s")


def publish(config_path: Path) -> None:
    """A publish that loads nothing (what `sqd check` does): a new warehouse file and version token."""
    from pipelines.config import load_config
    from pipelines.warehouse import publishing

    started = time.monotonic()
    with publishing(load_config(config_path)):
        pass
    print(f"published again in {time.monotonic() - started:.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=3, help="rounds over every page (the first is uncached)")
    parser.add_argument("--publish-after", type=int, metavar="ROUND", help="publish the warehouse after this round")
    parser.add_argument("--wait", type=float, default=5.0, help="seconds between that publish and the next round")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise SystemExit("no Chromium: apt-get install -y chromium")
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="sqd-pages-")) / "streamlit.log"
    proc = start_server(args.config.resolve(), port, log)
    results: dict[str, list[float]] = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(executable), args=LAUNCH_ARGS)
            for round_ in range(args.repeat):
                for name in PAGES:
                    seconds, figures = drawn_seconds(browser, f"http://127.0.0.1:{port}/{name}")
                    label = name or "overview"
                    results.setdefault(label, []).append(seconds)
                    print(f"round {round_ + 1} {label:<13} {seconds:6.2f} s  ({figures} figures)", flush=True)
                if args.publish_after == round_ + 1:
                    publish(args.config.resolve())
                    time.sleep(args.wait)
            browser.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    print("\npage           first (uncached)  later rounds median / max")
    for label, times in results.items():
        later = times[1:] or times
        print(f"{label:<14} {times[0]:8.2f} s        {statistics.median(later):.2f} / {max(later):.2f} s")


if __name__ == "__main__":
    main()
