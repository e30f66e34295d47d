"""The timer worker's weekly pass: open this week's reports, and mark those past their deadline.

`open_due` runs in the worker's own write transaction. For each unit it inserts the
`weekly_report` row of (unit, week) *before* it starts the case, in a savepoint: the row's unique
constraint is what makes opening happen exactly once. On SQLite the write transaction (BEGIN
IMMEDIATE) is the single writer, so a second worker sees the row; on PostgreSQL the second
insert waits for the first transaction and then fails, and that unit is skipped. A worker killed
half-way leaves nothing (row and case commit together), and a restarted one finds the rows.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import OrgUnit
from models import ProcessInstance
from models import Role
from models import RoleAssignment
from models import UnitLevel
from models import User
from models import WeeklyReport
from models import WeeklyStatus
from workflows import audit
from workflows.calendar import load_calendar
from workflows.engine import clock
from workflows.errors import WorkflowError
from workflows.notify import notifications
from workflows.routing.assignment import users_with_role
from workflows.weekly import schedule as schedule_mod

log = logging.getLogger(__name__)
PROCESS = "weekly_report"
TEAM_ROLES = (Role.SECRETARY, Role.COMMITTEE)  # the 党委 (班子): its 书记 and 委员


def reporting_units(session: Session, schedule: schedule_mod.Schedule) -> list[OrgUnit]:
    """The subsidiaries that report under `schedule` (all of them when it names none)."""
    query = select(OrgUnit).where(OrgUnit.level == UnitLevel.SUBSIDIARY).order_by(OrgUnit.code)
    if schedule.unit_codes:
        query = query.where(OrgUnit.code.in_(schedule.unit_codes))
    return list(session.scalars(query))


def team(session: Session, unit: OrgUnit) -> list[tuple[User, str]]:
    """The 班子成员 of `unit` from the org data — its secretary first, then the committee members
    — each with their post; one line per person."""
    rows = session.execute(
        select(User, RoleAssignment.role).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.unit_id == unit.id, RoleAssignment.role.in_([r.value for r in TEAM_ROLES]),
               User.is_active.is_(True))
        .order_by(RoleAssignment.role != Role.SECRETARY, User.username)).all()
    seen: dict[int, tuple[User, str]] = {}
    for user, role in rows:
        seen.setdefault(user.id, (user, user.post or ("党委书记" if role == Role.SECRETARY else "党委委员")))
    return list(seen.values())


def start_data(session: Session, unit: OrgUnit, monday: Any) -> dict[str, Any]:
    lines = [{"member": user.username, "post": post} for user, post in team(session, unit)]
    return {"unit": unit.code, "week": schedule_mod.iso_week(monday), "lines": lines}


def _opener(session: Session, unit: OrgUnit) -> User | None:
    officers = users_with_role(session, Role.ORG_OFFICER, unit.id)
    return officers[0] if officers else None


def open_report(session: Session, unit: OrgUnit, monday: Any, due: datetime) -> ProcessInstance | None:
    """Open `unit`'s report of the week from `monday` (caller's transaction): None when it is
    open already (also when another worker opened it at the same moment) or cannot be started."""
    from workflows import cases  # cases → projection → effects → rules: imported when used

    opener = _opener(session, unit)
    if opener is None or not team(session, unit):
        log.warning("weekly report of %s not opened: no 组织部 officer or no 班子成员", unit.code)
        return None
    try:
        with session.begin_nested():
            report = WeeklyReport(unit_id=unit.id, week_start=monday, due_at=due, opened_at=clock.now())
            session.add(report)
            session.flush()  # the unique (unit, week): a second opener fails here
            instance = cases.start(session, PROCESS, start_data(session, unit, monday), opener)
            report.instance_id = instance.id
            session.flush()
    except IntegrityError:
        return None
    except WorkflowError as exc:
        log.warning("could not open the weekly report of %s: %s", unit.code, exc)
        return None
    return instance


def open_due(session: Session, now: datetime | None = None) -> list[ProcessInstance]:
    """Open this week's report of every reporting unit that has none, once the schedule's
    opening day has come (in the caller's write transaction). Only the current week is opened:
    weeks missed while no worker ran are not made up."""
    now = now or clock.now()
    schedule = schedule_mod.current(session)
    if not schedule.active:
        return []
    monday = schedule_mod.week_start(now.astimezone(clock.SHANGHAI).date())
    if now < schedule_mod.opens_at(schedule, monday):
        return []
    have = set(session.scalars(select(WeeklyReport.unit_id).where(WeeklyReport.week_start == monday)))
    owed = [unit for unit in reporting_units(session, schedule) if unit.id not in have]
    if not owed:  # the usual pass: every report of the week is open already
        return []
    due = schedule_mod.due_at(schedule, monday, load_calendar(session))
    return [case for unit in owed if (case := open_report(session, unit, monday, due)) is not None]


def _group_officers(session: Session) -> list[User]:
    group = session.scalars(select(OrgUnit).where(OrgUnit.level == UnitLevel.GROUP).limit(1)).first()
    if group is None:
        return []
    return [*users_with_role(session, Role.ORG_HEAD, group.id), *users_with_role(session, Role.ORG_OFFICER, group.id)]


def mark_missing(session: Session, now: datetime | None = None) -> list[WeeklyReport]:
    """Mark 漏报 every report still not reported at its deadline (caller's transaction): each
    once (a conditional UPDATE), with an audit event `weekly.missing`, a reminder to the unit's
    组织部 and 书记 and the escalation to the group's 组织部 (部长 and 组织员)."""
    now = now or clock.now()
    marked = []
    for report in session.scalars(select(WeeklyReport).where(
            WeeklyReport.status == WeeklyStatus.PENDING, WeeklyReport.due_at <= now).order_by(WeeklyReport.id)):
        changed = session.execute(
            update(WeeklyReport).where(WeeklyReport.id == report.id, WeeklyReport.status == WeeklyStatus.PENDING)
            .values(status=WeeklyStatus.MISSING, missed_at=now).execution_options(synchronize_session=False))
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            continue
        session.refresh(report)
        _tell_missing(session, report)
        marked.append(report)
    return marked


def _tell_missing(session: Session, report: WeeklyReport) -> None:
    unit = session.get(OrgUnit, report.unit_id)
    instance = session.get(ProcessInstance, report.instance_id) if report.instance_id else None
    assert unit is not None
    label = schedule_mod.week_label(report.week_start)
    local_due = report.due_at.astimezone(clock.SHANGHAI)
    owners = [*users_with_role(session, Role.ORG_OFFICER, unit.id), *users_with_role(session, Role.SECRETARY, unit.id)]
    notifications.notify(session, [u.id for u in owners], "overdue", instance=instance,
                         title=f"漏报提醒：{unit.name}{label}周报", body=f"截止时间 {local_due:%Y-%m-%d %H:%M} 已过，请尽快上报")
    group = _group_officers(session)
    notifications.notify(session, [u.id for u in group], "escalation", instance=instance,
                         title=f"督办：{unit.name}{label}周报漏报", body=f"截止时间 {local_due:%Y-%m-%d %H:%M}，尚未上报")
    audit.record(session, "weekly.missing", instance=instance, payload={
        "unit": unit.code, "week": schedule_mod.iso_week(report.week_start), "due_at": report.due_at.isoformat(),
        "reminded": sorted(u.username for u in owners), "escalated_to": sorted({u.username for u in group})})


def run_pass(session: Session, now: datetime | None = None) -> tuple[list[ProcessInstance], list[WeeklyReport]]:
    """One worker pass (caller's write transaction): open what is due, then mark what is missing."""
    return open_due(session, now), mark_missing(session, now)
