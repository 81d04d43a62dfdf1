"""`sqd report` (pipelines/report.py): the HTML states the numbers this test counts from the core tables, names
Hillcrest in the shortage week, opens in headless Chromium with no network and renders every chart; the PDF holds
every section."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from plotly.offline import get_plotlyjs
from typer.testing import CliRunner

from pipelines import report, weekly
from pipelines.cli import app
from pipelines.report_template import STATUS_MARKS, t
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
    assert not re.search(r"<script[^>]*\bsrc=", rest) and "<link" not in rest
    assert not re.search(r'<img(?![^>]*\bsrc="data:)', rest)          # images only as data (the sparklines)
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


# ------------------------------------------------------------------ the printed pack (issue 11, item 5)

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "report"
PRINT_WEEK = "2026-W47"           # a week with a change, breaches, a p-chart signal and both Pareto periods
TOOLBAR_TEXT = ("Download plot as a png", "Zoom in", "Zoom out", "Autoscale", "Reset axes", "Box Select",
                "Lasso Select", "Produced with Plotly", "Toggle Spike Lines", "Compare data on hover")


def _poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        message = f"{tool} is needed to read the PDF: apt-get install -y poppler-utils"
        if os.environ.get("SQD_REQUIRE_BROWSER") == "1":   # .ci/run installs it: there a skip would hide a failure
            pytest.fail(f"SQD_REQUIRE_BROWSER=1 but {message}")
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def printed(review_project) -> dict[str, dict]:
    """The W47 pack printed in both languages, its pages rendered to PNG in test-artifacts/report/ (kept for a
    person to look at) and its text per page (pdftotext; pages split at form feeds)."""
    require_chromium("the PDF needs Chromium: ")
    pdftoppm, pdftotext = _poppler("pdftoppm"), _poppler("pdftotext")
    from pipelines.warehouse import connect, direct

    con = connect(review_project)
    try:
        pack = weekly.build_pack(direct(con), review_project, PRINT_WEEK)
    finally:
        con.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = {}
    for lang in ("en", "zh"):
        html_path = report.write_html(pack, ARTIFACTS, lang)
        pdf_path = report.write_pdf(html_path)
        stem = ARTIFACTS / pdf_path.stem
        for old in ARTIFACTS.glob(f"{pdf_path.stem}-*.png"):
            old.unlink()
        subprocess.run([pdftoppm, "-png", "-r", "60", str(pdf_path), str(stem)], check=True, timeout=120)
        text = subprocess.run([pdftotext, str(pdf_path), "-"], check=True, capture_output=True, text=True,
                              timeout=60).stdout
        pages = [p for p in text.split("\f")]
        if pages and not pages[-1].strip():
            pages.pop()
        out[lang] = {"pack": pack, "html": html_path.read_text(encoding="utf-8"), "pdf": pdf_path,
                     "pages": pages, "png": sorted(ARTIFACTS.glob(f"{pdf_path.stem}-*.png"),
                                                   key=lambda p: int(p.stem.rsplit("-", 1)[1]))}
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_printed_pack_pages_and_no_toolbar(printed, lang):
    got = printed[lang]
    assert 2 <= len(got["pages"]) <= 6, len(got["pages"])
    assert len(got["png"]) == len(got["pages"])
    text = "\n".join(got["pages"])
    for word in TOOLBAR_TEXT:
        assert word not in text, word
    # the toolbar is switched off in every figure, not only hidden by the print style sheet
    plots = got["html"].count("Plotly.newPlot(")
    assert plots == len(report.figures(got["pack"], lang)) >= 3
    assert got["html"].count('{"displayModeBar": false,') == plots
    assert '"displayModeBar": true' not in got["html"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_printed_pack_keeps_the_scorecard_on_one_page(printed, lang):
    got = printed[lang]
    # pdftotext may drop the spaces of a narrow "1 / 1": compare without whitespace
    pages_of = {r.kpi.key: {i for i, p in enumerate(got["pages"])
                            if report.counts_text(r).replace(" ", "") in re.sub(r"\s+", "", p)}
                for r in got["pack"].scorecard}
    assert all(pages == {0} for pages in pages_of.values()), pages_of
    first = got["pages"][0]
    assert t("col.trend", lang) in first                         # "Last 4 weeks" on one line
    assert not re.search(r"\d\s*\n\s*%", first), "a percentage broke before its % sign"
    # the trends follow on the first page instead of leaving half of it empty (when the scorecard leaves room:
    # with the hotline's KPIs, issue 14, the scorecard fills the page)
    if len(got["pack"].scorecard) <= len(weekly.KPIS) - 6:
        assert t("section.trends", lang) in first


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_printed_pack_time_axes_have_dates(printed, lang):
    got = printed[lang]
    pack, text = got["pack"], "\n".join(got["pages"])
    labels = list(report.trend_figure(pack, lang).layout.xaxis.ticktext)
    assert len(labels) >= 2 and labels[-1] == report.date_label(pack.week.start, lang)
    for label in labels:                                          # every trend panel labels its weeks
        assert text.count(label) >= len(pack.scorecard), (label, text.count(label))
    assert ("11月16日" if lang == "zh" else "16 Nov") in text
    pcharts = [fig for key, fig in report.figures(pack, lang).items() if key.startswith("pchart-")]
    assert pcharts
    for fig in pcharts:                          # a date at a week's first lot, labels apart, the reviewed week's last
        axis, lots = fig.layout.xaxis, len(fig.data[0].x)
        assert len(axis.ticktext) >= 2 and all(label in text for label in axis.ticktext), axis.ticktext
        assert axis.ticktext[-1] == report.date_label(pack.week.start, lang)
        assert min(b - a for a, b in zip(axis.tickvals, axis.tickvals[1:])) >= lots / 10, (axis.tickvals, lots)


def test_printed_pack_chinese_type_column_does_not_wrap(printed):
    got = printed["zh"]
    breach_types = set(got["pack"].breaches["ticket_type"].to_list())
    text = "\n".join(got["pages"])
    for code in breach_types:
        label = report.value_label("ticket_type", code, "zh")
        assert len(label) >= 2 and label in text, label
    assert f'<th class="nw">{report.column("ticket_type", "zh")}</th>' in got["html"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_printed_pages_are_not_left_half_empty(printed, lang):
    """Every page but the last is filled below its middle (a chart pushed to the next page left half a page
    blank)."""
    from PIL import Image

    pages = printed[lang]["png"]
    for path in pages[:-1]:
        image = Image.open(path).convert("L")
        ink = image.point(lambda v: 255 if v < 200 else 0).getbbox()
        assert ink is not None and ink[3] > 0.6 * image.height, (path.name, ink, image.height)


def test_generated_time_is_local_with_zone(review_project):
    pack = weekly.WeeklyPack(
        week=IsoWeek.parse(WEEK), timezone="Asia/Shanghai",
        generated_at=datetime(2026, 11, 23, 2, 0, 5, 123456, tzinfo=UTC), scorecard=[], history=pl.DataFrame(),
        changes=[], breaches=pl.DataFrame(), breaches_by_site=pl.DataFrame(), signals=pl.DataFrame(),
        p_chart_lots=pl.DataFrame(), pareto=pl.DataFrame(), comments=pl.DataFrame(), class1_open=pl.DataFrame())
    assert report.generated_text(pack) == "2026-11-23 10:00:05 Asia/Shanghai (UTC+08:00)"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pack_header_prints_local_generation_time(printed, lang):
    got = printed[lang]
    stamp = report.generated_text(got["pack"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d Asia/Shanghai \(UTC\+08:00\)", stamp), stamp
    assert stamp in html.unescape(got["html"]) and " UTC." not in got["html"]
    assert stamp in got["pages"][0].replace("\n", " ")


def test_status_marks_are_colour_blind_safe_with_shapes(printed):
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999"}
    assert set(STATUS_MARKS) == {"green", "amber", "red", "grey"}
    assert {colour for _, colour, _ in STATUS_MARKS.values()} <= okabe_ito
    assert len({symbol for symbol, _, _ in STATUS_MARKS.values()}) == 4           # a distinct shape each
    got = printed["en"]
    page, text = got["html"], "\n".join(got["pages"])
    for r in got["pack"].scorecard:
        symbol, colour, key = STATUS_MARKS[r.light]
        light = re.search(rf'data-kpi="{r.kpi.key}" data-col="light">(.*?)</td>', page).group(1)
        assert f'style="color: {colour}"' in light and symbol in light and t(key, "en") in light
        assert f"{symbol} {t(key, 'en')}" in text                  # shape and words printed together
    for red_or_green in ("#c62828", "#1b873f", "#d62728", "#2ca02c"):
        assert red_or_green not in page.replace(get_plotlyjs(), "").lower()   # plotly.js has its own palette


# ------------------------------------------------------------------ the monthly pack, printed (issue 15)

PRINT_MONTH = "2026-10"           # the demo's last full month (its data ends on 2026-11-22)


def _print(pack, stem_prefix: str) -> dict[str, dict]:
    """Print `pack` in both languages into test-artifacts/report/, pages to PNG, text per page."""
    require_chromium("the PDF needs Chromium: ")
    pdftoppm, pdftotext = _poppler("pdftoppm"), _poppler("pdftotext")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = {}
    for lang in ("en", "zh"):
        pdf_path = report.write_pdf(report.write_html(pack, ARTIFACTS, lang))
        for old in ARTIFACTS.glob(f"{pdf_path.stem}-*.png"):
            old.unlink()
        subprocess.run([pdftoppm, "-png", "-r", "60", str(pdf_path), str(ARTIFACTS / pdf_path.stem)], check=True,
                       timeout=120)
        text = subprocess.run([pdftotext, str(pdf_path), "-"], check=True, capture_output=True, text=True,
                              timeout=60).stdout
        pages = text.split("\f")
        if pages and not pages[-1].strip():
            pages.pop()
        out[lang] = {"pack": pack, "pdf": pdf_path, "pages": pages,
                     "png": sorted(ARTIFACTS.glob(f"{pdf_path.stem}-*.png"),
                                   key=lambda p: int(p.stem.rsplit("-", 1)[1]))}
    return out


@pytest.fixture(scope="module")
def printed_month(review_project) -> dict[str, dict]:
    from pipelines.warehouse import connect, direct

    con = connect(review_project)
    try:
        pack = weekly.build_pack(direct(con), review_project, PRINT_MONTH, "month")
    finally:
        con.close()
    return _print(pack, "month")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_printed_monthly_pack_reads_like_a_document(printed_month, lang):
    got = printed_month[lang]
    pack, pages = got["pack"], got["pages"]
    assert 3 <= len(pages) <= 8, len(pages)
    assert got["png"] and len(got["png"]) == len(pages)
    text = "\n".join(pages)
    first = pages[0]
    assert t("pack.title", lang, "month", week=PRINT_MONTH) in first
    squeezed = re.sub(r"\s+", "", first)            # pdftotext drops the spaces of a narrow "1 / 2"
    for r in pack.scorecard:                        # the whole scorecard on page 1, then the trends
        assert report.counts_text(r).replace(" ", "") in squeezed, r.kpi.key
    assert t("section.trends", lang, "month") in first
    for key in report.PERIOD_SECTIONS:              # every section, in the period's words
        assert t(f"section.{key}", lang, "month") in text.replace("\n", ""), key
    # no weekly wording left (the pack's texts; the data may say what it likes)
    week_words = (("this week", "This week", "last week", "Last week", "the week", "week-to-week", "weekly changes",
                   "13 weeks", "4 weeks", "8 weeks") if lang == "en" else ("本周", "上周", "周末", "周变化", "周波动"))
    flat = re.sub(r"\s+", " ", text)
    assert not any(w in flat for w in week_words), [w for w in week_words if w in flat]
    assert not re.search(r"\d\s*\n\s*%", first), "a percentage broke before its % sign"
    # the seeds' tables: each responsible department's complaints, the CAPA list with the overdue action
    for department in pack.complaints_by_department["department"].to_list():
        assert report.value_label("department", department, lang) in text, department
    assert "CA-0003" in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_printed_monthly_trend_titles_do_not_overlap(printed_month, lang):
    """Five panels a row: a title wider than its panel ran into the next one (the English KPI names). Each title
    line fits its panel at the annotation font (about 6.2 px a Latin character at 11 px, 11 px a Chinese one)."""
    fig = report.trend_figure(printed_month[lang]["pack"], lang)
    width = report.FIG_WIDTH - 70                                 # the figure's plotting width (margins 50 + 20)
    panel = width * fig.layout.xaxis.domain[1]                    # one panel's width in pixels
    for note in fig.layout.annotations:
        for line in note.text.split("<br>"):
            wide = sum(11 if ord(c) > 0x2E80 else 6.2 for c in line)
            assert wide <= panel + 0.07 * width, (line, wide, panel)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_printed_monthly_pages_are_not_left_half_empty(printed_month, lang):
    from PIL import Image

    for path in printed_month[lang]["png"][:-1]:
        image = Image.open(path).convert("L")
        ink = image.point(lambda v: 255 if v < 200 else 0).getbbox()
        assert ink is not None and ink[3] > 0.6 * image.height, (path.name, ink, image.height)


def test_trend_cell_draws_the_last_four_weeks_as_a_line_with_the_values_as_its_text():
    """The scorecard's "Last 4 weeks": a sparkline image (target dashed, this week's point in its status colour, a
    week without data a gap), the values as its alt text and tooltip."""
    import base64
    from datetime import date

    from pipelines.weekly import ScoreRow

    def row(values, target=0.9, light="green"):
        weeks = [date(2026, 11, 2 + 7 * i) for i in range(len(values))]
        return ScoreRow(kpi=weekly.KPI_BY_KEY["timeliness_rate"], value=values[-1], numerator=1, denominator=1,
                        target=target, light=light, ci_low=None, ci_high=None, previous=None, previous_numerator=0,
                        previous_denominator=0, change=None, noise=None, baseline=None, baseline_denominator=0,
                        baseline_weeks=0, trend=list(zip(weeks, values)))

    def svg_of(cell_html: str) -> str:
        return base64.b64decode(re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', cell_html).group(1)).decode()

    values = [0.8, 0.85, 0.95, 0.92]
    cell_html = report.trend_cell(row(values))
    alt = html.unescape(re.search(r'alt="([^"]+)"', cell_html).group(1))
    assert alt == report.trend_text(row(values)) == "80.0\u00a0% → 85.0\u00a0% → 95.0\u00a0% → 92.0\u00a0%"
    svg = svg_of(cell_html)
    assert svg.count("<polyline") == 1 and "stroke-dasharray" in svg
    points = [tuple(map(float, p.split(","))) for p in re.search(r'polyline points="([^"]+)"', svg).group(1).split()]
    ys = [p[1] for p in points]
    assert ys[2] < ys[3] < ys[1] < ys[0]                 # higher values drawn higher (SVG y grows downwards)
    target_y = float(re.search(r'y1="([\d.]+)"', svg).group(1))
    assert ys[2] < target_y < ys[1]                      # 90 % between 85 % and 92 %
    assert f'fill="{STATUS_MARKS["green"][1]}"' in svg

    gap = svg_of(report.trend_cell(row([0.8, None, 0.95, 0.92], light="red")))
    assert gap.count("<polyline") == 1 and gap.count("<circle") == 2   # 80 % alone, then 95 -> 92 and its point
    assert f'fill="{STATUS_MARKS["red"][1]}"' in gap
    flat = svg_of(report.trend_cell(row([0.5, 0.5, 0.5, 0.5], target=None)))
    assert "stroke-dasharray" not in flat and "nan" not in flat
    assert report.trend_cell(row([None, None])) == html.escape(report.trend_text(row([None, None])))


def test_the_scorecard_draws_a_sparkline_per_kpi(written):
    page = written["en"].read_text(encoding="utf-8")
    cells = re.findall(r'data-col="trend">(.*?)</td>', page)
    assert cells and all('<img class="spark"' in c or "<img" not in c for c in cells)
    assert sum('<img class="spark"' in c for c in cells) >= len(weekly.KPIS) - 6
