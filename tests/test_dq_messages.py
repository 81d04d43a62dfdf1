"""The run log's and the load ledger's messages in Chinese on the data-quality page (dashboard/i18n_messages.py):
the messages the pipeline really wrote for the demo's loads, translated phrase by phrase, numbers kept."""

from __future__ import annotations

import re

import polars as pl

from dashboard.i18n_messages import PHRASES_ZH, message_text, translated
from pipelines import waiting
from pipelines.warehouse import connect
from tests.dashboard_fixtures import demo_project  # noqa: F401 (pytest fixture)

# English words of the phrases the page translates: none may be left in a Chinese message
ENGLISH = re.compile(r"row\(s\)|rows unexpected|quarantined|warnings:|observed|expected|e\.g\.|already loaded|"
                     r"nothing changed|\bheld\b|\brows? \d")


def _numbers(text: str) -> list[str]:
    return sorted(re.findall(r"\d+(?:,\d{3})*", text))


def test_the_demo_loads_messages_read_in_chinese(demo_project):  # noqa: F811 (pytest fixture)
    con = connect(demo_project.config)
    try:
        loads, runs, observed = (pl.DataFrame({"message": [r[0] for r in con.execute(sql).fetchall()]},
                                              schema={"message": pl.Utf8}) for sql in (
            "SELECT message FROM meta.load_log WHERE message IS NOT NULL",
            "SELECT message FROM meta.dq_runs WHERE message IS NOT NULL",
            "SELECT observed_value FROM meta.dq_results WHERE observed_value LIKE '% rows unexpected'"))
    finally:
        con.close()
    messages = pl.concat([loads, runs, observed])
    # what the demo writes: quarantines with their rows, warnings with what was observed and expected
    english = messages["message"].to_list()
    assert any("row(s) quarantined" in m for m in english) and any("warnings: " in m for m in english)
    assert any(": observed " in m for m in english) and observed.height > 0
    zh = translated(messages, ("message",), "zh")["message"].to_list()
    for before, after in zip(english, zh, strict=True):
        assert not ENGLISH.search(after), (before, after)
        assert _numbers(after) == _numbers(before), (before, after)
    assert any("行被隔离：" in m for m in zh) and any("警告：" in m for m in zh) and any("行不符合" in m for m in zh)
    assert translated(messages, ("message",), "en").equals(messages)


def test_each_phrase_the_pipeline_writes_has_its_translation():
    """The messages built outside the demo's loads: a released wait, a re-load, a partial update."""
    released = waiting.describe({"ticket_events": 12})
    cases = {
        released: "释放等待中的 ticket_events 12 行（其 tickets 已到达）",
        "already loaded as L20261202-1; nothing changed": "已作为 L20261202-1 加载过；未作更改",
        "updated 1,200 (columns: status, closed_at; the others kept)": "更新 1,200 行（列：status, closed_at；其余列保留）",
        "3 of 1,115 row(s) quarantined: timestamps_in_order 2 (rows 5, 9), channel_in_set 1 (row 12)":
            "1,115 行中 3 行被隔离：timestamps_in_order 2 (第 5, 9 行), channel_in_set 1 (第 12 行)",
        "a.csv: refused by the tickets suite (t.yml); nothing of this file was published:":
            "a.csv: 被 tickets 检查套件拒绝 (t.yml); 此文件未发布任何内容:",
    }
    for english, chinese in cases.items():
        assert message_text(english, "zh") == chinese
        assert message_text(english, "en") == english
    assert all(re.compile(p) for p, _ in PHRASES_ZH)
