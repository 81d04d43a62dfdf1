"""A page's secondary figures, drawn when asked (issue 13 target 4: each page drawn in <= 3 s in a browser).

Measured in headless Chromium at 1M tickets (docs/performance.md "Pages, third pass"): most of a page's drawing
time is the browser's, and the first Plotly figure costs it the Plotly bundle. So a page draws its headline chart
light (dashboard/sections/light_charts.py), and every Plotly figure when the reader switches this toggle on; the
metrics and data tables stay where they were, and the queries still run (they are small and cached). The toggle is part of the shared link (`?<page>_charts=1`,
dashboard/show_more.py), like the page's other on-demand sections.
"""

from __future__ import annotations

from dashboard import show_more


def toggle(tr, count: int) -> bool:
    """The page's "draw the other charts" toggle (`count`: how many figures it adds); `tr` is the page's."""
    return show_more.toggle(tr("charts.show_more", n=count), "charts", help=tr("charts.show_more.help"))
