"""A real, temporary DuckDB warehouse for metric-view tests: seed a few fact rows, read the views.

`warehouse` is a function:

    con = warehouse(tickets=[...], surveys=[...], inspections=[...], nonconformities=[...])

publishes the given rows (dicts; missing columns are NULL, lineage columns are constants) through
`pipelines.warehouse.publishing`, which also creates every metric view and refreshes the reference tables
(settings, departments with loss shares, products with warranty days), then returns a read-only connection.
Timestamps may be given as ISO strings with an offset ("2024-03-04 09:00+08:00"), dates as "2024-03-04" and
costs as numbers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.config import Config, load_config
from pipelines.datasets import DATASETS, TS
from pipelines.warehouse import connect, publishing

REPO = Path(__file__).resolve().parents[2]
LOADED_AT = datetime(2024, 1, 1, tzinfo=timezone.utc)

Seed = Callable[..., duckdb.DuckDBPyConnection]


def _value(value: object, dtype: pl.DataType) -> object:
    if value is None or not isinstance(value, (str, int, float)):
        return value
    if dtype == TS and isinstance(value, str):
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError(f"{value!r}: give test timestamps an offset")
        return parsed
    if dtype == pl.Date and isinstance(value, str):
        return date.fromisoformat(value)
    if isinstance(dtype, pl.Decimal):
        return Decimal(str(value))
    return value


def frame(dataset: str, rows: list[dict]) -> pl.DataFrame:
    """Rows -> a frame with every canonical column of the dataset plus constant lineage."""
    columns = DATASETS[dataset].columns
    unknown = {k for row in rows for k in row} - set(columns)
    if unknown:
        raise KeyError(f"{dataset}: unknown column(s) {sorted(unknown)}")
    data = {c: [_value(row.get(c), t) for row in rows] for c, t in columns.items()}
    return pl.DataFrame(data, schema=columns).with_columns(
        pl.lit("test-load").alias("load_id"),
        pl.lit("test.csv").alias("source_file"),
        pl.lit("0" * 64).alias("file_hash"),
        pl.lit(LOADED_AT, dtype=TS).alias("loaded_at"),
    )


def seed(cfg: Config, **tables: list[dict]) -> duckdb.DuckDBPyConnection:
    """Publish the given rows into core.<table> and return a read-only connection to the result."""
    unknown = set(tables) - set(DATASETS)
    if unknown:
        raise KeyError(f"unknown table(s) {sorted(unknown)}")
    with publishing(cfg) as con:
        for name, rows in tables.items():
            if not rows:
                continue
            con.register("seed_frame", frame(name, rows).to_arrow())
            # name is checked against DATASETS above
            con.execute(f"INSERT INTO core.{name} BY NAME SELECT * FROM seed_frame")
            con.unregister("seed_frame")
    return connect(cfg)


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[Seed]:
    """`warehouse(tickets=[...], ...)` -> read-only connection; `warehouse.config` is the test's Config."""
    cfg = dataclasses.replace(load_config(REPO / "sqd.toml"), warehouse_path=tmp_path / "w.duckdb")
    opened: list[duckdb.DuckDBPyConnection] = []

    def _seed(**tables: list[dict]) -> duckdb.DuckDBPyConnection:
        con = seed(cfg, **tables)
        opened.append(con)
        return con

    _seed.config = cfg  # type: ignore[attr-defined]
    yield _seed
    for con in opened:
        con.close()
