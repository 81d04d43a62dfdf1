"""The SLA derivation at publish costs what the batch costs (issue 13): row-count probes, not timings."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import duckdb

from pipelines import derived, warehouse
from pipelines.warehouse import connect, publishing

TICKETS = 3_000
BATCH = 10

# Synthetic tickets of every type, priority, calendar and state; ids T0 .. T<n-1>.
SYNTHETIC = """
    INSERT INTO core.tickets BY NAME
    SELECT 'T' || i AS ticket_id,
           TIMESTAMPTZ '2026-09-01 08:00:00+08' + to_minutes(i * 37) AS created_at,
           ['repair', 'complaint', 'inquiry', 'warranty', 'help'][1 + i % 5] AS ticket_type,
           ['cat' || (i % 7)][1] AS category,
           ['urgent', 'high', 'normal', 'low'][1 + i % 4] AS priority,
           'site' || (i % 5) AS site, 'East' AS region, 'dept' || (i % 3) AS department,
           (i % 180)::DOUBLE AS distance_km,
           created_at + to_minutes(10 + i % 50) AS first_response_at,
           CASE WHEN i % 3 = 0 THEN created_at + to_minutes(30 + i % 90) END AS on_site_at,
           CASE WHEN i % 11 <> 0 THEN created_at + to_minutes(200 + i % 3000) END AS resolved_at,
           CASE WHEN i % 11 = 0 THEN 'open' WHEN i % 97 = 0 THEN 'cancelled' ELSE 'resolved' END AS status,
           'L0' AS load_id, 'synthetic.csv' AS source_file, 'x' AS file_hash, created_at AS loaded_at
    FROM range(?) AS r(i)
"""


def build(config, n: int = TICKETS) -> None:
    with publishing(config) as con:
        con.execute(SYNTHETIC, [n])


def operators(profile: dict) -> list[dict]:
    found, stack = [], list(profile["children"] if "children" in profile else profile["operator"])
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(node.get("children", []))
    return found


def profiled(con: duckdb.DuckDBPyConnection, sql: str, path: Path) -> list[dict]:
    """Every operator of `sql`'s plan with the rows it produced (DuckDB's JSON profile, as EXPLAIN ANALYZE)."""
    con.execute("SET enable_profiling = 'json'")
    con.execute(f"SET profiling_output = {warehouse.sql_string(path)}")
    con.execute(sql).fetchall()
    con.execute("RESET enable_profiling")
    return operators(json.loads(path.read_text()))


def widest_intermediate(ops: list[dict]) -> int:
    """Most rows any operator produced, apart from table scans (a scan of core.tickets reads one column to find
    the batch's tickets; reference tables like core.calendar_days are read whole and do not grow with tickets)."""
    return max(o["intermediate_rows"] for o in ops if o.get("type") != "TABLE_SCAN")


def test_a_batch_derivation_processes_only_its_tickets(project, tmp_path):
    build(project)
    with publishing(project) as con:
        derived.start_tracking(con)
        con.execute(f"INSERT INTO {derived.TOUCHED} SELECT 'T' || i FROM range(100, 100 + ?) AS r(i)", [BATCH])
        derived.ticket_rows(con, derived.TOUCHED, None)   # their rows, as refresh finds them
        narrowed = derived.schedule_sql(touched_only=True)
        ops = profiled(con, narrowed, tmp_path / "narrow.json")
        # at most three targets per ticket: nothing wider than the batch flows through the policy match and the
        # calendar joins
        assert widest_intermediate(ops) <= 3 * BATCH
        # the probe is sensitive: filtering the view's result (the old refresh) carried every ticket through
        old = profiled(con, f"FROM metrics.ticket_sla_schedule WHERE ticket_id IN "
                            f"(SELECT ticket_id FROM {derived.TOUCHED})", tmp_path / "view.json")
        assert widest_intermediate(old) >= TICKETS * 0.9
        # and the narrowed text gives exactly the view's rows for those tickets
        same = con.execute(f"""
            SELECT count(*) FROM (({narrowed}) EXCEPT ALL
                (FROM metrics.ticket_sla_schedule WHERE ticket_id IN (SELECT ticket_id FROM {derived.TOUCHED})))
        """).fetchall()[0][0]
        total = con.execute(f"SELECT count(*) FROM ({narrowed})").fetchall()[0][0]
        assert same == 0 and total >= 2 * BATCH


def test_the_narrowed_schedule_is_the_view_for_every_ticket(project):
    """The view and the refresh run one text: touching every ticket derives what the view says."""
    build(project)
    with publishing(project) as con:
        derived.start_tracking(con)
        con.execute(f"INSERT INTO {derived.TOUCHED} SELECT ticket_id FROM core.tickets")
        derived.ticket_rows(con, derived.TOUCHED, "-infinity")   # every row the cheap way
        diff = con.execute(f"""
            SELECT count(*) FROM (({derived.schedule_sql(touched_only=True)})
                EXCEPT ALL (FROM metrics.ticket_sla_schedule))
        """).fetchall()[0][0]
        assert diff == 0


def test_publish_with_nothing_changed_derives_nothing(project, monkeypatch):
    build(project)
    outcomes = []
    real = derived.refresh
    monkeypatch.setattr(warehouse.derived, "refresh", lambda con: outcomes.append(real(con)) or outcomes[-1])
    with publishing(project):  # what `sqd check` does: a publish that loads nothing
        pass
    with publishing(project) as con:  # a load updating two tickets derives those (tracked before the change)
        con.execute("CREATE TEMP TABLE batch AS SELECT ticket_id FROM core.tickets WHERE ticket_id IN ('T1', 'T2')")
        derived.track(con, "batch")
        con.execute("UPDATE core.tickets SET priority = 'urgent' WHERE ticket_id IN ('T1', 'T2')")
    assert outcomes == ["nothing", "touched"]
    con = connect(project)
    try:
        base = con.execute("""
            SELECT count(*) FROM ((FROM metrics.ticket_sla_base) EXCEPT ALL (FROM metrics.ticket_sla_schedule))
        """).fetchall()[0][0]
        assert base == 0
        assert con.execute("SELECT count(*) FROM metrics.ticket_sla_base").fetchall()[0][0] == \
            con.execute("SELECT count(*) FROM metrics.ticket_sla_schedule").fetchall()[0][0]
    finally:
        con.close()


def test_a_bulk_batch_recounts_the_dimension_values_whole(project):
    """A batch of half the table or more (a first or bulk load) counts the table's dimension values whole instead
    of joining its keys back into the table for the difference; a small batch applies the difference. Both give
    the table's own counts."""
    build(project)
    recount = f"SELECT * FROM ({derived._counts_of('tickets', 'core.tickets')}) ORDER BY ALL"
    stored = "SELECT * FROM meta.dimension_counts WHERE dataset = 'tickets' ORDER BY ALL"
    for first, size, path in ((TICKETS, TICKETS * 2, "whole"), (TICKETS * 3, BATCH, "batch")):
        with publishing(project) as con:
            con.execute("CREATE TEMP TABLE batch AS SELECT 'T' || i AS ticket_id, 'bulk' || (i % 3) AS site "
                        "FROM range(?, ?) AS r(i)", [first, first + size])
            derived.track(con, "batch")
            con.execute("""INSERT INTO core.tickets BY NAME SELECT *, TIMESTAMPTZ '2026-11-02 09:00:00+08' AS
                           created_at, 'x' AS load_id, 'f' AS source_file, 'h' AS file_hash,
                           TIMESTAMPTZ '2026-11-02 09:00:00+08' AS loaded_at FROM batch""")
            assert derived.refresh_dimension_counts(con)["tickets"] == path
            assert con.execute(stored).fetchall() == con.execute(recount).fetchall()


def test_a_publish_reads_the_sla_inputs_once(project, monkeypatch):
    """The SLA inputs (policies, calendar, timezone) are fingerprinted once per publish, after the reference
    tables are written (derived.fix_inputs): the derivation, the backlog and the rollups used to read them each.
    A change of policies in the next publish is still seen (the SLA base is rebuilt)."""
    build(project)
    reads = []
    real = derived._read_inputs
    monkeypatch.setattr(derived, "_read_inputs", lambda con: reads.append(1) or real(con))
    with publishing(project) as con:
        con.execute("CREATE TEMP TABLE batch AS SELECT ticket_id FROM core.tickets WHERE ticket_id IN ('T1', 'T2')")
        derived.track(con, "batch")
    assert len(reads) == 1
    outcomes = []
    refresh = derived.refresh
    monkeypatch.setattr(warehouse.derived, "refresh", lambda con: outcomes.append(refresh(con)) or outcomes[-1])
    first = dataclasses.replace(project.sla_policies[0], resolution_minutes=1)
    with publishing(dataclasses.replace(project, sla_policies=[first, *project.sla_policies[1:]])):
        pass
    assert outcomes == ["all"]


def test_ticket_rows_finds_the_rows_a_publish_wrote_without_a_scan_of_every_id(project):
    """derived.ticket_rows: the touched tickets' rows by row id, the same for any `since`; when every touched ticket
    was written after `since` (a load's batch: the table's last row groups), no statement reads every ticket id."""
    build(project)
    with publishing(project) as con:
        derived.start_tracking(con)
        con.execute("UPDATE core.tickets SET loaded_at = TIMESTAMPTZ '2030-01-01 00:00:00+00' "
                    "WHERE ticket_id IN ('T5', 'T6', 'T7')")
        con.execute(f"INSERT INTO {derived.TOUCHED} VALUES ('T5'), ('T6'), ('T7')")
        expected = con.execute("SELECT rowid, ticket_id FROM core.tickets WHERE ticket_id IN ('T5', 'T6', 'T7') "
                               "ORDER BY 2").fetchall()
        statements: list[str] = []

        class Recording:
            def execute(self, sql, *args):
                statements.append(sql)
                return con.execute(sql, *args)

        for since, id_scan in ((None, True), ("-infinity", False), ("2029-12-31 00:00:00+00", False),
                               ("2030-06-01 00:00:00+00", True)):
            statements.clear()
            derived.ticket_rows(Recording(), derived.TOUCHED, since)
            got = con.execute(f"SELECT row_id, ticket_id FROM {derived.TOUCHED}_rows ORDER BY 2").fetchall()
            assert got == expected, since
            assert any("EXCEPT" in s for s in statements) == id_scan, since
