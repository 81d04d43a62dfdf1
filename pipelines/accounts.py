"""Dashboard accounts: the accounts file, password hashes, sign-in throttling and the site scope in SQL.

* The accounts file is TOML beside the configuration's state (default `<warehouse folder>/.sqd/users.toml`;
  `[accounts] path = "..."` in sqd.toml, relative to that file, names another). One table per user:
  `[users.NAME]` with `hash` (argon2id, argon2-cffi), `role` (viewer / analyst / admin) and `sites` (empty = all).
  Written atomically under a lock, mode 0600; it never holds a password.
* Throttling: after MAX_FAILURES failed sign-ins for one user name, or from one browser session, within
  WINDOW_MINUTES, sign-in is refused until the oldest of those failures is WINDOW_MINUTES old. The failures are
  read from the audit log (pipelines/audit.py), so a restart does not reset them.
* Site scope in SQL (`attach_scoped`): a connection whose default catalog is an in-memory database holding, for
  every table of the warehouse, a view of the account's rows (a `site` column: its sites; a `ticket_id`: the
  tickets of its sites; a dataset without either: no rows; reference tables: whole), and every view of the
  warehouse re-created on top of them. Queries that name `core.tickets` or `metrics.ticket_sla` read the scoped
  views; the warehouse itself stays attached read-only under its catalog name, which `scope_violation` refuses in
  a scoped analyst's SQL (docs/security.md).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import tomllib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from pathlib import Path

from pipelines.config import Config, edited_text

ROLES = ("viewer", "analyst", "admin")
RANK = {role: i for i, role in enumerate(ROLES)}
MAX_FAILURES = 5
WINDOW_MINUTES = 15
DEFAULT_TIMEOUT_MINUTES = 30
NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
MIN_PASSWORD = 8


class AccountError(ValueError):
    """A user name, role, password or accounts file that cannot be used; the message says which."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    sites: tuple[str, ...] = ()
    hash: str = field(default="", repr=False)

    @property
    def scope(self) -> tuple[str, ...] | None:
        """The sites this account may see, or None for all."""
        return self.sites or None

    def can(self, role: str) -> bool:
        """Whether this account has at least `role`'s rights (viewer < analyst < admin)."""
        return RANK[self.role] >= RANK[role]


@dataclass(frozen=True)
class Settings:
    path: Path
    timeout_minutes: float = DEFAULT_TIMEOUT_MINUTES


def settings(config: Config) -> Settings:
    """`[accounts]` of the configuration file: `path` (relative to it) and `timeout_minutes` (idle sign-out)."""
    try:
        raw = tomllib.loads(edited_text(Path(config.source).read_bytes())).get("accounts", {})
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        raw = {}
    if not isinstance(raw, dict):
        raise AccountError(f"{config.source}: [accounts] must be a table")
    path = raw.get("path")
    if path is not None and not isinstance(path, str):
        raise AccountError(f"{config.source}: [accounts] path must be text")
    timeout = raw.get("timeout_minutes", DEFAULT_TIMEOUT_MINUTES)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise AccountError(f"{config.source}: [accounts] timeout_minutes must be a number of minutes above 0")
    where = (Path(config.source).parent / path).resolve() if path else config.state_dir / "users.toml"
    return Settings(where, float(timeout))


def accounts_path(config: Config) -> Path:
    return settings(config).path


# ------------------------------------------------------------------ the file

def load_accounts(path: Path) -> dict[str, Account]:
    """The accounts in `path` (none when the file does not exist). A file that cannot be read raises AccountError:
    the dashboard then refuses to serve rather than serving without sign-in."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AccountError(f"{path}: accounts file cannot be read: {exc}") from exc
    users = raw.get("users", {})
    if not isinstance(users, dict):
        raise AccountError(f"{path}: [users] must be a table")
    out: dict[str, Account] = {}
    for name, entry in users.items():
        if not isinstance(entry, dict) or entry.get("role") not in ROLES or not isinstance(entry.get("hash"), str):
            raise AccountError(f"{path}: [users.{name}] needs a hash and a role ({', '.join(ROLES)})")
        sites = entry.get("sites", [])
        if not isinstance(sites, list) or not all(isinstance(s, str) for s in sites):
            raise AccountError(f"{path}: [users.{name}] sites must be a list of site names")
        out[name] = Account(name, entry["role"], tuple(sites), entry["hash"])
    return out


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def dump_accounts(accounts: dict[str, Account]) -> str:
    lines = ["# Dashboard accounts (sqd user add / passwd / remove). Passwords are stored only as argon2 hashes.", ""]
    for name in sorted(accounts):
        a = accounts[name]
        lines += [f"[users.{_toml_string(name)}]", f"hash = {_toml_string(a.hash)}", f"role = {_toml_string(a.role)}",
                  f"sites = [{', '.join(_toml_string(s) for s in a.sites)}]", ""]
    return "\n".join(lines)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f".{path.name}.lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write(path: Path, accounts: dict[str, Account]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(dump_accounts(accounts))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


# ------------------------------------------------------------------ hashing

def _hasher():
    from argon2 import PasswordHasher  # noqa: PLC0415 (keeps `sqd --help` fast)

    return PasswordHasher()


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher().hash(password)


def verify_password(hashed: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError  # noqa: PLC0415

    try:
        return _hasher().verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


# ------------------------------------------------------------------ changing accounts (the CLI)

def _check(name: str, role: str | None, sites: Iterable[str]) -> None:
    if not NAME.match(name):
        raise AccountError(f"user name {name!r}: letters, digits, '_', '.', '@' or '-', at most 64")
    if role is not None and role not in ROLES:
        raise AccountError(f"role {role!r}: one of {', '.join(ROLES)}")
    if any(not s.strip() for s in sites):
        raise AccountError("a site name cannot be empty")


def add_user(path: Path, name: str, password: str, role: str, sites: Iterable[str] = ()) -> Account:
    sites = tuple(dict.fromkeys(s.strip() for s in sites))
    _check(name, role, sites)
    account = Account(name, role, sites, hash_password(password))
    with _locked(path):
        accounts = load_accounts(path)
        if name in accounts:
            raise AccountError(f"user {name!r} exists already (sqd user passwd / remove)")
        accounts[name] = account
        _write(path, accounts)
    return account


def set_password(path: Path, name: str, password: str) -> Account:
    hashed = hash_password(password)
    with _locked(path):
        accounts = load_accounts(path)
        if name not in accounts:
            raise AccountError(f"no user {name!r}")
        old = accounts[name]
        accounts[name] = Account(name, old.role, old.sites, hashed)
        _write(path, accounts)
    return accounts[name]


def remove_user(path: Path, name: str) -> None:
    with _locked(path):
        accounts = load_accounts(path)
        if name not in accounts:
            raise AccountError(f"no user {name!r}")
        del accounts[name]
        _write(path, accounts)


def authenticate(accounts: dict[str, Account], name: str, password: str) -> Account | None:
    """The account when the password matches; None otherwise (an unknown name costs a hash too, so the time taken
    does not say which names exist)."""
    account = accounts.get(name)
    if account is None:
        verify_password(_dummy_hash(), password)
        return None
    return account if verify_password(account.hash, password) else None


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(_hasher().hash("sqd: a name no account has"))
    return _DUMMY[0]


# ------------------------------------------------------------------ throttling

def retry_after(failures: Iterable[datetime], now: datetime) -> timedelta | None:
    """How long sign-in stays refused given the times of recent failures (None: not throttled). MAX_FAILURES within
    WINDOW_MINUTES refuse until the oldest of the last MAX_FAILURES is WINDOW_MINUTES old."""
    window = timedelta(minutes=WINDOW_MINUTES)
    recent = sorted(t for t in failures if now - t < window)
    if len(recent) < MAX_FAILURES:
        return None
    return recent[-MAX_FAILURES] + window - now


# ------------------------------------------------------------------ the site scope in SQL

def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# Tables read whole by a scoped account: reference data, the load ledger and quality results, not customer rows.
REFERENCE_TABLES = {("core", "calendar_days"), ("core", "categories"), ("core", "departments"), ("core", "products"),
                    ("core", "sla_policies"), ("meta", "settings"), ("meta", "load_log"), ("meta", "dq_runs"),
                    ("meta", "dq_results"), ("metrics", "rollup_state")}


# Columns a scoped account's view leaves empty: sample rows of failed checks may be any site's rows.
BLANKED_COLUMNS = {("meta", "dq_results"): ("sample_rows",)}


def scope_predicate(schema: str, table: str, columns: set[str], sites: tuple[str, ...]) -> str:
    """The WHERE of a scoped account's view of one warehouse table (sites as literals: the views are DDL, which
    takes no parameters; the names come from the accounts file and are quoted)."""
    listed = ", ".join(_literal(s) for s in sites)
    if "site" in columns:
        return f"site IN ({listed})"
    if "ticket_id" in columns:
        return f"ticket_id IN (SELECT ticket_id FROM core.tickets WHERE site IN ({listed}))"
    if (schema, table) in REFERENCE_TABLES:
        return "TRUE"
    return "FALSE"


def attach_scoped(con, catalog: str, sites: tuple[str, ...]) -> None:
    """Make `con`'s default catalog an in-memory database of `sites`' rows over the attached warehouse `catalog`
    (see the module docstring). `con` is a connection whose default database is in memory, with the warehouse
    ATTACHed read-only as `catalog`."""
    if not sites:
        raise ValueError("attach_scoped needs at least one site")
    memory = con.execute("SELECT current_database()").fetchall()[0][0]
    if memory == catalog:
        raise ValueError("the default catalog must be the in-memory database, not the warehouse")
    tables = con.execute("""
        SELECT schema_name, table_name, list(column_name ORDER BY column_index)
        FROM duckdb_columns() WHERE database_name = ? AND NOT internal
          AND (schema_name, table_name) IN (SELECT (schema_name, table_name) FROM duckdb_tables()
                                            WHERE database_name = ?)
        GROUP BY ALL ORDER BY ALL""", [catalog, catalog]).fetchall()
    views = con.execute("""
        SELECT schema_name, view_name, sql FROM duckdb_views() WHERE database_name = ? AND NOT internal
        ORDER BY ALL""", [catalog]).fetchall()
    for schema in sorted({s for s, *_ in tables} | {s for s, *_ in views}):
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {_ident(memory)}.{_ident(schema)}")
    from pipelines.warehouse import SEARCH_PATH  # noqa: PLC0415

    con.execute(f"SET search_path = '{SEARCH_PATH}'")  # as the views were made (and warehouse.session sets)
    # core.tickets first: other tables' predicates read it
    for schema, table, columns in sorted(tables, key=lambda r: (r[0], r[1]) != ("core", "tickets")):
        predicate = scope_predicate(schema, table, set(columns), sites)
        if (schema, table) == ("metrics", "rollup_state"):
            predicate = _scoped_rollups(con, catalog, tables)
        blank = [c for c in BLANKED_COLUMNS.get((schema, table), ()) if c in columns]
        star = f"* REPLACE ({', '.join(f'CAST(NULL AS VARCHAR) AS {_ident(c)}' for c in blank)})" if blank else "*"
        con.execute(f"CREATE VIEW {_ident(memory)}.{_ident(schema)}.{_ident(table)} AS SELECT {star} FROM "
                    f"{_ident(catalog)}.{_ident(schema)}.{_ident(table)} WHERE {predicate}")
    # the warehouse's views, re-created here so that their `core.x` / `metrics.x` are the scoped ones; a view may
    # read another, so retry until none is left (or none could be made in a pass)
    pending = list(views)
    while pending:
        left = []
        for schema, name, sql in pending:
            try:
                con.execute(sql)
            except Exception:  # noqa: BLE001 (a view whose source is not there yet: the next pass)
                left.append((schema, name, sql))
        if len(left) == len(pending):
            for schema, name, _ in left:  # never reachable from scoped SQL: an empty stand-in says so
                con.execute(f"CREATE VIEW {_ident(memory)}.{_ident(schema)}.{_ident(name)} AS "
                            "SELECT 'not available to a site-scoped account' AS unavailable WHERE FALSE")
            break
        pending = left


def _scoped_rollups(con, catalog: str, tables: list) -> str:
    """The WHERE of metrics.rollup_state for a scope: only rollups whose tables (metrics.<rollup>_daily_rollup,
    _monthly_rollup, _pending_slice, _materialised) all carry a site or a ticket id, so scope to the account's rows.
    The pages read the views for the others (a rollup without a site, such as the sidebar's channel/type/priority
    values, would read as empty), and the views read the scope's rows."""
    names = [r[0] for r in con.execute(f"SELECT DISTINCT rollup FROM {_ident(catalog)}.metrics.rollup_state")
             .fetchall()]
    kept = []
    for name in names:
        own = [set(cols) for schema, table, cols in tables if schema == "metrics" and re.fullmatch(
            re.escape(name) + r"_(daily_rollup|monthly_rollup|pending_slice|materialised)", table)]
        if own and all({"site", "ticket_id"} & cols for cols in own):
            kept.append(name)
    return f"rollup IN ({', '.join(_literal(n) for n in kept)})" if kept else "FALSE"


# Table functions that read a table by a name given as text, out of reach of the catalog check below.
_BLOCKED_FUNCTIONS = {"query", "query_table"}
_NAME_KEYS = {"catalog_name", "schema_name", "catalog", "schema"}


def scope_violation(con, sql: str, catalog: str) -> str | None:
    """Why a scoped account may not run `sql` (None: it may). The statement's syntax tree (json_serialize_sql) must
    name no table or function in the warehouse's own catalog `catalog` (nor the `system`/`temp` catalogs) and call
    no table function that takes a table's name as text. A statement DuckDB cannot serialise (EXPLAIN) is refused."""
    tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [sql]).fetchall()[0][0])
    if tree.get("error"):
        return ("A site-scoped account runs SELECT queries only (SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE); "
                "EXPLAIN and statements DuckDB cannot inspect are not available.")
    forbidden = {catalog.lower(), "system", "temp"}
    stack: list[object] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in _NAME_KEYS and isinstance(value, str) and value.lower() in forbidden:
                    return (f"A site-scoped account reads its own sites' rows through core, metrics and meta; "
                            f"the catalog {value!r} is not available.")
                if key == "path" and isinstance(value, list) and any(
                        isinstance(v, str) and v.lower() in forbidden for v in value[:-1]):
                    return "A site-scoped account reads its own sites' rows through core, metrics and meta."
                if key == "function_name" and isinstance(value, str) and value.lower() in _BLOCKED_FUNCTIONS:
                    return f"{value}() is not available to a site-scoped account."
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return None


def scoped_config(config: Config, sites: tuple[str, ...] | None) -> Config:
    """`config` for a run of the SQL sandbox on behalf of an account: with `sites`, a ScopedConfig whose
    `site_scope` makes pipelines/sandbox.py read through attach_scoped and refuse scope_violation's statements (it
    travels to the sandbox's child process with the configuration)."""
    if not sites:
        return config
    values = {f.name: getattr(config, f.name) for f in fields(config)}
    return ScopedConfig(**values, site_scope=tuple(sites))


@dataclass(frozen=True)
class ScopedConfig(Config):
    site_scope: tuple[str, ...] = ()


def bind_address(config: Config) -> str:
    """Where `make run` lets the dashboard listen: all interfaces when accounts exist, else localhost only."""
    try:
        return "0.0.0.0" if load_accounts(accounts_path(config)) else "127.0.0.1"
    except AccountError:
        return "127.0.0.1"


if __name__ == "__main__":  # `python -m pipelines.accounts --address` (the Makefile's `run`)
    import sys

    from pipelines.config import load_config

    if sys.argv[1:] != ["--address"]:
        sys.exit("usage: python -m pipelines.accounts --address")
    print(bind_address(load_config()))
