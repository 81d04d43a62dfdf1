"""One demo warehouse for the SQL-workspace, weekly-review and report tests, built once per test session.

`review_project` is a temporary project (sqd.toml, data/profiles) loaded with the demo organisation at
REVIEW_TICKETS tickets through the real generator and ingest path (`generate_demo` + `ingest_files`, what `sqd demo`
runs). 20,000 tickets are enough for the demo's Hillcrest staff shortage (2026-W38..W41) to stand out of the weekly
noise, and few enough to build in 5-15 s. Tests should not write into its state folder (saved queries, history,
notes): use `state_config`, the same warehouse with a state folder of the test's own; a test that has to use the
shared one (a page reading SQD_CONFIG) removes what it wrote.

Import the fixtures into a test module: `from tests.review_fixtures import review_project, state_config  # noqa`.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from pipelines import clock
from pipelines.config import Config, load_config
from pipelines.warehouse import connect
from pipelines.weekly import IsoWeek
from tests.shared_build import built_once

REPO = Path(__file__).resolve().parents[1]
REVIEW_TICKETS = 20_000
_BUILT: dict[str, Config] = {}
TZ = "Asia/Shanghai"


HARNESS = """
import streamlit as st
from dashboard import ui
from dashboard.i18n_workspace import t
ctx = ui.start()
page = st.navigation([
    st.Page({workspace!r}, title=t("page.sql_workspace", ctx.lang), url_path="sql_workspace", default=True),
    st.Page({weekly!r}, title=t("page.weekly_review", ctx.lang), url_path="weekly_review"),
])
ui.finish(ctx, page)
page.run()
"""


def page_harness(folder: Path) -> Path:
    """A stand-in for dashboard/app.py that routes to the SQL workspace and weekly-review pages with the shared
    sidebar (app.py registers them among the other pages)."""
    path = folder / "harness_app.py"
    path.write_text(HARNESS.format(workspace=str(REPO / "dashboard" / "pages" / "sql_workspace.py"),
                                   weekly=str(REPO / "dashboard" / "pages" / "weekly_review.py")), encoding="utf-8")
    return path


def build_review(folder: Path) -> Config:
    from pipelines.demo import generate_demo
    from pipelines.ingest import REFUSED, ingest_files

    (folder / "data").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "sqd.toml", folder / "sqd.toml")
    shutil.copytree(REPO / "data" / "profiles", folder / "data" / "profiles", dirs_exist_ok=True)
    config = load_config(folder / "sqd.toml")
    files = generate_demo(folder / "demo", tickets=REVIEW_TICKETS)
    results = ingest_files([p for p, _ in files], config, [name for _, name in files])
    refused = [r for r in results if r.status == REFUSED]
    if refused or not config.warehouse_path.exists():
        pytest.fail(f"demo load failed: {[(r.path.name, r.message) for r in refused]}")
    return config


@pytest.fixture(scope="session")
def review_project(tmp_path_factory: pytest.TempPathFactory) -> Config:
    if "review" not in _BUILT:  # once per run, also under xdist (tests/shared_build.py)
        folder = built_once("review", build_review, tmp_path_factory)
        _BUILT["review"] = load_config(folder / "sqd.toml")
    return _BUILT["review"]


class _StateConfig(Config):
    """A Config whose state_dir is set explicitly (tests keep their saved queries and notes apart)."""

    @property
    def state_dir(self) -> Path:  # type: ignore[override]
        return self._state_dir  # type: ignore[attr-defined]


def with_state_dir(config: Config, state_dir: Path) -> Config:
    """The same configuration, with workspace files (saved queries, history, notes) in `state_dir`."""
    fields = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)}
    cfg = _StateConfig(**fields)
    object.__setattr__(cfg, "_state_dir", state_dir)
    return cfg


@pytest.fixture
def state_config(review_project: Config, tmp_path: Path) -> Config:
    """The review warehouse with a fresh state folder for this test."""
    return with_state_dir(review_project, tmp_path / "state")


# The test's own counts, from core tables (not the metric views, not pipelines.weekly). Local dates in the
# configured time zone; weeks Monday..Sunday. A follow-up counts when attempted within 48 h of resolution
# (sqd.toml [follow_up]); tickets and sms/app answers still inside their 48 h window at the pinned now are
# pending: out of the denominator.
INDEPENDENT = {
    "complaint_rate": """
        SELECT count(*) FILTER (WHERE ticket_type = 'complaint' AND is_attributable_to_service IS TRUE),
               count(*)
        FROM core.tickets
        WHERE (status IS NULL OR status <> 'cancelled')
          AND CAST(timezone($tz, created_at) AS DATE) BETWEEN $first AND $last""",
    "repeat_complaint_rate": """
        SELECT count(*) FILTER (WHERE is_repeat_complaint IS TRUE),
               count(*) - count(*) FILTER (WHERE is_repeat_complaint IS TRUE)
        FROM core.tickets
        WHERE ticket_type = 'complaint' AND (status IS NULL OR status <> 'cancelled')
          AND CAST(timezone($tz, created_at) AS DATE) BETWEEN $first AND $last""",
    "csat_rate": """
        SELECT count(*) FILTER (WHERE score >= 4), count(*)
        FROM core.surveys
        WHERE outcome = 'responded' AND score IS NOT NULL
          AND CAST(timezone($tz, attempted_at) AS DATE) BETWEEN $first AND $last""",
    "response_rate": """
        SELECT count(*) FILTER (WHERE outcome = 'responded'),
               count(*) FILTER (WHERE NOT (outcome = 'no_answer' AND method IN ('sms', 'app')
                                           AND attempted_at + INTERVAL 48 HOUR > $now))
        FROM core.surveys
        WHERE CAST(timezone($tz, attempted_at) AS DATE) BETWEEN $first AND $last""",
    "follow_up_rate": """
        SELECT count(*) FILTER (WHERE followed),
               count(*) FILTER (WHERE followed OR resolved_at + INTERVAL 48 HOUR <= $now)
        FROM (SELECT *, EXISTS (SELECT 1 FROM core.surveys AS s WHERE s.ticket_id = t.ticket_id
                                AND s.attempted_at <= t.resolved_at + INTERVAL 48 HOUR) AS followed
              FROM core.tickets AS t)
        WHERE resolved_at IS NOT NULL AND ticket_type IN ('repair', 'complaint')
          AND CAST(timezone($tz, resolved_at) AS DATE) BETWEEN $first AND $last""",
    "defect_rate": """
        SELECT sum(nonconforming_qty), sum(inspected_qty)
        FROM core.inspections
        WHERE CAST(timezone($tz, inspected_at) AS DATE) BETWEEN $first AND $last""",
}


def independent(config, week: IsoWeek) -> dict[str, tuple[int, int]]:
    params = {"tz": TZ, "first": week.start, "last": week.end, "now": clock.now()}
    con = connect(config)
    try:
        return {key: tuple(int(v or 0) for v in con.execute(
                    sql, {k: v for k, v in params.items() if f"${k}" in sql}).fetchall()[0])
                for key, sql in INDEPENDENT.items()}
    finally:
        con.close()
