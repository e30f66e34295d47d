"""重要情况专报 as the 组织部 reads them: the list with its search, one 专报 with the people and
cases it concerns, CSV. A 专报 is a `special_report` case (the process does the 待办, audit and
退回); this module only reads.

Whoever oversees a unit (书记, 组织部长, 组织部门干部, 纪委) sees the 专报 filed by it and the units
below it: the group's 组织部 sees every subsidiary's, a subsidiary's 组织部 its own. Auditors and
administrators see all; anyone else is refused.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Attachment
from models import OrgUnit
from models import ProcessDefinition
from models import ProcessInstance
from models import ProcessStatus
from models import Role
from models import RoleAssignment
from models import User
from models import WorkItem
from models import WorkItemStatus
from workflows.cases import attachments
from workflows.engine import clock
from workflows.errors import NotAllowed
from workflows.errors import NotFound
from workflows.errors import ValidationFailed
from workflows.labels import N_
from workflows.labels import status_title
from workflows.routing import permissions
from workflows.rules import special_report as rules

PROCESS = rules.PROCESS
STATUSES = {"open": N_("办理中"), "closed": N_("已办结"), "all": N_("全部")}
MAX_FILTER = 100


@dataclass(frozen=True)
class Criteria:
    """A search of the 专报; every field optional, the text is matched as contained."""

    kind: str = ""
    unit: str = ""  # unit code: filed by this unit or a unit below it
    since: date | None = None  # filed on or after (Shanghai date)
    until: date | None = None  # filed on or before
    q: str = ""  # number, title, content, people's names
    status: str = "all"


def _date(args: Mapping[str, Any], name: str, errors: dict[str, list[str]]) -> date | None:
    text = str(args.get(name) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = ["日期格式应为 YYYY-MM-DD"]
        return None


def criteria_from(args: Mapping[str, Any], strict: bool = False) -> Criteria:
    """Criteria from query arguments; raises ValidationFailed naming each bad one. `strict` (the
    API): a kind, unit, status or date that is given must not be blank (a search form sends blanks)."""
    errors: dict[str, list[str]] = {}
    if strict:
        errors.update({name: ["不能为空"] for name in ("kind", "unit", "status", "since", "until")
                       if name in args and not str(args[name]).strip()})
    texts = {name: str(args.get(name) or "").strip() for name in ("kind", "unit", "q", "status")}
    errors.update({name: [f"不超过 {MAX_FILTER} 个字"] for name, value in texts.items() if len(value) > MAX_FILTER})
    if texts["kind"] and texts["kind"] not in rules.kinds():
        errors["kind"] = ["类别应为 " + " / ".join(rules.kinds())]
    if texts["status"] and texts["status"] not in STATUSES:
        errors["status"] = ["状态应为 " + " / ".join(STATUSES)]
    since, until = _date(args, "since", errors), _date(args, "until", errors)
    if since and until and until < since:
        errors["until"] = ["截止日期不得早于起始日期"]
    if errors:
        raise ValidationFailed("查询条件有误", errors)
    return Criteria(since=since, until=until, **{**texts, "status": texts["status"] or "all"})


def visible_paths(session: Session, viewer: User) -> list[str] | None:
    """None: the viewer sees every unit (admin, auditor); else the unit paths they oversee.
    Raises NotAllowed when they oversee none."""
    if permissions.has_role(session, viewer, Role.ADMIN) or permissions.has_role(session, viewer, Role.AUDITOR):
        return None
    paths = list(session.scalars(
        select(OrgUnit.path).join(RoleAssignment, RoleAssignment.unit_id == OrgUnit.id)
        .where(RoleAssignment.user_id == viewer.id,
               RoleAssignment.role.in_([r.value for r in permissions.OVERSIGHT_ROLES]))))
    if not paths:
        raise NotAllowed("您没有查看重要情况专报的权限")
    return paths


@dataclass
class ReportRow:
    id: int
    number: str
    title: str
    kind: str
    kind_label: str
    unit: str
    unit_code: str
    filed_at: datetime
    status: str
    steps: list[str] = field(default_factory=list)  # the open steps' names
    awaiting_ack: bool = False  # a 重大事项 the 组织部部长 has not acknowledged yet (SR-1)
    ack_due_at: datetime | None = None
    persons: list[str] = field(default_factory=list)  # names

    @property
    def status_text(self) -> str:
        return status_title(self.status)

    @property
    def ack_overdue(self) -> bool:
        return self.awaiting_ack and self.ack_due_at is not None and self.ack_due_at <= clock.now()

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "number": self.number, "title": self.title, "kind": self.kind,
                "kind_label": self.kind_label, "unit": self.unit_code, "unit_name": self.unit,
                "filed_at": self.filed_at.isoformat(), "status": self.status, "steps": self.steps,
                "awaiting_ack": self.awaiting_ack, "ack_overdue": self.ack_overdue, "persons": self.persons}


def _base(session: Session, paths: list[str] | None, c: Criteria) -> Any:
    query = (select(ProcessInstance, OrgUnit).join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
             .join(OrgUnit, OrgUnit.id == ProcessInstance.owning_unit_id).where(ProcessDefinition.key == PROCESS))
    if paths is not None:
        query = query.where(or_(*[OrgUnit.path.startswith(p, autoescape=True) for p in paths]))
    if c.unit:
        unit = session.scalars(select(OrgUnit).where(OrgUnit.code == c.unit)).first()
        if unit is None:
            raise ValidationFailed("查询条件有误", {"unit": [f"组织“{c.unit}”不存在"]})
        query = query.where(OrgUnit.path.startswith(unit.path, autoescape=True))
    if c.since:
        query = query.where(ProcessInstance.created_at >= datetime.combine(c.since, time.min, clock.SHANGHAI))
    if c.until:
        query = query.where(ProcessInstance.created_at < datetime.combine(c.until + timedelta(days=1), time.min,
                                                                          clock.SHANGHAI))
    if c.status == "open":
        query = query.where(ProcessInstance.status == ProcessStatus.RUNNING)
    elif c.status == "closed":
        query = query.where(ProcessInstance.status != ProcessStatus.RUNNING)
    return query.order_by(ProcessInstance.created_at.desc(), ProcessInstance.id.desc())


def _names(session: Session, usernames: set[str]) -> dict[str, str]:
    if not usernames:
        return {}
    return dict(session.execute(select(User.username, User.name).where(User.username.in_(usernames))).all())


def _matches(instance: ProcessInstance, names: dict[str, str], c: Criteria) -> bool:
    data = instance.data
    if c.kind and data.get("kind") != c.kind:
        return False
    if not c.q:
        return True
    people = [names.get(u, u) for u in data.get("persons") or []] + list(data.get("persons") or [])
    texts = [instance.number, instance.title, str(data.get("content") or ""), *people,
             *(str(n) for n in data.get("case_numbers") or [])]
    return any(c.q.lower() in t.lower() for t in texts)


def _rows(session: Session, found: list[tuple[ProcessInstance, OrgUnit]], names: dict[str, str]) -> list[ReportRow]:
    ids = [instance.id for instance, _ in found]
    steps: dict[int, list[WorkItem]] = {}
    for item in session.scalars(select(WorkItem).where(WorkItem.instance_id.in_(ids),
                                                       WorkItem.status == WorkItemStatus.OPEN).order_by(WorkItem.id)):
        steps.setdefault(item.instance_id, []).append(item)
    rows = []
    for instance, unit in found:
        data, open_items = instance.data, steps.get(instance.id, [])
        ack = next((i for i in open_items if i.task_name == "acknowledge"), None)
        rows.append(ReportRow(
            id=instance.id, number=instance.number, title=instance.title, kind=str(data.get("kind", "")),
            kind_label=str(data.get("kind_label", "")), unit=unit.name, unit_code=unit.code,
            filed_at=instance.created_at, status=instance.status, steps=list(dict.fromkeys(i.title for i in open_items)),
            awaiting_ack=ack is not None, ack_due_at=ack.due_at if ack is not None else None,
            persons=[names.get(u, u) for u in data.get("persons") or []]))
    return rows


def search(session: Session, viewer: User, c: Criteria, limit: int | None = None,
           offset: int = 0) -> tuple[list[ReportRow], int]:
    """The 专报 the viewer may see that match, newest first, and how many match in all. Raises
    NotAllowed for a viewer who oversees no unit, ValidationFailed for an unknown unit. (The kind
    and the text are matched on the case data, which is small: a few hundred 专报 a year.)"""
    found = [(i, u) for i, u in session.execute(_base(session, visible_paths(session, viewer), c)).all()]
    names = _names(session, {p for i, _ in found for p in i.data.get("persons") or []})
    matched = [(i, u) for i, u in found if _matches(i, names, c)]
    page = matched[offset:offset + limit] if limit else matched[offset:]
    return _rows(session, page, names), len(matched)


def open_for(session: Session, viewer: User, limit: int = 10) -> tuple[list[ReportRow], int]:
    """The open 专报 the viewer oversees, those waiting for acknowledgement first ([] for people
    who oversee no unit)."""
    try:
        rows, total = search(session, viewer, Criteria(status="open"))
    except NotAllowed:
        return [], 0
    rows.sort(key=lambda r: (not r.awaiting_ack, -r.filed_at.timestamp()))
    return rows[:limit], total


@dataclass
class LinkedCase:
    number: str
    id: int | None  # None: unknown now, or the viewer may not open it
    title: str = ""


@dataclass
class ReportDetail:
    row: ReportRow
    data: dict[str, Any]
    persons: list[tuple[str, str]]  # (username, name)
    cases: list[LinkedCase]
    initiator: str
    files: list[Attachment] = field(default_factory=list)  # the case's attachments (报送材料 first)


def detail(session: Session, viewer: User, instance_id: int) -> ReportDetail:
    """One 专报 for someone who may see its case; NotFound for any other case or none."""
    instance = session.get(ProcessInstance, instance_id)
    if instance is None or instance.definition.key != PROCESS:
        raise NotFound("没有该专报")
    permissions.require_view(session, viewer, instance)
    unit = session.get(OrgUnit, instance.owning_unit_id)
    assert unit is not None
    usernames = list(instance.data.get("persons") or [])
    names = _names(session, set(usernames))
    cases = []
    for number in instance.data.get("case_numbers") or []:
        linked = session.scalars(select(ProcessInstance).where(ProcessInstance.number == number)).first()
        visible = linked is not None and permissions.can_view_instance(session, viewer, linked)
        cases.append(LinkedCase(number, linked.id if visible and linked else None, linked.title if visible and linked
                                else ""))
    return ReportDetail(_rows(session, [(instance, unit)], names)[0], dict(instance.data),
                        [(u, names.get(u, u)) for u in usernames], cases, instance.initiator.name,
                        attachments.of_instance(session, instance.id))


CSV_HEADER = ["编号", "类别", "标题", "报送单位", "报送时间", "状态", "当前步骤", "待部长确认", "所涉人员"]


def _cell(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_text(rows: list[ReportRow]) -> str:
    """The rows as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for r in rows:
        writer.writerow([_cell(v) for v in (
            r.number, r.kind_label, r.title, r.unit, f"{r.filed_at.astimezone(clock.SHANGHAI):%Y-%m-%d %H:%M}",
            str(r.status_text), "、".join(r.steps), "是" if r.awaiting_ack else "", "、".join(r.persons))])
    return "\ufeff" + out.getvalue()
