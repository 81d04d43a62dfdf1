"""Texts of the Hotline page's work-order lifecycle sections (issue 14): key -> (English, Chinese).
Merged into dashboard/i18n.py's tables through its EXTENSIONS; imports nothing from dashboard."""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    "wo.title": ("Work-order lifecycle", "工单流转"),
    "wo.help": (("From the hotline's work-order steps (core.ticket_events): received → dispatched → returned / "
                "transferred / re-dispatched → replied → reviewed → archived. Where a ticket has steps they are the "
                "truth about its department and state. Definitions: docs/metrics.md “Work-order lifecycle”."),
                ("来自热线工单流转记录（core.ticket_events）：受理 → 派单 → 退单 / 转派 / 重派 → 回复 → 复核 → 归档。"
                "有流转记录的工单，以记录为准确定其所在部门和状态。定义见 docs/metrics.md“工单流转”。")),
    "wo.no_events": (("No work-order steps loaded yet: load the hotline's flow export (profile "
                     "ticket_events__hotline_zh) to see returns, transfers, replies and appeals."),
                     ("尚未导入工单流转记录：导入热线流转导出文件（映射 ticket_events__hotline_zh）后可查看退单、转派、"
                     "回复和申诉。")),
    "wo.filters": (("Filters: date range (date received), site, type, category, channel, priority, department (the "
                   "department holding the work order or handling the step)."),
                   "适用的筛选：日期范围（受理日期）、站点、类型、分类、渠道、优先级、部门（当前承办或办理该环节的部门）。"),
    "wo.rates": ("Lifecycle rates", "流转指标"),
    "wo.return_rate": ("Return rate", "退单率"),
    "wo.return_rate.help": ("Work orders returned (退单) at least once / work orders dispatched.",
                            "至少被退单一次的工单 / 已派单工单。"),
    "wo.redispatch_rate": ("Re-dispatch rate", "重派率"),
    "wo.transfer_rate": ("Transfer rate", "转派率"),
    "wo.transfers_per_ticket": ("Transfers per work order", "每单转派次数"),
    "wo.reply_rate": ("Reply rate", "回复率"),
    "wo.on_time_reply_rate": ("On-time reply rate", "按时回复率"),
    "wo.on_time.help": (("First reply by the deadline the dispatch or transfer gave (target 100 %); a hold past its "
                        "deadline without a reply counts as late."),
                        "首次回复在派单或转派给定的处理时限内（目标 100%）；超过时限仍未回复的计为超时。"),
    "wo.review_pass_rate": ("Review pass rate", "复核通过率"),
    "wo.appeal_rate": ("Appeal rate", "申诉率"),
    "wo.upheld_share": ("Appeals upheld", "申诉成立比例"),
    "wo.flow": ("The flow, with counts", "流转环节与工单数"),
    "wo.flow.caption": (("Work orders received in the period that reached each step (times: how often the step "
                        "happened, e.g. several replies)."),
                        "期间受理的工单中到达各环节的工单数（次数：该环节发生的次数，例如多次回复）。"),
    "wo.by_department": ("Returns and transfers by department", "按部门的退单与转派"),
    "wo.by_department.caption": (("Hours lost: from the moment the department received the work order until the "
                                 "next one did (docs/metrics.md). They are not deducted from the complaint limit."),
                                 "损失时长：自该部门接单至下一部门接单（见 docs/metrics.md），不从投诉时限中扣除。"),
    "wo.by_reason": ("Returns and transfers by reason", "按原因的退单与转派"),
    "wo.open": ("Open work orders and who holds them", "未办结工单及承办部门"),
    "wo.open.caption": (("Open now, whatever their date; held hours = since the department received it. Longest "
                        "held first (at most {limit})."),
                        "当前未办结，不限日期；承办时长 = 自该部门接单起。按承办时长从长到短（最多 {limit} 条）。"),
    "wo.open_count": ("Open work orders", "未办结工单"),
    "wo.appeals": ("Appeals and their outcomes", "申诉及结果"),
    "wo.appeals.help": (("An appeal (申诉) is a ticket of its own, graded major-urgent / ordinary / complex; its review "
                        "decides it: valid = upheld."),
                        "申诉是独立的工单，分为重大紧急 / 一般 / 复杂；由其复核结论判定：有效即申诉成立。"),
    "wo.escalations": ("Reminders and escalations by level", "按级别的催办与督办"),
    "wo.chart.tickets": ("Work orders", "工单数"),
    "wo.chart.return_rate": ("Return rate by department", "各部门退单率"),
}

COLUMNS: dict[str, tuple[str, str]] = {
    "times": ("Times", "次数"),
    "received": ("Received", "接单数"),
    "returned": ("Returned", "退单数"),
    "transferred_on": ("Transferred on", "转出数"),
    "return_rate": ("Return rate", "退单率"),
    "lost_hours_returns": ("Hours lost in returns", "退单损失（小时）"),
    "lost_hours_transfers": ("Hours lost in transfers", "转派损失（小时）"),
    "on_time_reply_rate": ("On-time reply rate", "按时回复率"),
    "handoff": ("Hand-off", "流转方式"),
    "reason": ("Reason", "原因"),
    "work_orders": ("Work orders", "工单数"),
    "mean_lost_hours": ("Mean hours lost", "平均损失（小时）"),
    "current_department": ("Held by", "承办部门"),
    "held_since": ("Held since", "接单时间"),
    "held_hours": ("Held (h)", "承办时长（小时）"),
    "deadline_at": ("Deadline", "处理时限"),
    "returns": ("Returns", "退单次数"),
    "transfers": ("Transfers", "转派次数"),
    "chases": ("Reminders and escalations", "催办督办次数"),
    "max_escalation_level": ("Highest escalation", "最高督办级别"),
    "open_work_orders": ("Open", "未办结"),
    "median_held_hours": ("Median held (h)", "承办时长中位数（小时）"),
    "max_held_hours": ("Longest held (h)", "最长承办（小时）"),
    "past_deadline": ("Past deadline", "已超时限"),
    "appeal_grade": ("Appeal grade", "申诉级别"),
    "appeals": ("Appeals", "申诉数"),
    "appeal_ticket_id": ("Appeal ticket", "申诉工单"),
    "appealed_at": ("Appealed", "申诉时间"),
    "decided_at": ("Decided", "判定时间"),
    "level": ("Level", "级别"),
    "level_rank": ("Level rank", "级别序号"),
    "steps": ("Steps", "环节数"),
}

VALUES: dict[str, dict[str, tuple[str, str]]] = {
    "wo_step": {
        "received": ("received", "受理"), "dispatched": ("dispatched", "派单"), "returned": ("returned", "退单"),
        "redispatched": ("re-dispatched", "重派"), "transferred": ("transferred", "转派"),
        "replied": ("replied", "回复"), "reviewed": ("reviewed", "复核"), "reminded": ("reminded", "催办"),
        "escalated": ("escalated", "督办"), "appealed": ("appealed", "申诉"), "archived": ("archived", "归档"),
        "reopened": ("reopened", "重启"),
    },
    "wo_measure": {"tickets": ("work orders", "工单数")},
    "wo_level": {"reminder": ("reminder", "催促"), "department_head": ("department head", "部门负责人"),
                 "vice_president": ("vice-president", "分管副总")},
    "appeal_grade": {"major_urgent": ("major-urgent", "重大紧急"), "ordinary": ("ordinary", "一般"),
                     "complex": ("complex", "复杂"), "(none)": ("not graded", "未分级")},
    # appeal outcomes beside the data-quality run outcomes of the same column name
    "outcome": {"upheld": ("upheld", "成立"), "not_upheld": ("not upheld", "不成立"), "pending": ("pending", "待判定")},
    # the hotline's ticket statuses (TICKET_STATUSES)
    "status": {"returned": ("returned", "已退单"), "redispatched": ("re-dispatched", "已重派"),
               "transferred": ("transferred", "已转派"), "under_review": ("under review", "复核中"),
               "appealed": ("appealed", "申诉中"), "archived": ("archived", "已归档")},
    "department": {"(none)": ("(none)", "（无）")},
}
