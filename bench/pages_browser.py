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

PAGES = ("", "sla", "satisfaction", "defects", "contact_centre", "hotline", "data_quality")
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
        # streamlit's own command line, with INFO logging for the dashboard's loggers (the warmer's log line)
        [sys.executable, "-c", "import logging; logging.basicConfig(level=logging.INFO); "
         "from streamlit.web.cli import main; main(prog_name='streamlit')", "run", str(REPO / "dashboard" / "app.py"),
         "--server.port", str(port),
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


MILESTONES: dict[str, list[dict[str, float]]] = {}   # --milestones: per page, each visit's timeline


def drawn_seconds(browser, url: str, timeout: float = 120, milestones: bool = False) -> tuple[float, int]:
    """Seconds from navigation until the page is settled and every figure drawn; and how many figures.
    `milestones`: also record when the title showed, when the server's script run ended (no running indicator,
    whatever the figures), when the first figure was drawn, and the browser's main-thread time (CDP
    Performance.getMetrics: script, layout and all tasks) into MILESTONES."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    cdp = None
    if milestones:
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
    started = time.monotonic()
    page.goto(url)
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout * 1000)
    marks = {"title": time.monotonic() - started}
    quiet_since = None
    while time.monotonic() - started < timeout:
        running = page.locator(BUSY).count() > 0
        undrawn = page.evaluate(UNDRAWN)
        now = time.monotonic()
        if milestones:
            if not running and "script_done" not in marks:
                marks["script_done"] = now - started
            if "first_figure" not in marks and page.locator(".js-plotly-plot .main-svg, .js-plotly-plot canvas"
                                                            ).count() > 0:
                marks["first_figure"] = now - started
            if running:
                marks.pop("script_done", None)
        if running or undrawn > 0:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since >= QUIET:
            figures = page.locator(".js-plotly-plot").count()
            if milestones:
                metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
                marks.update(drawn=quiet_since - started, figures=figures,
                             browser_script=metrics.get("ScriptDuration", 0.0),
                             browser_layout=metrics.get("LayoutDuration", 0.0) + metrics.get(
                                 "RecalcStyleDuration", 0.0),
                             browser_tasks=metrics.get("TaskDuration", 0.0))
                MILESTONES.setdefault(url.rsplit("/", 1)[-1].replace("?", " ") or "overview", []).append(marks)
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
    parser.add_argument("--milestones", action="store_true",
                        help="per page: title shown, server script done, first figure, drawn; browser CPU")
    parser.add_argument("--pages", nargs="+", choices=[p or "overview" for p in PAGES], help="only these pages")
    parser.add_argument("--charts", choices=("off", "on", "both"), default="off",
                        help="the pages' other charts (dashboard/sections/more_charts.py): off as a first visitor "
                             "sees them, on (?<page>_charts=1), or both, each page alternately off and on")
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
                    if args.pages and (name or "overview") not in args.pages:
                        continue
                    for charts in (("off", "on") if args.charts == "both" else (args.charts,)):
                        query = f"?{name or 'overview'}_charts=1" if charts == "on" and name != "data_quality" else ""
                        seconds, figures = drawn_seconds(browser, f"http://127.0.0.1:{port}/{name}{query}",
                                                         milestones=args.milestones)
                        label = (name or "overview") + (" +charts" if query else "")
                        results.setdefault(label, []).append(seconds)
                        print(f"round {round_ + 1} {label:<22} {seconds:6.2f} s  ({figures} figures)", flush=True)
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
    print("\npage                   first (uncached)  later rounds median / max")
    for label, times in results.items():
        later = times[1:] or times
        print(f"{label:<22} {times[0]:8.2f} s        {statistics.median(later):.2f} / {max(later):.2f} s")
    warmed = [line for line in log.read_text(errors="replace").splitlines() if "prewarmed" in line]
    print("\nthe server's warmer (dashboard/db.py): " + ("; ".join(line.split("prewarmed", 1)[1].strip()
                                                          for line in warmed) or "no log line"))
    if MILESTONES:
        print("\npage                   round  title  script done  first figure  drawn  figures  browser: tasks  script  layout")
        for label, visits in MILESTONES.items():
            for i, m in enumerate(visits):
                print(f"{label:<22} {i + 1:5}  {m['title']:5.2f}  {m.get('script_done', float('nan')):11.2f}  "
                      f"{m.get('first_figure', float('nan')):12.2f}  {m['drawn']:5.2f}  {m['figures']:7}  "
                      f"{m['browser_tasks']:14.2f}  {m['browser_script']:6.2f}  {m['browser_layout']:6.2f}")


if __name__ == "__main__":
    main()
