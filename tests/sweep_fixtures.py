"""Helpers of the dashboard sweeps (tests/test_dashboard_sweep*.py; dashboard_fixtures.open_app opens the app):
switch pages with their on-demand sections on, and what counts as a crash or an empty table."""

from __future__ import annotations

import shutil
from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard.queries import DIMENSIONS
from pipelines.warehouse import publishing
from tests.dashboard_fixtures import APP, Project, make_project

PAGES = ["pages/overview.py", "pages/sla.py", "pages/satisfaction.py", "pages/defects.py",
         "pages/contact_centre.py", "pages/hotline.py", "pages/data_quality.py", "pages/weekly_review.py", "pages/sql_workspace.py"]
FILTERED = [p for p in PAGES if "ctx.filters" in (APP.parent / p).read_text()]
# the fact tables of each dataset (metrics.ticket_sla_base is derived from core.tickets)
DATASETS = {"tickets": ("core.tickets", "metrics.ticket_sla_base"), "surveys": ("core.surveys",),
            "inspections": ("core.inspections",), "nonconformities": ("core.nonconformities",),
            "calls": ("core.calls",), "roster": ("core.roster",), "ticket_events": ("core.ticket_events",)}




# sections drawn on demand (dashboard/show_more.py): the sweep switches them on, so it draws them too
ON_DEMAND = {"pages/sla.py": ("w_sla_times", "w_sla_breaches", "w_sla_charts"),
             "pages/satisfaction.py": ("w_satisfaction_fair_charts", "w_satisfaction_comments",
                                       "w_satisfaction_charts"),
             "pages/overview.py": ("w_overview_charts",), "pages/defects.py": ("w_defects_charts",),
             "pages/contact_centre.py": ("w_contact_centre_charts",), "pages/hotline.py": ("w_hotline_charts",)}


def switch(at: AppTest, page: str) -> AppTest:
    """Open `page` and switch on its sections drawn on demand."""
    at.switch_page(page).run()
    keys = {t.key for t in at.toggle}
    for key in ON_DEMAND.get(page, ()):
        if key in keys:  # a page without data draws no toggle
            at.toggle(key=key).set_value(True)
    if page in ON_DEMAND:
        at.run()
    return at


def crashes(at: AppTest) -> list[str]:
    return [e.message for e in at.exception] + [e.value for e in at.error]


def empty_tables(at: AppTest) -> list[list[str]]:
    """Tables drawn without rows: Streamlit shows them as the English word "empty" (ui.table says "no rows" in
    the page's language instead)."""
    return [d.value.columns.tolist()[:3] for d in at.dataframe if len(d.value) == 0]


def only(demo: Project, folder: Path, dataset: str) -> Project:
    """A copy of the demo warehouse whose other datasets' fact tables are empty (published the way a load is)."""
    project = make_project(folder)
    shutil.copy(demo.config.warehouse_path, project.config.warehouse_path)
    with publishing(project.config) as con:
        for name, tables in DATASETS.items():
            if name != dataset:
                for table in tables:
                    con.execute(f"DELETE FROM {table}")
    return project


def sidebar_values(project: Project) -> list[tuple[str, str]]:
    from dashboard.queries import dimension_values, direct
    from pipelines.warehouse import connect

    con = connect(project.config)
    try:
        frame = dimension_values(direct(con))
    finally:
        con.close()
    return [(d, v) for d, v in frame.iter_rows() if d in DIMENSIONS]
