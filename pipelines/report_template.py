"""Texts (English and Simplified Chinese) and the HTML skeleton of the weekly quality-review pack.

Used by pipelines/weekly.py (the "what changed" sentences), pipelines/report.py (`sqd report`) and the dashboard's
weekly-review page (through dashboard/i18n_workspace.py). Coded values (categories, departments, products, stages)
are named through dashboard/i18n.py's table when it is importable, so the pack and the dashboard say the same.
"""

from __future__ import annotations

LANGS = ("en", "zh")

TEXT: dict[str, tuple[str, str]] = {
    # the pack
    "pack.title": ("Weekly quality review {week}", "质量周报 {week}"),
    "pack.subtitle": ("Week {week}: {start} – {end} (Monday to Sunday, {tz}). Generated {generated}.",
                      "{week}：{start} 至 {end}（周一至周日，{tz}）。生成时间 {generated}。"),
    "pack.source": ("Every figure comes from the warehouse's metric views (docs/metrics.md): rates are sums of "
                    "numerators over sums of denominators for the week.",
                    "所有数字均来自数据仓库的指标视图（docs/metrics.md）：比率为本周分子之和除以分母之和。"),
    "section.scorecard": ("Scorecard against targets", "目标达成记分卡"),
    "section.scorecard.help": ("Status: ✔ (blue) = target met; ▲ (orange) = target missed, but the target lies inside "
                               "the week's 95 % interval (could be chance); ✖ (vermillion) = missed and outside the "
                               "interval; ○ (grey) = no data. Change = this week minus last week; noise = ±2 standard deviations "
                               "of the previous 8 weekly changes.",
                               "状态：✔（蓝）= 达成目标；▲（橙）= 未达成，但目标在本周 95% 置信区间内（可能是随机波动）；"
                               "✖（朱红）= 未达成且超出区间；○（灰）= 无数据。变化 = 本周减上周；正常波动 = 前 8 次周变化标准差的 ±2 倍。"),
    "section.trends": ("Trends (13 weeks)", "趋势（13 周）"),
    "section.changes": ("What changed", "本周变化"),
    "section.changes.help": ("A KPI is listed when its change from last week exceeds both 2 standard deviations "
                             "of its previous 8 weekly changes and 2 standard errors of the two weeks' difference, "
                             "or when this week's count lies outside the central 99 % of a binomial distribution with the previous 8 weeks' "
                             "rate. The change is split into contributions of each "
                             "site, category, department, product and agent: contribution = (this week's excess "
                             "over the reference rate) − (the reference period's), each weighted by its share of "
                             "the denominator; one dimension's contributions add up to the whole change.",
                             "当某指标较上周的变化同时超过其前 8 次周变化标准差的 2 倍和两周之差标准误的 2 倍，或本周计数超出以前 8 周"
                             "比率为参数的二项分布中间 99% 范围时列出。变化按站点、类别、部门、产品和员工分解：贡献 = 本周相对参考比率的超额 − 参考期的"
                             "超额，按其在分母中的占比加权；同一维度的贡献之和等于总变化。"),
    "section.breaches": ("Top SLA breaches", "主要超时工单"),
    "section.breaches.help": ("Tickets received this week whose SLA target was breached, most overdue first "
                              "(hours in the policy's calendar), and attainment by site.",
                              "本周受理且时效目标超时的工单，按超时时长排序（按策略日历计的小时），以及各站点达成率。"),
    "section.signals": ("p-chart signals of the week", "本周 p 控制图信号"),
    "section.signals.help": ("Lots inspected this week outside their 3-sigma limits or firing a Western Electric "
                             "rule; the charts show the last 8 weeks of the product and stage.",
                             "本周检验且超出 3σ 控制限或触发西电规则的批次；图为该产品和检验阶段最近 8 周的批次。"),
    "section.pareto": ("Defect Pareto: this week and last week", "不合格类型帕累托：本周与上周"),
    "section.comments": ("Lowest-scored comments", "最低分评价"),
    "section.class1": ("Open class-1 complaints", "未结一类投诉"),
    "section.class1.help": ("Class-1 complaints received before the week ended and neither resolved nor closed by "
                            "then; the status column is today's.",
                            "本周结束前受理、且截至周末尚未处理完毕或结案的一类投诉；状态列为当前状态。"),
    "section.notes": ("Decisions and actions", "决定与措施"),
    "notes.empty": ("No notes saved for this week.", "本周尚未保存记录。"),
    "none.changes": ("No KPI moved beyond its normal week-to-week noise.", "没有指标超出正常的周波动范围。"),
    "none.breaches": ("No SLA breach among this week's tickets.", "本周受理的工单没有超时。"),
    "none.signals": ("No lot signalled this week.", "本周没有批次触发信号。"),
    "none.pareto": ("No nonconformity recorded.", "没有不合格记录。"),
    "none.comments": ("No comment scored 3 or lower this week.", "本周没有 3 分及以下的评价。"),
    "section.comments.help": ("Comments of responses scored 1-3 (not satisfied), lowest first.",
                              "评分 1-3 分（不满意）的回访评价，按分数从低到高。"),
    "section.worst_intervals": ("Contact centre: the worst intervals", "呼叫中心：服务水平最差的时段"),
    "section.worst_intervals.help": ("The week's {minutes}-minute intervals with the lowest service level (answered "
                                     "within {seconds} s / calls, queues pooled), among those with at least {min} "
                                     "offered calls; short abandons (within {short} s) are left out of calls. Agents "
                                     "needed: Erlang C for the service-level target; available: from the roster.",
                                     "本周服务水平（{seconds} 秒内接通 / 呼叫量，各技能组合计）最低的 {minutes} 分钟时段，"
                                     "仅计进线不少于 {min} 通的时段；{short} 秒内的短时放弃不计入呼叫量。所需坐席：按服务水平目标的 "
                                     "Erlang C 计算；在岗坐席：来自排班。"),
    "none.worst_intervals": ("No contact-centre interval this week had enough calls to judge.",
                             "本周没有呼叫量足以评判的呼叫中心时段。"),
    "none.class1": ("No class-1 complaint was open at the end of the week.", "周末没有未结的一类投诉。"),
    "pareto.this": ("This week", "本周"),
    "pareto.last": ("Last week", "上周"),
    "chart.value": ("Value", "数值"),
    "chart.target": ("Target", "目标"),
    "chart.week": ("Week", "周"),
    "chart.contribution": ("Contribution (pp)", "贡献（百分点）"),
    "chart.units": ("Units", "数量"),
    "chart.cumulative": ("Cumulative share", "累计占比"),
    "chart.defect_rate": ("Defect rate", "不合格率"),
    "chart.lots": ("Lot (inspection order)", "批次（按检验顺序）"),
    "chart.signal": ("Signal", "信号"),
    "chart.this_week": ("This week", "本周"),
    # scorecard columns
    "col.kpi": ("KPI", "指标"), "col.light": ("Status", "状态"), "col.value": ("This week", "本周"),
    "col.counts": ("Numerator / denominator", "分子 / 分母"), "col.target": ("Target", "目标"),
    "col.interval": ("95 % interval", "95% 区间"), "col.previous": ("Last week", "上周"),
    "col.change": ("Change", "变化"), "col.noise": ("Normal noise", "正常波动"),
    "col.trend": ("Last 4 weeks", "近 4 周"),
    "col.dimension": ("Dimension", "维度"), "col.dim_value": ("Value", "取值"),
    "col.contribution": ("Contribution", "贡献"), "col.share": ("Share of change", "占变化"),
    "col.rate_current": ("Rate this week", "本周比率"), "col.rate_reference": ("Rate before", "此前比率"),
    "col.counts_current": ("This week n / d", "本周 分子/分母"),
    "col.counts_reference": ("Before n / d", "此前 分子/分母"),
    "light.green": ("met", "达成"), "light.amber": ("missed (within noise)", "未达成（随机波动内）"),
    "light.red": ("missed", "未达成"), "light.grey": ("no data", "无数据"),
    # KPI names
    "kpi.timeliness_rate": ("Service timeliness", "服务及时率"),
    "kpi.csat_rate": ("Customer satisfaction (CSAT)", "客户满意度 (CSAT)"),
    "kpi.complaint_rate": ("Complaint rate (attributable)", "有效投诉率（服务原因）"),
    "kpi.repeat_complaint_rate": ("Repeat-complaint rate", "重复投诉率"),
    "kpi.follow_up_rate": ("Follow-up rate", "回访率"),
    "kpi.response_rate": ("Response rate", "回访接通率"),
    "kpi.defect_rate": ("Defect rate", "不合格率"),
    "kpi.service_level": ("Service level (80/20)", "服务水平（80/20）"),
    "kpi.abandon_rate": ("Abandon rate", "放弃率"),
    # dimensions
    "dim.site": ("site", "站点"), "dim.category": ("category", "类别"), "dim.department": ("department", "部门"),
    "dim.product": ("product", "产品"), "dim.agent": ("agent", "员工"), "dim.line": ("line", "产线"),
    "dim.stage": ("stage", "检验阶段"), "dim.material_batch": ("material batch", "原料批次"),
    "dim.queue": ("queue", "技能组"),
    # the "what changed" sentences
    "change.rose": ("rose", "升至"), "change.fell": ("fell", "降至"),
    "change.wow": ("{kpi} {verb} from {before} to {after} ({delta}) since last week, beyond its normal "
                   "week-to-week noise of ±{noise}.",
                   "{kpi}由上周的 {before} {verb} {after}（{delta}），超出正常周波动 ±{noise}。"),
    "change.baseline": ("{kpi} {verb} to {after} ({delta} against the previous 8 weeks' {before}), outside its "
                        "usual range of {low} – {high} for a week of this size.",
                        "{kpi}{verb} {after}（较前 8 周的 {before} {delta}），超出同等样本量下的常规范围 {low} – {high}。"),
    "change.better": (" This is an improvement.", "属于改善。"),
    "change.worse": (" This is a deterioration.", "属于恶化。"),
    "change.drivers": (" Most of it comes from {drivers}.", "主要来自{drivers}。"),
    "change.driver": ("{dimension} {value} ({contribution}, {share} of the change)",
                      "{dimension} {value}（{contribution}，占变化的 {share}）"),
    "change.spread": (" No single site, category, department, product or agent accounts for most of it.",
                      "没有单一的站点、类别、部门、产品或员工占变化的大部分。"),
    "change.spread.calls": (" No single queue or agent accounts for most of it.",
                            "没有单一的技能组或坐席占变化的大部分。"),
    "change.join": ("; ", "；"),
    "pp": ("{value} pp", "{value} 个百分点"),
}

# Column headers of the pack's tables, by column name.
COLUMNS: dict[str, tuple[str, str]] = {
    "ticket_id": ("Ticket", "工单号"), "site": ("Site", "站点"), "category": ("Category", "类别"),
    "ticket_type": ("Type", "类型"), "target": ("SLA target", "时效目标"), "policy_id": ("Policy", "策略"),
    "created_at": ("Received", "受理时间"), "due_at": ("Due", "到期"), "event_at": ("Done at", "完成时间"),
    "overdue_hours": ("Overdue (h)", "超时（小时）"), "is_open": ("Still open", "未完成"),
    "breached": ("Breached", "超时"), "decided": ("Decided", "已判定"), "attainment_rate": ("Attainment", "达成率"),
    "lot_id": ("Lot", "批次"), "product": ("Product", "产品"), "stage": ("Stage", "阶段"), "line": ("Line", "产线"),
    "inspected_date": ("Inspection date", "检验日期"), "material_batch_id": ("Material batch", "原料批次"),
    "inspected_qty": ("Units inspected", "检验数"), "nonconforming_qty": ("Nonconforming", "不合格数"),
    "defect_rate": ("Defect rate", "不合格率"), "ucl": ("Upper limit", "上限"), "lcl": ("Lower limit", "下限"),
    "signal": ("Signal", "信号"), "defect_type": ("Defect type", "不合格类型"), "qty": ("Units", "数量"),
    "records": ("Records", "记录数"), "total_cost": ("Cost", "损失"), "cumulative_share": ("Cumulative", "累计占比"),
    "attempted_date": ("Date", "日期"), "agent": ("Agent", "员工"), "score": ("Score", "评分"),
    "comment": ("Comment", "评价"), "department": ("Department", "部门"), "status_now": ("Status now", "当前状态"),
    "age_days": ("Age at week end (days)", "周末已开（天）"), "resolved_at": ("Resolved", "处理完毕"),
    "interval_start": ("Interval", "时段"), "offered": ("Offered", "进线"), "calls": ("Calls", "呼叫量"),
    "answered": ("Answered", "接通"), "abandoned": ("Abandoned", "放弃"),
    "service_level": ("Service level", "服务水平"), "abandon_rate": ("Abandon rate", "放弃率"),
    "asa_seconds": ("ASA (s)", "平均应答速度（秒）"), "agents_needed": ("Agents needed", "所需坐席"),
    "agents_available": ("Agents available", "在岗坐席"), "queue": ("Queue", "技能组"),
}

# Traffic-light status -> (symbol, colour, label key): Okabe-Ito colours (colour-blind safe, never red/green) and a
# distinct shape per status, always printed beside the label, so neither colour nor shape is the only cue.
STATUS_MARKS: dict[str, tuple[str, str, str]] = {
    "green": ("✔", "#0072B2", "light.green"),
    "amber": ("▲", "#E69F00", "light.amber"),
    "red": ("✖", "#D55E00", "light.red"),
    "grey": ("○", "#999999", "light.grey"),
}

CSS = """
:root { --green: #0072B2; --amber: #E69F00; --red: #D55E00; --grey: #999999; --ink: #1f2328; --muted: #57606a; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
       "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 24px auto; max-width: 1040px; padding: 0 16px;
       font-size: 13px; line-height: 1.45; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 6px; border-bottom: 2px solid #d0d7de; padding-bottom: 3px; }
p.meta, p.help { color: var(--muted); margin: 2px 0 8px; }
p.help { font-size: 12px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; }
th, td { border-bottom: 1px solid #e3e6ea; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f4f6f8; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td[data-col="light"] { white-space: nowrap; }
.mark { display: inline-block; width: 1.1em; margin-right: 4px; text-align: center; font-weight: 700;
        -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.nw, th.nw, td.nw { white-space: nowrap; }
table.scorecard td[data-col="trend"] { font-size: 0.92em; }
.keep { page-break-inside: avoid; break-inside: avoid; }
.change { margin: 10px 0 14px; padding: 8px 10px; border-left: 4px solid var(--amber); background: #fff8e6;
          -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.change.better { border-left-color: var(--green); background: #eef5fa; }
.change.worse { border-left-color: var(--red); background: #fcf1ea; }
.change p { margin: 0 0 6px; font-size: 14px; }
.figure { margin: 6px 0 12px; page-break-inside: avoid; break-inside: avoid; }
.cols { display: flex; gap: 16px; } .cols > div { flex: 1; min-width: 0; }
.notes { white-space: pre-wrap; border: 1px solid #d0d7de; padding: 8px 10px; min-height: 40px; }
section { page-break-inside: auto; }
@media print {
  body { margin: 0 auto; max-width: none; font-size: 11px; }
  h2 { margin-top: 18px; }
  h2, h3 { page-break-after: avoid; break-after: avoid; }
  p.help { page-break-inside: avoid; break-inside: avoid; }
  tr { page-break-inside: avoid; break-inside: avoid; }
  table { font-size: 10px; } th, td { padding: 3px 4px; }
  table.scorecard td { padding: 2px 4px; line-height: 1.3; }
  table.scorecard td[data-col="trend"] { min-width: 8.5em; }   /* two weeks a line, not one: 9 KPIs on page 1 */
  table.scorecard, .change > p { page-break-inside: avoid; break-inside: avoid; }
  .modebar-container, .modebar { display: none !important; }
  details { display: none; }
}
@page { size: A4; margin: 14mm 12mm; }
"""


def t(key: str, lang: str = "en", **values: object) -> str:
    """The pack's text for `key` in `lang`; a missing key shows as itself."""
    pair = TEXT.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "zh" else pair[0]
    return text.format(**values) if values else text


def column(name: str, lang: str = "en") -> str:
    pair = COLUMNS.get(name)
    return name if pair is None else (pair[1] if lang == "zh" else pair[0])


_DIMENSION_CODES = {"category": "category", "department": "department", "product": "product", "stage": "stage",
                    "defect_type": "defect_type", "target": "target", "ticket_type": "ticket_type",
                    "status": "status", "status_now": "status", "signal": "signal", "queue": "queue"}
# the pack's columns holding coded values: the PDF's cells and the weekly-review page's tables name them with
# value_label, so the page and the printout say the same
CODED_COLUMNS = tuple(_DIMENSION_CODES)


def value_label(dimension: str, value: object, lang: str = "en") -> str:
    """A coded value's name in the dashboard's translation table; names from the data (sites, agents) as they are."""
    if value is None:
        return "(none)" if lang != "zh" else "（空）"
    code = _DIMENSION_CODES.get(dimension)
    if code is None:
        return str(value)
    try:
        from dashboard.i18n import label  # noqa: PLC0415 (optional: the pack works without the dashboard)
    except ImportError:
        return str(value)
    return label(code, value, lang)
