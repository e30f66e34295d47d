"""预备党员 register and the start of `party_probation` when a 预备期 ends.

`start_due` is the timer's job: the worker (`flask workflows worker`, or the thread of
`flask serve`) calls it on every pass and `flask workflows probation-due` runs it once. It
starts a 转正 case for every member of the register whose 预备期 ended before today and who has
no 转正 case running, as the member's branch secretary (the branch may also start one itself).
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time

from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import MemberStatus
from models import OrgUnit
from models import ProbationRecord
from models import ProcessDefinition
from models import ProcessInstance
from models import Role
from models import RoleAssignment
from models import User
from workflows.engine import clock
from workflows.errors import NotAllowed
from workflows.errors import WorkflowError
from workflows.labels import VALUE_TITLES
from workflows.routing import permissions
from workflows.rules.probation import PROCESS
from workflows.rules.probation import open_case

log = logging.getLogger(__name__)

TRACKS = VALUE_TITLES["track"]
OUTCOMES = {"pending": "预备期中", "extended": "延长预备期", "confirmed": "已转正", "cancelled": "取消预备党员资格"}


def _branch_secretary(session: Session, user: User) -> User | None:
    return session.scalars(
        select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role == Role.SECRETARY, RoleAssignment.unit_id == user.unit_id,
               User.is_active.is_(True), User.id != user.id)
        .order_by(User.id).limit(1)).first()


def due_records(session: Session, today: date | None = None) -> list[tuple[ProbationRecord, User]]:
    """Members whose 预备期 (as first set, not an extension: that one the case's own timer ends)
    is over, who are still probationary with no 转正 decided and no 转正 case started."""
    today = today or clock.today_local().date()
    rows = session.execute(
        select(ProbationRecord, User).join(User, User.id == ProbationRecord.user_id)
        .where(ProbationRecord.outcome == "pending", ProbationRecord.probation_ends_on < today,
               User.member_status == MemberStatus.PROBATIONARY, User.is_active.is_(True))
        .order_by(ProbationRecord.probation_ends_on, ProbationRecord.id)).all()
    return [(record, user) for record, user in rows if not _started(session, record, user)]


def _started(session: Session, record: ProbationRecord, user: User) -> bool:
    """A 转正 case was started for this 预备期 (running, or withdrawn by the branch: then the branch
    starts the next one itself, the worker does not start it again)."""
    since = datetime.combine(record.admitted_on, time(0, 0), clock.SHANGHAI)
    return open_case(session, user) is not None or session.scalar(
        select(ProcessInstance.id).join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(ProcessDefinition.key == PROCESS, ProcessInstance.subject_user_id == user.id,
               ProcessInstance.created_at >= since).limit(1)) is not None


def start_due(session: Session, today: date | None = None) -> list[ProcessInstance]:
    """Start the 转正 case of every member whose 预备期 is over (in the caller's transaction)."""
    from workflows import cases  # cases → projection → effects → rules: imported when used

    started = []
    for record, user in due_records(session, today):
        secretary = _branch_secretary(session, user)
        if secretary is None:
            log.warning("probation of %s is due but the branch has no secretary to start it", user.username)
            continue
        try:
            with session.begin_nested():
                instance = cases.start(session, PROCESS, {"member": user.username}, secretary)
                instance.data = {**instance.data, "started_by_timer": True}
        except WorkflowError as exc:
            log.warning("could not start the 转正 of %s: %s", user.username, exc)
            continue
        record.probation_instance_id = instance.id
        started.append(instance)
    return started


@dataclass(frozen=True)
class RegisterRow:
    username: str
    name: str
    unit: str
    member_status: str
    track: str
    frontline: bool
    admitted_on: date
    approved_on: date | None
    oath_on: date | None
    probation_ends_on: date
    extended_months: int | None
    outcome: str
    confirmed_on: date | None
    decided_on: date | None
    admission_instance_id: int | None
    probation_instance_id: int | None

    @property
    def track_text(self) -> str:
        return TRACKS.get(self.track, self.track)

    @property
    def outcome_text(self) -> str:
        return OUTCOMES.get(self.outcome, self.outcome)

    def as_dict(self) -> dict[str, object]:
        def day(value: date | None) -> str | None:
            return value.isoformat() if value else None

        return {"username": self.username, "name": self.name, "unit": self.unit, "member_status": self.member_status,
                "track": self.track, "frontline": self.frontline, "admitted_on": day(self.admitted_on),
                "approved_on": day(self.approved_on), "oath_on": day(self.oath_on),
                "probation_ends_on": day(self.probation_ends_on), "extended_months": self.extended_months,
                "outcome": self.outcome, "confirmed_on": day(self.confirmed_on), "decided_on": day(self.decided_on),
                "admission_instance_id": self.admission_instance_id,
                "probation_instance_id": self.probation_instance_id}


def _visible_paths(session: Session, viewer: User) -> list[str] | None:
    """None: the viewer sees every unit (admin, auditor); else the unit paths they oversee."""
    if permissions.has_role(session, viewer, Role.ADMIN) or permissions.has_role(session, viewer, Role.AUDITOR):
        return None
    return list(session.scalars(
        select(OrgUnit.path).join(RoleAssignment, RoleAssignment.unit_id == OrgUnit.id)
        .where(RoleAssignment.user_id == viewer.id,
               RoleAssignment.role.in_([r.value for r in permissions.OVERSIGHT_ROLES]))))


def register(session: Session, viewer: User) -> list[RegisterRow]:
    """The register as the viewer may see it: members of the units they oversee."""
    paths = _visible_paths(session, viewer)
    if paths == []:
        raise NotAllowed("您没有查看预备党员名册的权限")
    query = (select(ProbationRecord, User, OrgUnit).join(User, User.id == ProbationRecord.user_id)
             .join(OrgUnit, OrgUnit.id == User.unit_id)
             .order_by(ProbationRecord.admitted_on.desc(), ProbationRecord.id.desc()))
    if paths is not None:
        query = query.where(or_(*[OrgUnit.path.startswith(p) for p in paths]))
    rows = []
    found = session.execute(query).all()
    oaths = _oath_dates(session, [r.admission_instance_id for r, _, _ in found])
    for record, user, unit in found:
        rows.append(RegisterRow(
            username=user.username, name=user.name, unit=unit.name, member_status=user.member_status,
            track=record.track, frontline=record.frontline, admitted_on=record.admitted_on,
            approved_on=record.approved_on, oath_on=record.oath_on or oaths.get(record.admission_instance_id),
            probation_ends_on=record.probation_ends_on, extended_months=record.extended_months,
            outcome=record.outcome, confirmed_on=record.confirmed_on, decided_on=record.decided_on,
            admission_instance_id=record.admission_instance_id, probation_instance_id=record.probation_instance_id))
    return rows


def _oath_dates(session: Session, instance_ids: list[int | None]) -> dict[int | None, date]:
    """The 入党宣誓 date each admission case recorded (C-C9)."""
    ids = [i for i in instance_ids if i is not None]
    if not ids:
        return {}
    found: dict[int | None, date] = {}
    for instance in session.scalars(select(ProcessInstance).where(ProcessInstance.id.in_(ids))):
        oath = (instance.data or {}).get("oath_date")
        if oath:
            found[instance.id] = date.fromisoformat(oath)
    return found


CSV_HEADER = ["姓名", "用户名", "所在党支部", "发展方式", "疫情防控一线", "支部大会通过日期", "上级党委批准日期",
              "入党宣誓日期", "预备期满日期", "延长预备期（月）", "转正结果", "转正日期", "上级党委审批日期"]


def csv_text(rows: list[RegisterRow]) -> str:
    """The register as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for r in rows:
        writer.writerow([r.name, r.username, r.unit, r.track_text, "是" if r.frontline else "否",
                         r.admitted_on.isoformat(), r.approved_on.isoformat() if r.approved_on else "",
                         r.oath_on.isoformat() if r.oath_on else "", r.probation_ends_on.isoformat(),
                         r.extended_months or "", r.outcome_text, r.confirmed_on.isoformat() if r.confirmed_on else "",
                         r.decided_on.isoformat() if r.decided_on else ""])
    return "\ufeff" + out.getvalue()
