"""Accounts (issue 17): the accounts file, argon2 hashes, `sqd user`, throttling, and the site scope in SQL
(pipelines/accounts.py) on a real demo warehouse."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines import accounts, audit
from pipelines.cli import app
from pipelines.warehouse import connect, session, sql_string
from tests.conftest import make_project
from tests.dashboard_fixtures import demo_project  # noqa: F401 (pytest fixture)

runner = CliRunner(env={"COLUMNS": "200"})


@pytest.fixture
def cfg(tmp_path):
    return make_project(tmp_path)


def test_accounts_file_holds_only_an_argon2_hash_and_is_private(cfg):
    path = accounts.accounts_path(cfg)
    assert path == cfg.state_dir / "users.toml"
    accounts.add_user(path, "ann", "correct horse", "analyst", ["Harbourside"])
    text = path.read_text(encoding="utf-8")
    assert "correct horse" not in text and "$argon2id$" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    found = accounts.load_accounts(path)
    assert found["ann"].role == "analyst" and found["ann"].sites == ("Harbourside",)
    assert accounts.authenticate(found, "ann", "correct horse") == found["ann"]
    assert accounts.authenticate(found, "ann", "wrong horse!") is None
    assert accounts.authenticate(found, "nobody", "correct horse") is None


def test_accounts_change_password_remove_and_refusals(cfg):
    path = accounts.accounts_path(cfg)
    accounts.add_user(path, "bob", "first password", "viewer")
    with pytest.raises(accounts.AccountError, match="exists already"):
        accounts.add_user(path, "bob", "first password", "viewer")
    with pytest.raises(accounts.AccountError, match="at least 8"):
        accounts.add_user(path, "carl", "short", "viewer")
    with pytest.raises(accounts.AccountError, match="role"):
        accounts.add_user(path, "carl", "long enough", "superuser")
    with pytest.raises(accounts.AccountError, match="user name"):
        accounts.add_user(path, "carl smith", "long enough", "viewer")
    accounts.set_password(path, "bob", "second password")
    found = accounts.load_accounts(path)
    assert accounts.authenticate(found, "bob", "first password") is None
    assert accounts.authenticate(found, "bob", "second password") is not None
    assert found["bob"].scope is None and found["bob"].can("viewer") and not found["bob"].can("analyst")
    accounts.remove_user(path, "bob")
    assert accounts.load_accounts(path) == {}
    with pytest.raises(accounts.AccountError, match="no user"):
        accounts.remove_user(path, "bob")


def test_accounts_path_and_timeout_from_sqd_toml(cfg):
    cfg.source.write_text(cfg.source.read_text(encoding="utf-8")
                          + '\n[accounts]\npath = "secrets/people.toml"\ntimeout_minutes = 5\n', encoding="utf-8")
    found = accounts.settings(cfg)
    assert found.path == (cfg.source.parent / "secrets" / "people.toml").resolve()
    assert found.timeout_minutes == 5


def test_accounts_unreadable_file_is_an_error_not_an_empty_list(cfg):
    path = accounts.accounts_path(cfg)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[users.ann]\nrole = 'king'\nhash = 'x'\n", encoding="utf-8")
    with pytest.raises(accounts.AccountError, match="needs a hash and a role"):
        accounts.load_accounts(path)


def test_sqd_user_commands_and_audit(cfg):
    base = ["--config", str(cfg.source)]
    result = runner.invoke(app, ["user", "add", "dana", "--role", "admin", "--password-stdin", *base],
                           input="a long password\n")
    assert result.exit_code == 0, result.output
    assert "dana added (admin, sites: all)" in result.output
    result = runner.invoke(app, ["user", "add", "eve", "-s", "Lakeside", "-s", "Westgate", "--password-stdin",
                                 *base], input="another password\n")
    assert result.exit_code == 0, result.output
    listed = runner.invoke(app, ["user", "list", *base]).output
    assert "dana  admin  all sites" in listed and "eve  viewer  Lakeside, Westgate" in listed
    assert "$argon2" not in listed
    result = runner.invoke(app, ["user", "passwd", "eve", "--password-stdin", *base], input="changed password\n")
    assert result.exit_code == 0, result.output
    assert accounts.authenticate(accounts.load_accounts(accounts.accounts_path(cfg)), "eve", "changed password")
    assert runner.invoke(app, ["user", "remove", "eve", *base]).exit_code == 0
    missing = runner.invoke(app, ["user", "remove", "eve", *base])
    assert missing.exit_code == 1 and "no user 'eve'" in missing.output
    short = runner.invoke(app, ["user", "add", "fay", "--password-stdin", *base], input="short\n")
    assert short.exit_code == 1
    log = audit.read(cfg)
    assert log["action"].to_list()[::-1] == ["user_added", "user_added", "user_password", "user_removed"]
    shown = runner.invoke(app, ["audit", *base]).output
    assert "user_removed eve: removed" in shown


def test_throttle_after_five_failures_in_fifteen_minutes():
    now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    four = [now - timedelta(minutes=m) for m in (1, 2, 3, 4)]
    assert accounts.retry_after(four, now) is None
    five = [*four, now - timedelta(minutes=10)]
    assert accounts.retry_after(five, now) == timedelta(minutes=5)  # the oldest of the five turns 15 min old
    stale = [*four, now - timedelta(minutes=16)]
    assert accounts.retry_after(stale, now) is None


def test_throttle_state_survives_a_restart_through_the_audit_log(cfg):
    since = datetime.now(UTC) - timedelta(minutes=accounts.WINDOW_MINUTES)
    for _ in range(3):
        audit.record(cfg, "sign_in", user="ann", ok=False, session="s1")
    for _ in range(2):
        audit.record(cfg, "sign_in", user="someone", ok=False, session="s1")
    audit.record(cfg, "sign_in", user="ann", ok=True, session="s2")
    # a new process reads the same file: by user name 3, by user name or session 5
    assert len(audit.failures_since(cfg, since, "ann")) == 3
    assert len(audit.failures_since(cfg, since, "ann", session="s1")) == 5
    assert accounts.retry_after(audit.failures_since(cfg, since, "other", session="s1"),
                                datetime.now(UTC)) is not None       # five from that browser session
    assert accounts.retry_after(audit.failures_since(cfg, since, "ann", session="s2"),
                                datetime.now(UTC)) is None           # three for the name, none from s2


# ------------------------------------------------------------------ the site scope in SQL

def scoped(project, sites):
    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH {sql_string(project.config.warehouse_path)} AS warehouse (READ_ONLY)")
    accounts.attach_scoped(con, "warehouse", tuple(sites))
    session(con, project.config)
    return con


def test_scope_views_hold_only_the_accounts_sites(demo_project):
    whole = connect(demo_project.config)
    sites = [r[0] for r in whole.execute("SELECT site FROM core.sites ORDER BY site").fetchall()]
    mine = sites[:2]
    con = scoped(demo_project, mine)
    for sql in ("SELECT DISTINCT site FROM core.tickets", "SELECT DISTINCT site FROM tickets",
                "SELECT DISTINCT site FROM metrics.ticket_sla", "SELECT DISTINCT site FROM core.surveys",
                "SELECT DISTINCT site FROM metrics.survey_responses", "SELECT site FROM core.sites",
                "SELECT DISTINCT site FROM metrics.sla_daily_rollup"):
        got = {r[0] for r in con.execute(sql).fetchall()}
        assert got and got <= set(mine), sql
    # rows derived through ticket_id (the SLA base) follow the tickets
    expected = whole.execute("SELECT count(*) FROM metrics.ticket_sla WHERE site IN (?, ?)", mine).fetchall()
    assert con.execute("SELECT count(*) FROM metrics.ticket_sla_status").fetchall() == expected
    # datasets without a site are not the account's: none of their rows
    assert con.execute("SELECT count(*) FROM core.inspections").fetchall() == [(0,)]
    # rows tied to a ticket follow the ticket's site
    assert con.execute("SELECT count(*) FROM core.calls WHERE ticket_id IS NULL OR ticket_id NOT IN "
                       "(SELECT ticket_id FROM core.tickets)").fetchall() == [(0,)]
    assert con.execute("SELECT count(*) FROM meta.quarantine").fetchall() == [(0,)]
    # failed checks' sample rows may be any site's: blank
    assert con.execute("SELECT count(*) FROM meta.dq_results WHERE sample_rows IS NOT NULL").fetchall() == [(0,)]
    assert whole.execute("SELECT count(*) FROM meta.dq_results WHERE sample_rows IS NOT NULL").fetchall()[0][0] > 0
    # rollups without a site are not offered to the scope's queries (they would read as empty): the views are read
    kept = {r[0] for r in con.execute("SELECT rollup FROM metrics.rollup_state").fetchall()}
    every = {r[0] for r in whole.execute("SELECT rollup FROM metrics.rollup_state").fetchall()}
    assert "ticket" in kept and "sla" in kept and "ticket_values" in every - kept
    # reference data stays whole
    assert con.execute("SELECT count(*) FROM core.products").fetchall() == \
        whole.execute("SELECT count(*) FROM core.products").fetchall()
    con.close()
    whole.close()


@pytest.mark.parametrize("sql", [
    "SELECT * FROM warehouse.core.tickets",
    'SELECT * FROM "WAREHOUSE".core.tickets',
    "SELECT * FROM warehouse.tickets",
    "SELECT * FROM query_table('warehouse.core.tickets')",
    "SELECT * FROM query('SELECT * FROM warehouse.core.tickets')",
    "WITH x AS (SELECT * FROM warehouse.metrics.ticket_sla) SELECT count(*) FROM x",
    "SELECT (SELECT count(*) FROM warehouse.core.tickets)",
    "DESCRIBE warehouse.core.tickets",
    "SELECT * FROM system.main.duckdb_tables()",
    "EXPLAIN SELECT 1",
])
def test_scope_violation_refuses_every_way_round_the_views(demo_project, sql):
    con = scoped(demo_project, ["Harbourside"])
    assert accounts.scope_violation(con, sql, "warehouse")
    con.close()


def test_scope_violation_lets_ordinary_queries_through(demo_project):
    con = scoped(demo_project, ["Harbourside"])
    for sql in ("SELECT site, count(*) FROM core.tickets GROUP BY site", "FROM metrics.kpi_facts LIMIT 3",
                "SELECT * FROM memory.core.tickets", "DESCRIBE core.tickets", "SUMMARIZE core.surveys"):
        assert accounts.scope_violation(con, sql, "warehouse") is None, sql
        con.execute(sql).fetchall()
    con.close()
