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
    with pytest.raises(CalendarError, match=r"overrides.csv: line 3"):
        build_calendar(510, 1050, path)


@pytest.mark.parametrize("content, message", [
    (b"date,is_workday,holiday_name\n2027-02-19,true,\n2027-02-20,true,,extra\n",
     "line 3: 4 field(s), the header has 3"),
    (b'date,is_workday,holiday_name\n2027-02-20,true,"open\n', "line 2: unexpected end of data"),
    (b"date,is_workday,holiday_name\n2027-02-20,true,\xff\n", "line 2: not UTF-8 or GB18030 text"),
    (b"date,is_workday\n2027-01-01,true\n2027-01-02,true\n2027-01-01,false\n",
     "line 4: 2027-01-01 is already listed on line 2"),
    (b"", "the file is empty"),
    (b"day,workday\n2027-01-01,true\n", "missing column(s) ['date', 'is_workday']"),
])
def test_calendar_malformed_overrides_name_file_and_line(tmp_path, content, message):
    # each was a Polars traceback or, for a date listed twice, two calendar rows for one day
    path = tmp_path / "overrides.csv"
    path.write_bytes(content)
    with pytest.raises(CalendarError) as err:
        build_calendar(510, 1050, path)
    assert str(err.value).startswith(f"{path}: ") and message in str(err.value), err.value
    assert "\n" not in str(err.value)


def test_calendar_overrides_saved_by_excel_in_a_chinese_locale_load(tmp_path):
    """Excel and Notepad save "CSV" / "ANSI" as GBK in a Chinese Windows: it was refused as not UTF-8."""
    path = tmp_path / "overrides.csv"
    path.write_bytes("date,is_workday,holiday_name\n2027-02-20,true,春节调休\n".encode("gbk"))
    assert day(build_calendar(510, 1050, path), date(2027, 2, 20))["is_workday"] is True
    assert build_calendar(510, 1050, path).filter(pl.col("date_day") == date(2027, 2, 20))[
        "holiday_name"].to_list() == ["春节调休"]


def test_calendar_overrides_with_a_bom_and_padded_flags_load(tmp_path):
    path = tmp_path / "overrides.csv"
    path.write_bytes("date,is_workday,holiday_name\n2027-02-20, TRUE ,调休\n".encode("utf-8-sig"))
    assert day(build_calendar(510, 1050, path), date(2027, 2, 20))["is_workday"] is True


def test_years_in_use_without_an_official_schedule_are_named_until_the_user_adds_one(project, tmp_path,
                                                                                    monkeypatch):
    """chinese-calendar ends at 2026: from the clock's year (and a month ahead: a deadline set in late December
    falls in January) back to the first ticket's, a year whose working days all come from the fallback is named by
    `sqd status` (and the dashboard, tests/test_dashboard_app.py) until data/calendar_overrides.csv covers it."""
    from typer.testing import CliRunner

    from pipelines import clock
    from pipelines.cli import app
    from pipelines.ingest import ingest_files
    from pipelines.status import approximate_calendar_years
    from pipelines.warehouse import connect

    source = tmp_path / "tickets.csv"
    source.write_text("ticket_id,created_at,channel,ticket_type,category,site,status\n"
                      "T1,2026-01-05 09:00:00,phone,repair,water,Riverside,open\n", encoding="utf-8")
    ingest_files([source], project)

    def years_at(moment: str) -> list[int]:
        monkeypatch.setenv(clock.ENV, moment)
        con = connect(project)
        try:
            return approximate_calendar_years(con)
        finally:
            con.close()

    assert years_at("2026-11-23T10:00:00+08:00") == []                # 2026: chinese-calendar's
    assert years_at("2026-12-03T10:00:00+08:00") == [2027]            # 29 days before 2027
    assert years_at("2029-02-28T12:00:00+08:00") == [2027, 2028, 2029]
    status = CliRunner().invoke(app, ["status", "--config", str(project.source)])
    assert status.exit_code == 0
    assert "working days in 2027, 2028, 2029 are approximate" in " ".join(status.output.split())
    assert "calendar_overrides.csv" in status.output

    project.calendar_overrides.write_text("date,is_workday,holiday_name\n2027-01-01,false,New Year\n"
                                          "2028-01-01,false,New Year\n", encoding="utf-8")
    assert CliRunner().invoke(app, ["check", "--config", str(project.source)]).exit_code == 0
    assert years_at("2029-02-28T12:00:00+08:00") == [2029]
    monkeypatch.setenv(clock.ENV, "2026-11-23T10:00:00+08:00")
    status = CliRunner().invoke(app, ["status", "--config", str(project.source)])
    assert "approximate" not in status.output


def test_a_warehouse_without_tickets_names_the_clocks_years(tmp_path, monkeypatch):
    from pipelines import clock
    from pipelines.ingest import ingest_files
    from pipelines.status import approximate_calendar_years
    from pipelines.warehouse import connect
    from tests.conftest import make_project

    project = make_project(tmp_path)
    source = tmp_path / "surveys.csv"
    source.write_text("survey_id,ticket_id,surveyed_at,csat\nS1,T9,2026-11-02 10:00:00,5\n", encoding="utf-8")
    ingest_files([source], project)
    monkeypatch.setenv(clock.ENV, "2027-06-01T10:00:00+08:00")
    con = connect(project)
    try:
        assert approximate_calendar_years(con) == [2027]
    finally:
        con.close()
