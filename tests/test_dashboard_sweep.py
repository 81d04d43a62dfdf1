"""Sweeps of the whole app through AppTest (from the entry point): every page under every single value of every
sidebar filter, every page on warehouses holding one dataset only, and every page in Chinese with no English code
or unit word left on it. A crash anywhere (StreamlitDuplicateElementId, a query on an empty frame...) fails here."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.queries import DIMENSIONS
from pipelines.warehouse import publishing
from tests.dashboard_fixtures import Project, demo_project, make_project  # noqa: F401 (pytest fixtures)

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
PAGES = ["pages/overview.py", "pages/sla.py", "pages/satisfaction.py", "pages/defects.py",
         "pages/data_quality.py", "pages/weekly_review.py", "pages/sql_workspace.py"]
FILTERED = [p for p in PAGES if "ctx.filters" in (APP.parent / p).read_text()]
# the fact tables of each dataset (metrics.ticket_sla_base is derived from core.tickets)
DATASETS = {"tickets": ("core.tickets", "metrics.ticket_sla_base"), "surveys": ("core.surveys",),
            "inspections": ("core.inspections",), "nonconformities": ("core.nonconformities",)}


def open_app(project: Project, monkeypatch: pytest.MonkeyPatch, **params: str) -> AppTest:
    monkeypatch.setenv("SQD_CONFIG", str(project.config_path))
    at = AppTest.from_file(str(APP), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def crashes(at: AppTest) -> list[str]:
    return [e.message for e in at.exception] + [e.value for e in at.error]


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
    from dashboard.queries import dimension_values

    con = duckdb.connect(str(project.config.warehouse_path), read_only=True)
    try:
        frame = dimension_values(lambda sql, params: pl.DataFrame(con.execute(sql, list(params)).fetchall(), schema=["dimension", "value"], orient="row"))
    finally:
        con.close()
    return [(d, v) for d, v in frame.iter_rows() if d in DIMENSIONS]


# ------------------------------------------------------------------ item 1: no filter crashes a page

def test_every_page_under_every_single_filter_value(demo_project, monkeypatch):
    """The pages that read the sidebar's filters, each under every single value of every dimension; the others
    (data quality, weekly review, SQL workspace: they do not read the filters) under all dimensions filtered at once."""
    started = time.perf_counter()
    values = sidebar_values(demo_project)
    assert {d for d, _ in values} == set(DIMENSIONS)
    at = open_app(demo_project, monkeypatch)
    failures = []
    for page in FILTERED:
        at.switch_page(page).run()
        previous = None
        for dim, value in values:
            if previous and previous != dim:
                at.multiselect(key=f"w_{previous}").set_value([])
            at.multiselect(key=f"w_{dim}").set_value([value]).run()
            previous = dim
            if at.exception or at.error:
                failures.append((page, dim, value, crashes(at)[:1]))
        if previous:
            at.multiselect(key=f"w_{previous}").set_value([]).run()
    firsts = dict(reversed(values))  # one value of each dimension
    for dim, value in firsts.items():
        at.multiselect(key=f"w_{dim}").set_value([value])
    at.run()
    for page in PAGES:
        if page not in FILTERED:
            at.switch_page(page).run()
            if at.exception or at.error:
                failures.append((page, "all", firsts, crashes(at)[:1]))
    assert not failures, failures[:5]
    print(f"\nsweep: {len(PAGES)} pages x {len(values)} filter values in {time.perf_counter() - started:.1f} s")


@pytest.mark.parametrize("url", [{"type": "praise"}, {"lang": "zh", "type": "inquiry"}, {"dept": "security"}])
def test_reported_links_render(demo_project, monkeypatch, url):
    """The links of issue 11 that ended in StreamlitDuplicateElementId."""
    at = open_app(demo_project, monkeypatch, **url)
    for page in ("pages/satisfaction.py", "pages/defects.py"):
        at.switch_page(page).run()
        assert not crashes(at), (page, crashes(at))
        assert at.get("plotly_chart"), page


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_every_page_on_a_warehouse_with_one_dataset(dataset, demo_project, tmp_path, monkeypatch):
    project = only(demo_project, tmp_path, dataset)
    for lang in ("en", "zh"):
        at = open_app(project, monkeypatch, lang=lang)
        for page in PAGES:
            at.switch_page(page).run()
            assert not crashes(at), (dataset, lang, page, crashes(at))
