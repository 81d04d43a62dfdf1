"""Every shipped profile's export, saved again as people save it, loads as the original does (a sweep over the
demo organisation's files; tests/hostile/resaved.toml holds the single cases with what broke before).

The demo's CSV files (each cut to its first LINES lines) are loaded in the demo's order into one warehouse as
written, and into one warehouse per way of saving them again; the other files (Parquet, NDJSON, the follow-up
workbook) go into every warehouse as they are. Each load must end the same way and every dataset's table must hold
the same rows, column for column.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import polars as pl
import pytest
import xlsxwriter

from pipelines import demo
from pipelines.datasets import DATASETS
from pipelines.ingest import ingest_files
from pipelines.read import detect_encoding
from tests.conftest import make_project

LINES = 400
STAMP = re.compile(r"^\d{4}([-/])\d\d[-/]\d\d \d\d:\d\d(:\d\d)?$")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _text(path: Path) -> tuple[list[str], str]:
    encoding = detect_encoding(path)
    lines = path.read_bytes().decode("gb18030" if encoding == "gb18030" else "utf-8-sig").splitlines()
    return lines[:LINES], "gb18030" if encoding == "gb18030" else "utf-8"


def _as_written(path: Path, out: Path) -> Path:
    lines, encoding = _text(path)
    (out / path.name).write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return out / path.name


def _utf8_with_mark(path: Path, out: Path) -> Path:
    """Excel's "CSV UTF-8": a byte-order mark, whatever the export's encoding was."""
    lines, _ = _text(path)
    (out / path.name).write_bytes(b"\xef\xbb\xbf" + ("\n".join(lines) + "\n").encode())
    return out / path.name


def _title_and_empty_cells(path: Path, out: Path) -> Path:
    """A report's title and a blank line above the header, two empty columns at the right, CRLF, a row of empty
    cells in the middle and one at the end."""
    lines, encoding = _text(path)
    width = lines[0].count(",") + 3
    body = [line + ",," for line in lines]
    body.insert(len(body) // 2, "," * (width - 1))
    text = "\r\n".join(["报表：" + path.stem + "," * (width - 1), "", *body, "," * (width - 1)]) + "\r\n"
    (out / path.name).write_bytes(text.encode(encoding))
    return out / path.name


def _workbook_of_typed_cells(path: Path, out: Path) -> Path:
    """Opened in Excel and saved as a workbook: times became date cells, numbers number cells (ids stay text)."""
    lines, _ = _text(path)
    frame = pl.read_csv("\n".join(lines).encode(), infer_schema=False)
    target = out / (path.stem + ".xlsx")
    book = xlsxwriter.Workbook(str(target))
    sheet, when = book.add_worksheet(), book.add_format({"num_format": "yyyy/m/d h:mm:ss"})
    for column, name in enumerate(frame.columns):
        sheet.write_string(0, column, name)
    identifiers = [re.search(r"id$|ID|编号|单号", name) is not None for name in frame.columns]
    for row, values in enumerate(frame.iter_rows(), 1):
        for column, value in enumerate(values):
            if value is None:
                continue
            if match := STAMP.match(value):
                fmt = f"%Y{match[1]}%m{match[1]}%d %H:%M" + (":%S" if match[2] else "")
                sheet.write_datetime(row, column, dt.datetime.strptime(value, fmt), when)
            elif NUMBER.match(value) and not identifiers[column]:
                sheet.write_number(row, column, float(value))
            else:
                sheet.write_string(row, column, value)
    book.close()
    return target


SAVED_AGAIN = {"utf8_with_mark": _utf8_with_mark, "title_and_empty_cells": _title_and_empty_cells,
               "workbook_of_typed_cells": _workbook_of_typed_cells}


def _load(files: list[tuple[Path, str]], folder: Path) -> tuple[list[tuple], dict[str, list[tuple]]]:
    config = make_project(folder)
    results = ingest_files([path for path, _ in files], config, profile=[profile for _, profile in files])
    outcomes = [(r.dataset, r.profile, r.status, r.rows_read, r.inserted, r.quarantined) for r in results]
    tables = {}
    with duckdb.connect(str(config.warehouse_path), read_only=True) as con:
        for name, dataset in DATASETS.items():
            columns = ", ".join(f'"{c}"' for c in dataset.columns)
            tables[name] = con.execute(f"SELECT {columns} FROM core.{name} ORDER BY ALL").fetchall()
    return outcomes, tables


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory) -> list[tuple[Path, str]]:
    return demo.generate_demo(tmp_path_factory.mktemp("demo"), tickets=1_500)


@pytest.fixture(scope="module")
def as_written(demo_files, tmp_path_factory):
    out = tmp_path_factory.mktemp("as-written")
    files = [(_as_written(p, out) if p.suffix == ".csv" else p, profile) for p, profile in demo_files]
    return _load(files, tmp_path_factory.mktemp("as-written-project"))


@pytest.mark.parametrize("how", SAVED_AGAIN)
def test_every_demo_export_saved_again_loads_as_written(demo_files, as_written, tmp_path, how):
    out = tmp_path / "files"
    out.mkdir()
    files = [(SAVED_AGAIN[how](p, out) if p.suffix == ".csv" else p, profile) for p, profile in demo_files]
    outcomes, tables = _load(files, tmp_path / "project")
    expected_outcomes, expected_tables = as_written
    assert outcomes == expected_outcomes
    assert sum(len(rows) for rows in expected_tables.values()) > 3_000       # the sweep compared something
    for name, rows in expected_tables.items():
        assert tables[name] == rows, name
