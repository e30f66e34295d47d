"""评论 on a case: a remark that does not move the flow, visible to everyone who sees the case.
Comments are immutable; a correction is a new comment."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CaseComment
from models import ProcessInstance
from models import User
from models import WorkItem
from models import WorkItemStatus
from workflows import audit
from workflows import cases
from workflows.actions import common
from workflows.engine import clock
from workflows.notify import notifications


def comment(session: Session, user: User, instance_id: int, body: str | None = None) -> CaseComment:
    """Add a comment; the initiator and the current handlers are told (not the author)."""
    instance = cases.get(session, user, instance_id)
    text = common.require_text(body, "body", "评论内容")
    row = CaseComment(instance_id=instance.id, author_id=user.id, body=text, created_at=clock.now())
    session.add(row)
    open_items = session.scalars(select(WorkItem).where(WorkItem.instance_id == instance.id,
                                                        WorkItem.status == WorkItemStatus.OPEN))
    told = {instance.initiator_id} | {uid for item in open_items for uid in notifications.handlers_of(session, item)}
    notifications.notify(session, told - {user.id}, "comment", instance=instance, body=f"{user.name}：{text[:180]}")
    audit.record(session, "instance.comment", actor=user, instance=instance, payload={"comment": text})
    return row


def comments_of(session: Session, user: User, instance_id: int) -> list[CaseComment]:
    """The comments of a case the user may see, oldest first."""
    instance: ProcessInstance = cases.get(session, user, instance_id)
    return list(session.scalars(select(CaseComment).where(CaseComment.instance_id == instance.id)
                                .order_by(CaseComment.created_at, CaseComment.id)))
