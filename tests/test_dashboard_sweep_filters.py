"""Every page that reads the sidebar's filters, under every single value of every dimension (issue 11 item 1: sweep,
don't sample). Its own file so that the test runner's two workers can take it apart from the other sweeps."""

from __future__ import annotations

import time

from dashboard.queries import DIMENSIONS
from tests.dashboard_fixtures import demo_project, open_app  # noqa: F401 (pytest fixture)
from tests.sweep_fixtures import FILTERED, PAGES, crashes, empty_tables, sidebar_values, switch


def test_every_page_under_every_single_filter_value(demo_project, monkeypatch):
    """The pages that read the sidebar's filters, each under every single value of every dimension; the others
    (data quality, weekly review, SQL workspace: they do not read the filters) under all dimensions filtered at once."""
    started = time.perf_counter()
    values = sidebar_values(demo_project)
    assert {d for d, _ in values} == set(DIMENSIONS)
    at = open_app(demo_project, monkeypatch)
    failures = []
    for page in FILTERED:
        switch(at, page)
        previous = None
        for dim, value in values:
            if previous and previous != dim:
                at.multiselect(key=f"w_{previous}").set_value([])
            at.multiselect(key=f"w_{dim}").set_value([value]).run()
            previous = dim
            if at.exception or at.error or empty_tables(at):
                failures.append((page, dim, value, crashes(at)[:1], empty_tables(at)))
        if previous:
            at.multiselect(key=f"w_{previous}").set_value([]).run()
    firsts = dict(reversed(values))  # one value of each dimension
    for dim, value in firsts.items():
        at.multiselect(key=f"w_{dim}").set_value([value])
    at.run()
    for page in PAGES:
        if page not in FILTERED:
            switch(at, page)
            if at.exception or at.error:
                failures.append((page, "all", firsts, crashes(at)[:1]))
    assert not failures, failures[:5]
    print(f"\nsweep: {len(PAGES)} pages x {len(values)} filter values in {time.perf_counter() - started:.1f} s")
