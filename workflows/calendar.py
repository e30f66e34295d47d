"""Working days in Asia/Shanghai: chinese-calendar (holidays and 调休) plus admin overrides."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import chinese_calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CalendarOverride
from workflows.clock import SHANGHAI

log = logging.getLogger(__name__)


class WorkCalendar:
    """Answers "is this a working day" and counts working days.

    Overrides (from the `calendar_override` table) win; then chinese-calendar's official
    holiday and make-up-day data; for years that library does not yet cover, Monday–Friday,
    which an admin corrects with overrides once the State Council publishes the year.
    """

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self.overrides = dict(overrides or {})

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            log.warning("no official holiday data for %s; assuming Monday-Friday", day.year)
            return day.weekday() < 5

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
    """The calendar with the admin overrides currently in the database."""
    rows = session.execute(select(CalendarOverride.day, CalendarOverride.is_workday)).all()
    return WorkCalendar({day: is_workday for day, is_workday in rows})


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end (2024-02-29 + 12 → 2025-02-28)."""
    import calendar as _cal

    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, _cal.monthrange(year, month)[1]))


def midnight_after(day: date) -> datetime:
    """00:00 Asia/Shanghai of the day after `day`: when a period ending on `day` is over."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), SHANGHAI)
