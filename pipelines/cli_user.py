"""`sqd user add / passwd / remove / list` (the dashboard's accounts) and `sqd audit` (the audit log).

Registered in pipelines/cli.py (`register(app)`). Passwords are asked twice without echo, or read from the first line
of standard input with `--password-stdin` (scripts); they are stored only as argon2 hashes (pipelines/accounts.py).
Every change is written to the audit log with the operating-system user who made it.
"""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer

from pipelines.cli_common import EXIT_ERROR, ConfigOpt, console, err, load_or_exit, say

user_app = typer.Typer(help="Dashboard accounts: add, change a password, remove, list (docs/security.md).",
                       no_args_is_help=True)

PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat the password: ") != first:
        say(err, "error:", "the two passwords differ; nothing changed")
        raise typer.Exit(EXIT_ERROR)
    return first


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "?"


def _run(config_path, action: str, name: str, change) -> None:
    from pipelines import accounts, audit  # noqa: PLC0415

    config = load_or_exit(config_path)
    try:
        path = accounts.accounts_path(config)
        done = change(accounts, path)
    except accounts.AccountError as exc:
        say(err, "error:", exc)
        raise typer.Exit(EXIT_ERROR) from exc
    audit.record(config, action, user=_operator(), detail=f"{name}: {done}", source="cli")
    console.print(f"{path}: {name} {done}", highlight=False, soft_wrap=True)


@user_app.command("add")
def add(name: Annotated[str, typer.Argument(help="User name (letters, digits, _ . @ -).")],
        role: Annotated[str, typer.Option("--role", "-r", help="viewer, analyst or admin.")] = "viewer",
        site: Annotated[list[str] | None, typer.Option("--site", "-s",
                                                       help="A site this account may see (repeat; none = all).")]
        = None,
        password_stdin: PasswordStdin = False, config: ConfigOpt = None) -> None:
    """Add an account."""
    password = _password(password_stdin)

    def change(accounts, path):
        account = accounts.add_user(path, name, password, role, site or ())
        return f"added ({account.role}, sites: {', '.join(account.sites) or 'all'})"

    _run(config, "user_added", name, change)


@user_app.command("passwd")
def passwd(name: Annotated[str, typer.Argument(help="User name.")], password_stdin: PasswordStdin = False,
           config: ConfigOpt = None) -> None:
    """Set an account's password."""
    password = _password(password_stdin)
    _run(config, "user_password", name, lambda accounts, path: (accounts.set_password(path, name, password),
                                                                 "password changed")[1])


@user_app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="User name.")], config: ConfigOpt = None) -> None:
    """Remove an account."""
    _run(config, "user_removed", name, lambda accounts, path: (accounts.remove_user(path, name), "removed")[1])


@user_app.command("list")
def list_users(config: ConfigOpt = None) -> None:
    """The accounts: name, role, sites (never a hash)."""
    from pipelines import accounts  # noqa: PLC0415

    cfg = load_or_exit(config)
    try:
        path = accounts.accounts_path(cfg)
        found = accounts.load_accounts(path)
    except accounts.AccountError as exc:
        say(err, "error:", exc)
        raise typer.Exit(EXIT_ERROR) from exc
    if not found:
        console.print(f"{path}: no accounts (the dashboard serves on localhost only)", highlight=False)
        return
    console.print(f"{path}:", highlight=False)
    for account in found.values():
        console.print(f"{account.name}  {account.role}  {', '.join(account.sites) or 'all sites'}", highlight=False)


def audit_log(limit: Annotated[int, typer.Option("--limit", "-n", help="Newest lines shown.")] = 50,
              user: Annotated[str, typer.Option("--user", help="Only this user's lines.")] = "",
              config: ConfigOpt = None) -> None:
    """The audit log, newest first: sign-ins, SQL statements, downloads, loads and releases (read-only)."""
    from pipelines import audit  # noqa: PLC0415

    cfg = load_or_exit(config)
    frame = audit.read(cfg, limit=limit, user=user)
    for row in frame.iter_rows(named=True):
        detail = (row["detail"] or "").replace("\n", " ")
        extra = "" if row["rows"] is None else f" rows={row['rows']}"
        extra += "" if row["duration_s"] is None else f" {row['duration_s']:.2f}s"
        console.print(f"{row['at']:%Y-%m-%d %H:%M:%S}Z {row['user'] or '-'} {row['action']}"
                      f"{'' if row['ok'] else ' FAILED'}{extra} {detail[:200]}", highlight=False, markup=False,
                      soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
    app.command("audit")(audit_log)
