"""Texts of the Hotline page's KPI sections (issue 14), in English and Simplified Chinese.

Merged into dashboard/i18n.py's tables through its EXTENSIONS; imports nothing from dashboard.
"""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    "page.hotline": ("Hotline", "热线"),
    "hl.title": ("Hotline", "热线"),
    "hl.target_min": ("Target: at least {value}", "目标：不低于 {value}"),
    "hl.target_max": ("Target: at most {value}", "目标：不高于 {value}"),
    "hl.limits": ("Complaint limits by coordination level", "按协调范围的投诉处理时限"),
    "hl.limits.help": (
        "Complaints solved and replied within the limit their coordination level sets (seed 004): within one "
        "department 2 h, across departments in the province 48 h, across provinces 4 working days, with another "
        "company 7 working days, from receipt. Attainment = met / decided; a complaint not yet due is pending, "
        "never a failure. The promised answer: 2 h for a simple complaint, 24 h for a complex one.",
        "投诉按协调范围的处理时限（种子文件 004）在受理后解决并答复：部门内 2 小时，省内跨部门 48 小时，跨省 4 个工作日，"
        "跨公司 7 个工作日。达成率 = 达成 / 已判定；未到期的投诉为待定，不计为超时。答复承诺：简单投诉 2 小时，复杂投诉 24 小时。"),
    "hl.pending.help": ("Complaints not solved yet whose limit has not passed: not counted yet.",
                        "尚未解决且未到时限的投诉：暂不计入。"),
    "hl.clock_rule": (
        "The limit runs from receipt to the reply that solved it; a return or a transfer neither pauses nor restarts "
        "it. The hours they lost are shown beside, not deducted.",
        "时限从受理起算至解决并答复为止；退单或转派既不暂停也不重新计时，其耽误的时间单列，不扣除。"),
    "hl.satisfaction": ("Satisfaction rate by kind", "按类别的满意率"),
    "hl.satisfaction.help": (
        "Satisfied (score 4-5 at the latest answered follow-up) / ALL inquiries or complaints handled, not only "
        "those who answered: a customer never reached lowers it. Targets: inquiries 95 %, complaints 90 %, "
        "cross-province complaints 85 %, key accounts 95 %. Tickets resolved less than the follow-up window ago "
        "without a follow-up yet are pending.",
        "满意数（最近一次有评分的回访为 4–5 分）/ 全部已处理的咨询或投诉，而不仅是应答者：未联系上的客户也会拉低满意率。"
        "目标：咨询 95%，投诉 90%，跨省投诉 85%，大客户 95%。处理完毕未满回访时限且尚未回访的工单为待定。"),
    "hl.fcr": ("First-contact resolution", "一次性解决率"),
    "hl.fcr.help": (
        "Hotline tickets (by phone, or with call records) resolved without dispatch or a second contact (no repeat "
        "call, never reopened) / resolved. Target 85 %.",
        "热线工单（电话受理或有通话记录）未派单、无二次联系（无重复来电、未重开）即解决的数量 / 已解决数量。目标 85%。"),
    "hl.repeats": ("Repeat complaints", "重复投诉"),
    "hl.repeats.help": (
        "A new complaint by the same customer within 3 months of an earlier one, after that one missed its limit or "
        "ended unhappily (reopened, or a follow-up scored 1-2); the export's own flag still counts. Rate = repeats "
        "/ (complaints - repeats), target at most 1 %. Each repeat is listed with the earlier complaint beside it.",
        "同一客户在前一次投诉后 3 个月内、且在该投诉超时或结果不满意（重开，或回访评分 1–2 分）之后的新投诉；导出文件自带的"
        "重复投诉标记仍然计入。重复投诉率 = 重复投诉 / （投诉 − 重复投诉），目标不高于 1%。每条重复投诉旁列出前一次投诉。"),
    "hl.repeats.limit": ("The newest {n} repeat complaints are listed.", "列出最新的 {n} 条重复投诉。"),
    "hl.routing": ("Routing by category", "按类别派单"),
    "hl.routing.none": ("No routing rule matches these tickets' categories: give [hotline] routing a CSV of "
                        "category,department (shipped: data/reference/hotline_routing.csv).",
                        "这些工单的类别没有匹配的派单规则：请在 [hotline] routing 中指定 category,department 格式的 CSV"
                        "（随附：data/reference/hotline_routing.csv）。"),
    "hl.routing.help": (
        "The department the routing table suggests for each ticket's category ([hotline] routing) against the one "
        "it went to. Share = tickets sent elsewhere / tickets with a rule and a department.",
        "按路由表（[hotline] routing）为各类别建议的部门与实际派往部门的对比。比例 = 派往其他部门的工单 / 有规则且有部门的工单。"),
}

COLUMNS: dict[str, tuple[str, str]] = {
    "coordination_level": ("Coordination level", "协调范围"),
    "limit_working_days": ("Limit (working days)", "时限（工作日）"),
    "complaints": ("Complaints", "投诉数"),
    "missed": ("Missed", "超时"),
    "lost_hours": ("Lost in returns and transfers (h)", "退单转派耽误（小时）"),
    "answer_on_time_rate": ("Answer within promise", "按承诺答复率"),
    "satisfaction_kind": ("Kind", "类别"),
    "handled": ("Handled", "已处理"),
    "satisfaction_rate": ("Satisfaction rate", "满意率"),
    "first_contact_resolved": ("Resolved at first contact", "一次性解决"),
    "first_contact_resolution_rate": ("First-contact resolution", "一次性解决率"),
    "customer_id": ("Customer", "客户"),
    "earlier_ticket_id": ("Earlier complaint", "前次投诉"),
    "earlier_created_at": ("Earlier received", "前次受理时间"),
    "earlier_category": ("Earlier category", "前次类别"),
    "earlier_department": ("Earlier department", "前次部门"),
    "earlier_reason": ("Why unresolved", "前次未解决原因"),
    "is_repeat_flagged": ("Flagged by the export", "导出标记为重复"),
    "suggested_department": ("Suggested department", "建议部门"),
    "without_level": ("Without a coordination level", "无协调范围"),
    "dispatched": ("Dispatched", "已派单"),
    "called_again": ("Called again", "重复来电"),
    "without_calls": ("Without call records", "无通话记录"),
    "repeat_complaint_rate": ("Repeat-complaint rate", "重复投诉率"),
    "repeats": ("Repeat complaints", "重复投诉"),
    "derived_repeats": ("Found in the data", "数据识别"),
    "flagged_only": ("Flagged by the export only", "仅导出标记"),
    "mismatch_share": ("Sent elsewhere than suggested", "未按建议派单比例"),
    "mismatched": ("Sent elsewhere", "未按建议派单"),
    "routed": ("With a rule and a department", "有规则且有部门"),
}

VALUES: dict[str, dict[str, tuple[str, str]]] = {
    "coordination_level": {
        "within_department": ("within one department", "部门内"),
        "cross_department": ("across departments", "省内跨部门"),
        "cross_province": ("across provinces", "跨省"),
        "other_company": ("with another company", "跨公司"),
        "(none)": ("(not given)", "（未填写）"),
    },
    "complexity": {"simple": ("simple", "简单"), "complex": ("complex", "复杂")},
    "hotline_kind": {
        "inquiry": ("Inquiries", "咨询"),
        "complaint": ("Complaints", "投诉"),
        "cross_province": ("Cross-province complaints", "跨省投诉"),
        "key_account": ("Key accounts", "大客户"),
    },
    "earlier_reason": {"missed_limit": ("missed its limit", "超时"), "unhappy_result": ("unhappy result", "结果不满意")},
}
