"""The queues: 待办 (todo), 已办 (done), 我发起的 (started). Pure queries on indexed tables;
a queue never deserializes a workflow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ProcessInstance
from models import User
from models import WorkItem
from models import WorkItemCandidate
from workflows import delegation
from workflows.actions import cc
from workflows.errors import InvalidRequest

VIEWS = ("todo", "done", "started", "cc")


@dataclass
class Page:
    items: list[Any]
    total: int


def _todo_query(session: Session, user: User) -> Any:
    # Their own candidate rows and, during a 委托, their principals' (workflows.delegation).
    return (
        select(WorkItem)
        .join(WorkItemCandidate, WorkItemCandidate.work_item_id == WorkItem.id)
        .where(
            delegation.todo_filter(session, user),
            WorkItemCandidate.is_open.is_(True),
            (WorkItem.assignee_id.is_(None)) | (WorkItem.assignee_id == WorkItemCandidate.user_id),
        )
    )


def queue(session: Session, user: User, view: str, limit: int = 20, offset: int = 0) -> Page:
    """The user's 待办 (todo), 已办 (done), 我发起的 (started) or 抄送我的 (cc) list, newest first."""
    if view == "todo":
        query = _todo_query(session, user).order_by(WorkItemCandidate.created_at.desc(), WorkItem.id.desc())
    elif view == "done":
        query = select(WorkItem).where(WorkItem.completed_by_id == user.id).order_by(
            WorkItem.completed_at.desc(), WorkItem.id.desc())
    elif view == "cc":
        query = cc.queue_query(user)
    elif view == "started":
        query = select(ProcessInstance).where(ProcessInstance.initiator_id == user.id).order_by(
            ProcessInstance.created_at.desc(), ProcessInstance.id.desc())
    else:
        raise InvalidRequest(f"未知的列表 view={view!r}，可用：{', '.join(VIEWS)}")
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    return Page(list(session.scalars(query.limit(limit).offset(offset))), total)


