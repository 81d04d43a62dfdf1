"""Staged batch -> core table: one transaction per file, upsert by natural key, ledger row.

Only rows whose business columns changed are rewritten (... IS DISTINCT FROM ...), so loading the same file
twice changes nothing, and the key column is never updated (20x cheaper than updating it, STACK.md).

An existing row is updated only in the columns the file carries (`columns`: the profile's mapped columns present
in the file, plus its constants): a narrower export never blanks what the warehouse holds in the others, and
"changed" compares those columns only. `columns=None` (`sqd ingest --replace-rows`) replaces whole rows.
New rows get NULL in the columns the file does not carry.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import duckdb

from pipelines import clock
from pipelines.datasets import Dataset


@dataclass(frozen=True)
class LoadInfo:
    load_id: str
    source_file: str
    file_hash: str
    profile: str
    started_at: datetime


@dataclass
class MergeCounts:
    inserted: int = 0
    updated: int = 0

    @property
    def changed(self) -> int:
        return self.inserted + self.updated


# A batch up to this many rows is looked up once (existing_rows) and merged from that snapshot; a larger one (a
# first or bulk load) streams through joins of the table, since its snapshot could fill the load's memory.
SNAPSHOT_ROWS = 200_000
ROWID = "__rowid"


def existing_rows(con: duckdb.DuckDBPyConnection, dataset: Dataset, staged: str) -> str:
    """The rows of core.<dataset> whose keys `staged` carries, with their row ids, as the temp table
    `<staged>_existing`: the one read of the table a small batch needs. The merge, the dimension snapshot
    (derived.track) and the deletion of old versions (by row id) read this instead of the table: a 1,000-row batch
    scattered over 5M tickets scanned the table's keys four times (0.2-0.7 s each), now once."""
    name = f"{staged}_existing"
    key = dataset.key
    with lean_reads(con):
        copy_rows(con, name, f"core.{dataset.name}", f'"{key}" IN (SELECT "{key}" FROM {staged})', with_rowid=True)
    return name


# A streaming read of scattered rows in a large table (a small batch's rows among 5M tickets, their keys among 12.5M
# SLA rows) touches a block of nearly every column segment; DuckDB keeps each one it read until its memory limit,
# so the load's peak grew with the warehouse (0.2 GiB for 1,000 tickets' rows at 5M). Under a limit just above what
# DuckDB holds now it lets go of each block once read (+0.07 GiB for those rows, same time). The limit is never set
# below what DuckDB holds: blocks a publish wrote and has not checkpointed cannot be let go of, and a refused limit
# aborts the transaction. The load's own limit is restored after (LOAD_LIMIT_VARIABLE).
LEAN_BYTES = 64 * 2**20      # at least this
LEAN_HEADROOM = 32 * 2**20   # above what DuckDB holds when the read starts
LOAD_LIMIT_VARIABLE = "sqd_load_memory_limit"


@contextmanager
def lean_reads(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Statements inside run under a memory limit of max(LEAN_BYTES, DuckDB's memory in use + LEAN_HEADROOM) (inside
    a publish: warehouse.publishing records the load's limit in LOAD_LIMIT_VARIABLE; elsewhere they run as they
    are). Only for reads: a DELETE needs more (delete_tickets reads the row ids lean, then deletes by row id)."""
    limit = con.execute(f"SELECT getvariable('{LOAD_LIMIT_VARIABLE}')").fetchall()[0][0]   # bytes
    held = con.execute("SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory()").fetchall()[0][0]
    lean = max(LEAN_BYTES, int(held) + LEAN_HEADROOM)
    if limit is None or lean >= limit:
        yield
        return
    con.execute(f"SET memory_limit = '{lean}B'")
    try:
        yield
    except BaseException:
        try:    # the failure inside is the one to report; the publish is abandoned with its transaction
            con.execute(f"SET memory_limit = '{int(limit)}B'")
        except duckdb.Error:
            pass
        raise
    con.execute(f"SET memory_limit = '{int(limit)}B'")


def let_go(con: duckdb.DuckDBPyConnection) -> None:
    """Between a publish's steps: hand back the blocks the last steps read and left cached (DuckDB keeps them up to
    the load's memory limit, so each step's reads added to the peak: 1,000 updated tickets at 5M, 0.63 -> 0.54 GiB
    with two of these). A lowered limit is refused while the blocks DuckDB cannot evict (written, not checkpointed)
    exceed it, and a refusal aborts the transaction it happens in; so each try runs in a transaction of its own,
    and with a step's transaction still open nothing is tried."""
    limit = con.execute(f"SELECT getvariable('{LOAD_LIMIT_VARIABLE}')").fetchall()[0][0]
    if limit is None or _in_transaction(con):
        return
    held = int(con.execute("SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory()").fetchall()[0][0])
    try:
        for target in (LEAN_BYTES, held // 2, held * 3 // 4):
            if target >= held or target >= limit:
                break
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(f"SET memory_limit = '{target}B'")
                break
            except duckdb.OutOfMemoryException:
                continue
            finally:
                con.execute("ROLLBACK")
    finally:
        con.execute(f"SET memory_limit = '{int(limit)}B'")


def _in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """In autocommit every statement is a transaction of its own; inside BEGIN ... COMMIT they share one."""
    [[first]] = con.execute("SELECT txid_current()").fetchall()
    [[second]] = con.execute("SELECT txid_current()").fetchall()
    return first == second


def delete_tickets(con: duckdb.DuckDBPyConnection, table: str, tickets: str) -> None:
    """DELETE FROM `table` the rows of the tickets in temp table `tickets` (its ticket_id): their row ids by a lean
    read (lean_reads; the table's ticket ids are scanned once and not kept), then a delete by row id, which reads
    no column (a DELETE needs more memory than the lean limit). `table`, `tickets`: the callers' constants."""
    with lean_reads(con):
        con.execute(f"CREATE OR REPLACE TEMP TABLE deleted_rows AS SELECT rowid AS rid FROM {table} "
                    f"WHERE ticket_id IN (SELECT ticket_id FROM {tickets})")
    con.execute(f"DELETE FROM {table} WHERE rowid IN (SELECT rid FROM deleted_rows); DROP TABLE deleted_rows")


def copy_rows(con: duckdb.DuckDBPyConnection, target: str, source: str, where: str, create: bool = True,
              with_rowid: bool = False) -> None:
    """The rows of `source` matching `where` into temp table `target` (`with_rowid`: each row's row id too, as
    ROWID, in front). Two reads: the matching row ids (only the columns `where` names), then those rows by row id,
    which DuckDB reads without the other rows' columns: 2-3x faster at 5M tickets than reading every column of
    every row into the filter (existing_rows: 0.25 -> 0.18 s for 1,000 keys). `source`, `where`: constants of
    the calling module, never user input."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE copy_rowids AS SELECT rowid AS rid FROM {source} WHERE {where}")
    rowid = f"t.rowid AS {ROWID}, " if with_rowid else ""
    rows = f"SELECT {rowid}t.* FROM {source} AS t SEMI JOIN copy_rowids AS r ON t.rowid = r.rid"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {target} AS {rows}" if create else f"INSERT INTO {target} {rows}")
    con.execute("DROP TABLE copy_rowids")


def merge_staged(con: duckdb.DuckDBPyConnection, dataset: Dataset, staged: str, load: LoadInfo,
                 columns: Sequence[str] | None = None, existing: str | None = None) -> MergeCounts:
    """Upsert `staged` (canonical columns, one row per key) into core.<dataset>; returns what changed.

    `columns`: the canonical columns an existing row may be updated in (and compared on); None = all of them.
    `existing`: the table existing_rows() made for this batch (small batches); None = join the table itself.

    Changed rows are written as new versions (the old row with the file's columns and the load's lineage) and the
    old versions deleted, then new keys are inserted by an anti-join: the same effect as MERGE, but a first load
    into an empty table costs a plain insert (MERGE ... RETURNING was 2.4x slower at 1M rows here), and an update
    costs what its rows cost: an UPDATE of 1,000 tickets scattered over 5M rewrote every column it set in every
    row group it touched (1.3-1.5 s and several seconds more at checkpoint, vs 0.26 s; docs/performance.md).
    """
    key = dataset.key
    business = [c for c in dataset.columns if c != key and (columns is None or c in columns)]
    lineage = ["load_id", "source_file", "file_hash", "loaded_at"]
    params = [load.load_id, load.source_file, load.file_hash, load.started_at]
    changed = " OR ".join(f't."{c}" IS DISTINCT FROM s."{c}"' for c in business) or "false"
    replaced = ", ".join([f's."{c}" AS "{c}"' for c in business] + [f"? AS {c}" for c in lineage])
    cols = ", ".join(f'"{c}"' for c in dataset.columns)
    table = f"core.{dataset.name}"
    # Identifiers come from the canonical model (pipelines/datasets.py), never from user input.
    first_load = not con.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchall()[0][0]
    updated = 0
    if existing is not None and not first_load:
        updated = con.execute(
            f'INSERT INTO {table} BY NAME SELECT t.* EXCLUDE ({ROWID}) REPLACE ({replaced}) FROM {existing} AS t '
            f'JOIN {staged} AS s ON t."{key}" = s."{key}" WHERE {changed}',
            params,
        ).fetchall()[0][0]
        if updated:  # the old versions, by row id: no scan of the table's key column
            con.execute(f'DELETE FROM {table} WHERE rowid IN (SELECT t.{ROWID} FROM {existing} AS t '
                        f'JOIN {staged} AS s ON t."{key}" = s."{key}" WHERE {changed})')
    elif not first_load:
        updated = con.execute(
            f'INSERT INTO {table} BY NAME SELECT t.* REPLACE ({replaced}) FROM {table} AS t '
            f'JOIN {staged} AS s ON t."{key}" = s."{key}" WHERE {changed}',
            params,
        ).fetchall()[0][0]
        if updated:  # the old versions: rows of those keys from other loads (a load id is new every load)
            con.execute(
                f'DELETE FROM {table} WHERE load_id IS DISTINCT FROM ? AND "{key}" IN '
                f'(SELECT "{key}" FROM {table} WHERE load_id = ?)',
                [load.load_id, load.load_id],
            )
    held = existing if existing is not None else table
    # into an empty table every key is new (the gate kept one row per key): a plain insert, no anti-join
    new_only = "" if first_load else f'WHERE NOT EXISTS (SELECT 1 FROM {held} AS t WHERE t."{key}" = s."{key}")'
    inserted = con.execute(
        f"""
        INSERT INTO {table} ({cols}, {", ".join(lineage)})
        SELECT {cols}, ?, ?, ?, ? FROM {staged} AS s
        {new_only}
        """,
        params,
    ).fetchall()[0][0]
    return MergeCounts(inserted=inserted, updated=updated)


def log_load(con: duckdb.DuckDBPyConnection, dataset: str, load: LoadInfo, status: str, rows_read: int,
             counts: MergeCounts, unchanged: int, quarantined: int, newest: str | None,
             message: str | None) -> None:
    con.execute(
        """
        INSERT INTO meta.load_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [load.load_id, dataset, load.source_file, load.file_hash, load.profile, load.started_at, clock.stamp(),
         status,
         rows_read, counts.inserted, counts.updated, unchanged, quarantined,
         newest, bounded(message)],
    )


MESSAGE_CAP = 2000


def bounded(message: str | None, cap: int = MESSAGE_CAP) -> str | None:
    """A ledger message at most `cap` characters long (a parser's error can carry a whole file)."""
    if message is None or len(message) <= cap:
        return message
    return message[: cap - 16] + " ... (truncated)"
