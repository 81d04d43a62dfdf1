"""Working-day calendar for business-hours SLAs: mainland China's official schedule.

chinese-calendar knows the official schedule (holidays and adjusted 调休 workdays) for 2004-2026 only. For other
years we fall back to python-holidays' public holidays with weekends off (adjusted workdays unknown), and a user
can add an official schedule in the overrides CSV (columns: date, is_workday, holiday_name) before the library
catches up. Each day records which source decided it.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import chinese_calendar
import holidays
import polars as pl
from chinese_calendar import constants as cc_constants

from pipelines.config import edited_text

FIRST_DAY = date(2015, 1, 1)
LAST_DAY = date(2035, 12, 31)
OFFICIAL_YEARS = range(min(cc_constants.holidays).year, max(cc_constants.holidays).year + 1)


class CalendarError(ValueError):
    pass


def _day_names(mapping: dict) -> pl.DataFrame:
    return pl.DataFrame(
        {"date_day": list(mapping.keys()), "name": [str(v) for v in mapping.values()]},
        schema={"date_day": pl.Date, "name": pl.Utf8},
    )


def _bad_line(text: str, columns: int) -> tuple[int, str] | None:
    """The first line of an overrides file that is not a CSV record of `columns` fields, and why (error path
    only: the file is a short list of days)."""
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        for record in reader:
            if len(record) != columns:
                return reader.line_num, f"{len(record)} field(s), the header has {columns}"
    except csv.Error as exc:
        return reader.line_num, str(exc)
    return None


def read_overrides(path: Path) -> pl.DataFrame:
    """The user's official schedule (date,is_workday,holiday_name); CalendarError names the file and the line
    of the first problem. `ingest_files` reads it before loading anything, so a bad file costs no load."""
    schema = {"date_day": pl.Date, "override_workday": pl.Boolean, "override_name": pl.Utf8}
    if not path.exists():
        return pl.DataFrame(schema=schema)
    expected = "expected the columns date,is_workday,holiday_name"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CalendarError(f"{path}: cannot read the calendar overrides: {exc.strerror or exc}") from exc
    try:
        text = edited_text(data)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CalendarError(f"{path}: line {line}: not UTF-8 or GB18030 text; save the file as UTF-8") from exc
    if not text.strip():
        raise CalendarError(f"{path}: the file is empty; {expected} (or delete the file)")
    try:
        raw = pl.read_csv(io.StringIO(text), infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        header = next(csv.reader(io.StringIO(text)), [])
        found = _bad_line(text, len(header))
        where = f"line {found[0]}: {found[1]}" if found else str(exc).strip().splitlines()[0][:200]
        raise CalendarError(f"{path}: {where}; {expected}") from exc
    missing = {"date", "is_workday"} - set(raw.columns)
    if missing:
        raise CalendarError(f"{path}: missing column(s) {sorted(missing)}; {expected}")
    frame = raw.with_row_index("line", offset=2).select(
        "line",
        pl.col("date").str.strptime(pl.Date, "%Y-%m-%d", strict=False).alias("date_day"),
        pl.col("is_workday").str.strip_chars().str.to_lowercase().replace_strict(
            {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}, default=None
        ).alias("override_workday"),
        (pl.col("holiday_name") if "holiday_name" in raw.columns else pl.lit(None, pl.Utf8)).alias("override_name"),
    )
    bad = frame.filter(pl.col("date_day").is_null() | pl.col("override_workday").is_null())
    if bad.height:
        line = bad["line"][0]
        raise CalendarError(f"{path}: line {line}: date must be YYYY-MM-DD and is_workday true/false")
    twice = frame.filter(pl.col("date_day").is_duplicated()).sort("line")
    if twice.height:
        first = twice.filter(pl.col("date_day") == twice["date_day"][0])["line"].to_list()
        raise CalendarError(f"{path}: line {first[1]}: {twice['date_day'][0]} is already listed on line {first[0]}")
    return frame.drop("line")


def build_calendar(opens_minute: int, closes_minute: int, overrides: Path | None = None) -> pl.DataFrame:
    """One row per day FIRST_DAY..LAST_DAY with working-day flags and cumulative business minutes."""
    days = pl.DataFrame({"date_day": pl.date_range(FIRST_DAY, LAST_DAY, "1d", eager=True)})
    official_holidays = _day_names(cc_constants.holidays)
    official_workdays = _day_names(cc_constants.workdays)
    fallback_years = [y for y in range(FIRST_DAY.year, LAST_DAY.year + 1) if y not in OFFICIAL_YEARS]
    fallback = _day_names(dict(holidays.China(years=fallback_years, language="en_US")))
    over = read_overrides(overrides) if overrides else read_overrides(Path("/nonexistent"))

    is_official = pl.col("date_day").dt.year().is_in(list(OFFICIAL_YEARS))
    weekday = pl.col("date_day").dt.weekday() <= 5
    frame = (
        days.join(official_holidays.rename({"name": "official_holiday"}), on="date_day", how="left")
        .join(official_workdays.rename({"name": "official_workday"}), on="date_day", how="left")
        .join(fallback.rename({"name": "fallback_holiday"}), on="date_day", how="left")
        .join(over, on="date_day", how="left")
        .with_columns(
            pl.when(pl.col("override_workday").is_not_null()).then(pl.col("override_workday"))
            .when(is_official).then(
                (weekday & pl.col("official_holiday").is_null()) | pl.col("official_workday").is_not_null()
            )
            .otherwise(weekday & pl.col("fallback_holiday").is_null())
            .alias("is_workday"),
            pl.when(pl.col("override_workday").is_not_null()).then(pl.col("override_name"))
            .when(is_official).then(pl.col("official_holiday"))
            .otherwise(pl.col("fallback_holiday"))
            .alias("holiday_name"),
            pl.when(pl.col("override_workday").is_not_null()).then(pl.lit("override"))
            .when(is_official).then(pl.lit("chinese_calendar"))
            .otherwise(pl.lit("holidays_fallback"))
            .alias("calendar_source"),
        )
        .with_columns(
            pl.when("is_workday").then(closes_minute - opens_minute).otherwise(0)
            .cast(pl.Int32).alias("business_minutes")
        )
        .with_columns(
            (pl.col("business_minutes").cum_sum() - pl.col("business_minutes"))
            .cast(pl.Int64).alias("business_minutes_before"),
            pl.lit(opens_minute, pl.Int32).alias("business_opens_minute"),
        )
    )
    return frame.select(
        "date_day", "is_workday", "holiday_name", "calendar_source",
        "business_minutes", "business_minutes_before", "business_opens_minute",
    )


def is_workday(day: date) -> bool:
    """Convenience for tests and docs; the warehouse uses build_calendar."""
    return chinese_calendar.is_workday(day)
