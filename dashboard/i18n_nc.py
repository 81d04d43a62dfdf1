"""Texts of the nonconformity workflow section of the defects page (issue 15): key -> (English, Chinese).
Merged into dashboard/i18n.py's table through its EXTENSIONS; imports nothing from dashboard."""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    "nc.title": ("Nonconformity workflow", "不合格品处理流程"),
    "nc.help": (("Each nonconformity's steps: found → responsible person notified (within 12 h, seed 000) → reviewed "
                "(评审) → disposition decided → approved → executed → re-inspected after rework or repair → "
                "closed (grade A within 15 days, B within 7). Limits count from the finding ([nc_workflow] in "
                "sqd.toml); a step not yet due is pending, not late. Nonconformities from a source with only the "
                "time found read as “no steps recorded”."),
                ("每个不合格品的处理步骤：发现 → 通知生产责任人（12 小时内，见制度 000）→ 评审 → 处置决定 → 批准 → 执行 → "
                "返工或返修后复检 → 关闭（A 级 15 天内，B 级 7 天内）。时限自发现时起算（sqd.toml 的 [nc_workflow]）；"
                "未到期的步骤记为待办，不算超期。只有发现时间的数据源显示为“未记录处理步骤”。")),
    "nc.filters": (("Filters applied here: date range (date found), product, department (responsible); the backlog "
                   "shows every open nonconformity, whatever its date."),
                   "本节适用的筛选：日期范围（发现日期）、产品、部门（责任部门）；待办列表显示所有未关闭的不合格品，不限日期。"),
    "nc.found": ("Found in period", "期间发现"),
    "nc.no_steps": ("No steps recorded", "未记录处理步骤"),
    "nc.no_steps.help": ("Nonconformities whose source gives only the time found: no step is judged late.",
                         "数据源只有发现时间的不合格品：不判定任何步骤超期。"),
    "nc.closed": ("Closed", "已关闭"),
    "nc.open": ("Open now", "当前未关闭"),
    "nc.overdue": ("Overdue now", "当前超期"),
    "nc.backlog": ("Open and overdue by step and owner", "按步骤和责任人的未关闭与超期"),
    "nc.overdue_list": ("Overdue nonconformities", "超期的不合格品"),
    "nc.none_open": ("No open nonconformity with steps recorded.", "没有记录了处理步骤的未关闭不合格品。"),
    "nc.times": ("Time to notify, decide and close against the limits", "通知、处置决定和关闭用时与时限对比"),
    "nc.times.caption": (("Late = done after the limit, or not done and past it. Closing limit shown for grade B "
                         "(7 days); grade A has 15 days."),
                         "超期 = 超过时限才完成，或未完成且已过时限。关闭时限按 B 级（7 天）显示；A 级为 15 天。"),
    "nc.reinspection": ("Re-inspection pass rate after rework", "返工后复检合格率"),
    "nc.reinspection_first": ("First re-inspection passed", "首次复检合格率"),
    "nc.reinspections": ("Re-inspections", "复检次数"),
    "nc.yield": ("First-pass yield and pass-rate bands (000 §9.1)", "一次合格率与合格率档次（000 第 9.1 条）"),
    "nc.yield.caption": (("Final inspection per month, product and line. Bonus at 100 %, neutral at 99 %, penalty "
                         "below 98 %; reworked units count against the yield (§9.1.11)."),
                         ("按月份、产品和生产线统计的成品检验。合格率 100 % 奖励，99 % 持平，低于 98 % 扣罚；返工后合格的产品"
                         "不计入一次合格（第 9.1.11 条）。")),
    "nc.sampling": ("Sampling rate against the 5–10 % rule", "抽检率与 5–10 % 要求对比"),
    "nc.losses": ("Losses by the rule that made them", "按计算规则的损失"),
    "nc.losses.caption": (("The source's amount wins where present; otherwise [loss_rules]: scrap = material cost, "
                          "concession = price difference, use as is = 2 % of revenue. “No price”: the product has no "
                          "price in the configuration."),
                          ("有源数据金额时以其为准；否则按 [loss_rules] 计算：报废 = 材料成本，让利销售 = 差价，原样使用 = "
                          "销售收入的 2 %。“缺少价格”：配置中没有该产品的价格。")),
}

COLUMNS: dict[str, tuple[str, str]] = {
    "step": ("Step", "步骤"),
    "owner": ("Owner", "责任人"),
    "overdue": ("Overdue", "超期"),
    "oldest_due_at": ("Earliest due", "最早到期"),
    "grade": ("Grade", "等级"),
    "next_step": ("Waiting for", "待办步骤"),
    "next_due_at": ("Due", "到期时间"),
    "found_at": ("Found", "发现时间"),
    "measure": ("Measure", "指标"),
    "done": ("Done", "已完成"),
    "late": ("Late", "超期"),
    "met_rate": ("Within limit", "按时率"),
    "limit_hours": ("Limit (h)", "时限（小时）"),
    "conforming_qty": ("Conforming", "合格数"),
    "first_pass_yield": ("First-pass yield", "一次合格率"),
    "pass_rate_after_rework": ("Pass rate after rework", "返工后合格率"),
    "pass_rate_band": ("Band", "档次"),
    "sampling_rate": ("Sampling rate", "抽检率"),
    "lots_sampled_below": ("Lots below 5 %", "低于 5 % 的批次"),
    "lots_sampled_within": ("Lots within 5–10 %", "5–10 % 的批次"),
    "lots_sampled_above": ("Lots above 10 %", "高于 10 % 的批次"),
    "loss_rule": ("Rule", "计算规则"),
    "disposition": ("Disposition", "处置方式"),
}

VALUES: dict[str, dict[str, tuple[str, str]]] = {
    "nc_step": {"found": ("found", "发现"), "notified": ("notify the responsible person", "通知责任人"),
                "reviewed": ("review", "评审"), "decided": ("decide the disposition", "处置决定"),
                "approved": ("approve", "批准"), "executed": ("execute", "执行"),
                "reinspected": ("re-inspect", "复检"), "closed": ("close", "关闭")},
    "nc_measure": {"notify": ("found → notified", "发现 → 通知"), "decide": ("found → disposition decided", "发现 → 处置决定"),
                   "close": ("found → closed", "发现 → 关闭")},
    "loss_rule": {"source": ("source amount", "源数据金额"), "material_cost": ("scrap: material cost", "报废：材料成本"),
                  "price_difference": ("concession: price difference", "让利：差价"),
                  "revenue_share": ("use as is: 2 % of revenue", "原样使用：收入的 2 %"),
                  "no_price": ("no price configured", "缺少价格"), "no_quantity": ("no quantity", "缺少数量"),
                  "none": ("no amount", "无金额")},
    "pass_rate_band": {"bonus": ("bonus (100 %)", "奖励（100 %）"), "neutral": ("neutral (≥ 99 %)", "持平（≥ 99 %）"),
                       "between": ("98–99 %", "98–99 %"), "penalty": ("penalty (< 98 %)", "扣罚（< 98 %）")},
    "nc_grade": {"A": ("A (serious)", "A 级（严重）"), "B": ("B (general)", "B 级（一般）")},
}
