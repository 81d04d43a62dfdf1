"""The work-order tables' refresh is O(batch) (issue 14 "Speed", pipelines/work_orders.py): a publish recomputes
only the tickets whose events it wrote, and what it leaves equals a full rebuild. Real warehouses (publishing)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest

from pipelines import work_orders
from pipelines.config import load_config
from pipelines.warehouse import connect, publishing
from tests.metrics.conftest import REPO, frame
from tests.metrics.test_work_orders import EVENTS, TICKETS

LATER = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)   # newer than the first publish's loaded_at
BASES = ("work_order_holds_base", "work_order_tickets_base")


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict], loaded_at: datetime | None = None) -> None:
    con.register("seed_frame", frame(table, rows).to_arrow())
    if loaded_at is None:
        con.execute(f"INSERT INTO core.{table} BY NAME SELECT * FROM seed_frame")
    else:
        con.execute(f"INSERT INTO core.{table} BY NAME SELECT * REPLACE (CAST(? AS TIMESTAMPTZ) AS loaded_at) "
                    "FROM seed_frame", [loaded_at])
    con.unregister("seed_frame")


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {t: con.execute(f"SELECT * FROM metrics.{t} ORDER BY ALL").fetchall() for t in BASES}


@pytest.fixture
def cfg(tmp_path: Path):
    return dataclasses.replace(load_config(REPO / "sqd.toml"), warehouse_path=tmp_path / "w.duckdb")


def test_a_small_load_recomputes_only_its_tickets_and_equals_a_full_rebuild(cfg):
    late = [e for e in EVENTS if e["ticket_id"] == "W2" and e["step"] == "escalated"]
    with publishing(cfg) as con:
        _insert(con, "tickets", TICKETS)
        _insert(con, "ticket_events", [e for e in EVENTS if e not in late])
    with publishing(cfg) as con:
        assert con.execute("SELECT escalations FROM metrics.work_order_tickets_base WHERE ticket_id = 'W2'"
                           ).fetchall() == [(0,)]
        # a mark on a ticket this load does not touch: a recomputation would wipe it
        con.execute("UPDATE metrics.work_order_tickets_base SET reminders = 99 WHERE ticket_id = 'W1'")
        con.execute("UPDATE metrics.work_order_holds_base SET replies = 99 WHERE ticket_id = 'W4'")
        _insert(con, "ticket_events", late, LATER)          # W2's two escalations
    ro = connect(cfg)
    try:
        assert ro.execute("SELECT ticket_id, reminders, escalations FROM metrics.work_order_tickets_base "
                          "WHERE ticket_id IN ('W1', 'W2') ORDER BY 1").fetchall() == [("W1", 99, 0), ("W2", 0, 2)]
        assert ro.execute("SELECT DISTINCT replies FROM metrics.work_order_holds_base WHERE ticket_id = 'W4'"
                          ).fetchall() == [(99,)]
        incremental = _tables(ro)
    finally:
        ro.close()

    with publishing(cfg) as con:   # undo the marks, then rebuild everything from the events
        con.execute("UPDATE metrics.work_order_tickets_base SET reminders = 1 WHERE ticket_id = 'W1'")
        con.execute("UPDATE metrics.work_order_holds_base SET replies = 1 WHERE ticket_id = 'W4'")
        incremental = _tables(con)
        con.execute("DELETE FROM meta.settings WHERE key = ?", [work_orders.STATE_KEY])
        assert work_orders.refresh(con) == "all"
        assert _tables(con) == incremental
        assert work_orders.refresh(con) == "nothing"     # nothing new: no work


def test_a_refresh_reads_only_the_touched_tickets_events(cfg):
    """The events the refresh orders are the touched tickets' (the temp table it builds), not the whole table."""
    with publishing(cfg) as con:
        _insert(con, "tickets", TICKETS)
        _insert(con, "ticket_events", EVENTS)
    with publishing(cfg) as con:
        _insert(con, "ticket_events", [{**EVENTS[0], "event_id": "W1|received|again"}], LATER)
        seen: list[int] = []
        original = con.execute

        class Spy:   # records the size of the events temp table the moment it is read back
            def __getattr__(self, name):
                return getattr(con, name)

            def execute(self, sql, *args):
                result = original(sql, *args)
                if sql.startswith(f"CREATE OR REPLACE TEMP TABLE {work_orders.EVENTS_TEMP}"):
                    seen.append(original(f"SELECT count(DISTINCT ticket_id) FROM {work_orders.EVENTS_TEMP}"
                                         ).fetchall()[0][0])
                return result

        assert work_orders.refresh(Spy()) == "touched"
        assert seen == [1]      # W1 only, of five tickets with events
        assert con.execute("SELECT received FROM metrics.work_order_tickets_base WHERE ticket_id = 'W1'"
                           ).fetchall() == [(2,)]
