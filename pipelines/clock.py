"""The one clock. Everything that depends on "now" (freshness, pending vs breached SLAs, ticket ages, the
dashboard's default period, the weekly pack's default week, the demo's last day) asks here, never the system.

`SQD_NOW` pins it: an ISO timestamp (`2026-11-25T09:00:00+08:00`; without an offset it is read as UTC). It is an
environment variable so a pinned clock reaches subprocesses too (the CLI, a Streamlit server under test).

SQL reads the same clock through the view `metrics.clock` (`now_at`): every warehouse connection this project
opens sets the session variable `sqd_now` from here (`session_statements`); a client that does not (any other
DuckDB client) gets `current_timestamp`. Only that view knows how; every metric view reads `metrics.clock`.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

ENV = "SQD_NOW"


class ClockError(ValueError):
    """SQD_NOW is not a timestamp."""


def pinned() -> datetime | None:
    """The pinned instant (aware, UTC), or None when the clock is the system's."""
    text = os.environ.get(ENV, "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ClockError(f"{ENV}={text!r} is not an ISO timestamp, e.g. 2026-11-25T09:00:00+08:00") from exc
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def now() -> datetime:
    """The current instant, aware, in UTC."""
    return pinned() or datetime.now(UTC)


def stamp() -> datetime:
    """When something happened, for the logs (a load's start and end, a suite run, a query in the history): the
    machine's time, never pinned, so a log keeps its order when tests pin the clock. Judging data against "now"
    (freshness, pending, ages, defaults) is `now()`'s job, never this one's."""
    return datetime.now(UTC)


def today(timezone: str) -> date:
    """Today's date in `timezone` (the warehouse's zone: days and weeks are local)."""
    return now().astimezone(ZoneInfo(timezone)).date()


def session_statements() -> list[tuple[str, list[object]]]:
    """What a warehouse connection (or cursor: they do not inherit it) runs so `metrics.clock` reads this clock."""
    moment = pinned()
    if moment is None:
        return [("RESET VARIABLE sqd_now", [])]
    return [("SET VARIABLE sqd_now = CAST(? AS TIMESTAMPTZ)", [moment.isoformat()])]
