"""The 工作台's 表彰 section: the 表彰 in progress, for the group 组织部 (组织部长, 组织部门干部 of
the group) — each case with its kind, the step it is at and how many units have nominated."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import OrgUnit
from models import ProcessDefinition
from models import ProcessInstance
from models import ProcessStatus
from models import Role
from models import RoleAssignment
from models import UnitLevel
from models import User
from models import WorkItem
from models import WorkItemKind
from models import WorkItemStatus

PROCESS = "commendation"
LIMIT = 10


@dataclass
class CommendationRow:
    instance_id: int
    number: str
    title: str
    kind: str
    steps: list[str]
    nominated: int  # units that have nominated
    units: int  # units with a quota
    deadline: str


def _group_org_department(session: Session, user: User) -> bool:
    return session.scalar(select(RoleAssignment.id).join(OrgUnit, OrgUnit.id == RoleAssignment.unit_id).where(
        RoleAssignment.user_id == user.id, RoleAssignment.role.in_([Role.ORG_OFFICER, Role.ORG_HEAD]),
        OrgUnit.level == UnitLevel.GROUP).limit(1)) is not None


def _items(session: Session, ids: list[int]) -> dict[int, list[WorkItem]]:
    found: dict[int, list[WorkItem]] = {i: [] for i in ids}
    for item in session.scalars(select(WorkItem).where(
            WorkItem.instance_id.in_(ids), WorkItem.kind == WorkItemKind.TASK,
            WorkItem.status.in_([WorkItemStatus.OPEN, WorkItemStatus.COMPLETED])).order_by(WorkItem.id)):
        found[item.instance_id].append(item)
    return found


def in_progress(session: Session, user: User) -> list[CommendationRow]:
    """The running 表彰 cases, newest first, for the group 组织部; [] for anyone else."""
    if not _group_org_department(session, user):
        return []
    cases = list(session.scalars(
        select(ProcessInstance).join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(ProcessDefinition.key == PROCESS, ProcessInstance.status == ProcessStatus.RUNNING)
        .order_by(ProcessInstance.id.desc()).limit(LIMIT)))
    items = _items(session, [c.id for c in cases])
    rows = []
    for case in cases:
        mine = items[case.id]
        steps = list(dict.fromkeys(i.title for i in mine if i.status == WorkItemStatus.OPEN))
        nominated = {(i.data or {}).get("unit") for i in mine
                     if i.task_name == "nomination" and i.status == WorkItemStatus.COMPLETED}
        rows.append(CommendationRow(case.id, case.number, case.title, str(case.data.get("kind_title", "")), steps,
                                    len(nominated), len(case.data.get("nominating_units") or []),
                                    str(case.data.get("deadline") or "")))
    return rows
