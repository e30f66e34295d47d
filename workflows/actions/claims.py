"""认领 / 释放 of a shared item (one offered to several candidates)."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from models import User
from models import WorkItem
from models import WorkItemCandidate
from models import WorkItemStatus
from workflows import audit
from workflows.actions import common
from workflows.actions import signing
from workflows.cases import tasks
from workflows.engine import clock
from workflows.errors import AlreadyHandled
from workflows.notify import notifications
from workflows.sql import rows_changed


def _shared(session: Session, item: WorkItem) -> bool:
    count = session.scalar(select(func.count()).where(WorkItemCandidate.work_item_id == item.id)) or 0
    return count > 1


def claim(session: Session, user: User, item_id: int) -> WorkItem:
    """认领: take a shared item so that only this user (or their deputy) sees and acts on it.
    A deputy claims for the principal."""
    item, principal = tasks.item_for_action(session, user, item_id)
    if item.assignee_id in (user.id, principal.id):
        return item
    claimed = rows_changed(session,
        update(WorkItem)
        .where(WorkItem.id == item.id, WorkItem.assignee_id.is_(None), WorkItem.status == WorkItemStatus.OPEN)
        .values(assignee_id=principal.id, claimed_at=clock.now())
        .execution_options(synchronize_session="fetch")
    )
    if not claimed:
        raise AlreadyHandled("该事项已被他人认领")
    signing.open_candidates(session, item)  # it leaves the other candidates' 待办
    audit.record(session, "task.claim", actor=user, acted_for=tasks.acted_for(user, principal), instance=item.instance,
                 work_item=item, payload={"task": item.task_name})
    return item


def release(session: Session, user: User, item_id: int) -> WorkItem:
    """释放: give a claimed shared item back to all its candidates."""
    item, principal = tasks.item_for_action(session, user, item_id)
    if item.assignee_id is None:
        raise AlreadyHandled("该事项尚未被认领")
    if not _shared(session, item):
        raise AlreadyHandled("该事项只有一位办理人，无需释放")
    item.assignee_id, item.claimed_at = None, None
    signing.open_candidates(session, item)  # back in every candidate's 待办
    notifications.queue_item(session, item, "task", body=f"{user.name}已释放该事项，可认领办理")
    audit.record(session, "task.release", actor=user, acted_for=tasks.acted_for(user, principal),
                 instance=item.instance, work_item=item, payload={"task": item.task_name})
    return item


def can_claim(session: Session, user: User, item: WorkItem) -> bool:
    return item.assignee_id is None and common.handling(session, user, item) and _shared(session, item)


def can_release(session: Session, user: User, item: WorkItem) -> bool:
    if item.assignee_id is None or not common.handling(session, user, item):
        return False
    return _shared(session, item)
