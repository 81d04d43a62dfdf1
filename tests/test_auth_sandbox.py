"""A site-scoped analyst's SQL (issue 17): the sandbox child reads the account's sites only, through views named
like the warehouse's, and refuses statements that name the warehouse's own catalog."""

from __future__ import annotations

import pytest

from pipelines import accounts, sandbox
from pipelines.warehouse import connect
from tests.dashboard_fixtures import demo_project  # noqa: F401 (pytest fixture)


@pytest.fixture(scope="module")
def sites(demo_project):
    con = connect(demo_project.config)
    try:
        return [r[0] for r in con.execute("SELECT site FROM core.sites ORDER BY site").fetchall()]
    finally:
        con.close()


def run(config, sql):
    # fork, as `sqd sql` does: the dashboard's fork server is exercised by tests/test_auth_app.py
    return sandbox.run_query(config, sql, record=False, timeout_s=60, start_method="fork")


def test_scoped_sandbox_reads_only_the_accounts_sites(demo_project, sites):
    scoped = accounts.scoped_config(demo_project.config, (sites[0],))
    result = run(scoped, "SELECT DISTINCT site FROM core.tickets")
    assert result.ok, result.message
    assert result.frame["site"].to_list() == [sites[0]]
    whole = run(demo_project.config, "SELECT count(*) AS n FROM metrics.ticket_sla WHERE site = "
                f"'{sites[0]}'")
    mine = run(scoped, "SELECT count(*) AS n FROM ticket_sla")
    assert mine.frame["n"][0] == whole.frame["n"][0] > 0
    # unscoped: every site, as before
    assert run(demo_project.config, "SELECT DISTINCT site FROM core.tickets").rows == len(sites)
    config = demo_project.config
    assert accounts.scoped_config(config, None) is config


@pytest.mark.parametrize("sql", ["SELECT * FROM warehouse.core.tickets",
                                 "SELECT * FROM query_table('warehouse.core.tickets')",
                                 "SELECT count(*) FROM warehouse.metrics.ticket_sla"])
def test_scoped_sandbox_refuses_the_warehouse_catalog(demo_project, sites, sql):
    result = run(accounts.scoped_config(demo_project.config, (sites[0],)), sql)
    assert result.status == sandbox.REFUSED, result.message
    assert result.frame is None


def test_scoped_sandbox_keeps_the_sandbox_rules(demo_project, sites):
    scoped = accounts.scoped_config(demo_project.config, (sites[0],))
    for sql in ("CREATE TABLE x AS SELECT 1", "SELECT 1; SELECT 2", "COPY core.tickets TO '/tmp/x.csv'",
                "SELECT * FROM read_csv('/etc/passwd')"):
        assert run(scoped, sql).status in (sandbox.REFUSED, sandbox.ERROR), sql
