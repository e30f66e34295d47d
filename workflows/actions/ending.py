"""撤回 by the initiator and 终止 by an administrator: the case ends, every open item closes.

撤回 is allowed while no approver has acted since the initiator's own last step (the start,
or a resubmission), or while the case waits on the initiator (after a 退回). The case then
ends with status `withdrawn`; the initiator may start a new one. 终止 ends any running case
with status `terminated`. Both need a reason; the people whose items closed are told.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from models import ProcessInstance
from models import ProcessStatus
from models import TimerJob
from models import TimerStatus
from models import User
from models import WorkItem
from models import WorkItemStatus
from workflows import audit
from workflows.actions import common
from workflows.cases import store
from workflows.engine import clock
from workflows.engine import projection
from workflows.errors import AlreadyHandled
from workflows.errors import NotAllowed
from workflows.notify import notifications


def _waits_on_initiator(session: Session, instance: ProcessInstance) -> bool:
    return session.scalar(select(WorkItem.id).where(
        WorkItem.instance_id == instance.id, WorkItem.status == WorkItemStatus.OPEN,
        WorkItem.lane == "initiator", WorkItem.assignee_id == instance.initiator_id).limit(1)) is not None


def approver_acted(session: Session, instance: ProcessInstance) -> WorkItem | None:
    """The first item handled by somebody other than the initiator since the initiator's last
    own step, or None (then 撤回 is allowed)."""
    if _waits_on_initiator(session, instance):
        return None
    handler = func.coalesce(WorkItem.acted_for_id, WorkItem.completed_by_id)
    mine = select(func.max(WorkItem.completed_at)).where(WorkItem.instance_id == instance.id,
                                                          handler == instance.initiator_id)
    since: datetime = session.scalar(mine) or instance.created_at
    return session.scalars(
        select(WorkItem).where(WorkItem.instance_id == instance.id, WorkItem.completed_by_id.is_not(None),
                               handler != instance.initiator_id, WorkItem.completed_at >= since)
        .order_by(WorkItem.completed_at).limit(1)
    ).first()


def end_case(session: Session, instance: ProcessInstance, status: ProcessStatus, kind: str, body: str,
             also: tuple[int, ...] = ()) -> list[str]:
    """Cancel the workflow and close every open item and pending job; tell their handlers.
    Returns the usernames whose items closed."""
    workflow = store.load(instance)
    workflow.cancel()
    store.dump(instance, workflow)
    now = clock.now()
    items = session.scalars(select(WorkItem).where(WorkItem.instance_id == instance.id,
                                                   WorkItem.status == WorkItemStatus.OPEN)).all()
    told: set[int] = set()
    for item in items:
        told.update(notifications.handlers_of(session, item))
        projection.close_item(session, item, WorkItemStatus.CANCELLED, now)
    session.execute(update(TimerJob).where(TimerJob.instance_id == instance.id, TimerJob.status == TimerStatus.PENDING)
                    .values(status=TimerStatus.CANCELLED).execution_options(synchronize_session=False))
    instance.status, instance.completed_at, instance.updated_at = status, now, now
    notifications.notify(session, told | set(also), kind, instance=instance, body=body)
    return sorted(session.scalars(select(User.username).where(User.id.in_(told)))) if told else []


def withdraw(session: Session, user: User, instance_id: int, reason: str | None = None) -> ProcessInstance:
    """撤回: the initiator ends their case. 403 for anybody else, 409 once an approver acted."""
    instance = common.locked_case(session, user, instance_id)
    if user.id != instance.initiator_id:
        raise NotAllowed("只有发起人可以撤回")
    common.require_running(instance)
    acted = approver_acted(session, instance)
    if acted is not None:
        who = common.handler_of(acted)
        raise AlreadyHandled(f"{who.name if who else '审批人'}已办理“{acted.title}”，不能撤回；如需停止请联系审批人退回")
    text = common.require_text(reason, "reason", "撤回理由")
    closed = end_case(session, instance, ProcessStatus.WITHDRAWN, "withdrawn", f"{user.name}撤回：{text}")
    audit.record(session, "instance.withdraw", actor=user, instance=instance,
                 payload={"reason": text, "closed_for": closed})
    return instance


def terminate(session: Session, user: User, instance_id: int, reason: str | None = None) -> ProcessInstance:
    """终止 (administrators): end a running case with status `terminated`."""
    instance = common.locked_case(session, user, instance_id, view=False)
    common.require_admin(session, user)
    common.require_running(instance)
    text = common.require_text(reason, "reason", "终止理由")
    closed = end_case(session, instance, ProcessStatus.TERMINATED, "terminated", f"管理员终止：{text}",
                      also=(instance.initiator_id,))
    audit.record(session, "instance.terminate", actor=user, instance=instance,
                 payload={"reason": text, "closed_for": closed})
    return instance


def can_withdraw(session: Session, user: User, instance: ProcessInstance) -> bool:
    return (user.id == instance.initiator_id and instance.status == ProcessStatus.RUNNING
            and approver_acted(session, instance) is None)
