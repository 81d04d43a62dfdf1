"""pipelines/mapping.py: numbers parse only in the profile's number_format and only when finite; text with a NUL
byte is refused; both name row and column. (The single-file cases are in tests/hostile/files.toml.)"""

from __future__ import annotations

import math

import polars as pl
import pytest

from pipelines.ingest import PUBLISHED, REFUSED, ingest_files
from pipelines.mapping import MappingError, load_profile
from pipelines.warehouse import connect

EUROPEAN = """dataset: tickets
description: semicolon-separated export with decimal commas
source: {separator: ";"}
datetime_format: "%d.%m.%Y %H:%M"
number_format: {decimal: ",", thousands: "."}
"""
HEADER = "ticket_id;created_at;distance_km\n"


def rows(cfg, sql: str) -> list[tuple]:
    con = connect(cfg)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def european(project):
    (project.profiles_dir / "tickets__european.yaml").write_text(EUROPEAN, encoding="utf-8")
    return project


def test_a_declared_decimal_comma_and_thousands_dot_parse(european, tmp_path):
    src = tmp_path / "eu.csv"
    src.write_text(HEADER + "E1;20.11.2026 09:00;1.234,5\nE2;20.11.2026 09:05;2,5\nE3;20.11.2026 09:10;7\n")
    [result] = ingest_files([src], european, profile="tickets__european")
    assert result.status == PUBLISHED, result.message
    assert rows(european, "SELECT ticket_id, distance_km FROM core.tickets ORDER BY 1") == [
        ("E1", 1234.5), ("E2", 2.5), ("E3", 7.0)]


def test_a_value_not_in_the_declared_number_format_is_refused_never_guessed(european, tmp_path):
    src = tmp_path / "eu.csv"
    src.write_text(HEADER + "E1;20.11.2026 09:00;2.5\nE2;20.11.2026 09:05;12.34,5\nE3;20.11.2026 09:10;1,2,3\n")
    [result] = ingest_files([src], european, profile="tickets__european")
    assert result.status == REFUSED
    for line in ("row 2, column 'distance_km' -> distance_km: cannot parse '2.5'",
                 "row 3, column 'distance_km' -> distance_km: cannot parse '12.34,5'",
                 "row 4, column 'distance_km' -> distance_km: cannot parse '1,2,3' (expected a finite number "
                 "with decimal ',' and thousands '.'; see number_format)"):
        assert line in result.message, result.message
    assert rows(european, "SELECT count(*) FROM core.tickets") == [(0,)]


def test_by_default_a_comma_in_a_number_is_refused(project, tmp_path):
    """Default number_format: decimal '.', no thousands separator. '1,234' was read as 1234 and '2,5' as 25."""
    src = tmp_path / "t.csv"
    src.write_text('ticket_id,created_at,distance_km\nT1,2026-11-20 09:00:00,"1,234"\n'
                   "T2,2026-11-20 09:05:00,1.5e1\n")
    [result] = ingest_files([src], project)
    assert result.status == REFUSED and "row 2, column 'distance_km'" in result.message
    assert "cannot parse '1,234' (expected a finite number with decimal '.' and no thousands separator; " \
           "see number_format)" in result.message and "row 3" not in result.message


def test_nan_and_infinity_from_a_typed_file_are_refused(project, tmp_path):
    """Parquet keeps its own types: a float NaN or infinity was stored as the distance."""
    src = tmp_path / "t.parquet"
    pl.DataFrame({"ticket_id": ["T1", "T2", "T3"], "created_at": ["2026-11-20 09:00:00"] * 3,
                  "distance_km": [1.5, math.inf, math.nan]}).write_parquet(src)
    [result] = ingest_files([src], project)
    assert result.status == REFUSED, result.message
    assert "row 2, column 'distance_km' -> distance_km: cannot parse 'inf'" in result.message
    assert "row 3, column 'distance_km' -> distance_km: cannot parse 'NaN'" in result.message


def test_nan_in_a_quantity_is_refused(project, tmp_path):
    src = tmp_path / "surveys.parquet"
    pl.DataFrame({"survey_id": ["S1", "S2"], "attempted_at": ["2026-11-20 09:00:00"] * 2,
                  "outcome": ["responded"] * 2, "score": [5.0, math.nan]}).write_parquet(src)
    [result] = ingest_files([src], project, profile="surveys__canonical")
    assert result.status == REFUSED and "row 2, column 'score' -> score: cannot parse 'NaN' (expected a whole " \
        "number" in result.message


def test_a_nul_byte_in_a_typed_file_is_refused_with_row_and_column(project, tmp_path):
    src = tmp_path / "t.parquet"
    pl.DataFrame({"ticket_id": ["T1", "T2"], "created_at": ["2026-11-20 09:00:00"] * 2,
                  "site": ["Riverside", "Park\x00view"]}).write_parquet(src)
    [result] = ingest_files([src], project)
    assert result.status == REFUSED
    assert "row 2, column 'site' -> site: cannot parse 'Park\\x00view' (it holds a NUL byte)" in result.message


@pytest.mark.parametrize("value, says", [
    ("{decimal: ';'}", "decimal must be '.' or ','"),
    ("{decimal: ',', thousands: ','}", "thousands must be one character"),
    ("{decimals: ','}", "keys ['decimal', 'thousands']"),
    ("','", "must be a mapping"),
])
def test_a_bad_number_format_is_refused_naming_the_profile(tmp_path, value, says):
    path = tmp_path / "tickets__bad.yaml"
    path.write_text(f"dataset: tickets\nnumber_format: {value}\n", encoding="utf-8")
    with pytest.raises(MappingError, match="tickets__bad.yaml") as raised:
        load_profile(path)
    assert says in str(raised.value)


def test_the_lenient_pass_reads_year_first_times_offsets_and_durations_and_never_day_first(tmp_path):
    """map_frame(lenient=True), the second pass stage() runs when dates, times or durations did not parse."""
    from pathlib import Path

    from pipelines.mapping import map_frame
    from pipelines.read import ROW
    european = tmp_path / "tickets__european.yaml"
    european.write_text(EUROPEAN, encoding="utf-8")
    profile = load_profile(european)                                      # its format: %d.%m.%Y %H:%M
    frame = pl.LazyFrame({ROW: list(range(2, 12)), "ticket_id": list("ABCDEFGHIJ"),
                          "created_at": ["20.11.2026 09:00", "2026-11-20 09:00:30", "2026/11/20 09:00",
                                         "2026-11-20T01:00:00Z", "2026-11-20 09:00:00+08", "11/20/2026 09:00",
                                         "2026年11月20日 9:00", "2026年11月20日9时0分", "46346.375", "123.5"]})
    strict = map_frame(frame, profile, "Asia/Shanghai", Path("x.csv")).collect()
    lenient = map_frame(frame, profile, "Asia/Shanghai", Path("x.csv"), lenient=True).collect()
    assert strict["__error"].to_list() == [None, *["created_at"] * 9]
    utc = [str(v) if v else None for v in lenient["created_at"].to_list()]
    assert utc == ["2026-11-20 01:00:00+00:00", "2026-11-20 01:00:30+00:00", "2026-11-20 01:00:00+00:00",
                   "2026-11-20 01:00:00+00:00", "2026-11-20 01:00:00+00:00", None,    # month-first: never guessed
                   "2026-11-20 01:00:00+00:00", "2026-11-20 01:00:00+00:00",
                   "2026-11-20 01:00:00+00:00", None]              # an Excel serial; 123.5 is no date
    assert lenient["__error"].to_list() == [None] * 5 + ["created_at", None, None, None, "created_at"]
    calls = load_profile(Path(__file__).resolve().parents[1] / "data" / "profiles" / "calls__canonical.yaml")
    waits = ["12", "00:01:23", "1:02:03", "1分23秒", "2分钟", "45.5秒", "1小时", "12:345", "1m23s"]
    frame = pl.LazyFrame({ROW: range(2, 11), "call_id": [f"K{i}" for i in range(9)],
                          "offered_at": ["2026-11-20 09:00:00"] * 9, "wait_seconds": waits})
    got = map_frame(frame, calls, "Asia/Shanghai", Path("c.csv"), lenient=True).collect()
    assert got["wait_seconds"].to_list() == [12.0, 83.0, 3723.0, 83.0, 120.0, 45.5, 3600.0, None, None]
    assert map_frame(frame, calls, "Asia/Shanghai", Path("c.csv")).collect()["wait_seconds"].to_list() == [
        12.0, *[None] * 8]                                                 # the first pass: numbers only
