"""Every UI text goes through dashboard/i18n.py and exists in English and Simplified Chinese."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from dashboard import present, queries
from dashboard.i18n import COLUMNS, LANGUAGES, TEXT, VALUES, label, t

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard"
# this table's users (the SQL workspace and weekly review pages keep their texts in dashboard/i18n_workspace.py)
PAGES = [DASHBOARD / "pages" / f"{name}.py" for name in ("overview", "sla", "satisfaction", "defects",
                                                          "contact_centre", "data_quality")]
SOURCES = [*PAGES, *(DASHBOARD / f"{name}.py" for name in ("app", "ui", "charts", "queries", "present", "stats",
                                                           "db"))]
KEY = re.compile(r"""["']((?:app|page|sidebar|filter|dim|fresh|dq|empty|section|table|metric|overview|sla|sat|def|"""
                 r"""chart|cc)\.[a-z0-9_.]+|period)["']""")
# Streamlit calls whose first argument is text a person reads
TEXT_CALLS = {"title", "header", "subheader", "markdown", "caption", "write", "text", "metric", "button",
              "selectbox", "multiselect", "radio", "text_input", "date_input", "toggle", "info", "warning",
              "error", "success", "expander", "download_button", "url_selectbox", "url_text"}
ACRONYMS = {"CSAT", "NPS"}  # the same in both languages


def _keys_in_code() -> set[str]:
    keys = set()
    for path in SOURCES:
        keys |= set(KEY.findall(path.read_text(encoding="utf-8")))
    dynamic = {f"metric.{m}{suffix}" for m in (k.key for k in present.SCORECARD) for suffix in ("", ".help", ".short")}
    dynamic |= {f"dim.{d}" for d in (*queries.DIMENSIONS, "agent")}
    dynamic |= {f"chart.funnel_{p}" for p in ("above", "within", "below")}
    return {k for k in keys if not k.endswith(".py")} | dynamic


def test_dashboard_every_key_used_has_both_languages():
    used = _keys_in_code()
    assert len(used) > 150
    missing = sorted(k for k in used if k not in TEXT and k not in ("page.weekly_review", "page.sql_workspace"))
    assert not missing, missing
    for key, (en, zh) in TEXT.items():
        assert en.strip() and zh.strip(), key
        fields = lambda s: {f for _, f, _, _ in string.Formatter().parse(s) if f}
        assert fields(en) == fields(zh), key
        if key not in {"chart.km_curve", "def.signal_option", "chart.n"} and not any(a in en for a in ACRONYMS):
            assert re.search(r"[\u4e00-\u9fff]", zh), (key, zh)  # really translated


def test_dashboard_no_untranslated_text_in_pages():
    offenders = []
    for path in [*PAGES, DASHBOARD / "app.py", DASHBOARD / "ui.py", DASHBOARD / "charts.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in TEXT_CALLS or not node.args:
                continue
            # url_selectbox / url_text take the link parameter's name first, then the label
            first = node.args[1] if name in ("url_selectbox", "url_text") and len(node.args) > 1 else node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value not in ACRONYMS:
                offenders.append(f"{path.name}:{node.lineno} {name}({first.value!r})")
            if isinstance(first, ast.JoinedStr):
                offenders.append(f"{path.name}:{node.lineno} {name}(f-string)")
    assert not offenders, offenders


def test_dashboard_column_and_value_labels_have_both_languages():
    for col, (en, zh) in COLUMNS.items():
        assert en and zh, col
    for dim, table in VALUES.items():
        for code, (en, zh) in table.items():
            assert en and zh, (dim, code)
    assert label("channel", "phone", "zh") == "电话"
    assert label("site", "Hillcrest", "zh") == "Hillcrest"  # names from the data pass through
    assert label("signal", "we_rule_1, we_rule_4", "en") == "rule 1: beyond 3σ; rule 4: 8 on one side"
    assert t("no.such.key") == "no.such.key"
    assert t("col.no_such_column") == "no_such_column"


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_dashboard_texts_format(lang):
    assert "2026" in t("period", lang, start="2026-01-01", end="2026-01-31")
    assert "sqd demo" in t("empty.body", lang, path="x")
