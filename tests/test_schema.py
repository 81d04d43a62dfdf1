"""The DDL, the canonical model and the generated docs agree; every table and column is documented."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

from pipelines.config import load_config
from pipelines.datasets import DATASETS, LINEAGE
from pipelines.warehouse import connect, publishing

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    cfg = dataclasses.replace(load_config(REPO / "sqd.toml"),
                              warehouse_path=tmp_path_factory.mktemp("schema") / "w.duckdb")
    with publishing(cfg):
        pass
    connection = connect(cfg)
    yield connection
    connection.close()


def test_schema_every_table_and_column_has_a_comment(con):
    missing = con.execute("""
        SELECT schema_name || '.' || table_name FROM duckdb_tables()
        WHERE schema_name IN ('core', 'meta', 'metrics') AND coalesce(comment, '') = ''
        UNION ALL
        SELECT schema_name || '.' || table_name || '.' || column_name FROM duckdb_columns()
        WHERE schema_name IN ('core', 'meta', 'metrics') AND coalesce(comment, '') = ''
          AND table_name IN (SELECT table_name FROM duckdb_tables())
    """).fetchall()
    assert missing == []


@pytest.mark.parametrize("dataset", sorted(DATASETS))
def test_schema_fact_tables_match_the_canonical_model(con, dataset):
    columns = [r[0] for r in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'core' AND table_name = ? "
        "ORDER BY column_index", [dataset]).fetchall()]
    assert columns == [*DATASETS[dataset].columns, *LINEAGE]


def test_schema_uses_portable_types_only(con):
    types = {r[0] for r in con.execute(
        "SELECT DISTINCT data_type FROM duckdb_columns() WHERE schema_name IN ('core', 'metrics') "
        "AND table_name IN (SELECT table_name FROM duckdb_tables())").fetchall()}
    portable = {"VARCHAR", "INTEGER", "BIGINT", "DOUBLE", "BOOLEAN", "DATE", "TIMESTAMP WITH TIME ZONE",
                "DECIMAL(18,2)"}
    assert types <= portable


def test_schema_docs_data_model_is_regenerated():
    sys.path.insert(0, str(REPO / "docs"))
    from gen_data_model import render

    assert (REPO / "docs" / "data-model.md").read_text(encoding="utf-8") == render(), \
        "run `python docs/gen_data_model.py` and commit docs/data-model.md"
