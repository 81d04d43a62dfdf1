"""`sqd report` (pipelines/report.py): the HTML states the numbers this test counts from the core tables, names
Hillcrest in the shortage week, opens in headless Chromium with no network and renders every chart; the PDF holds
every section."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from plotly.offline import get_plotlyjs
from typer.testing import CliRunner

from pipelines import report, weekly
from pipelines.cli import app
from pipelines.report_template import t
from pipelines.weekly import IsoWeek
from tests.conftest import require_chromium
from tests.review_fixtures import independent, review_project, state_config  # noqa: F401

WEEK = "2026-W39"


@pytest.fixture(scope="module")
def written(review_project, tmp_path_factory) -> dict[str, Path]:
    """`sqd report` for the fixture week in both languages (the Chinese one with its PDF when Chromium exists:
    printing takes several seconds, so the session prints one)."""
    out = tmp_path_factory.mktemp("reports")
    runner = CliRunner()
    files = {}
    for lang in ("en", "zh"):
        args = ["report", "--week", WEEK, "--lang", lang, "--out", str(out), "--config",
                str(review_project.source)]
        if lang == "en" or report.chromium_path() is None:
            args.append("--no-pdf")
        done = runner.invoke(app, args)
        assert done.exit_code == 0, done.output
        files[lang] = out / f"quality-review-{WEEK}-{lang}.html"
        assert files[lang].exists()
    files["pdf"] = out / f"quality-review-{WEEK}-zh.pdf"
    return files


def cell(page: str, kpi: str, col: str) -> str:
    match = re.search(rf'data-kpi="{kpi}" data-col="{col}">(.*?)</td>', page)
    assert match, (kpi, col)
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1)))


def test_report_states_numbers_counted_from_core_tables(review_project, written):
    page = written["en"].read_text(encoding="utf-8")
    expected = independent(review_project, IsoWeek.parse(WEEK))
    digits = {k.key: k.digits for k in weekly.KPIS}
    for key, (n, d) in expected.items():
        assert cell(page, key, "counts") == f"{n:,} / {d:,}", key
        assert cell(page, key, "value") == f"{n / d * 100:.{digits[key]}f} %", key
    assert cell(page, "complaint_rate", "value") == "5.42 %" and cell(page, "complaint_rate", "counts") == "11 / 203"
    assert "missed" in cell(page, "complaint_rate", "light")
    zh = written["zh"].read_text(encoding="utf-8")
    for key, (n, d) in expected.items():
        assert cell(zh, key, "counts") == f"{n:,} / {d:,}", key


def test_report_says_what_changed_in_both_languages(written):
    en = html.unescape(written["en"].read_text(encoding="utf-8"))
    zh = html.unescape(written["zh"].read_text(encoding="utf-8"))
    assert "Complaint rate (attributable) rose to 5.42 %" in en and "site Hillcrest" in en
    assert "有效投诉率（服务原因）升至 5.42 %" in zh and "站点 Hillcrest" in zh
    for key in report.SECTIONS:
        assert f'<section id="{key}"><h2>{t("section." + key, "zh")}</h2>' in zh
    page = written["en"].read_text(encoding="utf-8")
    assert get_plotlyjs() in page                                     # plotly.js inline, once
    rest = page.replace(get_plotlyjs(), "")
    assert not re.search(r"<script[^>]*\bsrc=", rest) and "<link" not in rest and "<img" not in rest
    assert rest.count("Plotly.newPlot(") == rest.count('class="plotly-graph-div"') >= 3


def test_report_renders_offline_in_headless_chromium(written):
    chromium = require_chromium()
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the test extra)")
    requests: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium),
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            context = browser.new_context(offline=True)
            page = context.new_page()

            def refuse(route):
                requests.append(route.request.url)
                route.abort()

            page.route(re.compile(r"^(?!file:).*"), refuse)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(written["en"].resolve().as_uri(), wait_until="load")
            ids = page.eval_on_selector_all(".plotly-graph-div", "divs => divs.map(d => d.id)")
            assert ids == ["fig-trend", "fig-change-complaint_rate", "fig-pareto"]   # W39: no lot signalled
            page.wait_for_function(
                "() => [...document.querySelectorAll('.plotly-graph-div')]"
                ".every(d => d.querySelector('svg.main-svg') && d.querySelector('.plot-container'))",
                timeout=30_000)
            drawn = page.eval_on_selector_all(
                ".plotly-graph-div", "divs => divs.map(d => d.querySelectorAll('svg.main-svg path, svg.main-svg "
                                     "rect').length)")
            assert all(n > 5 for n in drawn), dict(zip(ids, drawn))
            assert not errors, errors
        finally:
            browser.close()
    assert requests == []


def pdf_outline(pdf: bytes) -> list[str]:
    """Bookmark titles of a PDF (Chromium's --generate-pdf-document-outline writes them as plain or UTF-16
    strings outside compressed streams), read without a PDF library."""
    titles = []
    for match in re.finditer(rb"/Title\s*(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>)", pdf):
        token = match.group(1)
        if token.startswith(b"<"):
            raw = bytes.fromhex(token[1:-1].decode())
        else:
            raw = re.sub(rb"\\(.)", rb"\1", token[1:-1])
        titles.append(raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1"))
    return titles


def test_report_pdf_has_every_section(written):
    require_chromium("the PDF needs Chromium: ")
    pdf = written["pdf"].read_bytes()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 100_000
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 3
    titles = pdf_outline(pdf)
    assert f"质量周报 {WEEK}" in titles
    for key in report.SECTIONS:
        assert t("section." + key, "zh") in titles, (key, titles)


def test_report_without_chromium_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "chromium_path", lambda: None)
    html_file = tmp_path / "x.html"
    html_file.write_text("<html></html>", encoding="utf-8")
    with pytest.raises(report.PdfUnavailable, match="apt-get install -y chromium"):
        report.write_pdf(html_file)


def test_cli_report_default_week_and_notes(state_config, tmp_path, monkeypatch):
    weekly.save_notes(state_config, IsoWeek.parse("2026-W47"), "Decision: <b>extra</b> follow-up calls.")
    monkeypatch.setattr(report, "chromium_path", lambda: None)
    # the CLI loads the configuration itself: point it at the review project and use its default state folder
    from pipelines import cli

    monkeypatch.setattr(cli, "load_or_exit", lambda _: state_config)
    done = CliRunner().invoke(app, ["report", "--out", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert "needs Chromium" in done.output
    page = (tmp_path / "quality-review-2026-W47-en.html").read_text(encoding="utf-8")
    assert "Decision: &lt;b&gt;extra&lt;/b&gt; follow-up calls." in page     # notes are escaped
    bad = CliRunner().invoke(app, ["report", "--week", "2026-46", "--out", str(tmp_path)])
    assert bad.exit_code == 1 and "YYYY-Www" in bad.output
