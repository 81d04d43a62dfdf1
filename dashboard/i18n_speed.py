"""Labels of the sections drawn on demand (issue 13 target 4: dashboard/show_more.py), English and Chinese."""

TEXT: dict[str, tuple[str, str]] = {
    "sla.show_breaches": ("Show the breach list (the most overdue 1,000; computed when switched on)",
                          "显示超时清单（最超时的 1,000 条；打开时计算）"),
    "sla.breaches_total": ("{total} breaches in the period and filters.", "所选期间与筛选条件下共 {total} 条超时。"),
    "sat.show_comments": ("Show the low-score comments (computed when switched on)", "显示低分评语（打开时计算）"),
    "sat.show_more": ("Show the funnel plot and the interval chart (the table below holds the same figures)",
                      "显示漏斗图与区间图（下表为相同数据）"),
}
