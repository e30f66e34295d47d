"""Working days in Asia/Shanghai: chinese-calendar (holidays and 调休), the official schedules an
administrator imported for later years, and admin overrides of single days.

Every computation can say which calendar it used (`WorkCalendar.basis`), so a 公示 or a deadline
is stored with its basis; a year with no official data falls back to Monday–Friday and says so.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from functools import lru_cache
from importlib.metadata import version

import chinese_calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CalendarDay
from models import CalendarOverride
from models import CalendarYear
from workflows.engine.clock import SHANGHAI

log = logging.getLogger(__name__)


@lru_cache(maxsize=64)
def library_covers(year: int) -> bool:
    """True when the installed chinese-calendar has the State Council's schedule for `year`."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def library_label(year: int) -> str:
    return f"国务院办公厅 {year} 年部分节假日安排（chinesecalendar {version('chinesecalendar')}）"


@dataclass(frozen=True)
class Basis:
    """Which calendar a computation over some days used, in words, and whether it is official."""

    text: str
    official: bool
    fallback_years: tuple[int, ...] = ()


class WorkCalendar:
    """Answers "is this a working day" and counts working days.

    Overrides (from the `calendar_override` table) win; then an imported official schedule
    (`calendar_year` / `calendar_day`) for its year; then chinese-calendar's data; for a year
    neither covers, Monday–Friday — logged, and named by `basis` so the caller can refuse or flag.
    """

    def __init__(self, overrides: Mapping[date, bool] | None = None, imported: Mapping[date, bool] | None = None,
                 imported_years: Mapping[int, str] | None = None) -> None:
        self.overrides = dict(overrides or {})
        self.imported = dict(imported or {})
        self.imported_years = dict(imported_years or {})

    def is_official(self, year: int) -> bool:
        return year in self.imported_years or library_covers(year)

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in self.imported_years:
            return self.imported.get(day, day.weekday() < 5)
        if library_covers(day.year):
            return bool(chinese_calendar.is_workday(day))
        log.warning("no official holiday data for %s; assuming Monday-Friday", day.year)
        return day.weekday() < 5

    def year_label(self, year: int) -> str:
        if year in self.imported_years:
            return f"导入的 {year} 年节假日安排（{self.imported_years[year]}）"
        if library_covers(year):
            return library_label(year)
        return f"{year} 年无官方节假日安排，按周一至周五计算"

    def basis(self, first: date, last: date) -> Basis:
        """The calendar used for the days `first` … `last`."""
        years = range(first.year, last.year + 1)
        parts = [self.year_label(y) for y in years]
        adjusted = sum(1 for day in self.overrides if first <= day <= last)
        if adjusted:
            parts.append(f"含管理员调整 {adjusted} 天")
        fallback = tuple(y for y in years if not self.is_official(y))
        return Basis("；".join(parts), not fallback, fallback)

    def nth_working_day(self, start: date, n: int) -> date:
        """The n-th working day counting `start` itself when it is a working day (n >= 1)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        day, counted = start, 0
        while True:
            if self.is_workday(day):
                counted += 1
                if counted == n:
                    return day
            day += timedelta(days=1)

    def working_days_before(self, day: date, n: int) -> date:
        """The n-th working day before `day`, not counting `day` itself (`day` when n is 0)."""
        if n < 0:
            raise ValueError("n must not be negative")
        counted = 0
        while counted < n:
            day -= timedelta(days=1)
            counted += self.is_workday(day)
        return day

    def window(self, start: date, n: int) -> tuple[date, datetime]:
        """A period of n working days from `start`: (last day, due time).

        The period ends at 24:00 of its n-th working day, so the due time is 00:00 of the
        next calendar day, Asia/Shanghai (DOMAIN §5).
        """
        last = self.nth_working_day(start, n)
        return last, datetime.combine(last + timedelta(days=1), time(0, 0), SHANGHAI)

    def deadline(self, moment: datetime, n: int) -> datetime:
        """Due time n working days after `moment`, not counting the day it happens on."""
        local_day = moment.astimezone(SHANGHAI).date()
        return self.window(local_day + timedelta(days=1), n)[1]


def load_calendar(session: Session) -> WorkCalendar:
    """The calendar with the admin overrides and the imported schedules currently in the database."""
    rows = session.execute(select(CalendarOverride.day, CalendarOverride.is_workday)).all()
    days = session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
    years = session.execute(select(CalendarYear.year, CalendarYear.source)).all()
    return WorkCalendar({day: is_workday for day, is_workday in rows}, {day: kind == "workday" for day, kind in days},
                        {year: source for year, source in years})


def missing_years_warning(calendar: WorkCalendar, today: date) -> str | None:
    """The warning 管理 and the worker show: this year, or from December next year, has no official
    schedule, so working days there would be counted Monday–Friday."""
    if not calendar.is_official(today.year):
        year = today.year
    elif today.month == 12 and not calendar.is_official(today.year + 1):
        year = today.year + 1
    else:
        return None
    return (f"{year} 年尚无官方节假日安排：该年的工作日将按周一至周五计算，公示期无法可靠计算。"
            f"国务院办公厅公布后，请用 flask calendar import 导入该年的放假和调休安排。")


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end (2024-02-29 + 12 → 2025-02-28)."""
    import calendar as _cal

    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, _cal.monthrange(year, month)[1]))


def midnight_after(day: date) -> datetime:
    """00:00 Asia/Shanghai of the day after `day`: when a period ending on `day` is over."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), SHANGHAI)
