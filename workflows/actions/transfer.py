"""转办 (the handler hands an item to a colleague, who then decides) and the administrator's
改派 (reassign an item to someone else, e.g. when its handler has left).

转办 closes the handler's item as “转办” — it stays in their 已办 — and opens a new item on the
same step for the new handler, keeping the deadline and any queued 后加签 signers. 改派 is not
the handler's act: it changes the item's handlers in place. Both need a reason.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from models import User
from models import WorkItem
from models import WorkItemKind
from models import WorkItemStatus
from workflows import audit
from workflows.actions import common
from workflows.cases import tasks
from workflows.errors import AlreadyHandled
from workflows.errors import ValidationFailed
from workflows.notify import notifications
from workflows.rules import eligibility


def transfer(session: Session, user: User, item_id: int, to: str | None = None, reason: str | None = None) -> WorkItem:
    """转办 the open item to user `to`; returns the new item. 403/404/409/422 like `complete`."""
    item, principal = common.open_item(session, user, item_id)
    text = common.require_text(reason, "reason", "转办理由")
    target = common.find_user(session, to, "to")
    if target.id in (user.id, principal.id):
        raise ValidationFailed("不能转办给自己", {"to": ["不能转办给自己"]})
    eligibility.check_target(session, item, target, "转办", "to")  # R-C2 and R-C1
    new = common.new_item_like(session, item, [target], kind=WorkItemKind.TASK)
    common.close_as(session, item, user, principal, "transfer", text)
    session.flush()
    session.execute(update(WorkItem).where(WorkItem.parent_id == item.id, WorkItem.status == WorkItemStatus.OPEN)
                    .values(parent_id=new.id).execution_options(synchronize_session="fetch"))
    notifications.queue_item(session, new, "transfer", body=f"{user.name}转办：{text}")
    audit.record(session, "task.transfer", actor=user, acted_for=tasks.acted_for(user, principal),
                 instance=item.instance, work_item=item,
                 payload={"task": item.task_name, "from": principal.username, "to": target.username, "reason": text,
                          "new_item": new.id})
    return new


def reassign(session: Session, user: User, item_id: int, to: str | None = None, reason: str | None = None) -> WorkItem:
    """改派 (administrators): make user `to` the only handler of an open item."""
    item = common.locked_item(session, item_id)
    common.require_admin(session, user)
    if item.status != WorkItemStatus.OPEN:
        raise AlreadyHandled("该事项已不在办理中")
    text = common.require_text(reason, "reason", "改派理由")
    target = common.find_user(session, to, "to")
    eligibility.check_target(session, item, target, "改派", "to")  # R-C2 and R-C1
    before = [c.user.username for c in item.candidates]
    common.set_handlers(item, [target])
    notifications.queue_item(session, item, "task", body=f"管理员改派：{text}")
    audit.record(session, "task.reassign", actor=user, instance=item.instance, work_item=item,
                 payload={"task": item.task_name, "from": before, "to": target.username, "reason": text})
    return item
