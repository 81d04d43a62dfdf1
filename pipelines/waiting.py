"""Rows that wait for their parent: held in meta.quarantine until a later load brings the key they refer to.

A work-order event (core.ticket_events) of a ticket the warehouse does not hold yet fails the row-level expectation
`ticket_exists` and is quarantined like any failing row (pipelines/gate.py), with the whole mapped row in
`row_values`. When a later load publishes tickets, `release()` runs inside that load's transaction, right after
its merge: every open entry of a waiting dataset whose parent key is now in the warehouse, and that failed
nothing else, is published from its `row_values` and marked released by that load (`resolution = 'released'`).
The tickets and the events they release are published together or not at all. A row held for another reason too
(a step out of order) stays held: it needs a corrected file.

`WAITING` lists who waits for whom: dataset -> (expectation, parent dataset, column holding the parent's key).
"""

from __future__ import annotations

import duckdb

from pipelines import clock
from pipelines.datasets import DATASETS, LINEAGE, Dataset
from pipelines.publish import LoadInfo

WAITING: dict[str, tuple[str, str, str]] = {
    "ticket_events": ("ticket_exists", "tickets", "ticket_id"),
}

_TYPES = {"text": "VARCHAR", "ts": "TIMESTAMP WITH TIME ZONE", "date": "DATE", "int": "INTEGER",
          "float": "DOUBLE", "bool": "BOOLEAN", "money": "DECIMAL(18,2)"}


def waits_for(dataset: str) -> frozenset[str]:
    """The expectations whose failing rows of `dataset` wait for a parent (held, not counted as broken)."""
    return frozenset(e for name, (e, _, _) in WAITING.items() if name == dataset)


def release(con: duckdb.DuckDBPyConnection, parent: Dataset, load: LoadInfo) -> dict[str, int]:
    """Publish the held rows that waited for keys of `parent` now in the warehouse; {dataset: rows published}.
    Call inside the parent load's transaction, after its merge."""
    released: dict[str, int] = {}
    for name, (expectation, parent_name, column) in WAITING.items():
        if parent_name != parent.name:
            continue
        child = DATASETS[name]
        structure = "{" + ", ".join(f'"{c}": "{_TYPES[t]}"' for c, t in child.schema.items()) + "}"
        cols = ", ".join(f'"{c}"' for c in child.columns)
        # identifiers from the registry; values bound
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE waiting_ready AS
            SELECT q.record_key, q.load_id AS held_load_id, q.source_file,
                   unnest(from_json(q.row_values, '{structure}'))
            FROM meta.quarantine AS q
            WHERE q.dataset = $dataset AND q.expectation = $expectation AND q.released_at IS NULL
              AND json_extract_string(q.row_values, $path) IN (SELECT "{parent.key}" FROM core.{parent.name})
              AND NOT EXISTS (SELECT 1 FROM meta.quarantine AS o
                              WHERE o.dataset = q.dataset AND o.record_key = q.record_key
                                AND o.released_at IS NULL AND o.expectation <> q.expectation)
            QUALIFY row_number() OVER (PARTITION BY q.record_key ORDER BY q.quarantined_at DESC) = 1
        """, {"dataset": name, "expectation": expectation, "path": f"$.{column}"})
        count = con.execute(f"""
            INSERT INTO core.{name} ({cols}, {", ".join(LINEAGE)})
            SELECT {", ".join(f'w."{c}"' for c in child.columns)}, $load_id, w.source_file,
                   coalesce((SELECT max(l.file_hash) FROM meta.load_log AS l WHERE l.load_id = w.held_load_id), ''),
                   $loaded_at
            FROM waiting_ready AS w
            WHERE NOT EXISTS (SELECT 1 FROM core.{name} AS t WHERE t."{child.key}" = w.record_key)
        """, {"load_id": load.load_id, "loaded_at": load.started_at}).fetchall()[0][0]
        con.execute("""
            UPDATE meta.quarantine AS q
            SET released_at = $now, released_by_load_id = $load_id, resolution = 'released'
            WHERE q.dataset = $dataset AND q.expectation = $expectation AND q.released_at IS NULL
              AND q.record_key IN (SELECT record_key FROM waiting_ready)
        """, {"now": clock.stamp(), "load_id": load.load_id, "dataset": name, "expectation": expectation})
        con.execute("DROP TABLE waiting_ready")
        if count:
            released[name] = int(count)
    return released


def describe(released: dict[str, int]) -> str | None:
    """`released 12 held ticket_events row(s) whose tickets arrived`, for the load's message."""
    if not released:
        return None
    parts = ", ".join(f"{n:,} held {name} row(s)" for name, n in released.items())
    return f"released {parts} whose {', '.join(sorted({WAITING[k][1] for k in released}))} arrived"
