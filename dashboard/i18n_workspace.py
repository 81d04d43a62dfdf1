"""Texts of the SQL workspace and weekly-review pages, in English and Simplified Chinese.

Kept apart from dashboard/i18n.py (same pattern: key -> (English, Chinese)). `t(key, lang)` looks here first,
then in the weekly pack's table (pipelines/report_template.py: section titles, KPI names, sentences), then in
dashboard/i18n.py; a missing key shows as itself.
"""

from __future__ import annotations

from dashboard import i18n
from pipelines import report_template

TEXT: dict[str, tuple[str, str]] = {
    # navigation (for app.py's PAGES)
    "page.sql_workspace": ("SQL workspace", "SQL 工作台"),
    "page.weekly_review": ("Weekly review", "质量周报"),
    # SQL workspace
    "ws.title": ("SQL workspace", "SQL 工作台"),
    "ws.intro": ("Read-only SQL on the warehouse (DuckDB dialect). One statement per run; files, network, "
                 "extensions and settings are off; at most {timeout} s and {cap} rows per run. Tables: `core` "
                 "(data), `metrics` (metric views, docs/metrics.md), `meta` (loads, settings). The sidebar's filters do not apply here.",
                 "对数据仓库执行只读 SQL（DuckDB 语法）。每次运行一条语句；文件、网络、扩展和设置均不可用；每次最多 "
                 "{timeout} 秒、{cap} 行。表：`core`（数据）、`metrics`（指标视图，见 docs/metrics.md）、`meta`"
                 "（加载记录、设置）。侧栏的筛选条件不适用于本页。"),
    "ws.editor": ("Query", "查询"),
    "ws.editor.placeholder": ("SELECT site, count(*) FROM tickets GROUP BY site",
                              "SELECT site, count(*) FROM tickets GROUP BY site"),
    "ws.run": ("Run", "运行"),
    "ws.options": ("Limits", "限制"),
    "ws.row_cap": ("Row cap", "行数上限"),
    "ws.timeout": ("Time limit (s)", "时间上限（秒）"),
    "ws.result": ("Result", "结果"),
    "ws.no_result": ("Run a query to see its result here.", "运行查询后在此查看结果。"),
    "ws.rows": ("{rows} row(s) in {elapsed} s", "{rows} 行，用时 {elapsed} 秒"),
    "ws.truncated": ("The result was cut at the row cap of {cap} rows; add a LIMIT, aggregate, or raise the cap.",
                     "结果已截断至 {cap} 行上限；请加 LIMIT、汇总，或提高上限。"),
    "ws.page": ("Page", "页码"),
    "ws.page_size": ("Rows per page", "每页行数"),
    "ws.page_of": ("Rows {first}–{last} of {rows}", "第 {first}–{last} 行，共 {rows} 行"),
    "ws.status.refused": ("Refused", "已拒绝"),
    "ws.status.error": ("DuckDB error", "DuckDB 错误"),
    "ws.status.timeout": ("Stopped at the time limit", "已达时间上限，查询已停止"),
    "ws.status.memory": ("Stopped at the memory limit", "已达内存上限，查询已停止"),
    "ws.position": ("Line {line}, column {column}", "第 {line} 行，第 {column} 列"),
    "ws.position_line": ("Line {line}", "第 {line} 行"),
    "ws.download_csv": ("CSV", "CSV"),
    "ws.download_parquet": ("Parquet", "Parquet"),
    "ws.download_xlsx": ("Excel (XLSX)", "Excel (XLSX)"),
    "ws.download.help": ("CSV cells that start with =, +, - or @ get a leading apostrophe so spreadsheet programs "
                         "do not run them as formulas.",
                         "以 =、+、- 或 @ 开头的 CSV 单元格会加上前导撇号，防止电子表格程序将其作为公式执行。"),
    "ws.chart": ("Quick chart", "快速图表"),
    "ws.chart.type": ("Chart", "图表类型"),
    "ws.chart.x": ("x", "x 轴"),
    "ws.chart.y": ("y", "y 轴"),
    "ws.chart.colour": ("Colour", "颜色分组"),
    "ws.chart.none": ("(none)", "（无）"),
    "ws.chart.bar": ("Bar", "柱状图"), "ws.chart.line": ("Line", "折线图"),
    "ws.chart.scatter": ("Scatter", "散点图"), "ws.chart.area": ("Area", "面积图"),
    "ws.chart.box": ("Box", "箱线图"), "ws.chart.histogram": ("Histogram", "直方图"),
    "ws.chart.need_columns": ("The result needs at least one column to chart.", "结果至少需要一列才能作图。"),
    "ws.schema": ("Schema", "数据结构"),
    "ws.schema.pick": ("Table or view", "表或视图"),
    "ws.schema.columns": ("Columns", "列"),
    "ws.schema.insert": ("Query it", "查询此表"),
    "ws.examples": ("Examples", "示例"),
    "ws.examples.pick": ("Example", "示例查询"),
    "ws.load": ("Load into the editor", "载入编辑器"),
    "ws.saved": ("Saved", "已保存"),
    "ws.saved.name": ("Name", "名称"),
    "ws.saved.description": ("Note (optional)", "备注（可选）"),
    "ws.saved.save": ("Save the editor's query", "保存编辑器中的查询"),
    "ws.saved.done": ("Saved “{name}”.", "已保存“{name}”。"),
    "ws.saved.none": ("No saved queries yet.", "还没有保存的查询。"),
    "ws.saved.pick": ("Saved query", "已保存的查询"),
    "ws.saved.delete": ("Delete", "删除"),
    "ws.saved.where": ("Saved queries live in {path}.", "已保存的查询存放在 {path}。"),
    "ws.history": ("History", "历史"),
    "ws.history.none": ("No queries run yet.", "还没有运行过查询。"),
    "ws.history.pick": ("Select a row to load its query.", "选择一行以载入其查询。"),
    "col.ran_at": ("Ran at (UTC)", "运行时间 (UTC)"), "col.sql": ("SQL", "SQL"),
    "col.elapsed_s": ("Seconds", "秒"), "col.rows": ("Rows", "行数"),
    "col.schema_name": ("Schema", "模式"), "col.object_name": ("Name", "名称"), "col.kind": ("Kind", "类型"),
    "col.column_name": ("Column", "列"), "col.data_type": ("Type", "数据类型"),
    "ws.col.description": ("Description", "说明"),  # a column's documentation, not a survey comment (评价)
    # weekly review page
    "wr.title": ("Weekly quality review", "质量周报"),
    "wr.week": ("ISO week", "ISO 周"),
    "wr.week_option": ("{week} ({start} – {end})", "{week}（{start} 至 {end}）"),
    "wr.no_weeks": ("No complete week of data yet.", "还没有完整一周的数据。"),
    "wr.scope": ("The pack covers the whole organisation: the sidebar's filters do not apply here.",
                 "周报覆盖整个组织：侧栏的筛选条件不适用于本页。"),
    "wr.download_html": ("Download the pack (HTML)", "下载周报 (HTML)"),
    "wr.download.help": ("One self-contained file with every chart, opens offline; `sqd report --week {week}` also "
                         "writes the PDF.", "单个独立文件，含全部图表，可离线打开；`sqd report --week {week}` 还会生成 PDF。"),
    "wr.notes": ("Notes for {week}", "{week} 的记录"),
    "wr.notes.placeholder": ("Decisions, owners and due dates agreed in the meeting.",
                             "会议商定的决定、负责人和完成日期。"),
    "wr.notes.save": ("Save notes", "保存记录"),
    "wr.notes.saved": ("Notes saved.", "记录已保存。"),
    "wr.better": ("improvement", "改善"),
    "wr.worse": ("deterioration", "恶化"),
    "wr.contributions": ("Contributions by dimension value", "按维度取值的贡献"),
    "wr.breaches_by_site": ("Attainment by site", "各站点达成率"),
}


def t(key: str, lang: str = "en", kind: str = "week", **values: object) -> str:
    """`kind`: the reviewed period's (week, month, quarter), for the pack's texts (report_template.t)."""
    pair = TEXT.get(key)
    if pair is not None:
        text = pair[1] if lang == "zh" else pair[0]
        return text.format(**values) if values else text
    if key in report_template.TEXT:
        return report_template.t(key, lang, kind, **values)
    return i18n.t(key, lang, **values)
