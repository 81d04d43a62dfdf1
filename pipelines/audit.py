"""The audit log: who signed in (or failed to), ran which SQL statement, downloaded, loaded or released what, when.

One JSON object per line in `<state dir>/audit.jsonl` (beside the warehouse, not in it: the dashboard must never
write the warehouse file, which a loader may be replacing and whose writer would block every reader; see
docs/security.md). Lines are only ever appended (O_APPEND, under an flock, one write per line), so two dashboard
processes and the CLI cannot interleave or lose each other's lines. Nothing in this module or the dashboard rewrites
or deletes a line; the admin page and `sqd audit` read it.

Fields: `at` (UTC, ISO 8601, `clock.stamp()`: the machine's time, so the log keeps its order when tests pin the
clock), `user`, `role`, `action` (ACTIONS), `ok`, `detail` (the SQL text, file name, download name...), `rows`,
`duration_s`, `session` (the browser session's id, for throttling) and `source` (dashboard / cli).
"""

from __future__ import annotations

import fcntl
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from pipelines import clock
from pipelines.config import Config

ACTIONS = ("sign_in", "sign_in_refused", "sign_out", "timeout", "sql", "download", "load", "release",
           "notes", "user_added", "user_password", "user_removed")
DETAIL_LIMIT = 4000
COLUMNS = ("at", "user", "role", "action", "ok", "detail", "rows", "duration_s", "session", "source")


def log_path(config: Config) -> Path:
    return config.state_dir / "audit.jsonl"


def record(config: Config, action: str, *, user: str = "", role: str = "", ok: bool = True, detail: str = "",
           rows: int | None = None, duration_s: float | None = None, session: str = "",
           source: str = "dashboard") -> dict:
    """Append one line to the audit log and return it."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = {"at": clock.stamp().isoformat(timespec="milliseconds"), "user": user, "role": role, "action": action,
             "ok": bool(ok), "detail": str(detail)[:DETAIL_LIMIT], "rows": None if rows is None else int(rows),
             "duration_s": None if duration_s is None else round(float(duration_s), 3), "session": session,
             "source": source}
    path = log_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    return entry


def read(config: Config, limit: int | None = None, actions: tuple[str, ...] = (), user: str = ""):
    """The log as a Polars frame, newest first (at most `limit` lines); an empty frame with the columns when there
    is no log yet."""
    import polars as pl  # noqa: PLC0415 (keeps `sqd --help` fast)

    schema = {"at": pl.Utf8, "user": pl.Utf8, "role": pl.Utf8, "action": pl.Utf8, "ok": pl.Boolean,
              "detail": pl.Utf8, "rows": pl.Int64, "duration_s": pl.Float64, "session": pl.Utf8, "source": pl.Utf8}
    path = log_path(config)
    if path.exists() and path.stat().st_size:
        frame = pl.read_ndjson(path, schema=schema, ignore_errors=True)
    else:
        frame = pl.DataFrame(schema=schema)
    frame = frame.with_columns(pl.col("at").str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%:z", strict=False)
                               .dt.convert_time_zone("UTC"))
    if actions:
        frame = frame.filter(pl.col("action").is_in(actions))
    if user:
        frame = frame.filter(pl.col("user") == user)
    frame = frame.reverse()
    return frame.head(limit) if limit else frame


def failures_since(config: Config, since: datetime, user: str, session: str = "") -> list[datetime]:
    """Times of failed sign-ins since `since` for user name `user`, or from browser session `session`."""
    import polars as pl  # noqa: PLC0415

    frame = read(config, actions=("sign_in",))
    if frame.is_empty():
        return []
    who = pl.col("user") == user
    if session:
        who = who | (pl.col("session") == session)
    hits = frame.filter(~pl.col("ok") & who & (pl.col("at") >= since.astimezone(UTC)))
    return hits["at"].to_list()
