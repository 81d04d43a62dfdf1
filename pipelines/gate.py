"""Data-quality gate between mapping and publishing (see pipelines/validate.py for the GX suites).

`check()` runs on the staged batch inside the load's transaction. It raises GateRefused for a blocking failure
(nothing of the file is published) and removes row-level failures from the batch into the quarantine.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipelines.datasets import Dataset
from pipelines.publish import LoadInfo


class GateRefused(Exception):
    """A blocking check failed; the message names the file, the check and the rows."""

    def record(self, con: duckdb.DuckDBPyConnection) -> None:
        """Store the failing results after the batch was rolled back."""


@dataclass
class GateOutcome:
    quarantined: int = 0
    message: str | None = None


def check(con: duckdb.DuckDBPyConnection, dataset: Dataset, staged: str, load: LoadInfo, path) -> GateOutcome:
    nulls = con.execute(
        f'SELECT count(*), min(__row) FROM {staged} WHERE "{dataset.key}" IS NULL'
    ).fetchall()[0]
    if nulls[0]:
        raise GateRefused(f"{path}: {nulls[0]} row(s) have no {dataset.key} (first at row {nulls[1]})")
    return GateOutcome()
