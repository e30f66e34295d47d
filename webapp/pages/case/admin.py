"""管理 · 流程实例: the administrator's 终止 (terminate a case) and 改派 (reassign an open item).

Administrators do not read cases (`permissions.can_view_instance`): the list and the page here
show only what those two actions need — business number, process, status, initiator and unit,
dates, and the open steps with their handlers — never the title, the form data or opinions.
The actions are the registry's (`workflows.actions`), offered and run like on the case page.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ProcessDefinition
from models import ProcessInstance
from models import User
from models import WorkItem
from webapp.pages.case import actions as case_actions
from webapp.pages.case.actions import Action
from webapp.pages.case.actions import Submission
from workflows import actions
from workflows.actions import ITEM
from workflows.admin import require_admin
from workflows.cases import stalled
from workflows.cases import tasks
from workflows.errors import InvalidRequest
from workflows.errors import NotFound
from workflows.errors import ValidationFailed

STATUSES = ("running", "completed", "rejected", "withdrawn", "terminated", "error")


@dataclass
class CaseRow:
    id: int
    number: str
    process: str
    status: str
    initiator: str
    unit: str
    created_at: datetime


@dataclass
class OpenStep:
    item_id: int
    step: str
    handlers: list[str]
    since: datetime


@dataclass
class AdminCase:
    row: CaseRow
    completed_at: datetime | None
    steps: list[OpenStep] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    alert: str = ""


def _row(instance: ProcessInstance) -> CaseRow:
    unit = instance.initiator.unit
    return CaseRow(id=instance.id, number=instance.number, process=instance.definition.name, status=instance.status,
                   initiator=instance.initiator.name, unit=unit.name if unit else "", created_at=instance.created_at)


def cases(session: Session, actor: User, q: str = "", status: str = "running", limit: int = 20,
          offset: int = 0) -> tuple[list[CaseRow], int]:
    """Cases by business number (`q`) and status, newest first, as header rows only."""
    require_admin(session, actor)
    if status and status not in STATUSES:
        raise InvalidRequest(f"未知的状态 {status!r}")
    query = select(ProcessInstance).join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
    if status:
        query = query.where(ProcessInstance.status == status)
    if q.strip():
        query = query.where(ProcessInstance.number.ilike(f"%{q.strip()}%"))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(ProcessInstance.created_at.desc(), ProcessInstance.id.desc())
                           .limit(limit).offset(offset))
    return [_row(i) for i in rows], total


def stalled_cases(session: Session, actor: User, limit: int = 20) -> list[stalled.StalledCase]:
    """Running cases nobody can move (no open item, timer or deadline), oldest first; the
    `flask workflows check` list, for the 流程实例 page."""
    require_admin(session, actor)
    return stalled.stalled(session, limit)


def _is_admin_action(action: actions.Action) -> bool:
    return action.admin


def case_page(session: Session, actor: User, instance_id: int) -> AdminCase:
    """The minimal header of one case, its open steps and the admin actions available now."""
    require_admin(session, actor)
    instance = session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(f"流程实例 {instance_id} 不存在")
    page = AdminCase(row=_row(instance), completed_at=instance.completed_at)
    for item in tasks.open_items(session, instance):
        handlers = [item.assignee] if item.assignee is not None else tasks.candidates_of(session, item)
        page.steps.append(OpenStep(item.id, item.title, [u.name for u in handlers if u is not None], item.created_at))
        page.actions += case_actions.describe(session, actor, item, subject=item.title, only=_is_admin_action)
    page.actions += case_actions.describe(session, actor, instance, only=_is_admin_action)
    return page


def refused(session: Session, actor: User, scope: str, target_id: int, action: str, submission: Submission,
            error: ValidationFailed) -> AdminCase:
    """The page again after a refused 终止/改派, its form open with the errors and input."""
    target = session.get(WorkItem, target_id) if scope == ITEM else None
    page = case_page(session, actor, target.instance_id if target is not None else target_id)
    found = next((a for a in page.actions if a.name == action and a.scope == scope and a.target_id == target_id), None)
    if found is None:
        page.alert = error.message
    else:
        case_actions.refill(session, actor, found, submission, error)
    return page
