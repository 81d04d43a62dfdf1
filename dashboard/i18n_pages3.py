"""Labels of the pages' first drawing (issue 13 target 4: dashboard/sections/more_charts.py, light_charts.py),
English and Chinese."""

TEXT: dict[str, tuple[str, str]] = {
    "charts.show_more": ("Interactive charts ({n} figures)", "交互式图表（{n} 张）"),
    "charts.show_more.help": (
        ("Off: the page opens faster with its main chart drawn simply; the figures of the other charts are in each "
         "section's metrics and data tables. On: every chart, interactive. The setting is kept in the page's link."),
        ("关闭时页面打开更快，只以简图绘制主图表；其余图表的数据见各部分的指标与数据表。打开时绘制全部交互式图表。"
         "此设置保存在页面链接中。")),
    "chart.series": ("Series", "系列"),
    "sla.medians_with_times": ("Computed with the time distributions: switch them on in the section above.",
                               "与处理时长分布一同计算：请在上一节打开。"),
    "sla.backlog_bucket": ("{bucket}: {n} ({breached} breached)", "{bucket}：{n}（超时 {breached}）"),
}
