"""The group's schedule of weekly reports (one row, edited by the group's 组织部 or an admin)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import OrgUnit
from models import Role
from models import UnitLevel
from models import User
from models import WeeklySchedule
from workflows import audit
from workflows.calendar import WorkCalendar
from workflows.engine import clock
from workflows.errors import NotAllowed
from workflows.errors import ValidationFailed
from workflows.labels import N_
from workflows.routing.permissions import has_role

WEEKDAYS = (N_("周一"), N_("周二"), N_("周三"), N_("周四"), N_("周五"), N_("周六"), N_("周日"))
EDITORS = (Role.ORG_HEAD, Role.ORG_OFFICER, Role.ADMIN)


@dataclass(frozen=True)
class Schedule:
    active: bool
    open_weekday: int
    due_weekday: int
    due_hour: int
    unit_codes: tuple[str, ...]  # empty: every subsidiary

    def as_dict(self) -> dict[str, Any]:
        return {"active": self.active, "open_weekday": self.open_weekday, "due_weekday": self.due_weekday,
                "due_hour": self.due_hour, "units": list(self.unit_codes)}


OFF = Schedule(False, 0, 4, 18, ())


def current(session: Session) -> Schedule:
    """The schedule in force; none set yet means no report is opened."""
    row = session.scalars(select(WeeklySchedule).order_by(WeeklySchedule.id).limit(1)).first()
    if row is None:
        return OFF
    return Schedule(row.active, row.open_weekday, row.due_weekday, row.due_hour, tuple(row.unit_codes or ()))


def may_edit(session: Session, user: User) -> bool:
    """The group's 组织部 (部长, 组织员) and administrators."""
    group = session.scalars(select(OrgUnit).where(OrgUnit.level == UnitLevel.GROUP).limit(1)).first()
    return group is not None and any(has_role(session, user, role, group.id) for role in EDITORS)


def require_edit(session: Session, user: User) -> None:
    if not may_edit(session, user):
        raise NotAllowed("只有集团组织部或系统管理员可以设定周报日程")


def _int(raw: Any, name: str, low: int, high: int, errors: dict[str, list[str]]) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = low - 1
    if not low <= value <= high:
        errors[name] = [f"应为 {low}–{high} 的整数"]
    return value


def _units(session: Session, raw: Any, errors: dict[str, list[str]]) -> tuple[str, ...]:
    codes = [c.strip() for c in (raw.split(",") if isinstance(raw, str) else (raw or [])) if str(c).strip()]
    known = set(session.scalars(select(OrgUnit.code).where(OrgUnit.level == UnitLevel.SUBSIDIARY)))
    unknown = [c for c in codes if c not in known]
    if unknown:
        errors["units"] = [f"不是子分公司党委：{'、'.join(unknown)}"]
    return tuple(dict.fromkeys(codes))


def parse(session: Session, values: Mapping[str, Any]) -> Schedule:
    """A schedule from a form or JSON body; ValidationFailed with each error by its field."""
    errors: dict[str, list[str]] = {}
    active = values.get("active") in (True, "1", "true", "on", "yes")
    schedule = Schedule(active, _int(values.get("open_weekday"), "open_weekday", 0, 6, errors),
                        _int(values.get("due_weekday"), "due_weekday", 0, 6, errors),
                        _int(values.get("due_hour"), "due_hour", 0, 23, errors), _units(session, values.get("units"), errors))
    if not errors and schedule.due_weekday < schedule.open_weekday:
        errors["due_weekday"] = ["截止日不能早于开启日"]
    if errors:
        raise ValidationFailed("周报日程有误", errors)
    return schedule


def update(session: Session, user: User, values: Mapping[str, Any]) -> Schedule:
    """Set the schedule (the group's 组织部 or an admin: NotAllowed otherwise); audited
    `weekly.schedule` with before and after. Applies from the next opening pass."""
    require_edit(session, user)
    before = current(session)
    schedule = parse(session, values)
    row = session.scalars(select(WeeklySchedule).order_by(WeeklySchedule.id).limit(1)).first()
    if row is None:
        row = WeeklySchedule()
        session.add(row)
    row.active, row.open_weekday, row.due_weekday = schedule.active, schedule.open_weekday, schedule.due_weekday
    row.due_hour, row.unit_codes = schedule.due_hour, list(schedule.unit_codes)
    row.updated_by_id, row.updated_at = user.id, clock.now()
    session.flush()
    audit.record(session, "weekly.schedule", actor=user,
                 payload={"before": before.as_dict(), "after": schedule.as_dict()})
    return schedule


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def opens_at(schedule: Schedule, monday: date) -> datetime:
    return datetime.combine(monday + timedelta(days=schedule.open_weekday), time(0, 0), clock.SHANGHAI)


def due_at(schedule: Schedule, monday: date, calendar: WorkCalendar) -> datetime:
    """The deadline of the week starting `monday`: the set weekday and hour. A weekday (Monday to
    Friday) that is a holiday that week moves to the last working day before it in the same week,
    else (a week of holidays) to the first working day after it; a weekend day the group chose
    stays as it is."""
    day = monday + timedelta(days=schedule.due_weekday)
    if day.weekday() < 5 and not calendar.is_workday(day):
        back = day
        while back >= monday and not calendar.is_workday(back):
            back -= timedelta(days=1)
        day = back if back >= monday else day
        while not calendar.is_workday(day):
            day += timedelta(days=1)
    return datetime.combine(day, time(schedule.due_hour, 0), clock.SHANGHAI)


def week_label(monday: date) -> str:
    """“2026年第49周（11月30日—12月6日）”."""
    year, number, _ = monday.isocalendar()
    sunday = monday + timedelta(days=6)
    return f"{year}年第{number}周（{monday.month}月{monday.day}日—{sunday.month}月{sunday.day}日）"


def iso_week(monday: date) -> str:
    year, number, _ = monday.isocalendar()
    return f"{year}-W{number:02d}"


def monday_of(week: str) -> date:
    """The Monday of an ISO week “2026-W49”; ValueError if it is not one."""
    return date.fromisoformat(f"{week}-1") if "-W" in week else week_start(date.fromisoformat(week))
