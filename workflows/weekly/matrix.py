"""What the group's 组织部 sees of the weekly reports: the unit × week matrix (已报/迟报/漏报/待报)
with its CSV, one report with its lines, the 督导 records of late and missing reports, and the
工作台's figures. The matrix is for the group's 组织部, auditors and administrators; a report is
also shown to its own unit's 组织部 and 书记."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import OrgUnit
from models import ProcessInstance
from models import Role
from models import Supervision
from models import UnitLevel
from models import User
from models import WeeklyReport
from models import WeeklyStatus
from workflows import audit
from workflows.engine import clock
from workflows.errors import NotAllowed
from workflows.errors import NotFound
from workflows.errors import ValidationFailed
from workflows.labels import N_
from workflows.routing.permissions import has_role
from workflows.weekly import schedule as schedule_mod

STATUS_TEXT = {WeeklyStatus.ON_TIME: N_("已报"), WeeklyStatus.LATE: N_("迟报"), WeeklyStatus.MISSING: N_("漏报"),
               WeeklyStatus.PENDING: N_("待报"), "none": N_("未开启")}
MAX_WEEKS, MAX_REASON = 26, 500
GROUP_STAFF = (Role.ORG_HEAD, Role.ORG_OFFICER)
UNIT_STAFF = (Role.ORG_HEAD, Role.ORG_OFFICER, Role.SECRETARY)


def status_of(report: WeeklyReport | None, now: datetime) -> str:
    """The status shown: a pending report past its deadline is 漏报 even before the worker marked it."""
    if report is None:
        return "none"
    if report.status == WeeklyStatus.PENDING and report.due_at <= now:
        return WeeklyStatus.MISSING
    return report.status


def _group(session: Session) -> OrgUnit | None:
    return session.scalars(select(OrgUnit).where(OrgUnit.level == UnitLevel.GROUP).limit(1)).first()


def is_group_staff(session: Session, user: User) -> bool:
    """The group's 组织部 (部长, 组织员): they see the matrix, review and open 督导."""
    group = _group(session)
    return group is not None and any(has_role(session, user, role, group.id) for role in GROUP_STAFF)


def may_see_matrix(session: Session, user: User) -> bool:
    return is_group_staff(session, user) or has_role(session, user, Role.AUDITOR) or has_role(session, user, Role.ADMIN)


def require_matrix(session: Session, user: User) -> None:
    if not may_see_matrix(session, user):
        raise NotAllowed("周报汇总仅供集团组织部、审计和系统管理员查看")


@dataclass(frozen=True)
class Cell:
    week: date
    status: str
    report_id: int | None = None
    instance_id: int | None = None
    number: str = ""

    @property
    def status_text(self) -> str:
        return STATUS_TEXT.get(self.status, self.status)


@dataclass
class Row:
    unit: OrgUnit
    cells: list[Cell]


@dataclass
class Matrix:
    weeks: list[date]
    rows: list[Row]
    counts: dict[str, int] = field(default_factory=dict)  # the newest week's, by status

    def week_label(self, week: date) -> str:
        return schedule_mod.iso_week(week)


def matrix(session: Session, viewer: User, weeks: int = 8, until: date | None = None) -> Matrix:
    """The last `weeks` weeks (newest first, ending with `until`'s week) for every subsidiary
    that reports now or has reported in them. NotAllowed for anyone but the group's 组织部,
    auditors and administrators."""
    require_matrix(session, viewer)
    weeks = max(1, min(weeks, MAX_WEEKS))
    now = clock.now()
    last = schedule_mod.week_start(until or now.astimezone(clock.SHANGHAI).date())
    mondays = [last - timedelta(weeks=n) for n in range(weeks)]
    reports = {(r.unit_id, r.week_start): r for r in session.scalars(
        select(WeeklyReport).where(WeeklyReport.week_start.in_(mondays)))}
    numbers = dict(session.execute(select(ProcessInstance.id, ProcessInstance.number).where(
        ProcessInstance.id.in_([r.instance_id for r in reports.values() if r.instance_id]))).all())
    listed = {u for u, _ in reports} | {u.id for u in _reporting(session)}
    units = session.scalars(select(OrgUnit).where(OrgUnit.id.in_(listed)).order_by(OrgUnit.code))
    rows = []
    for unit in units:
        cells = []
        for monday in mondays:
            report = reports.get((unit.id, monday))
            cells.append(Cell(monday, status_of(report, now), report.id if report else None,
                              report.instance_id if report else None,
                              numbers.get(report.instance_id, "") if report and report.instance_id else ""))
        rows.append(Row(unit, cells))
    counts = {status: sum(row.cells[0].status == status for row in rows) for status in STATUS_TEXT}
    return Matrix(mondays, rows, counts)


def _reporting(session: Session) -> list[OrgUnit]:
    from workflows.weekly.opening import reporting_units

    current = schedule_mod.current(session)
    return reporting_units(session, current) if current.active else []


def to_csv(found: Matrix) -> str:
    """The matrix as CSV (UTF-8 with BOM for Excel): one line per unit and week."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(["单位代码", "单位", "周次", "周一", "状态", "编号"])
    for row in found.rows:
        for cell in row.cells:
            writer.writerow([row.unit.code, row.unit.name, schedule_mod.iso_week(cell.week), cell.week.isoformat(),
                             cell.status_text, cell.number])
    return out.getvalue()


def export(session: Session, viewer: User, weeks: int = 8, until: date | None = None) -> str:
    """The matrix's CSV; the export is audited (`weekly.export`)."""
    found = matrix(session, viewer, weeks, until)
    audit.record(session, "weekly.export", actor=viewer, payload={"weeks": [w.isoformat() for w in found.weeks]})
    return to_csv(found)


@dataclass
class ReportView:
    report: WeeklyReport
    unit: OrgUnit
    status: str
    instance: ProcessInstance | None
    lines: list[dict[str, Any]]
    names: dict[str, str]
    supervisions: list[Supervision]
    can_supervise: bool
    can_start_lead: bool  # a 问责 lead from a line (the group's 组织部)

    @property
    def status_text(self) -> str:
        return STATUS_TEXT.get(self.status, self.status)

    @property
    def week_label(self) -> str:
        return schedule_mod.week_label(self.report.week_start)


def _load(session: Session, viewer: User, report_id: int) -> tuple[WeeklyReport, OrgUnit]:
    report = session.get(WeeklyReport, report_id)
    if report is None:
        raise NotFound(f"周报 {report_id} 不存在")
    unit = session.get(OrgUnit, report.unit_id)
    assert unit is not None
    own = any(has_role(session, viewer, role, unit.id) for role in UNIT_STAFF)
    if not (own or may_see_matrix(session, viewer)):
        raise NotAllowed("无权查看该单位的周报")
    return report, unit


def report_view(session: Session, viewer: User, report_id: int) -> ReportView:
    """One report with its lines (as last filled in), its case and its 督导 records."""
    report, unit = _load(session, viewer, report_id)
    instance = session.get(ProcessInstance, report.instance_id) if report.instance_id else None
    lines = list((instance.data or {}).get("lines") or []) if instance is not None else []
    usernames = [str(line.get("member")) for line in lines]
    names = dict(session.execute(select(User.username, User.name).where(User.username.in_(usernames))).all())
    supervisions = list(session.scalars(select(Supervision).where(Supervision.report_id == report.id)
                                        .order_by(Supervision.id)))
    status = status_of(report, clock.now())
    staff = is_group_staff(session, viewer)
    return ReportView(report, unit, status, instance, lines, names, supervisions,
                      staff and status in (WeeklyStatus.LATE, WeeklyStatus.MISSING), staff)


def open_supervision(session: Session, viewer: User, report_id: int, reason: Any) -> Supervision:
    """Open a 督导 record on a late or missing report (the group's 组织部 only: NotAllowed; a
    report 已报 or 待报: ValidationFailed); audited `weekly.supervision`, and the unit's 组织部 and
    书记 are told."""
    from workflows.notify import notifications

    report, unit = _load(session, viewer, report_id)
    if not is_group_staff(session, viewer):
        raise NotAllowed("只有集团组织部可以开启督导")
    status = status_of(report, clock.now())
    text = reason.strip() if isinstance(reason, str) else ""
    errors = {}
    if status not in (WeeklyStatus.LATE, WeeklyStatus.MISSING):
        errors["report"] = [f"该周报为“{STATUS_TEXT[status]}”，只有迟报、漏报的周报可以开启督导"]
    if not text or len(text) > MAX_REASON:
        errors["reason"] = [f"请填写督导事由（不超过 {MAX_REASON} 字）"]
    if errors:
        raise ValidationFailed("不能开启督导", errors)
    record = Supervision(report_id=report.id, unit_id=unit.id, reason=text, opened_by_id=viewer.id, created_at=clock.now())
    session.add(record)
    session.flush()
    instance = session.get(ProcessInstance, report.instance_id) if report.instance_id else None
    from workflows.routing.assignment import users_with_role

    owners = [u.id for role in UNIT_STAFF if role != Role.ORG_HEAD for u in users_with_role(session, role, unit.id)]
    notifications.notify(session, owners, "escalation", instance=instance,
                         title=f"督导：{unit.name}{schedule_mod.week_label(report.week_start)}周报{STATUS_TEXT[status]}",
                         body=text)
    audit.record(session, "weekly.supervision", actor=viewer, instance=instance, payload={
        "supervision": record.id, "unit": unit.code, "week": schedule_mod.iso_week(report.week_start),
        "status": status, "reason": text})
    return record


@dataclass
class Board:
    """The 工作台's part: for the group's 组织部 this week's reports by status; for a
    subsidiary's 组织部 the reports it still owes."""

    week: date
    group: Matrix | None = None
    owed: list[tuple[OrgUnit, WeeklyReport, str]] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        return self.group is not None or bool(self.owed)

    @staticmethod
    def text(status: str) -> str:
        return STATUS_TEXT.get(status, status)


def board(session: Session, user: User) -> Board:
    """This week's figures for the group's 组织部; what the user's subsidiaries owe otherwise."""
    now = clock.now()
    monday = schedule_mod.week_start(now.astimezone(clock.SHANGHAI).date())
    if is_group_staff(session, user):
        return Board(monday, group=matrix(session, user, 1))
    units = [u for u in session.scalars(select(OrgUnit).where(OrgUnit.level == UnitLevel.SUBSIDIARY))
             if any(has_role(session, user, role, u.id) for role in (Role.ORG_HEAD, Role.ORG_OFFICER))]
    owed = []
    for unit in units:
        for report in session.scalars(select(WeeklyReport).where(
                WeeklyReport.unit_id == unit.id, WeeklyReport.submitted_at.is_(None))
                .order_by(WeeklyReport.week_start.desc()).limit(5)):
            owed.append((unit, report, status_of(report, now)))
    return Board(monday, owed=owed)
