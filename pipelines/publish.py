"""Staged batch -> core table: one transaction per file, upsert by natural key, ledger row.

Only rows whose business columns changed are rewritten (MERGE ... WHEN MATCHED AND ... IS DISTINCT FROM), so
loading the same file twice changes nothing, and the key column is never updated (20x cheaper, STACK.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import numpy as np

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


def merge_staged(con: duckdb.DuckDBPyConnection, dataset: Dataset, staged: str, load: LoadInfo) -> MergeCounts:
    """Upsert `staged` (canonical columns) into core.<dataset>; returns what changed."""
    key = dataset.key
    business = [c for c in dataset.columns if c != key]
    lineage = {"load_id": "?", "source_file": "?", "file_hash": "?", "loaded_at": "?"}
    params = [load.load_id, load.source_file, load.file_hash, load.started_at]
    changed = " OR ".join(f't."{c}" IS DISTINCT FROM s."{c}"' for c in business)
    sets = ", ".join([f'"{c}" = s."{c}"' for c in business] + [f"{c} = {v}" for c, v in lineage.items()])
    cols = [key, *business]
    insert_cols = ", ".join([f'"{c}"' for c in cols] + list(lineage))
    insert_vals = ", ".join([f's."{c}"' for c in cols] + list(lineage.values()))
    # Identifiers come from the canonical model (pipelines/datasets.py), never from user input.
    result = con.execute(
        f"""
        MERGE INTO core.{dataset.name} AS t
        USING {staged} AS s ON t."{key}" = s."{key}"
        WHEN MATCHED AND ({changed}) THEN UPDATE SET {sets}
        WHEN NOT MATCHED THEN INSERT ({insert_cols}) VALUES ({insert_vals})
        RETURNING merge_action
        """,
        params * 2,
    ).fetchnumpy()["merge_action"]
    actions, counts = np.unique(result.astype(str), return_counts=True)
    counts = dict(zip(actions.tolist(), counts.tolist(), strict=True))
    return MergeCounts(inserted=counts.get("INSERT", 0), updated=counts.get("UPDATE", 0))


def log_load(con: duckdb.DuckDBPyConnection, dataset: str, load: LoadInfo, status: str, rows_read: int,
             counts: MergeCounts, quarantined: int, newest: datetime | None, message: str | None) -> None:
    con.execute(
        """
        INSERT INTO meta.load_log VALUES (?, ?, ?, ?, ?, ?, current_timestamp, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [load.load_id, dataset, load.source_file, load.file_hash, load.profile, load.started_at, status,
         rows_read, counts.inserted, counts.updated, rows_read - quarantined - counts.changed, quarantined,
         newest, message],
    )
