"""The working-day calendar: official schedule, fallback beyond it, and user overrides."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from pipelines.calendar import CalendarError, build_calendar


def day(cal: pl.DataFrame, d: date) -> dict:
    return cal.filter(pl.col("date_day") == d).to_dicts()[0]


def test_calendar_official_holidays_and_adjusted_workdays():
    cal = build_calendar(510, 1050)
    assert day(cal, date(2026, 2, 17))["is_workday"] is False          # Spring Festival
    assert day(cal, date(2026, 2, 14))["is_workday"] is True           # Saturday, adjusted workday
    assert day(cal, date(2026, 10, 10))["is_workday"] is True          # Saturday, adjusted workday
    assert day(cal, date(2026, 3, 2))["calendar_source"] == "chinese_calendar"


def test_calendar_beyond_the_library_falls_back_to_public_holidays():
    cal = build_calendar(510, 1050)
    assert day(cal, date(2027, 1, 1))["is_workday"] is False            # New Year
    assert day(cal, date(2027, 3, 1))["is_workday"] is True            # a Monday
    assert day(cal, date(2027, 3, 6))["is_workday"] is False           # a Saturday
    assert day(cal, date(2027, 3, 1))["calendar_source"] == "holidays_fallback"


def test_calendar_business_minutes_accumulate_over_working_days_only():
    cal = build_calendar(510, 1050)
    fri, sat, sun, mon = (day(cal, date(2026, 3, d)) for d in (6, 7, 8, 9))
    assert fri["business_minutes"] == 540 and sat["business_minutes"] == 0
    assert mon["business_minutes_before"] - fri["business_minutes_before"] == 540
    assert sun["business_minutes_before"] == sat["business_minutes_before"]


def test_calendar_overrides_win(tmp_path):
    path = tmp_path / "overrides.csv"
    path.write_text("date,is_workday,holiday_name\n2027-02-20,true,\n2027-03-01,false,Company day\n")
    cal = build_calendar(510, 1050, path)
    assert (day(cal, date(2027, 2, 20))["is_workday"], day(cal, date(2027, 2, 20))["calendar_source"]) == (
        True, "override")
    assert day(cal, date(2027, 3, 1))["holiday_name"] == "Company day"


def test_calendar_bad_override_names_file_and_row(tmp_path):
    path = tmp_path / "overrides.csv"
    path.write_text("date,is_workday\n2027-02-20,true\n2027-02-31,maybe\n")
    with pytest.raises(CalendarError, match=r"overrides.csv: row 3"):
        build_calendar(510, 1050, path)
