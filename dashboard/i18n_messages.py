"""The run log's and the load ledger's messages in Chinese (the data-quality page).

The pipeline writes its messages in English (the CLI, the log files and `meta.load_log` read by SQL users share
them; a message names the file, rows and values as they are). The page translates the phrases that recur in them,
by pattern, in one Polars expression per column; what a phrase does not cover (a refusal's own explanation, a
value) stays as written. Each pattern comes from one message the pipeline builds: pipelines/gate.py
(`_outcome_message`), pipelines/validate.py (`describe`), pipelines/quality.py, pipelines/ingest.py,
pipelines/waiting.py (`describe`).
"""

import polars as pl

# (regex, Chinese replacement): applied in this order; `$1` etc. are the pattern's groups
PHRASES_ZH: tuple[tuple[str, str], ...] = (
    (r"([\d,]+) of ([\d,]+) row\(s\) quarantined: ", "${2} 行中 ${1} 行被隔离："),
    (r"([\d,]+) of ([\d,]+) rows unexpected", "${2} 行中 ${1} 行不符合"),
    (r"([\d,]+) of ([\d,]+) row\(s\) fail", "${2} 行中 ${1} 行未通过"),
    (r"already loaded as (\S+); nothing changed", "已作为 ${1} 加载过；未作更改"),
    (r"updated ([\d,]+) \(columns: ([^;]+); the others kept\)", "更新 ${1} 行（列：${2}；其余列保留）"),
    (r"released ([\d,]+) held (\S+) row\(s\)", "释放等待中的 ${2} ${1} 行"),
    (r" whose (.+?) arrived", "（其 ${1} 已到达）"),
    (r"\brows ([\d, ]+\d)(, \.\.\.)?", "第 ${1}${2} 行"),
    (r"\brow (\d+)", "第 ${1} 行"),
    (r"\bwarnings: ", "警告："),
    (r": could not be evaluated: ", "：无法评估："),
    (r": observed (.+?), expected ", "：观测值 ${1}，期望 "),
    (r"; e\.g\. ", "；例如 "),
    (r"\brefused by the (\S+) suite", "被 ${1} 检查套件拒绝"),
    (r"nothing of this file was published", "此文件未发布任何内容"),
)


def translated(frame: pl.DataFrame, columns: tuple[str, ...], lang: str) -> pl.DataFrame:
    """`frame` with the message `columns` it holds in `lang` (English: as they are)."""
    present = [c for c in columns if c in frame.columns and frame.schema[c] == pl.Utf8]
    if lang != "zh" or not present:
        return frame
    return frame.with_columns(message_expr(pl.col(c), lang) for c in present)


def message_expr(expr: pl.Expr, lang: str) -> pl.Expr:
    """A message column in `lang` (one expression: no loop over rows)."""
    if lang != "zh":
        return expr
    for pattern, replacement in PHRASES_ZH:
        expr = expr.str.replace_all(pattern, replacement)
    return expr


def message_text(text: str, lang: str) -> str:
    """One message in `lang` (the same phrases as the tables')."""
    if lang != "zh" or not text:
        return text
    return pl.select(message_expr(pl.lit(text, dtype=pl.Utf8), lang)).item()
