"""Labels of the sections drawn on demand (issue 13 target 4: dashboard/show_more.py), English and Chinese."""

TEXT: dict[str, tuple[str, str]] = {
    "sla.show_breaches": ("Show the breach list (the most overdue 1,000; computed when switched on)",
                          "显示超时清单（最超时的 1,000 条；打开时计算）"),
    "sla.breaches_total": ("{total} breaches in the period and filters.", "所选期间与筛选条件下共 {total} 条超时。"),
    "cc.show_staffing": ("Show agents needed vs available per interval (chart and tables)",
                         "显示每个时段所需与在岗坐席（图表与明细）"),
    "cc.show_agents": ("Show the per-agent table", "显示坐席明细表"),
    "sat.show_more": ("Show the breakdowns by agent and site (funnel and intervals)",
                      "显示按坐席与站点的细分（漏斗图与区间图）"),
    "def.show_more": ("Show the field-failure lists (lots and records)", "显示现场故障清单（批次与记录）"),
}
