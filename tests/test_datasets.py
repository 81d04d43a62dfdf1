"""The dataset registry is the one list of datasets: every place that lists them reads it."""

from __future__ import annotations

import subprocess
import sys

import polars as pl
import pytest

from dashboard import i18n
from dashboard.queries import date_bounds
from pipelines import cli_check, status
from pipelines.datasets import DATASETS, TS, Dataset


def test_every_listing_of_datasets_comes_from_the_registry():
    assert set(status.EVENT_TIME) == set(DATASETS)
    assert {n: d.event_time for n, d in DATASETS.items()} == status.EVENT_TIME
    assert set(cli_check.DATASET_NAMES) == set(DATASETS)
    assert set(i18n.VALUES["dataset"]) == set(DATASETS)
    for name, dataset in DATASETS.items():
        assert i18n.label("dataset", name, "zh") == dataset.label[1] != ""
        assert i18n.label("dataset", name, "en") == dataset.label[0] != ""


def test_columns_are_polars_types_built_from_the_short_names():
    tickets = DATASETS["tickets"]
    assert tickets.columns["created_at"] == TS == pl.Datetime("us", "UTC")
    assert tickets.columns["reopen_count"] == pl.Int32
    assert DATASETS["nonconformities"].columns["material_cost"] == pl.Decimal(18, 2)
    assert tickets.timestamp_columns[:2] == ["created_at", "recorded_at"]


def test_an_entry_with_an_unknown_type_or_a_key_outside_its_columns_is_refused():
    with pytest.raises(ValueError, match="unknown column types"):
        Dataset(name="x", key="id", schema={"id": "varchar"}, required=("id",), event_time="id", value_sets={})
    with pytest.raises(ValueError, match=r"\['at'\] are not among its columns"):
        Dataset(name="x", key="id", schema={"id": "text"}, required=("id",), event_time="at", value_sets={})


def test_the_registry_imports_no_polars():
    code = "import sys, pipelines.datasets, pipelines.status; print('polars' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_the_date_range_spans_the_datasets_the_registry_puts_in_it(tmp_path):
    import duckdb

    from pipelines.warehouse import direct
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE SCHEMA core; CREATE SCHEMA meta; CREATE TABLE meta.settings(key TEXT, value TEXT)")
    con.execute("INSERT INTO meta.settings VALUES ('timezone', 'Asia/Shanghai')")
    for d in DATASETS.values():
        con.execute(f'CREATE TABLE core."{d.name}" ("{d.event_time}" TIMESTAMPTZ)')
    con.execute("INSERT INTO core.tickets VALUES ('2026-03-01 12:00:00+08')")
    con.execute("INSERT INTO core.calls VALUES ('2026-05-02 12:00:00+08')")
    con.execute("INSERT INTO core.roster VALUES ('2027-01-05 12:00:00+08')")   # a planned roster: not in range
    bounds = date_bounds(direct(con))
    con.close()
    assert str(bounds["first_date"][0]) == "2026-03-01"
    assert str(bounds["last_date"][0]) == "2026-05-02"
