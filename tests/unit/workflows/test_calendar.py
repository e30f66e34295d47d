"""Working days in Asia/Shanghai: holidays, 调休 make-up days, overrides, and periods."""

from __future__ import annotations

from datetime import date

import pytest

from workflows.calendar import WorkCalendar
from workflows.calendar import add_months
from workflows.calendar import midnight_after

CAL = WorkCalendar()


def test_a_period_counts_its_start_day_when_it_is_a_working_day() -> None:
    assert CAL.nth_working_day(date(2026, 11, 23), 1) == date(2026, 11, 23)  # a Monday
    assert CAL.nth_working_day(date(2026, 11, 23), 5) == date(2026, 11, 27)


def test_a_period_skips_the_national_day_holiday_and_counts_the_saturday_make_up_day() -> None:
    last, due = CAL.window(date(2026, 9, 29), 5)
    assert last == date(2026, 10, 10)  # 29, 30 Sep; 8, 9 Oct; Sat 10 Oct (调休)
    assert due.isoformat() == "2026-10-11T00:00:00+08:00"


def test_a_period_starting_on_a_holiday_starts_counting_on_the_next_working_day() -> None:
    assert CAL.nth_working_day(date(2026, 10, 3), 1) == date(2026, 10, 8)


def test_an_admin_override_wins_over_the_official_calendar() -> None:
    cal = WorkCalendar({date(2026, 11, 24): False, date(2026, 11, 29): True})
    assert cal.nth_working_day(date(2026, 11, 23), 2) == date(2026, 11, 25)
    assert cal.is_workday(date(2026, 11, 29))  # a Sunday made a working day


def test_working_days_before_a_day_skip_the_holiday_and_count_the_make_up_day() -> None:
    assert CAL.working_days_before(date(2026, 11, 27), 0) == date(2026, 11, 27)
    assert CAL.working_days_before(date(2026, 11, 30), 1) == date(2026, 11, 27)  # Monday → the Friday before
    assert CAL.working_days_before(date(2020, 5, 21), 10) == date(2020, 5, 8)  # Sat 9 May 2020 was a 调休 day
    assert CAL.working_days_before(date(2026, 10, 8), 2) == date(2026, 9, 29)  # 1–7 Oct is the holiday
    with pytest.raises(ValueError):
        CAL.working_days_before(date(2026, 11, 27), -1)


def test_years_without_official_data_fall_back_to_monday_to_friday() -> None:
    assert CAL.is_workday(date(2027, 3, 1))  # Monday
    assert not CAL.is_workday(date(2027, 3, 6))  # Saturday


def test_a_deadline_counts_working_days_after_the_day_it_starts() -> None:
    from datetime import datetime

    from workflows.engine.clock import SHANGHAI

    friday_noon = datetime(2026, 11, 27, 12, 0, tzinfo=SHANGHAI)
    assert CAL.deadline(friday_noon, 1).isoformat() == "2026-12-01T00:00:00+08:00"  # all of Monday 30 Nov


def test_add_months_clamps_to_the_end_of_the_month() -> None:
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 10, 12), 12) == date(2027, 10, 12)


def test_midnight_after_is_the_start_of_the_next_day_in_shanghai() -> None:
    assert midnight_after(date(2026, 12, 31)).isoformat() == "2027-01-01T00:00:00+08:00"


def test_zero_working_days_is_refused() -> None:
    with pytest.raises(ValueError):
        CAL.nth_working_day(date(2026, 11, 23), 0)


def test_an_imported_schedule_covers_a_year_the_library_does_not() -> None:
    from workflows.calendar import missing_years_warning

    bare = WorkCalendar()
    assert not bare.is_official(2027) and bare.is_workday(date(2027, 1, 1))  # Mon–Fri fallback: a Friday
    assert bare.basis(date(2026, 12, 28), date(2027, 1, 4)).fallback_years == (2027,)
    assert "2027 年尚无官方节假日安排" in (missing_years_warning(bare, date(2027, 1, 5)) or "")  # this year
    assert missing_years_warning(bare, date(2026, 11, 30)) is None
    imported = WorkCalendar(imported={date(2027, 1, 1): False, date(2027, 2, 13): True},
                            imported_years={2027: "国办发明电（测试）"})
    assert not imported.is_workday(date(2027, 1, 1)) and imported.is_workday(date(2027, 2, 13))
    assert imported.is_workday(date(2027, 1, 4)) and not imported.is_workday(date(2027, 1, 9))  # the rest: Mon–Fri
    assert imported.basis(date(2027, 1, 1), date(2027, 1, 8)).text == "导入的 2027 年节假日安排（国办发明电（测试））"
    assert missing_years_warning(imported, date(2026, 12, 1)) is None
