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
    "kpi.complaint_limit_rate": ("Complaints within their limit", "投诉按时限处理率"),
    "kpi.hotline_satisfaction_inquiry": ("Satisfaction rate: inquiries", "满意率：咨询"),
    "kpi.hotline_satisfaction_complaint": ("Satisfaction rate: complaints", "满意率：投诉"),
    "kpi.hotline_satisfaction_cross_province": ("Satisfaction rate: cross-province", "满意率：跨省投诉"),
    "kpi.hotline_satisfaction_key_account": ("Satisfaction rate: key accounts", "满意率：大客户"),
    "kpi.first_contact_resolution_rate": ("First-contact resolution", "一次性解决率"),
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
    # months and quarters (pipelines/weekly.py Period): what a weekly pack does not have
    "pack.calendar": ("Working days in {years} are approximate: no official schedule (holidays and adjusted "
                      "调休 workdays) is known for them yet, so public holidays and Saturdays and Sundays off are used; "
                      "working-day SLAs and complaint limits may be off by the adjusted days.",
                      "{years} 年的工作日为近似值：尚无官方安排（节假日与调休工作日），暂按法定节假日和双休日计算；"
                      "按工作日计算的时效与投诉处理时限可能因调休而有偏差。"),
    "pack.unfinished": ("This period is not over: it holds data up to {through}. Its rates count only what is "
                        "decided by now (pending follow-ups, answers and SLAs stay out of the denominators), and "
                        "will move as the period fills.",
                        "本期尚未结束：数据截至 {through}。比率只计入目前已有结果的记录（等待中的回访、应答和时效不计入分母），"
                        "随本期数据补全还会变化。"),
    "section.changes_yoy": ("What changed against a year before", "同比变化"),
    "section.changes_yoy.help": ("A KPI is listed when its change from the same period a year before exceeds both "
                                 "2 standard deviations of its previous 8 period-to-period changes and 2 standard "
                                 "errors of the difference of the two periods' rates; the change is split by "
                                 "dimension as above.",
                                 "当某指标较上年同期的变化同时超过其前 8 次环比变化标准差的 2 倍和两期比率之差标准误的 2 倍时列出；"
                                 "变化按维度分解，方法同上。"),
    "none.changes_yoy": ("No KPI moved beyond its normal noise against the same period a year before (or there "
                         "is no data a year before).", "与上年同期相比没有指标超出正常波动（或上年同期无数据）。"),
    "change.yoy": ("{kpi} {verb} from {before} a year before to {after} ({delta}), beyond its normal noise of "
                   "±{noise}.",
                   "{kpi}由上年同期的 {before} {verb} {after}（{delta}），超出正常波动 ±{noise}。"),
    "col.year_ago": ("A year before", "上年同期"), "col.year_change": ("Year on year", "同比变化"),
    "section.capa": ("Open corrective actions", "未关闭的纠正措施"),
    "section.capa.help": ("Corrective and preventive actions open at the end of the week (opened before it ended, "
                          "not closed by then), overdue ones first; overdue = due before the week ended. Actions "
                          "come from files (dataset corrective_actions) and from the dashboard's review page.",
                          "本周结束时仍未关闭的纠正预防措施（本周结束前立项、截至周末未关闭），逾期的在前；逾期 = 到期日早于周末。"
                          "措施来自文件（数据集 corrective_actions）和看板的评审页面。"),
    "none.capa": ("No corrective action was open at the end of the week.", "周末没有未关闭的纠正措施。"),
    "section.complaints_department": ("Complaints by responsible department", "按责任部门的投诉统计"),
    "section.complaints_department.help": ("Complaints received in the period (cancelled ones left out) by the "
                                           "department responsible, with each department's share of them and "
                                           "the complaints attributable to service (seed 003).",
                                           "本期受理的投诉（不含已取消）按责任部门统计，含各部门占比及服务原因投诉（种子 003）。"),
    "none.complaints_department": ("No complaint received in the period.", "本期没有受理投诉。"),
    "section.nonconformities": ("Nonconformities and losses by product, machine and department",
                                "按产品、机台和责任部门的不合格品与损失"),
    "section.nonconformities.help": ("Nonconformities found in the period by product, the machine (the lot's "
                                     "production line) and the department responsible, with units and losses, "
                                     "largest loss first (seed 000 §8.3 asks for machine and team; the data records "
                                     "no team, so the responsible department is shown).",
                                     "本期发现的不合格品按产品、机台（批次的生产线）和责任部门统计数量与损失，损失大的在前"
                                     "（种子 000 §8.3 要求按机台、班组统计；数据中没有班组，故按责任部门）。"),
    "none.nonconformities": ("No nonconformity found in the period.", "本期没有发现不合格品。"),
    "section.satisfaction_kind": ("Satisfaction by kind", "分类满意率"),
    "section.satisfaction_kind.help": ("Inquiries and complaints handled (resolved) in the period, by seed 004's "
                                       "kinds: satisfaction rate = tickets whose latest follow-up answer was "
                                       "satisfied (4–5) / all handled (not only those who answered; pending "
                                       "follow-ups left out), against its target; CSAT = satisfied / answered "
                                       "(seed 001). A ticket can be of several kinds (a key account's "
                                       "cross-province complaint).",
                                       "本期处理完毕的咨询和投诉，按种子 004 的类别统计：满意率 = 最近一次回访评价为满意（4–5 分）的工单 / "
                                       "全部处理的工单（不只是有回答的，等待回访的不计），对照目标；CSAT = 满意 / 有回答（种子 001）。"
                                       "一张工单可属于多个类别（大客户的跨省投诉）。"),
    "none.satisfaction_kind": ("No ticket handled in the period.", "本期没有处理完毕的工单。"),
}

# Month and quarter packs read the weekly texts with the period's words swapped in (applied in this order);
# `t(key, lang, kind=...)`; a text that needs more than a word swap has its own entry in PERIOD_TEXT.
PERIOD_WORDS: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {
    "month": {
        "en": (("week-to-week", "month-to-month"), ("weekly changes", "monthly changes"), ("This week", "This month"),
               ("this week", "this month"), ("Last week", "Last month"), ("last week", "last month"),
               ("the week", "the month"), ("a week", "a month"), ("two weeks'", "two months'"),
               ("13 weeks", "13 months"), ("8 weeks", "8 months"), ("4 weeks", "4 months"),
               ("week's", "month's"), ("weeks'", "months'")),
        "zh": (("本周", "本月"), ("上周", "上月"), ("周末", "月末"), ("次周变化", "次月度变化"), ("周波动", "月度波动"),
               ("两周", "两个月"), ("13 周", "13 个月"), ("8 周", "8 个月"), ("4 周", "4 个月")),
    },
    "quarter": {
        "en": (("week-to-week", "quarter-to-quarter"), ("weekly changes", "quarterly changes"),
               ("This week", "This quarter"), ("this week", "this quarter"), ("Last week", "Last quarter"),
               ("last week", "last quarter"), ("the week", "the quarter"), ("a week", "a quarter"),
               ("two weeks'", "two quarters'"), ("13 weeks", "9 quarters"), ("8 weeks", "8 quarters"),
               ("4 weeks", "4 quarters"), ("week's", "quarter's"), ("weeks'", "quarters'")),
        "zh": (("本周", "本季度"), ("上周", "上季度"), ("周末", "季末"), ("次周变化", "次季度变化"),
               ("周波动", "季度波动"), ("两周", "两个季度"), ("13 周", "9 个季度"), ("8 周", "8 个季度"),
               ("4 周", "4 个季度")),
    },
}
PERIOD_TEXT: dict[tuple[str, str], tuple[str, str]] = {
    ("pack.title", "month"): ("Monthly quality review {week}", "质量月报 {week}"),
    ("pack.title", "quarter"): ("Quarterly quality review {week}", "质量季报 {week}"),
    ("pack.subtitle", "month"): ("Month {week}: {start} – {end} ({tz}). Generated {generated}.",
                                 "{week} 月：{start} 至 {end}（{tz}）。生成时间 {generated}。"),
    ("pack.subtitle", "quarter"): ("Quarter {week}: {start} – {end} ({tz}). Generated {generated}.",
                                   "{week} 季度：{start} 至 {end}（{tz}）。生成时间 {generated}。"),
    ("pareto.this", "quarter"): ("This quarter", "本季度"),
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
    # months and quarters: the seeds' tables; corrective actions (every pack)
    "complaints": ("Complaints", "投诉数"), "share": ("Share", "占比"), "attributable": ("Attributable", "服务原因"),
    "repeats": ("Repeats", "重复投诉"), "still_open": ("Still open", "未结"), "machine": ("Machine (line)", "机台（产线）"),
    "cost_share": ("Share of losses", "损失占比"), "handled": ("Handled", "处理数"), "pending": ("Pending", "待回访"),
    "with_answer": ("With an answer", "有评价"), "satisfied": ("Satisfied", "满意"),
    "satisfaction_rate": ("Satisfaction rate", "满意率"), "kind_target": ("Target", "目标"), "csat": ("CSAT", "CSAT"),
    "satisfaction_kind": ("Kind", "类别"),
    "capa_id": ("Action", "措施编号"), "source_type": ("Source", "来源"), "source_ids": ("Source records", "来源记录"),
    "owner": ("Owner", "责任人"), "action": ("Corrective action", "纠正措施"), "root_cause": ("Root cause", "原因"),
    "due_date": ("Due", "到期日"), "days_overdue": ("Days overdue", "逾期天数"), "capa_status": ("Status now", "当前状态"),
    "opened_date": ("Opened", "立项日期"), "completed_on": ("Carried out", "实施日期"),
    "rate_before": ("Rate before", "实施前"), "rate_after": ("Rate after", "实施后"), "metric": ("KPI", "指标"),
    "verified_on": ("Verified", "验证日期"), "verified_by": ("Verified by", "验证人"),
    "verification_result": ("Result", "验证结论"), "is_overdue": ("Overdue", "逾期"),
}

# Traffic-light status -> (symbol, colour, label key): Okabe-Ito colours (colour-blind safe, never red/green) and a
# distinct shape per status, always printed beside the label, so neither colour nor shape is the only cue.
STATUS_MARKS: dict[str, tuple[str, str, str]] = {
    "green": ("✔", "#0072B2", "light.green"),
    "amber": ("▲", "#E69F00", "light.amber"),
    "red": ("✖", "#D55E00", "light.red"),
    "grey": ("○", "#999999", "light.grey"),
}

# the scorecard's sparklines (report.trend_cell), in the pack and on the dashboard's weekly-review page
SPARK_CSS = """
img.spark { vertical-align: middle; max-width: none; }
"""

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
table.scorecard td[data-col="trend"] { font-size: 0.92em; white-space: nowrap; }
""" + SPARK_CSS + """
table.scorecard.period td[data-col="kpi"] { min-width: 8em; }   /* a month's scorecard has no trend column */
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
  table.scorecard, .change > p { page-break-inside: avoid; break-inside: avoid; }
  .modebar-container, .modebar { display: none !important; }
  details { display: none; }
}
@page { size: A4; margin: 14mm 12mm; }
"""


def t(key: str, lang: str = "en", kind: str = "week", **values: object) -> str:
    """The pack's text for `key` in `lang`; a missing key shows as itself. `kind`: the pack's period (week, month,
    quarter); a month's or quarter's text is the week's with PERIOD_WORDS swapped in, or its PERIOD_TEXT entry."""
    pair = PERIOD_TEXT.get((key, kind)) or TEXT.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "zh" else pair[0]
    if kind != "week" and (key, kind) not in PERIOD_TEXT:
        for old, new in PERIOD_WORDS[kind]["zh" if lang == "zh" else "en"]:
            text = text.replace(old, new)
    return text.format(**values) if values else text


# corrective actions' coded values (pipelines/datasets.py CAPA_SOURCES, CAPA_STATUSES, CAPA_RESULTS)
CAPA_VALUES: dict[str, dict[str, tuple[str, str]]] = {
    "source_type": {"nonconformity": ("nonconformity", "不合格品"), "complaint": ("complaint", "投诉"),
                    "review": ("review decision", "评审决定")},
    "capa_status": {"open": ("open", "未开始"), "in_progress": ("in progress", "进行中"),
                    "completed": ("carried out, to verify", "已实施待验证"), "closed": ("closed", "已关闭"),
                    "cancelled": ("cancelled", "已取消")},
    "verification_result": {"effective": ("effective", "有效"), "not_effective": ("not effective", "无效")},
    # seed 004's kinds of the satisfaction rate (metrics.hotline_satisfaction)
    "satisfaction_kind": {"inquiry": ("inquiries", "咨询"), "complaint": ("complaints", "投诉"),
                          "cross_province": ("cross-province complaints", "跨省投诉"),
                          "key_account": ("key accounts", "大客户")},
}


def capa_value(name: str, value: object, lang: str = "en") -> str:
    """A corrective action's coded value (source, status, verification result) in `lang`."""
    pair = CAPA_VALUES.get(name, {}).get(str(value))
    return str(value) if pair is None else pair[1] if lang == "zh" else pair[0]


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
