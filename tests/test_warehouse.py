"""The publish: durable rename, free space checked before the copy, nothing left behind (issue 12 item 5)."""

from __future__ import annotations

import errno
import os
import shutil
from collections import namedtuple

import duckdb
import pytest

from pipelines import warehouse
from pipelines.warehouse import NoSpaceForCopy, WarehouseBusy, connect, publishing


def ticket_count(config) -> int:
    con = connect(config)
    try:
        return con.execute("SELECT count(*) FROM core.tickets").fetchall()[0][0]
    finally:
        con.close()


def add_tickets(config, n: int, prefix: str = "T") -> None:
    with publishing(config) as con:
        con.execute("""
            INSERT INTO core.tickets BY NAME
            SELECT ? || i AS ticket_id, TIMESTAMPTZ '2026-11-02 09:00:00+08' AS created_at, 'x' AS load_id,
                   'f.csv' AS source_file, 'h' AS file_hash, TIMESTAMPTZ '2026-11-02 09:00:00+08' AS loaded_at
            FROM range(?) AS r(i)
        """, [prefix, n])


def leftovers(config) -> list[str]:
    live = config.warehouse_path
    return sorted(p.name for p in live.parent.glob(live.name + ".*")
                  if ".loading-" in p.name or p.name.endswith((".standby", ".standby.wal", ".previous")))


def test_the_publishing_rename_is_followed_by_an_fsync_of_the_directory(project, monkeypatch):
    add_tickets(project, 3)
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        return real_fsync(fd)

    def replace(src, dst):
        events.append(("replace", str(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    add_tickets(project, 2, prefix="U")
    folder = str(project.warehouse_path.parent.resolve())
    renamed = events.index(("replace", str(project.warehouse_path)))
    assert ("fsync", folder) in events[renamed + 1:], events
    assert ticket_count(project) == 5


def test_a_load_that_would_not_fit_on_the_disk_is_refused_before_copying(project, monkeypatch):
    add_tickets(project, 3)
    before = project.warehouse_path.read_bytes()
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(warehouse.shutil, "disk_usage", lambda path: usage(10 * 2**30, 10 * 2**30, 2**20))
    with pytest.raises(NoSpaceForCopy, match="not enough free disk space") as caught:
        add_tickets(project, 2, prefix="U")
    assert "MiB are free" in str(caught.value) and str(project.warehouse_path.parent) in str(caught.value)
    assert isinstance(caught.value, WarehouseBusy)  # the CLI reports it as it reports a busy warehouse
    assert leftovers(project) == []
    assert project.warehouse_path.read_bytes() == before


def test_a_copy_that_fails_midway_is_removed_at_once(project, monkeypatch):
    add_tickets(project, 3)
    real_copy = shutil.copyfile

    def copy_then_disk_full(src, dst):
        real_copy(src, dst)  # the copy got (at least partly) written ...
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))  # ... then the disk filled

    monkeypatch.setattr(warehouse.shutil, "copyfile", copy_then_disk_full)
    with pytest.raises(OSError, match="No space left"):
        add_tickets(project, 2, prefix="U")
    assert leftovers(project) == []
    monkeypatch.setattr(warehouse.shutil, "copyfile", real_copy)
    assert ticket_count(project) == 3


# ------------------------------------------------------------------ dimensions maintained per batch

# The dimensions as the whole-table rebuild made them before they were maintained per batch (the oracle).
FULL_REBUILD = {
    "sites": """SELECT site, max(region) FROM (SELECT site, region FROM core.tickets
                UNION ALL SELECT site, NULL FROM core.surveys) WHERE site IS NOT NULL GROUP BY site""",
    "departments": """SELECT DISTINCT department FROM (SELECT department FROM core.tickets
                      UNION SELECT responsible_department FROM core.nonconformities) WHERE department IS NOT NULL
                      UNION SELECT department FROM core.departments WHERE loss_share IS NOT NULL""",
    "categories": "SELECT category, count(*) FROM core.tickets WHERE category IS NOT NULL GROUP BY category",
    "products": """SELECT DISTINCT product FROM (SELECT product FROM core.inspections
                   UNION SELECT product FROM core.nonconformities UNION SELECT product FROM core.tickets)
                   WHERE product IS NOT NULL""",
}
DIMENSIONS = {"sites": "SELECT site, region FROM core.sites",
              "departments": "SELECT department FROM core.departments",
              "categories": "SELECT category, ticket_count FROM core.categories",
              "products": "SELECT product FROM core.products WHERE product IN (SELECT product FROM core.tickets "
                          "UNION SELECT product FROM core.inspections UNION SELECT product FROM core.nonconformities)"}


def dimensions_and_rebuild(config) -> tuple[dict, dict]:
    con = connect(config)
    try:
        got = {k: sorted(con.execute(q).fetchall()) for k, q in DIMENSIONS.items()}
        want = {k: sorted(con.execute(q).fetchall()) for k, q in FULL_REBUILD.items()}
        return got, want
    finally:
        con.close()


HEADER = "ticket_id,created_at,ticket_type,category,site,region,department,product,status\n"


def load(config, tmp_path, name: str, lines: list[str], header: str = HEADER):
    from pipelines.ingest import ingest_files
    path = tmp_path / name
    path.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    [result] = ingest_files([path], config, profile="tickets__canonical")
    assert result.status.startswith("published"), result.message
    return result


def test_dimensions_follow_loads_that_add_and_remove_values(project, tmp_path):
    load(project, tmp_path, "1.csv", [
        "T1,2026-11-02 09:00:00,repair,water,Riverside,East,engineering,pump,resolved",
        "T2,2026-11-02 10:00:00,repair,water,Hillcrest,East,engineering,pump,resolved",
        "T3,2026-11-03 10:00:00,complaint,noise,Hillcrest,West,security,,open"])
    got, want = dimensions_and_rebuild(project)
    assert got == want and ("Hillcrest", "West") in got["sites"] and ("water", 2) in got["categories"]
    # T2 moves away from water and Hillcrest's East; T4 brings a new site, category and product; T3 is updated
    # by a narrower export (its site kept)
    load(project, tmp_path, "2.csv", [
        "T2,2026-11-02 10:00:00,repair,leak,Lakeside,North,cleaning,valve,resolved",
        "T4,2026-11-04 10:00:00,inquiry,billing,Parkview,South,,valve,open"])
    load(project, tmp_path, "3.csv", ["T3,2026-11-03 10:00:00,closed"], header="ticket_id,created_at,status\n")
    got, want = dimensions_and_rebuild(project)
    assert got == want
    assert ("water", 1) in got["categories"] and ("Lakeside", "North") in got["sites"]
    assert ("Hillcrest", "West") in got["sites"]  # T3 keeps it
    # the last ticket of a value leaves: the value leaves its dimension
    load(project, tmp_path, "4.csv", ["T1,2026-11-02 09:00:00,repair,leak,Lakeside,North,cleaning,valve,resolved",
                                      "T3,2026-11-03 10:00:00,complaint,noise,Lakeside,North,security,,closed"])
    got, want = dimensions_and_rebuild(project)
    assert got == want
    assert "water" not in {c for c, _ in got["categories"]} and "Riverside" not in {s for s, _ in got["sites"]}
    assert "Hillcrest" not in {s for s, _ in got["sites"]} and ("pump",) not in got["products"]


def test_dimension_counts_are_recounted_when_rows_were_added_or_removed_without_tracking(project):
    add_tickets(project, 3)  # inserted straight into core.tickets, as tests and hand repairs do
    got, want = dimensions_and_rebuild(project)
    assert got == want and got["sites"] == []
    with publishing(project) as con:
        con.execute("""INSERT INTO core.tickets BY NAME SELECT * REPLACE ('C' || ticket_id AS ticket_id,
                       'Riverside' AS site, 'water' AS category) FROM core.tickets""")
    got, want = dimensions_and_rebuild(project)
    assert got == want and got["sites"] == [("Riverside", None)] and got["categories"] == [("water", 3)]
    with publishing(project) as con:
        con.execute("DELETE FROM core.tickets WHERE ticket_id = 'CT0'")
    got, want = dimensions_and_rebuild(project)
    assert got == want and got["categories"] == [("water", 2)]


def test_a_load_updates_dimension_counts_from_its_batch_only(project):
    """A publish applies the batch's before/after difference to meta.dimension_counts; the fact table is not
    recounted (a row count probe: a value planted only in the counts survives a batch that does not touch it)."""
    from pipelines import derived
    add_tickets(project, 5)
    with publishing(project) as con:  # plant a value no ticket carries, keeping the totals consistent
        con.execute("""UPDATE meta.dimension_counts SET value = 'planted'
                       WHERE dataset = 'tickets' AND dimension = 'category' AND value IS NULL""")
    with publishing(project) as con:
        con.execute("""CREATE TEMP TABLE batch AS SELECT 'N1' AS ticket_id,
                       TIMESTAMPTZ '2026-11-02 09:00:00+08' AS created_at, 'noise' AS category""")
        derived.track(con, "batch", "tickets")
        con.execute("""INSERT INTO core.tickets BY NAME SELECT *, 'x' AS load_id, 'f' AS source_file,
                       'h' AS file_hash, created_at AS loaded_at FROM batch""")
    got, _ = dimensions_and_rebuild(project)
    assert sorted(got["categories"]) == [("noise", 1), ("planted", 5)]


def test_the_batchs_tickets_are_counted_from_their_rows_by_row_id(project, tmp_path, monkeypatch):
    """The dimension counts read the batch's tickets after the merge by row id (derived.ticket_rows: a load's
    rows through loaded_at's zone maps), not by a scan of every ticket id."""
    from pipelines import derived
    asked: list[str] = []
    real = derived.ticket_rows
    monkeypatch.setattr(derived, "ticket_rows", lambda con, ids, since: asked.append(ids) or real(con, ids, since))
    load(project, tmp_path, "1.csv", [f"T{i},2026-11-02 09:00:00,repair,water,Riverside,East,engineering,pump,open"
                                      for i in range(4)])   # a first load: counted whole
    assert "dim_touched_tickets" not in asked
    load(project, tmp_path, "2.csv", ["T1,2026-11-02 09:00:00,repair,leak,Lakeside,North,cleaning,valve,open"])
    assert "dim_touched_tickets" in asked
    got, want = dimensions_and_rebuild(project)
    assert got == want and ("leak", 1) in got["categories"]


def test_an_update_writes_new_versions_instead_of_updating_in_place(project, tmp_path):
    """Updates of scattered rows are appended (and the old versions deleted): an in-place UPDATE rewrote each
    column it set in every row group it touched, so a 1,000-row update cost what the table costs."""
    load(project, tmp_path, "1.csv", [f"T{i},2026-11-02 09:00:00,repair,water,Riverside,East,engineering,pump,open"
                                      for i in range(50)])
    load(project, tmp_path, "2.csv", ["T7,2026-11-02 09:00:00,repair,water,Riverside,East,engineering,pump,resolved",
                                      "T8,2026-11-02 09:00:00,repair,water,Riverside,East,engineering,pump,open"])
    con = connect(project)
    try:
        rows = con.execute("SELECT ticket_id, status, rowid FROM core.tickets ORDER BY rowid").fetchall()
    finally:
        con.close()
    assert len(rows) == 50 and len({r[0] for r in rows}) == 50
    assert rows[-1][:2] == ("T7", "resolved")  # the changed row is the newest; T8 (unchanged) stayed put
    assert ("T8", "open") in [r[:2] for r in rows[:-1]]


# ------------------------------------------------------------------ the standby file instead of a copy per load

def add_wide_tickets(config, n: int, prefix: str) -> None:
    """n tickets with an incompressible column, so the file has tens of blocks."""
    with publishing(config) as con:
        con.execute("""
            INSERT INTO core.tickets BY NAME
            SELECT ? || i AS ticket_id, TIMESTAMPTZ '2026-11-02 09:00:00+08' AS created_at, md5(? || i) AS agent,
                   'x' AS load_id, 'f.csv' AS source_file, 'h' AS file_hash,
                   TIMESTAMPTZ '2026-11-02 09:00:00+08' AS loaded_at
            FROM range(?) AS r(i)
        """, [prefix, prefix, n])


@pytest.fixture
def prepared(monkeypatch):
    """Each publish's prepare_standby result, and whether the standby then held the live file's exact bytes."""
    seen: list[tuple[str, int, int, bool]] = []
    real = warehouse.prepare_standby
    monkeypatch.setattr(warehouse, "_TEMPLATES", {})  # a new warehouse made in place ("new"), not from the template

    def spy(live):
        work, how, written = real(live)
        same = how == "new" or work.read_bytes() == live.read_bytes()
        seen.append((how, written, live.stat().st_size if live.exists() else 0, same))
        return work, how, written

    monkeypatch.setattr(warehouse, "prepare_standby", spy)
    return seen


def test_a_load_writes_the_standby_after_copying_only_the_blocks_the_last_load_changed(project, prepared):
    add_wide_tickets(project, 200_000, "A")          # a new warehouse
    add_wide_tickets(project, 10, "B")               # no standby yet: the whole file is copied
    add_wide_tickets(project, 10, "C")               # the standby (the file before B) gets B's blocks
    with publishing(project) as con:                 # a delete and an update of scattered rows
        con.execute("DELETE FROM core.tickets WHERE ticket_id IN ('A5', 'A150000')")
        con.execute("UPDATE core.tickets SET status = 'resolved' WHERE ticket_id = 'A99999'")
    add_wide_tickets(project, 10, "D")
    hows = [h for h, *_ in prepared]
    assert hows == ["new", "copy", "delta", "delta", "delta"], prepared
    for how, written, size, same in prepared[2:]:
        assert same                                   # byte for byte the live file before the load wrote it
        assert size > 20 * warehouse.BLOCK_BYTES and written < size / 2, (written, size)
    assert ticket_count(project) == 200_028
    live, standby = project.warehouse_path, warehouse.standby_path(project.warehouse_path)
    assert standby.exists() and not live.with_name(live.name + ".standby.dirty").exists()
    assert os.stat(live).st_ino != os.stat(standby).st_ino


def test_a_standby_a_reader_still_has_open_is_not_written(project, prepared):
    add_tickets(project, 3)
    reader = connect(project)                         # opens the live file: after the next publish, the standby
    add_tickets(project, 2, prefix="U")
    add_tickets(project, 4, prefix="V")               # the standby is the reader's file: copied afresh instead
    assert [h for h, *_ in prepared] == ["new", "copy", "copy"]
    assert reader.execute("SELECT count(*) FROM core.tickets").fetchall() == [(3,)]   # its snapshot, intact
    reader.close()
    assert ticket_count(project) == 9
    add_tickets(project, 1, prefix="W")
    assert prepared[-1][0] == "delta" and ticket_count(project) == 10


def duckdb_block_checksum(block: bytes) -> int:
    """DuckDB's block checksum (src/common/checksum.cpp): an XOR of each 8-byte word times a constant, blind to
    the order of the words and to equal pairs."""
    import struct
    words = struct.unpack_from(f"<{(len(block) - 8) // 8}Q", block, 8)
    total = 5381
    for word in words:
        total ^= (word * 0xBF58476D1CE4E5B9) & 0xFFFF_FFFF_FFFF_FFFF
    return total


def test_the_standby_sync_finds_a_changed_block_whose_duckdb_checksum_did_not_change(project):
    """CI once left a standby different from the live file: the sync had compared blocks by the checksum each
    starts with, and DuckDB's checksum does not change when a block's words trade places."""
    add_wide_tickets(project, 50_000, "A")
    live = project.warehouse_path
    standby = live.with_name("standby-under-test")
    shutil.copyfile(live, standby)
    data = bytearray(standby.read_bytes())
    block = warehouse.HEADER_BYTES + 5 * warehouse.BLOCK_BYTES        # some block in the middle of the file
    first, second = block + 8 * 100, block + 8 * 2000
    assert data[first:first + 8] != data[second:second + 8]
    data[first:first + 8], data[second:second + 8] = data[second:second + 8], data[first:first + 8]
    standby.write_bytes(bytes(data))
    ours = bytes(data[block:block + warehouse.BLOCK_BYTES])
    theirs = live.read_bytes()[block:block + warehouse.BLOCK_BYTES]
    assert ours != theirs and duckdb_block_checksum(ours) == duckdb_block_checksum(theirs)
    assert theirs[:8] == duckdb_block_checksum(theirs).to_bytes(8, "little")   # the stored checksum is DuckDB's

    written = warehouse.sync_standby(live, standby)
    assert standby.read_bytes() == live.read_bytes()
    assert written == warehouse.HEADER_BYTES + warehouse.BLOCK_BYTES            # the headers and that block only


KILL_DURING = """
import os, sys
from pipelines import warehouse
from pipelines.config import load_config
calls = []
real = os.pwrite
def pwrite(fd, data, offset):
    calls.append(offset)
    if len(calls) == int(sys.argv[2]):
        real(fd, data[: len(data) // 2], offset)      # half a block written, then the process dies
        os._exit(9)
    return real(fd, data, offset)
os.pwrite = pwrite
with warehouse.publishing(load_config(sys.argv[1])) as con:
    con.execute("DELETE FROM core.tickets WHERE ticket_id LIKE 'A1%'")
"""


def test_a_load_killed_while_it_syncs_the_standby_leaves_the_live_file_and_the_next_load_copies(project, prepared):
    import subprocess
    import sys
    add_wide_tickets(project, 100_000, "A")
    add_wide_tickets(project, 10, "B")
    for nth in (1, 2):                                # killed in the headers, then in a block
        add_wide_tickets(project, 10, f"C{nth}")      # a clean standby, lacking these blocks
        before = project.warehouse_path.read_bytes()
        done = subprocess.run([sys.executable, "-c", KILL_DURING, str(project.source), str(nth)],
                              check=False)
        assert done.returncode == 9                     # died in sync_standby's writes (os.pwrite)
        assert project.warehouse_path.read_bytes() == before       # the live file was never written
        live = project.warehouse_path
        assert live.with_name(live.name + ".standby.dirty").exists()
    with publishing(project) as con:
        con.execute("DELETE FROM core.tickets WHERE ticket_id LIKE 'A1%'")
    assert prepared[-1][0] == "copy"                  # a dirty standby is never synced: copied afresh
    assert ticket_count(project) == 100_030 - 11_111
    add_wide_tickets(project, 5, "E")
    assert prepared[-1][0] == "delta" and prepared[-1][3]
    assert ticket_count(project) == 100_035 - 11_111


# ------------------------------------------------------------------ DDL and views applied once per schema

def test_a_publish_applies_the_ddl_and_views_only_when_the_schema_changed_or_a_view_is_missing(project):
    add_tickets(project, 2)
    con = duckdb.connect(str(project.warehouse_path))
    con.execute("SET search_path = 'core,metrics,meta'")
    con.execute("CREATE OR REPLACE VIEW metrics.clock AS SELECT TIMESTAMPTZ '2001-01-01 00:00:00+00' AS now_at")
    con.close()
    add_tickets(project, 1, prefix="U")               # the same schema: nothing re-created
    planted = "SELECT now_at = TIMESTAMPTZ '2001-01-01 00:00:00+00' FROM metrics.clock"
    reader = connect(project)
    assert reader.execute(planted).fetchall() == [(True,)]
    stored = reader.execute("SELECT value FROM meta.settings WHERE key = 'schema_fingerprint'").fetchall()
    reader.close()
    assert stored == [(warehouse.schema_fingerprint(),)]
    con = duckdb.connect(str(project.warehouse_path))
    con.execute("UPDATE meta.settings SET value = 'older' WHERE key = 'schema_fingerprint'")
    con.execute("DROP VIEW metrics.ticket_kpis")
    con.close()
    add_tickets(project, 1, prefix="V")               # another schema: every view made again
    reader = connect(project)
    assert reader.execute(planted).fetchall() == [(False,)]
    assert reader.execute("SELECT count(*) FROM metrics.ticket_kpis").fetchall()[0][0] >= 0
    reader.close()
    con = duckdb.connect(str(project.warehouse_path))
    con.execute("DROP VIEW metrics.ticket_kpis")    # a view missing: made again, whatever the fingerprint says
    con.close()
    add_tickets(project, 1, prefix="W")
    reader = connect(project)
    assert reader.execute("SELECT count(*) FROM metrics.ticket_kpis").fetchall()[0][0] >= 0
    reader.close()
    assert ticket_count(project) == 5


def test_held_open_sees_readers_of_this_process_and_of_others(tmp_path):
    import subprocess
    import sys
    path = tmp_path / "w.duckdb"
    duckdb.connect(str(path)).close()
    assert not warehouse.held_open(path)
    here = duckdb.connect(str(path), read_only=True)
    assert warehouse.held_open(path)
    here.close()
    assert not warehouse.held_open(path)
    other = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], "
                              "read_only=True); print('open', flush=True); time.sleep(30)", str(path)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "open"
        assert warehouse.held_open(path)
    finally:
        other.kill()
        other.wait()
    assert not warehouse.held_open(path)


def test_a_warehouse_of_the_previous_code_gets_its_stored_tables_new_columns(project):
    """A view may bind a column that a stored table (`CREATE TABLE IF NOT EXISTS ... AS FROM <schedule> WITH NO
    DATA`) of an older warehouse lacks (metrics.repeat_complaints reads complaint_limits_base.is_reopened): the
    publish that applies the new schema makes that table again instead of failing on the view."""
    add_tickets(project, 2)
    con = duckdb.connect(str(project.warehouse_path))
    con.execute("ALTER TABLE metrics.complaint_limits_base DROP COLUMN is_reopened")
    last = con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'backlog_base' "
                       "ORDER BY column_index DESC LIMIT 1").fetchall()[0][0]
    con.execute(f"ALTER TABLE metrics.backlog_base DROP COLUMN {last}")   # another stored table, another refresh
    con.execute("UPDATE meta.settings SET value = 'the previous code' WHERE key = 'schema_fingerprint'")
    con.close()
    add_tickets(project, 1, prefix="U")
    reader = connect(project)
    try:
        columns = {r[0] for r in reader.execute("DESCRIBE metrics.complaint_limits_base").fetchall()}
        assert "is_reopened" in columns
        assert reader.execute("SELECT count(*) FROM metrics.repeat_complaints").fetchall() == [(0,)]
        # every stored table made again is current after the publish
        backlog = reader.execute("""SELECT (SELECT count(*) FROM metrics.backlog_base),
                                           (SELECT count(*) FROM metrics.backlog_schedule)""").fetchall()[0]
        assert backlog[0] == backlog[1] == 3, backlog
    finally:
        reader.close()
    assert ticket_count(project) == 3
