"""Translation table: every text the dashboard shows, in English and Simplified Chinese.

`t(key, lang, **values)` formats a text; `label(dimension, value, lang)` names a coded value (a channel, a
ticket type, an SLA target...) and passes names that come from the data (sites, agents) through unchanged.
A missing key shows as the key itself, and tests/test_dashboard_i18n.py fails on it.
"""

from __future__ import annotations

from pipelines.datasets import DATASETS

LANGUAGES = {"en": "English", "zh": "简体中文"}

TEXT: dict[str, tuple[str, str]] = {
    # shell
    "app.title": ("Service quality", "服务质量"),
    "page.overview": ("Overview", "总览"),
    "page.sla": ("SLA", "服务时效"),
    "page.satisfaction": ("Satisfaction", "满意度"),
    "page.defects": ("Defects", "不合格品"),
    "page.data_quality": ("Data quality", "数据质量"),
    "sidebar.language": ("Language", "语言"),
    "sidebar.filters": ("Filters", "筛选"),
    "filter.dates": ("Date range", "日期范围"),
    "filter.dates.help": ("Local dates (the warehouse's time zone). Tickets count on their creation date, surveys "
                          "on the attempt date, lots on the inspection date, nonconformities on the date found.",
                          "本地日期（数据仓库时区）。工单按受理日期、回访按回访日期、检验批按检验日期、不合格品按发现日期计入。"),
    "filter.all": ("All", "全部"),
    "filter.select_all": ("Select all", "全选"),
    "unit.minutes": ("{value} min", "{value} 分钟"),
    "unit.hours": ("{value} h", "{value} 小时"),
    "filter.reset": ("Reset filters", "重置筛选"),
    "filter.applies": ("Filters applied here: {names}", "本节适用的筛选：{names}"),
    "filter.none": ("none", "无"),
    "period": ("Period {start} – {end}", "期间 {start} 至 {end}"),
    "dim.site": ("Site", "站点"),
    "dim.department": ("Department", "部门"),
    "dim.channel": ("Channel", "渠道"),
    "dim.ticket_type": ("Ticket type", "工单类型"),
    "dim.category": ("Category", "类别"),
    "dim.priority": ("Priority", "优先级"),
    "dim.product": ("Product", "产品"),
    "dim.agent": ("Agent", "坐席/员工"),
    "fresh.title": ("Data status", "数据状态"),
    "fresh.last_load": ("Last load: {value}", "最近加载：{value}"),
    "fresh.newest": ("Newest record: {value}", "最新记录：{value}"),
    "fresh.age": (" ({days} d ago)", "（{days} 天前）"),
    "dq.none": ("Data-quality checks: no checks run yet", "数据质量检查：尚未运行检查"),
    "calendar.approximate_short": (":material/warning: Working days in {years} are approximate: no official schedule "
                                   "yet (see Data quality).",
                                   ":material/warning: {years} 年的工作日为近似值：尚无官方安排（见“数据质量”）。"),
    "calendar.approximate": ("Working days in {years} are approximate. chinese-calendar knows the official schedule "
                             "(holidays and adjusted 调休 workdays) up to {last_official}; for later years public "
                             "holidays with weekends off are used, so working-day SLAs and complaint limits there "
                             "may be off by the adjusted days. Add the State Council's schedule to `{path}` "
                             "(`date,is_workday,holiday_name`, one row per holiday or adjusted workday) and run "
                             "`sqd check`.",
                             "{years} 年的工作日为近似值。chinese-calendar 收录的官方安排（节假日与调休工作日）只到 "
                             "{last_official} 年；之后的年份按法定节假日加周末计算，因此按工作日计算的时效与投诉处理时限"
                             "可能因调休而有偏差。请把国务院办公厅公布的安排写入 `{path}`（`date,is_workday,holiday_name`，"
                             "每个节假日或调休工作日一行），然后运行 `sqd check`。"),
    "dq.line": ("Last check: {status} — {dataset}, {failed} of {checks} expectations failed ({when}) · rows in "
                "quarantine: {quarantined} · refused loads: {refused}",
                "最近一次检查：{status} — {dataset}，{checks} 项检查中 {failed} 项未通过（{when}）· 隔离行数："
                "{quarantined} · 拒绝加载：{refused}"),
    "dq.line_loads": ("Last load: {status} ({when}) · quarantined rows: {quarantined} · refused loads: {refused}",
                      "最近一次加载：{status}（{when}）· 隔离行数：{quarantined} · 拒绝加载：{refused}"),
    "empty.title": ("No data in the warehouse yet.", "数据仓库中还没有数据。"),
    "empty.body": ("The dashboard reads `{path}`. Load the demo organisation with `sqd demo`, or your own export "
                   "with `sqd ingest FILE` (CSV, XLSX, XLS, Parquet or NDJSON), then reload this page.",
                   "仪表板读取 `{path}`。用 `sqd demo` 加载演示数据，或用 `sqd ingest 文件` 加载您自己的导出文件"
                   "（CSV、XLSX、XLS、Parquet 或 NDJSON），然后刷新本页。"),
    "empty.error": ("The warehouse cannot be read right now: {message}. Reload the page in a moment.",
                    "暂时无法读取数据仓库：{message}。请稍后刷新页面。"),
    "section.error": ("This part could not be computed: {message}", "本部分无法计算：{message}"),
    "section.no_data": ("No data for the current filters.", "当前筛选条件下没有数据。"),
    "table.download": ("Download CSV", "下载 CSV"),
    "table.show_data": ("Data behind the chart", "图表数据"),
    "table.no_rows": ("No rows for these filters.", "当前筛选下没有记录。"),
    # metrics
    "metric.timeliness_rate": ("Service timeliness", "服务及时率"),
    "metric.timeliness_rate.short": ("Timeliness", "及时率"),
    "metric.csat_rate.short": ("CSAT", "满意度"),
    "metric.complaint_rate.short": ("Complaint rate", "投诉率"),
    "metric.defect_rate.short": ("Defect rate", "不合格率"),
    "metric.follow_up_rate.short": ("Follow-up rate", "回访率"),
    "metric.timeliness_rate.help": ("Tickets whose every applicable SLA target was met / tickets measured "
                                    "(all targets decided): {n} / {d}. Target from sqd.toml.",
                                    "所有适用时效目标均达成的工单 / 已判定工单：{n} / {d}。目标见 sqd.toml。"),
    "metric.csat_rate": ("Customer satisfaction (CSAT)", "客户满意度 (CSAT)"),
    "metric.csat_rate.help": ("Responses scoring 4-5 / scored responses: {n} / {d}.",
                              "评分为 4-5 的回访 / 有评分的回访：{n} / {d}。"),
    "metric.complaint_rate": ("Complaint rate (attributable)", "有效投诉率（服务原因）"),
    "metric.complaint_rate.help": ("Complaints attributable to the service / all tickets: {n} / {d}.",
                                   "服务原因导致的投诉 / 全部工单：{n} / {d}。"),
    "metric.defect_rate": ("Defect rate", "不合格率"),
    "metric.defect_rate.help": ("Nonconforming units / inspected units: {n} / {d}.",
                                "不合格数量 / 检验数量：{n} / {d}。"),
    "metric.follow_up_rate": ("Follow-up rate", "回访率"),
    "metric.follow_up_rate.help": ("Resolved repairs and complaints with a follow-up attempt / resolved: {n} / {d}.",
                                   "有回访记录的已处理报修和投诉 / 已处理：{n} / {d}。"),
    "metric.response_rate": ("Response rate", "回访接通率"),
    "metric.response_rate.help": ("Responses / follow-up attempts.", "成功回访 / 回访尝试次数。"),
    "metric.hotline_satisfaction_rate": ("Satisfaction of all handled", "满意率（按全部处理量）"),
    "metric.hotline_satisfaction_rate.help": ("Satisfied customers / all resolved repairs and complaints "
                                              "(customers not reached lower it).",
                                              "满意客户 / 全部已处理报修和投诉（未接通的客户会拉低该比率）。"),
    "metric.mean_score": ("Mean score", "平均分"),
    "metric.nps.help": ("Net promoter score: % promoters (9-10) − % detractors (0-6) of 0-10 answers.",
                        "净推荐值：0-10 分中推荐者 (9-10) 比例减去贬损者 (0-6) 比例。"),
    "metric.reopen_rate": ("Reopen rate", "重开率"),
    "metric.reopen_rate.help": ("Tickets reopened at least once / tickets.", "至少重开一次的工单 / 工单总数。"),
    "metric.escalation_rate": ("Escalation rate", "升级率"),
    "metric.escalation_rate.help": ("Escalated tickets / tickets.", "已升级（催办）的工单 / 工单总数。"),
    # overview
    "overview.title": ("Overview", "总览"),
    "overview.scorecard": ("Scorecard against targets", "目标达成记分卡"),
    "overview.scorecard.help": ("Each value covers the whole period; the delta compares the latest week with the "
                                "week before (percentage points); the sparkline shows every week.",
                                "数值为整个期间；变化量为最近一周与前一周之差（百分点）；迷你图为各周走势。"),
    "overview.wow": ("w/w", "周环比"),
    "overview.target": ("Target {target}", "目标 {target}"),
    "overview.target_met": ("Target {target}: met", "目标 {target}：达成"),
    "overview.target_missed": ("Target {target}: missed", "目标 {target}：未达成"),
    "overview.scorecard_table": ("Scorecard as a table", "记分卡表格"),
    "overview.by_channel": ("Tickets by channel and type", "按渠道和类型的工单量"),
    "overview.weekly_volume": ("Tickets per week", "每周工单量"),
    # SLA
    "sla.title": ("SLA attainment", "服务时效达成"),
    "sla.attainment": ("Attainment per target", "各时效目标达成率"),
    "sla.attainment.help": ("Met / (met + breached). Open tickets past their due time count as breached; tickets "
                            "still inside their target are not counted yet. The line is the service-timeliness "
                            "target.",
                            "达成 / (达成 + 超时)。已过期仍未完成的工单计为超时；尚在时限内的工单暂不计入。"
                            "虚线为服务及时率目标。"),
    "sla.attainment.metric_help": ("Met {met}, breached {breached}, pending {pending}.",
                                   "达成 {met}，超时 {breached}，待定 {pending}。"),
    "sla.attainment.goal": ("Target: at least {value} ([targets] timeliness_rate).",
                            "目标：不低于 {value}（[targets] timeliness_rate）。"),
    "sla.pick_target": ("SLA target for the breakdowns", "细分分析的时效目标"),
    "sla.heatmap": ("Attainment by site and category", "按站点和类别的达成率"),
    "sla.times": ("Time to target", "处理时长分布"),
    "sla.show_times": ("Show time distributions and medians (computed when switched on)", "显示处理时长分布与中位数（打开时计算）"),
    "sla.times.help": ("Elapsed time in the policy's calendar (business hours for business-calendar policies). "
                       "Still-open tickets are counted at their current age.",
                       "按时效策略的日历计算的用时（工作日历策略只计工作时间）。未完成工单按当前已用时长计。"),
    "sla.pick_policy": ("SLA policy", "时效策略"),
    "sla.policy_option": ("{policy} — target {hours}, {calendar}", "{policy} — 时限 {hours}，{calendar}"),
    "sla.distribution": ("Distribution of elapsed time", "用时分布"),
    "sla.km_title": ("Share still waiting (Kaplan–Meier)", "仍在等待的比例（Kaplan–Meier）"),
    "sla.plain_median": ("Median, completed only", "中位数（仅已完成）"),
    "sla.plain_median.help": ("Median of tickets that reached the event; ignores the ones still open, so it "
                              "understates the wait when many are open.",
                              "只统计已完成工单的中位数；忽略仍未完成的工单，未完成较多时会低估等待时间。"),
    "sla.km_median": ("Median incl. open (Kaplan–Meier)", "含未完成的中位数（Kaplan–Meier）"),
    "sla.km_median.help": ("Kaplan–Meier estimate with still-open tickets as censored at their current age.",
                           "Kaplan–Meier 估计：未完成工单按当前已用时长作为删失数据。"),
    "sla.not_reached": ("not reached", "未达到"),
    "sla.open_share": ("Still open", "仍未完成"),
    "sla.open_share.help": ("Tickets still waiting for this event; {done} reached it.",
                            "仍在等待该事件的工单；已完成 {done} 张。"),
    "sla.medians": ("Median times per target", "各目标的中位用时"),
    "sla.medians.help": ("Plain median and 90th percentile of completed tickets beside the Kaplan–Meier median "
                         "that counts still-open tickets, all policies together.",
                         "已完成工单的中位数和 90 分位数，以及计入未完成工单的 Kaplan–Meier 中位数（全部策略合计）。"),
    "sla.backlog": ("Backlog", "积压工单"),
    "sla.backlog.help": ("Every ticket open now, whatever its creation date (the date range does not apply).",
                         "当前所有未结工单，不论受理日期（日期范围不适用）。"),
    "sla.backlog_total": ("Open tickets", "未结工单"),
    "sla.backlog_breached": ("Open and already breached", "未结且已超时"),
    "sla.backlog_oldest": ("The oldest open tickets.", "最久未结的工单。"),
    "sla.breaches": ("Breach list", "超时清单"),
    "sla.breaches.help": ("Targets breached, most overdue first. Select a row (or type a ticket number) to see the "
                          "ticket.", "已超时的目标，按超时时长排序。选择一行（或输入工单号）查看工单详情。"),
    "sla.breaches_shown": ("Showing {shown} of {total} breaches.", "显示 {total} 条超时中的 {shown} 条。"),
    "sla.ticket_lookup": ("Ticket number", "工单号"),
    "sla.ticket_placeholder": ("e.g. T000123", "例如 T000123"),
    "sla.ticket_detail": ("**Ticket {ticket}**", "**工单 {ticket}**"),
    "sla.reopen": ("Reopen and escalation", "重开与升级"),
    "sla.reopen.help": ("Share of tickets reopened after a follow-up, and of tickets escalated.",
                        "回访后重开的工单比例，以及被升级（催办）的工单比例。"),
    # satisfaction
    "sat.title": ("Satisfaction", "满意度"),
    "sat.csat": ("CSAT over time", "满意度趋势"),
    "sat.csat.help": ("Satisfied (4-5) / scored responses, with its 95 % Wilson interval; the dashed line is "
                      "the target.", "满意 (4-5 分) / 有评分的回访，阴影为 95% Wilson 置信区间；虚线为目标。"),
    "sat.csat.metric_help": ("{k} of {n} scored responses; 95 % interval {low} – {high}.",
                             "{n} 条有评分回访中 {k} 条满意；95% 区间 {low} – {high}。"),
    "sat.scores": ("Score distribution", "评分分布"),
    "sat.dimensions": ("Technician dimension scores", "技术人员分项评分"),
    "sat.dimensions.help": ("Mean of each dimension (1-5); the hover gives the share of 4-5 answers.",
                            "各分项平均分 (1-5)；悬停可见 4-5 分占比。"),
    "sat.follow_up": ("Follow-up and response", "回访与接通"),
    "sat.follow_up.help": ("Follow-up rate of resolved repairs and complaints, the satisfaction rate over all of "
                           "them, and the response rate of follow-up attempts.",
                           "已处理报修和投诉的回访率、按全部处理量计的满意率，以及回访尝试的接通率。"),
    "sat.fair": ("Agents and sites, fairly compared", "坐席与站点的公平比较"),
    "sat.fair.help": ("Small samples vary a lot by chance. The funnel shows each unit against 95 % and 99.8 % "
                      "limits around the overall CSAT; only points outside the outer limits stand out. The "
                      "intervals are 95 % Wilson intervals, in name order — not a ranking.",
                      "样本小的单位随机波动大。漏斗图将各单位与总体满意度的 95% 和 99.8% 控制限比较，只有超出外侧"
                      "控制限的点才算显著。右图为 95% Wilson 区间，按名称排列，不是排名。"),
    "sat.compare_by": ("Compare", "比较对象"),
    "sat.funnel": ("Funnel plot", "漏斗图"),
    "sat.intervals": ("CSAT with 95 % intervals", "满意度及 95% 区间"),
    "sat.comments": ("Low-score comments", "低分评价"),
    "sat.comments.help": ("Comments of responses at or below the chosen score, newest first.",
                          "不高于所选分数的回访评价，按时间倒序。"),
    "sat.max_score": ("Score at most", "最高分数"),
    "sat.search": ("Search comments", "搜索评价"),
    "sat.search_placeholder": ("a word or phrase", "关键词"),
    "sat.comments_shown": ("{shown} comments (at most {limit}).", "{shown} 条评价（最多 {limit} 条）。"),
    # defects
    "def.title": ("Defects", "不合格品"),
    "def.p_chart": ("p-chart per product and stage", "按产品和检验阶段的 p 控制图"),
    "def.p_chart.help": ("Each lot's nonconforming share with 3-sigma limits that follow the lot's size (centre "
                         "line over all lots of the product and stage). Crosses are out of control; diamonds are "
                         "Western Electric rule signals.",
                         "每批不合格率及随批量变化的 3σ 控制限（中心线为该产品该阶段全部批次）。叉号为失控点；"
                         "菱形为西电规则信号。"),
    "def.pick_product": ("Product", "产品"),
    "def.pick_stage": ("Inspection stage", "检验阶段"),
    "def.signals_found": ("{n} of {lots} lots are out of control or signal.", "{lots} 个批次中有 {n} 个失控或触发信号。"),
    "def.pick_signal": ("Signal", "信号"),
    "def.signal_option": ("{lot} — {rate} — {signal}", "{lot} — {rate} — {signal}"),
    "def.signal_lots": ("The lots that make up the selected signal.", "构成所选信号的批次。"),
    "def.all_lots": ("All lots on the chart", "图中全部批次"),
    "def.pareto": ("Pareto of defect types", "不合格类型帕累托图"),
    "def.pareto.help": ("Defect types largest first with the cumulative share; the dashed line marks 80 %.",
                        "不合格类型按数量从大到小排列，折线为累计占比；虚线为 80%。"),
    "def.pareto_measure": ("Measure", "度量"),
    "def.copq": ("Cost of poor quality", "质量损失成本"),
    "def.copq.help": ("Losses of nonconformities by disposition, and as charged to departments (inside the "
                      "warranty window by the configured shares, outside it to the market department), per month.",
                      "不合格品损失按处置方式，以及按部门分摊（保修期内按配置比例，保修期外由市场部承担），按月统计。"),
    "def.copq_disposition": ("By disposition", "按处置方式"),
    "def.copq_department": ("By department charged", "按承担部门"),
    "def.field": ("Field failures and warranty claims", "现场故障与三包索赔"),
    "def.field.help": ("Nonconformities reported by tickets or found in the field, traced to their production "
                       "lot; inside the warranty window when found within the product's warranty days of "
                       "production.", "由工单报告或现场发现的不合格品，追溯到生产批次；发现日期在产品保修天数内即为保修期内。"),
    "def.field_failures": ("Field failures", "现场故障"),
    "def.in_warranty": ("Inside warranty", "保修期内"),
    "def.in_warranty.help": ("Found within the product's warranty days of its production date.",
                             "在产品生产日期起的保修天数内发现。"),
    "def.in_warranty_cost": ("Cost inside warranty", "保修期内损失"),
    "def.field_lots": ("Lots behind the failures (select one)", "故障对应的批次（可选择）"),
    "def.failures_of_lot": ("Failures of lot {lot}", "批次 {lot} 的故障"),
    "def.failures_all": ("All field failures", "全部现场故障"),
    "def.lot_inspection": ("The lot's inspection result.", "该批次的检验结果。"),
    # data quality
    "dq.title": ("Data quality", "数据质量"),
    "dq.runs": ("Check and load history", "检查与加载记录"),
    "dq.runs.help": ("Every run of an expectation suite (on a load's batch, or `sqd check` on the published "
                     "tables), then every load attempt: published, published with quarantine, already loaded, or "
                     "refused.", "每次运行检查规则（加载批次或 `sqd check` 对已发布数据），以及每次加载：已发布、"
                     "部分隔离后发布、已加载过或被拒绝。"),
    "dq.loads": ("Loads", "加载记录"),
    "dq.include_released": ("Include released rows", "包含已释放的行"),
    "dq.quarantine_shown": ("{n} rows.", "{n} 行。"),
    "dq.failing": ("Failing expectations", "未通过的检查"),
    "dq.failing.help": ("Expectations that failed in the latest run of each dataset's suite.",
                        "各数据集最近一次检查中未通过的规则。"),
    "dq.no_checks": ("No checks run yet.", "尚未运行检查。"),
    # why an expectation matters (the failing-expectations table's notes), by the expectation's name or its ending
    "dq.note.batch_not_empty": ("An empty batch is refused: an export that lost its rows must not look like a quiet "
                                "day.", "空批次会被拒绝：丢失了数据行的导出不应看起来像平静的一天。"),
    "dq.note.fresh_within_days": ("The newest record is at most [quality] freshness_days old at load time: an old "
                                  "export or a stalled source shows here. Observed value = the youngest record's age "
                                  "in days.", "加载时最新记录的时间不超过 [quality] freshness_days 天：旧的导出或停滞的数据源会在这里显示。"
                                  "观测值 = 最新记录距今的天数。"),
    "dq.note.volume_near_trailing_average": ("The batch's row count is within [quality] volume_tolerance of the "
                                             "average of the dataset's last published loads; no bounds before the "
                                             "first load.", "批次行数在该数据集最近几次已发布加载平均值的 [quality] volume_tolerance "
                                             "范围内；首次加载前不设界限。"),
    "dq.note.not_in_future": ("No timestamp lies in the future (beyond the load time plus the tolerance): a clock or "
                              "typing error.", "时间戳不得晚于加载时间（加容差）：否则为时钟或录入错误。"),
    "dq.note.timestamps_in_order": ("The record's timestamps follow their order; a step before its predecessor "
                                    "makes durations negative.", "记录的各时间点须按先后顺序；某一步早于前一步会使时长为负。"),
    "dq.note.after_ticket_resolution": ("A follow-up is attempted after its ticket was resolved.",
                                        "回访须在工单处理完毕之后进行。"),
    "dq.note.ticket_exists": ("A survey's ticket is in the warehouse (load tickets before surveys).",
                              "回访对应的工单须已在数据仓库中（先加载工单，再加载回访）。"),
    "dq.note.inspected_within_lot": ("A sample cannot be larger than its lot.", "抽检数不得大于批量。"),
    "dq.note.nonconforming_within_inspected": ("Nonconforming units cannot exceed the units inspected: a defect rate "
                                               "above 100 % is a typing error.", "不合格数不得超过检验数：不合格率超过 100% 属录入错误。"),
    "dq.note._present": ("A required column: without it the rows cannot be placed (the mapping profile must map "
                         "it).", "必需列：缺少时数据行无法归位（映射配置必须映射此列）。"),
    "dq.note._not_null": ("A value every row needs: without it the row cannot be counted or traced.",
                          "每行必需的值：缺少时该行无法计入或追溯。"),
    "dq.note._unique": ("A key appears once per batch.", "键值在每个批次中只能出现一次。"),
    "dq.note._in_set": ("The value must be one of the known values; a new value needs a mapping in the source's "
                        "profile.", "取值必须是已知值之一；新取值需要在数据源的映射配置中映射。"),
    "dq.note._not_negative": ("A quantity or cost cannot be negative.", "数量或金额不得为负。"),
    "dq.note._in_scale": ("The score lies on its scale.", "评分须在其量表范围内。"),
    "dq.note.other": ("See the expectation suite for this check.", "请参阅该检查所属的期望套件。"),
    "dq.all_passed": ("Every recorded expectation passed.", "所有已记录的检查均已通过。"),
    "dq.quarantine": ("Quarantined rows", "隔离的数据行"),
    "dq.quarantine.help": ("Rows held back by row-level expectations (open until a later load publishes the same "
                           "key), and loads that quarantined rows or were refused.",
                           "被行级检查拦下的数据行（在后续加载发布同一主键前保持隔离），以及有隔离行或被拒绝的加载。"),
    "dq.no_quarantine": ("No rows quarantined and no load refused.", "没有被隔离的数据行，也没有被拒绝的加载。"),
    "dq.quarantined_loads": ("Loads that quarantined rows or were refused.", "有隔离行或被拒绝的加载。"),
    # charts
    "chart.target": ("Target {sign} {value}", "目标 {sign} {value}"),
    "chart.target_named": ("{name} target {value}", "{name}目标 {value}"),
    "chart.target_time": ("Target {value}", "时限 {value}"),
    "chart.interval": ("interval", "区间"),
    "chart.interval95": ("95 % interval", "95% 区间"),
    "chart.n": ("n", "样本数"),
    "chart.rate": ("Rate", "比率"),
    "chart.attainment": ("Attainment", "达成率"),
    "chart.met_of": ("met / measured", "达成 / 已判定"),
    "chart.tickets": ("Tickets", "工单数"),
    "chart.completed": ("Completed", "已完成"),
    "chart.still_open": ("Still open", "未完成"),
    "chart.elapsed_hours": ("Elapsed hours", "用时（小时）"),
    "chart.km_curve": ("Kaplan–Meier", "Kaplan–Meier"),
    "chart.still_waiting": ("Still waiting", "仍在等待"),
    "chart.within_target": ("Within target", "未超时"),
    "chart.breached": ("Breached", "已超时"),
    "chart.responses": ("Scored responses", "有评分回访数"),
    "chart.limit95": ("95 % limits", "95% 控制限"),
    "chart.limit998": ("99.8 % limits", "99.8% 控制限"),
    "chart.overall": ("Overall {value}", "总体 {value}"),
    "chart.funnel_above": ("Above the limits", "高于控制限"),
    "chart.funnel_within": ("Within the limits", "控制限内"),
    "chart.funnel_below": ("Below the limits", "低于控制限"),
    "chart.mean_score": ("Mean score (1-5)", "平均分 (1-5)"),
    "chart.top_two": ("Share 4-5", "4-5 分占比"),
    "chart.defect_rate": ("Nonconforming share", "不合格率"),
    "chart.ucl": ("Upper limit", "上控制限"),
    "chart.lcl": ("Lower limit", "下控制限"),
    "chart.centre": ("Centre line", "中心线"),
    "chart.we_signal": ("Western Electric signal", "西电规则信号"),
    "chart.out_of_control": ("Out of control", "失控"),
    "chart.cumulative": ("Cumulative share", "累计占比"),
    # contact centre (issue 16)
    "page.contact_centre": ("Contact centre", "呼叫中心"),
    "cc.title": ("Contact centre: access and staffing", "呼叫中心：接通与排班"),
    "cc.access": ("Access", "接通情况"),
    "cc.access.help": ("Rates over the calls of the period: offered calls minus short abandons (callers who hung "
                       "up within the configured seconds), which leave every rate and are stated below.",
                       "按期间呼叫计算：进线数减去短时放弃（在设定秒数内挂机的来电），短时放弃不计入任何比率，"
                       "其数量在下方注明。"),
    "cc.target_min": ("Target ≥ {value}", "目标 ≥ {value}"),
    "cc.target_max": ("Target ≤ {value}", "目标 ≤ {value}"),
    "cc.target_sl": ("Target: {value} answered within {seconds} s", "目标：{value} 在 {seconds} 秒内应答"),
    "cc.target_range": ("Target {low} – {high}", "目标 {low} – {high}"),
    # the words of the overview's scorecard and the weekly pack (light.green / light.red)
    "target.met": ("target met", "达成"),
    "target.missed": ("target missed", "未达成"),
    "cc.short_abandons_note": ("{n} of {offered} offered calls were abandoned within {seconds} s and are left "
                               "out of every rate.",
                               "{offered} 个进线中有 {n} 个在 {seconds} 秒内放弃，未计入任何比率。"),
    "cc.heatmap": ("Service level by week and time of day", "服务水平（按周与时段）"),
    "cc.heatmap.help": ("Each cell: calls answered within the service-level seconds / calls, for that week's "
                        "interval; empty cells had no calls.",
                        "每格：该周该时段在服务水平秒数内应答的呼叫 / 呼叫数；空格表示无来电。"),
    "cc.by_time": ("Offered, answered and abandoned by time of day", "各时段进线、应答与放弃"),
    "cc.wait": ("Wait before answer or abandon", "应答或放弃前的等待时长"),
    "cc.wait.help": ("Calls by seconds waited in the queue, answered and abandoned apart.",
                     "按排队等待秒数统计的呼叫，应答与放弃分列。"),
    "cc.staffing": ("Agents needed (Erlang C) and available", "所需坐席（Erlang C）与在岗坐席"),
    "cc.staffing.help": ("Per interval, the fewest agents whose Erlang C service level reaches the target, from "
                         "the interval's calls and handle time, against the agents who answered calls in it (the "
                         "export has no agent states, so the gap is a lower bound).",
                         "每个时段按其呼叫量与平均处理时长，用 Erlang C 计算达到服务水平目标所需的最少坐席，"
                         "与该时段实际应答的坐席数对比（导出数据无坐席状态，缺口为下限）。"),
    "cc.available_from.roster": ("Agents available: from the roster (average available over each interval).",
                                 "在岗坐席：取自排班表（各时段平均可接听人数）。"),
    "cc.available_from.answering": ("Agents available: the agents who answered calls in each interval (no roster "
                                    "loaded for the period), so the gap is a lower bound.",
                                    "在岗坐席：各时段实际应答的坐席（该期间未加载排班表），缺口为下限。"),
    "cc.occupancy.help": ("Talk + wrap-up seconds of the calls offered in the rostered intervals / the agent-seconds "
                          "the roster makes available in them (every queue). Shown only when a roster is loaded.",
                          "排班时段内进线呼叫的通话 + 话后处理秒数 / 排班提供的可用坐席秒数（全部技能组）。仅在已加载排班表时显示。"),
    "cc.gap_days": ("Days short of agents, by agent-hours missing.", "坐席不足的日期，按缺少的坐席小时排序。"),
    "cc.queues": ("By queue", "按技能组"),
    "cc.agents": ("By agent", "按坐席"),
    "cc.agents.help": ("Answered calls per agent beside each figure: a rate from a handful of calls says little.",
                       "每位坐席的应答数列在旁边：少量呼叫得出的比率参考意义有限。"),
    "cc.time_of_day": ("Time of day", "时段"),
    "cc.service_level": ("Service level", "服务水平"),
    "cc.in_time_of_calls": ("answered in time / calls", "及时应答 / 呼叫数"),
    "cc.calls_axis": ("Calls", "呼叫数"),
    "cc.wait_axis": ("Seconds waited", "等待秒数"),
    "cc.agents_axis": ("Agents", "坐席数"),
    "cc.target_seconds": ("service-level target: {value} s", "服务水平时限：{value} 秒"),
    "cc.outcome.answered": ("Answered", "已应答"),
    "cc.outcome.abandoned": ("Abandoned", "已放弃"),
    "cc.outcome.other": ("Voicemail or overflow", "留言或溢出"),
}

# Column headers of tables (and CSV downloads).
COLUMNS: dict[str, tuple[str, str]] = {
    "metric": ("Metric", "指标"), "week_start": ("Week (Mon)", "周（周一）"), "numerator": ("Numerator", "分子"),
    "denominator": ("Denominator", "分母"), "value": ("Value", "数值"), "target": ("Target", "目标"),
    "channel": ("Channel", "渠道"), "ticket_type": ("Ticket type", "工单类型"), "tickets": ("Tickets", "工单数"),
    "met": ("Met", "达成"), "breached": ("Breached", "超时"), "pending": ("Pending", "待定"),
    "attainment_rate": ("Attainment", "达成率"), "site": ("Site", "站点"), "category": ("Category", "类别"),
    "measured": ("Measured", "已判定"), "bin_start_minutes": ("From (min)", "起（分钟）"),
    "bin_end_minutes": ("To (min)", "止（分钟）"), "is_overflow": ("Last bin (and beyond)", "末组（及以上）"),
    "target_minutes": ("Target (min)", "时限（分钟）"), "completed": ("Completed", "已完成"),
    "open": ("Still open", "未完成"), "still_open": ("Still open", "未完成"),
    "median_hours": ("Median h (completed)", "中位数 h（已完成）"),
    "p90_hours": ("90th pct h (completed)", "90 分位 h（已完成）"),
    "km_median_hours": ("Median h (Kaplan–Meier)", "中位数 h（KM）"),
    "age_bucket": ("Age", "已开时长"), "age_bucket_order": ("Age order", "时长排序"),
    "is_breached": ("Breached", "已超时"), "ticket_id": ("Ticket", "工单号"), "created_at": ("Created", "受理时间"),
    "age_hours": ("Age (h)", "已开（小时）"), "department": ("Department", "部门"), "agent": ("Agent", "员工"),
    "priority": ("Priority", "优先级"), "policy_id": ("Policy", "策略"), "due_at": ("Due", "到期"),
    "event_at": ("Done at", "完成时间"), "is_open": ("Open", "未完成"), "overdue_hours": ("Overdue (h)", "超时（小时）"),
    "product": ("Product", "产品"), "status": ("Status", "状态"), "calendar": ("Calendar", "日历"),
    "sla_status": ("SLA status", "时效状态"), "elapsed_minutes": ("Elapsed (min)", "用时（分钟）"),
    "complaint_grade": ("Complaint grade", "投诉等级"), "reopen_count": ("Reopened", "重开次数"),
    "is_escalated": ("Escalated", "已升级"), "first_response_at": ("First response", "首次响应"),
    "on_site_at": ("On site", "到达现场"), "resolved_at": ("Resolved", "处理完毕"), "closed_at": ("Closed", "结案"),
    "reopened": ("Reopened", "重开"), "escalated": ("Escalated", "升级"), "reopen_rate": ("Reopen rate", "重开率"),
    "escalation_rate": ("Escalation rate", "升级率"), "attempts": ("Attempts", "回访次数"),
    "responses": ("Responses", "接通数"), "scored_responses": ("Scored responses", "有评分回访"),
    "satisfied": ("Satisfied", "满意"), "csat_rate": ("CSAT", "满意度"), "mean_score": ("Mean score", "平均分"),
    "response_rate": ("Response rate", "接通率"), "nps": ("NPS", "净推荐值"), "ci_low": ("95 % low", "95% 下限"),
    "ci_high": ("95 % high", "95% 上限"), "score": ("Score", "评分"), "resolved": ("Resolved", "已处理"),
    "followed_up": ("Followed up", "已回访"), "reached": ("Reached", "已接通"),
    "follow_up_rate": ("Follow-up rate", "回访率"),
    "hotline_satisfaction_rate": ("Satisfaction of all handled", "满意率（全部处理量）"),
    "unit": ("Agent / site", "员工 / 站点"), "position": ("Funnel position", "漏斗位置"),
    "dimension": ("Dimension", "分项"), "top_two_rate": ("Share 4-5", "4-5 分占比"),
    "attempted_date": ("Date", "日期"), "comment": ("Comment", "评价"), "survey_id": ("Survey", "回访编号"),
    "stage": ("Stage", "阶段"), "lots": ("Lots", "批次数"), "signals": ("Signals", "信号数"), "lot_id": ("Lot", "批次"),
    "inspected_at": ("Inspected at", "检验时间"), "inspected_date": ("Inspection date", "检验日期"), "line": ("Line", "产线"),
    "inspected_qty": ("Units inspected", "检验数"), "nonconforming_qty": ("Nonconforming", "不合格数"),
    "defect_rate": ("Defect rate", "不合格率"), "p_bar": ("Centre line", "中心线"), "lcl": ("Lower limit", "下限"),
    "ucl": ("Upper limit", "上限"), "z_score": ("z", "z 值"), "is_out_of_control": ("Out of control", "失控"),
    "we_rule_1": ("WE rule 1", "西电规则 1"), "we_rule_2": ("WE rule 2", "西电规则 2"),
    "we_rule_3": ("WE rule 3", "西电规则 3"), "we_rule_4": ("WE rule 4", "西电规则 4"), "signal": ("Signal", "信号"),
    "is_signal_lot": ("Signalled lot", "信号批次"), "defect_type": ("Defect type", "不合格类型"),
    "qty": ("Units", "数量"), "records": ("Records", "记录数"), "total_cost": ("Cost", "损失"),
    "cumulative_share": ("Cumulative share", "累计占比"), "month": ("Month", "月份"), "group": ("Group", "分组"),
    "cost": ("Cost", "损失"), "failures": ("Failures", "故障数"), "in_warranty": ("In warranty", "保修期内"),
    "out_of_warranty": ("Outside warranty", "保修期外"), "warranty_unknown": ("Warranty unknown", "保修未知"),
    "in_warranty_cost": ("Cost in warranty", "保修期内损失"), "in_warranty_rate": ("Share in warranty", "保修期内占比"),
    "material_batch_id": ("Material batch", "原料批次"), "production_date": ("Produced", "生产日期"),
    "lot_defect_rate": ("Lot defect rate", "批次不合格率"),
    "mean_days_since_production": ("Mean days after production", "平均生产后天数"), "nc_id": ("NC record", "不合格记录"),
    "found_date": ("Found", "发现日期"), "days_since_production": ("Days after production", "生产后天数"),
    "started_at": ("Started", "开始"), "finished_at": ("Finished", "结束"), "dataset": ("Dataset", "数据集"),
    "source_file": ("File", "文件"), "profile": ("Profile", "映射配置"), "rows_read": ("Rows read", "读取行数"),
    "rows_inserted": ("New", "新增"), "rows_updated": ("Updated", "更新"), "rows_unchanged": ("Unchanged", "未变"),
    "rows_quarantined": ("Quarantined", "隔离"), "newest_record_at": ("Newest record", "最新记录"),
    "message": ("Message", "说明"), "load_id": ("Load", "加载编号"), "rate": ("Rate", "比率"),
    "median_minutes": ("Median (min, completed)", "中位数（分钟，已完成）"),
    "p90_minutes": ("90th pct (min, completed)", "90 分位（分钟，已完成）"),
    "grain": ("Grain", "粒度"), "bin": ("Bin", "分组"), "minute": ("Minute", "分钟"), "events": ("Reached", "已完成"),
    "censored": ("Still open (censored)", "未完成（删失）"), "first_date": ("First date", "最早日期"), "last_date": ("Last date", "最晚日期"),
    "table_schema": ("Schema", "模式"), "table_name": ("Table", "表"), "dimension_value": ("Value", "值"),
    "kind": ("Kind", "类型"), "outcome": ("Outcome", "结果"), "rows_checked": ("Rows checked", "检查行数"),
    "checks_run": ("Checks", "检查项"), "checks_failed": ("Failed", "未通过"),
    "validation_seconds": ("Seconds", "耗时（秒）"), "run_id": ("Run", "运行编号"),
    "expectation": ("Expectation", "检查规则"), "severity": ("Severity", "级别"), "column_name": ("Column", "字段"),
    "observed_value": ("Observed", "观测值"), "unexpected_count": ("Failing rows", "不符行数"),
    "unexpected_percent": ("Failing %", "不符比例 %"), "notes": ("Why it matters", "检查目的"),
    "exception": ("Error", "错误"), "run_outcome": ("Run outcome", "运行结果"), "sample_rows": ("Sample rows", "示例行"),
    "expectation_type": ("Expectation type", "规则类型"), "record_key": ("Key", "主键"),
    "offending_values": ("Offending values", "问题值"), "source_row": ("Row in file", "文件行号"),
    "released_at": ("Released", "释放时间"), "resolution": ("Resolution", "处理结果"),
    "row_values": ("Row", "整行数据"), "quarantined_at": ("Quarantined", "隔离时间"),
    "quarantined_rows": ("Rows in quarantine", "隔离行数"), "refused_loads": ("Refused loads", "拒绝加载"),
    "last_quarantined": ("Quarantined by the last load", "最近加载隔离行数"),
    # contact centre
    "queue": ("Queue", "技能组"), "offered": ("Offered", "进线"), "short_abandons": ("Short abandons", "短时放弃"),
    "calls": ("Calls", "呼叫数"), "answered": ("Answered", "应答"), "abandoned": ("Abandoned", "放弃"),
    "connect_rate": ("Connect rate", "接通率"), "agent_answer_rate": ("Agent answer rate", "人工应答率"),
    "service_level": ("Service level", "服务水平"), "late_answer_share": ("Late answers", "延迟应答占比"),
    "abandon_rate": ("Abandon rate", "放弃率"), "asa_seconds": ("ASA (s)", "平均应答速度（秒）"),
    "aht_seconds": ("AHT (s)", "平均处理时长（秒）"), "transfer_rate": ("Transfer rate", "转接率"),
    "time_of_day": ("Time of day", "时段"), "interval_start": ("Interval", "时段开始"),
    "interval_date": ("Date", "日期"), "traffic_erlangs": ("Traffic (Erlang)", "话务量（爱尔兰）"),
    "agents_needed": ("Agents needed", "所需坐席"), "agents_available": ("Agents available", "在岗坐席"),
    "agent_gap": ("Agents short", "坐席缺口"), "gap_agent_hours": ("Agent-hours short", "坐席小时缺口"),
    "needed_agent_hours": ("Agent-hours needed", "所需坐席小时"),
    "available_agent_hours": ("Agent-hours available", "在岗坐席小时"),
    "answered_within_target_share": ("Answered within target", "时限内应答占比"),
    "bin_start_seconds": ("From (s)", "起（秒）"), "call_outcome": ("Outcome", "结果"),
    "waited_at_least_share": ("Waited at least this long", "等待不少于此时长的占比"),
    "answered_within_service_level": ("Answered in time", "及时应答"), "weekday": ("Weekday", "星期"),
    "interval_minutes": ("Interval (min)", "时段长度（分钟）"), "handle_seconds": ("Handle time (s)", "处理时长（秒）"),
    "occupancy": ("Occupancy", "占用率"), "available_seconds": ("Available (agent-s)", "可用坐席秒数"),
    "target_seconds": ("Target (s)", "时限（秒）"), "available_from": ("Available from", "在岗来源"),
}

# Coded values of the canonical model, shown by name.
VALUES: dict[str, dict[str, tuple[str, str]]] = {
    "channel": {"phone": ("Phone", "电话"), "front_desk": ("Front desk", "前台"),
                "letter_email": ("Letter / e-mail", "来函/邮件"), "app": ("App / messaging", "App/消息"),
                "field_visit": ("Field visit", "上门")},
    "ticket_type": {"repair": ("Repair", "报修"), "complaint": ("Complaint", "投诉"), "inquiry": ("Inquiry", "咨询"),
                    "help": ("Help", "求助"), "suggestion": ("Suggestion", "建议"), "praise": ("Praise", "表扬"),
                    "warranty": ("Warranty claim", "三包")},
    "priority": {"urgent": ("Urgent", "紧急"), "high": ("High", "高"), "normal": ("Normal", "普通"),
                 "low": ("Low", "低")},
    "department": {"engineering": ("Engineering", "工程部"), "customer_service": ("Customer service", "客服部"),
                   "security": ("Security", "保安部"), "cleaning": ("Cleaning", "保洁部"),
                   "field_service": ("Field service", "售后服务部"), "quality": ("Quality", "品管部"),
                   "market": ("Market", "市场部"), "production": ("Production", "生产部"),
                   "technology": ("Technology", "技术部"), "purchasing": ("Purchasing", "采购部"),
                   "logistics": ("Logistics", "物流部")},
    "product": {"white-glue": ("White glue", "白乳胶"), "sealant": ("Sealant", "密封胶"),
                "tile-adhesive": ("Tile adhesive", "瓷砖胶"), "grout": ("Grout", "填缝剂"), "primer": ("Primer", "底漆")},
    "target": {"first_response": ("First response", "首次响应"), "on_site": ("On site", "到达现场"),
               "resolution": ("Resolution", "处理完毕")},
    "age_bucket": {"<1d": ("< 1 day", "< 1 天"), "1-3d": ("1–3 days", "1–3 天"), "3-7d": ("3–7 days", "3–7 天"),
                   "7-30d": ("7–30 days", "7–30 天"), ">30d": ("> 30 days", "> 30 天")},
    "stage": {"incoming": ("Incoming", "进货检验"), "in_process": ("In process", "过程检验"),
              "final": ("Final", "成品检验"), "field": ("Field", "现场")},
    "disposition": {"rework": ("Rework", "返工"), "downgrade": ("Downgrade", "降级"), "repair": ("Repair", "返修"),
                    "scrap": ("Scrap", "报废"), "concession": ("Concession sale", "让利销售"),
                    "use_as_is": ("Use as is", "照用")},
    "score_dimension": {"score_attitude": ("Attitude", "服务态度"), "score_skill": ("Skill", "技术水平"),
                        "score_timeliness": ("Arrival time", "到达及时"), "score_promise": ("Keeping promises", "信守承诺")},
    "calendar": {"24x7": ("24×7", "全天候"), "business": ("business hours", "工作时间")},
    "load_status": {"published": ("published", "已发布"), "published_with_quarantine": ("published with quarantine",
                                                                                        "部分隔离后发布"),
                    "already_loaded": ("already loaded", "已加载过"), "refused": ("refused", "已拒绝")},
    "signal": {"we_rule_1": ("rule 1: beyond 3σ", "规则1：超出 3σ"),
               "we_rule_2": ("rule 2: 2 of 3 beyond 2σ", "规则2：3 点中 2 点超出 2σ"),
               "we_rule_3": ("rule 3: 4 of 5 beyond 1σ", "规则3：5 点中 4 点超出 1σ"),
               "we_rule_4": ("rule 4: 8 on one side", "规则4：连续 8 点在中心线同侧"),
               "": ("out of control", "失控")},
    "outcome": {"passed": ("passed", "通过"), "passed_with_warnings": ("passed with warnings", "通过（有警告）"),
                "failed_row_level": ("rows quarantined", "部分行被隔离"),
                "failed_blocking": ("refused", "拒绝")},
    "severity": {"blocking": ("blocking", "阻断"), "row-level": ("row-level", "行级"), "warning": ("warning", "警告")},
    "kind": {"load": ("load", "加载"), "check": ("check", "检查")},
    "status": {"open": ("open", "待处理"), "in_progress": ("in progress", "处理中"), "resolved": ("resolved", "已处理"),
               "closed": ("closed", "已结案"), "cancelled": ("cancelled", "已取消"),
               "published": ("published", "已发布"),
               "published_with_quarantine": ("published with quarantine", "部分隔离后发布"),
               "already_loaded": ("already loaded", "已加载过"), "refused": ("refused", "已拒绝")},
    "sla_status": {"met": ("met", "达成"), "breached": ("breached", "超时"), "pending": ("pending", "待定")},
    "complaint_grade": {"class_1": ("class 1", "一类投诉"), "class_2": ("class 2", "二类投诉"),
                        "grievance": ("grievance", "抱怨")},
    "dataset": {name: dataset.label for name, dataset in DATASETS.items()},   # the registry names them
    "rate": {"reopen_rate": ("Reopen rate", "重开率"), "escalation_rate": ("Escalation rate", "升级率"),
             "follow_up_rate": ("Follow-up rate", "回访率"),
             "hotline_satisfaction_rate": ("Satisfaction of all handled", "满意率（全部处理量）"),
             "response_rate": ("Response rate", "接通率")},
    "category": {
        "door and lock": ("door and lock", "门锁"), "moving assistance": ("moving assistance", "搬家协助"),
        "incomplete curing": ("incomplete curing", "固化不完全"), "policy": ("policy", "政策咨询"),
        "elevator fault": ("elevator fault", "电梯故障"), "property fee": ("property fee", "物业费"),
        "lighting": ("lighting", "照明"), "parking fee dispute": ("parking fee dispute", "停车费争议"),
        "packaging damage": ("packaging damage", "包装破损"), "praise for staff": ("praise for staff", "表扬员工"),
        "cracking": ("cracking", "开裂"), "cleaning": ("cleaning", "保洁"), "service attitude": ("service attitude",
                                                                                                 "服务态度"),
        "color deviation": ("color deviation", "色差"), "facility improvement": ("facility improvement", "设施改进"),
        "hotline hard to reach": ("hotline hard to reach", "热线难打通"), "late arrival": ("late arrival", "到场迟"),
        "noise": ("noise", "噪音"), "drain blockage": ("drain blockage", "下水道堵塞"),
        "poor adhesion": ("poor adhesion", "粘接不良"), "bill lookup": ("bill lookup", "账单查询"),
        "service booking": ("service booking", "预约服务"), "minor building repair": ("minor building repair",
                                                                                      "房屋小修"),
        "product quality": ("product quality", "产品质量"), "product usage": ("product usage", "产品使用"),
        "water leak": ("water leak", "漏水"), "heating": ("heating", "供暖"), "power outage": ("power outage", "停电"),
        "pest control": ("pest control", "除虫"), "repair quality": ("repair quality", "维修质量"),
        "locked out": ("locked out", "被锁门外"), "stray dog": ("stray dog", "流浪狗"),
        "lost and found": ("lost and found", "失物招领"), "service improvement": ("service improvement", "服务改进"),
        "bubbles": ("bubbles", "气泡"), "contamination": ("contamination", "污染"),
        "viscosity out of spec": ("viscosity out of spec", "黏度超标"),
    },
}
VALUES["defect_type"] = VALUES["category"]
# columns of the data-quality checks that are not columns of the data (a check over several columns)
VALUES["check_column"] = {
    "__timestamps_in_order": ("timestamps in order", "时间顺序正确"), "__age_days": ("age in days", "距今天数"),
    "__not_in_future": ("not in the future", "不晚于当前"),
    "__after_ticket_resolution": ("after the ticket's resolution", "晚于工单处理完毕"),
    "__ticket_exists": ("ticket exists", "工单存在"),
}
VALUES["group"] = {**VALUES["disposition"], **VALUES["department"]}
VALUES["queue"] = {"general": ("general", "综合咨询"), "repair": ("repair", "报修"),
                   "complaint": ("complaint", "投诉"), "(none)": ("(none)", "（无）")}


# Each area's own table (dashboard/i18n_<area>.py with TEXT and optionally COLUMNS and VALUES), merged here so every
# page and test reads one table while parallel work on areas never edits the same file. One module per line.
EXTENSIONS = (
    "dashboard.i18n_nc",
    "dashboard.i18n_speed",
    "dashboard.i18n_capa",
    "dashboard.i18n_auth",
    "dashboard.i18n_hotline",
    "dashboard.i18n_hotline_events",
    "dashboard.i18n_pages3",
)


def _merge_extensions() -> None:
    import importlib
    for name in EXTENSIONS:
        module = importlib.import_module(name)
        for table, extra in ((TEXT, getattr(module, "TEXT", {})), (COLUMNS, getattr(module, "COLUMNS", {}))):
            clash = set(table) & set(extra)
            if clash:
                raise ValueError(f"{name} redefines translation keys {sorted(clash)}")
            table.update(extra)
        for dimension, values in getattr(module, "VALUES", {}).items():
            VALUES.setdefault(dimension, {}).update(values)


_merge_extensions()


def t(key: str, lang: str = "en", **values: object) -> str:
    """The text for `key` in `lang` ("en" or "zh"), with `{name}` fields filled from `values`."""
    pair = TEXT.get(key)
    if pair is None and key.startswith("col."):
        pair = COLUMNS.get(key[4:])
        if pair is None:
            return key[4:]
    if pair is None:
        return key
    text = pair[1] if lang == "zh" else pair[0]
    return text.format(**values) if values else text


def duration(minutes: float | None, lang: str = "en") -> str:
    """A duration for people: whole minutes below two hours ("20 min" / "20 分钟"), hours with one decimal above."""
    if minutes is None:
        return "—"
    if minutes < 120:
        return t("unit.minutes", lang, value=f"{minutes:,.0f}")
    return t("unit.hours", lang, value=f"{minutes / 60:,.1f}")


def dq_note(expectation: str, lang: str = "en") -> str:
    """Why an expectation matters, from this table: by its name, else by its ending (`*_present`...)."""
    if f"dq.note.{expectation}" in TEXT:
        return t(f"dq.note.{expectation}", lang)
    for ending in ("_present", "_not_null", "_unique", "_in_set", "_not_negative", "_in_scale"):
        if expectation.endswith(ending):
            return t(f"dq.note.{ending}", lang)
    return t("dq.note.other", lang)


def label(dimension: str, value: object, lang: str = "en") -> str:
    """A coded value's name (e.g. channel 'phone' -> 电话); other values as they are."""
    if value is None:
        return "—"
    if dimension == "signal":
        parts = [p.strip() for p in str(value).split(",")] if value else [""]
        return "; ".join(label("_signal_part", p, lang) for p in parts)
    table = VALUES.get("signal" if dimension == "_signal_part" else dimension, {})
    pair = table.get(str(value))
    if pair is None:
        if dimension == "check_column" and str(value).startswith("__"):  # a check's own name: words, not code
            return str(value).strip("_").replace("_", " ")
        return str(value)
    return pair[1] if lang == "zh" else pair[0]
