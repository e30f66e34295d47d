"""催办: remind the current handlers of an open item, at most once per item per hour."""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy.orm import Session

from models import User
from models import WorkItem
from models import WorkItemStatus
from workflows import audit
from workflows.actions import common
from workflows.actions import signing
from workflows.engine import clock
from workflows.errors import AlreadyHandled
from workflows.errors import InvalidRequest
from workflows.errors import NotAllowed
from workflows.errors import TooSoon
from workflows.notify import notifications
from workflows.routing import permissions

INTERVAL = timedelta(hours=1)


def may_remind(session: Session, user: User, item: WorkItem) -> bool:
    """The initiator, those who oversee the case (书记、组织部长、组织员、纪委 above it) and admins."""
    instance = item.instance
    return (user.id == instance.initiator_id or permissions.oversees(session, user, instance)
            or permissions.is_admin(session, user))


def _recipients(session: Session, item: WorkItem) -> list[int]:
    """Who holds the item now: its handlers, or — while it waits on 加签 — the active signers."""
    if not item.on_hold:
        return notifications.handlers_of(session, item)
    active = [s for s in signing.open_signers(session, item) if not s.on_hold]
    return [uid for s in active for uid in notifications.handlers_of(session, s)]


def remind(session: Session, user: User, item_id: int, note: str | None = None) -> WorkItem:
    """催办 an open item. 403 for users who may not, 409 when closed, 429 within the hour."""
    item = common.locked_item(session, item_id)
    if not may_remind(session, user, item):
        raise NotAllowed("只有发起人或上级组织可以催办")
    if item.status != WorkItemStatus.OPEN:
        raise AlreadyHandled("该事项已办理，无需催办")
    now = clock.now()
    if item.reminded_at is not None and now - item.reminded_at < INTERVAL:
        seconds = math.ceil((INTERVAL - (now - item.reminded_at)).total_seconds())
        raise TooSoon(f"该事项已于{item.reminded_at.astimezone(clock.SHANGHAI):%H:%M}催办过，"
                      f"请{math.ceil(seconds / 60)}分钟后再催办", retry_after=seconds)
    text = common.optional_text(note, "note", "催办说明")
    targets = _recipients(session, item)
    if user.id in targets:
        raise InvalidRequest("该事项正在等您办理，无需催办")
    item.reminded_at = now
    notifications.notify(session, targets, "remind", instance=item.instance, item=item,
                         body=f"{user.name}催办：{text or '请尽快办理'}")
    audit.record(session, "task.remind", actor=user, instance=item.instance, work_item=item,
                 payload={"task": item.task_name, "note": text, "to": sorted(targets)})
    return item


def can_remind(session: Session, user: User, item: WorkItem) -> bool:
    """Offered to those who may remind, never to whom the item waits on: its handlers, or while
    it waits on 加签 the signers who may sign now (a queued 后加签 signer may not act yet)."""
    recent = item.reminded_at is not None and clock.now() - item.reminded_at < INTERVAL
    if item.status != WorkItemStatus.OPEN or recent or permissions.in_candidates(session, item, user):
        return False
    if item.on_hold and user.id in _recipients(session, item):
        return False
    return may_remind(session, user, item)
