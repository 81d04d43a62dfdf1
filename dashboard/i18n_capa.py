"""Texts of the corrective-action (CAPA) tracker and the weekly-review page's period choice and action form
(issue 15), in English and Simplified Chinese. Merged into dashboard/i18n.py's tables through its EXTENSIONS;
imports nothing from dashboard. The tracker's column names and coded values are the pack's
(pipelines/report_template.py COLUMNS, CAPA_VALUES), so the page and the printout say the same."""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    # the weekly-review page: week, month or quarter
    "wr.period": ("Review", "报告周期"),
    "wr.kind.week": ("Week", "周"), "wr.kind.month": ("Month", "月"), "wr.kind.quarter": ("Quarter", "季度"),
    "wr.month": ("Month", "月份"), "wr.quarter": ("Quarter", "季度"),
    "wr.period_option": ("{period} ({start} – {end})", "{period}（{start} 至 {end}）"),
    "wr.no_periods": ("No complete {kind} of data yet.", "还没有完整一{kind}的数据。"),
    "wr.capa_add": ("Add a corrective action from this review", "根据本次评审新增纠正措施"),
    "wr.capa_add.help": ("Saved to the state folder (corrective_actions/entries.csv) and published through the "
                         "loader like any file, so it appears in the tracker and the packs.",
                         "保存到状态目录（corrective_actions/entries.csv），并像其他文件一样经加载流程发布，"
                         "随后出现在跟踪表和报告中。"),
    "wr.capa_add.admin": ("Adding an action publishes it into the warehouse: an administrator's task.",
                          "新增措施会发布到数据仓库：需由管理员操作。"),
    # the tracker (defects page)
    "capa.title": ("Corrective actions (CAPA)", "纠正预防措施（CAPA）"),
    "capa.help": ("Actions raised from nonconformities, complaints or review decisions. Open = not closed or "
                  "cancelled; overdue = not carried out and due before today; the effectiveness check compares "
                  "the action's KPI over equal windows before and after it was carried out "
                  "(metrics.capa_effectiveness).",
                  "由不合格品、投诉或评审决定提出的措施。未关闭 = 未关闭且未取消；逾期 = 未实施且到期日早于今天；"
                  "有效性验证比较措施实施前后等长时间窗内的指标（metrics.capa_effectiveness）。"),
    "capa.open": ("Open", "未关闭"), "capa.overdue": ("Overdue", "逾期"),
    "capa.closed_unverified": ("Closed without verification", "关闭但未验证"),
    "capa.not_effective": ("Verified not effective", "验证无效"),
    "capa.show": ("Show", "显示"),
    "capa.which.open": ("open", "未关闭"), "capa.which.overdue": ("overdue", "逾期"),
    "capa.which.closed_unverified": ("closed without verification", "关闭但未验证"), "capa.which.all": ("all", "全部"),
    "capa.none": ("No corrective action here.", "此处没有纠正措施。"),
    "capa.effectiveness": ("Effectiveness checks: the KPI before and after", "有效性验证：实施前后指标"),
    "capa.improved": ("Improved", "已改善"),
    # the form
    "capa.form.action": ("Corrective action", "纠正措施"),
    "capa.form.root_cause": ("Root cause", "原因分析"),
    "capa.form.owner": ("Owner", "责任人"),
    "capa.form.due": ("Due date", "到期日"),
    "capa.form.source": ("Source", "来源"),
    "capa.form.source_ids": ("Source records (nonconformity or ticket ids, separated by ;)",
                             "来源记录（不合格品或工单编号，用 ; 分隔）"),
    "capa.form.metric": ("KPI to verify it on", "验证所用指标"),
    "capa.form.metric_none": ("(none)", "（无）"),
    "capa.form.save": ("Add the action", "新增措施"),
    "capa.form.missing": ("An action needs its text, an owner and a due date.", "措施需要填写内容、责任人和到期日。"),
    "capa.form.saved": ("Action {capa_id} added and published.", "措施 {capa_id} 已新增并发布。"),
    "capa.form.refused": ("Action {capa_id} was saved but not published: {message}",
                          "措施 {capa_id} 已保存但未发布：{message}"),
}

COLUMNS: dict[str, tuple[str, str]] = {}

VALUES: dict[str, dict[str, tuple[str, str]]] = {}
