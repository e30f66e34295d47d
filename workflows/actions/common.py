"""What every approval action shares: locking its target in the right order, the checks in the
order `tasks.complete` makes them (404 → 403 → 409 → 422), reasons, users, and the load/save of
the case around a change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import FINAL_STATUSES
from models import ProcessInstance
from models import User
from models import WorkItem
from models import WorkItemCandidate
from models import WorkItemKind
from models import WorkItemStatus
from workflows.cases import tasks
from workflows.engine import clock
from workflows.engine import projection
from workflows.engine.locking import lock_instance
from workflows.errors import AlreadyHandled
from workflows.errors import NotAllowed
from workflows.errors import NotFound
from workflows.errors import ValidationFailed
from workflows.labels import status_title
from workflows.routing import permissions

MAX_REASON = 2000


def require_text(value: Any, field: str, label: str, limit: int = MAX_REASON) -> str:
    """A required free text (理由、意见): stripped, non-empty, at most `limit` characters (422)."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationFailed(f"请填写{label}", {field: [f"请填写{label}"]})
    if len(text) > limit:
        raise ValidationFailed(f"{label}过长", {field: [f"{label}不能超过 {limit} 字（现为 {len(text)} 字）"]})
    return text


def optional_text(value: Any, field: str, label: str, limit: int = MAX_REASON) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValidationFailed(f"{label}须为文本", {field: [f"{label}须为文本"]})
    return require_text(value, field, label, limit) if isinstance(value, str) and value.strip() else None


def find_user(session: Session, username: Any, field: str) -> User:
    """An active user by username, else ValidationFailed on `field` (422)."""
    if not username:
        raise ValidationFailed("请选择人员", {field: ["请选择人员"]})
    user = session.scalars(select(User).where(User.username == str(username or ""))).first()
    if user is None or not user.is_active:
        raise ValidationFailed("人员不存在", {field: [f"找不到在职人员“{username}”"]})
    return user


def open_item(session: Session, user: User, item_id: int, *kinds: str) -> tuple[WorkItem, User]:
    """Lock and check an open item the user may act on (see `tasks.item_for_action`), of one of
    `kinds` (TASK by default); returns it with whom the user acts for."""
    item, principal = tasks.item_for_action(session, user, item_id)
    if item.kind not in (kinds or (WorkItemKind.TASK,)):
        raise AlreadyHandled("该事项不支持此操作")
    return item, principal


def locked_item(session: Session, item_id: int) -> WorkItem:
    """Any item (open or not), its case locked; NotFound."""
    item = session.get(WorkItem, item_id)
    if item is None:
        raise NotFound(f"待办事项 {item_id} 不存在")
    lock_instance(session, item.instance_id)
    session.refresh(item)
    return item


def locked_case(session: Session, user: User, instance_id: int, view: bool = True) -> ProcessInstance:
    """A case locked for change: 404, then (with `view`) 403 unless the user may see it."""
    if session.get(ProcessInstance, instance_id) is None:
        raise NotFound(f"流程实例 {instance_id} 不存在")
    instance = lock_instance(session, instance_id)
    if view:
        permissions.require_view(session, user, instance)
    return instance


def require_running(instance: ProcessInstance) -> None:
    if instance.status in FINAL_STATUSES:
        raise AlreadyHandled(f"该流程{status_title(instance.status)}，不能再操作")


def require_admin(session: Session, user: User) -> None:
    if not permissions.is_admin(session, user):
        raise NotAllowed("只有系统管理员可以执行此操作")



def close_as(session: Session, item: WorkItem, user: User, principal: User, action: str,
             comment: str | None = None, now: datetime | None = None) -> None:
    """Close an open item as handled by `user` (for `principal`) with `action`: it leaves the
    待办 and shows in the handler's 已办 with what they did."""
    item.set_handler(user, tasks.acted_for(user, principal))
    item.action, item.comment = action, comment
    item.completed_at = now or clock.now()
    projection.close_item(session, item, WorkItemStatus.COMPLETED, item.completed_at)


def set_handlers(item: WorkItem, users: list[User], now: datetime | None = None) -> None:
    """Make `users` the item's only candidates (assigned when there is one)."""
    moment = now or clock.now()
    projection.forget_routed(item)
    item.candidates = [WorkItemCandidate(user_id=u.id, created_at=moment, is_open=not item.on_hold) for u in users]
    item.assignee_id = users[0].id if len(users) == 1 else None
    item.claimed_at = None


def new_item_like(session: Session, model: WorkItem, users: list[User], **values: Any) -> WorkItem:
    """A new open item on the same step as `model` (same task, title, lane, unit, deadline)."""
    fields = {"instance_id": model.instance_id, "task_id": model.task_id, "task_name": model.task_name,
              "title": model.title, "lane": model.lane, "scope_unit_id": model.scope_unit_id, "due_at": model.due_at,
              "created_at": clock.now(), "on_hold": False}
    item = WorkItem(**{**fields, **values})
    item.instance = model.instance
    set_handlers(item, users)
    session.add(item)
    return item


def handler_of(item: WorkItem) -> User | None:
    """Who an item was done for: the principal when a deputy acted, else who acted."""
    return item.acted_for or item.completed_by


def handling(session: Session, user: User, item: WorkItem, *kinds: str) -> bool:
    """For `available` predicates: the item is open, not on hold, of `kinds` (TASK by default)
    and the user may act on it now."""
    return (item.status == WorkItemStatus.OPEN and not item.on_hold and item.kind in (kinds or (WorkItemKind.TASK,))
            and item.instance.status not in FINAL_STATUSES and permissions.is_candidate(session, item, user))
