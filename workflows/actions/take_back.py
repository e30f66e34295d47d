"""拿回: the handler of a completed step takes it back while nobody has acted on what followed.

The step is rewound exactly like a 退回 to it (see `rewind`), and comes back to the same
handler; the next handlers' items close and they are told. Not offered for one signer of a
会签 step (the step as a whole goes on without them) — return the step instead.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import User
from models import WorkItem
from models import WorkItemKind
from models import WorkItemStatus
from workflows import audit
from workflows.actions import common
from workflows.cases import store
from workflows.engine import BpmnWorkflow
from workflows.engine import TaskNotFoundException
from workflows.engine import TaskState
from workflows.engine import definitions
from workflows.engine import rewind
from workflows.engine.runtime import engine
from workflows.errors import AlreadyHandled
from workflows.errors import NotAllowed
from workflows.notify import notifications


def _is_handler(user: User, item: WorkItem) -> bool:
    return user.id in (item.completed_by_id, item.acted_for_id)


def _plan(session: Session, item: WorkItem, workflow: BpmnWorkflow) -> rewind.Plan:
    """The rewind plan, or AlreadyHandled (409) saying why the step cannot be taken back."""
    if item.kind != WorkItemKind.TASK or item.action != "complete" or item.status != WorkItemStatus.COMPLETED:
        raise AlreadyHandled("只有本人已办理（同意/提交）的步骤可以拿回")
    common.require_running(item.instance)
    try:
        task = workflow.get_task_from_id(UUID(item.task_id))
    except TaskNotFoundException:  # a 退回 past the step removed its task from the tree
        task = None
    if task is None or task.state != TaskState.COMPLETED:
        raise AlreadyHandled("该步骤已被退回或重新办理，不能拿回")
    if rewind.is_mi_instance(task):
        raise AlreadyHandled("会签中的个人意见不能拿回；如需重新会签，请由当前办理人退回")
    plan = rewind.take_back_plan(workflow, task)
    acted = _acted_after(session, item, plan)
    if acted is not None:
        who = common.handler_of(acted)
        raise AlreadyHandled(f"下一步“{acted.title}”已由{who.name if who else '他人'}办理，不能拿回")
    return plan


def _acted_after(session: Session, item: WorkItem, plan: rewind.Plan) -> WorkItem | None:
    ids = [str(t.id) for t in rewind.affected(plan)]
    if not ids:
        return None
    return session.scalars(select(WorkItem).where(
        WorkItem.instance_id == item.instance_id, WorkItem.task_id.in_(ids), WorkItem.completed_by_id.is_not(None),
        WorkItem.id != item.id).order_by(WorkItem.completed_at).limit(1)).first()


def take_back(session: Session, user: User, item_id: int, reason: str | None = None) -> WorkItem:
    """拿回 a step the user completed; returns the reopened item. 404, 403 (not the handler),
    409 (a later step was acted on, the case ended, …)."""
    item = common.locked_item(session, item_id)
    if not _is_handler(user, item):
        raise NotAllowed("只有该步骤的办理人可以拿回")
    instance = item.instance
    workflow = store.load(instance)
    plan = _plan(session, item, workflow)
    text = common.optional_text(reason, "reason", "拿回说明")
    affected = {str(t.id) for t in rewind.affected(plan)}
    closing = session.scalars(select(WorkItem).where(WorkItem.instance_id == instance.id,
                                                     WorkItem.status == WorkItemStatus.OPEN,
                                                     WorkItem.task_id.in_(affected))).all()
    told = {uid for other in closing for uid in notifications.handlers_of(session, other)}
    before = rewind.completed_ids(workflow)
    rewind.apply(workflow, plan, definitions.assets(instance.definition)["forms"])
    engine().run(workflow)
    rewind.rebuild_case_data(session, instance, workflow, before)
    created = store.save(session, instance, workflow)
    back = next(i for i in created if i.task_id == item.task_id)
    handler = common.handler_of(item)
    common.set_handlers(back, [handler] if handler is not None else [user])
    session.flush()
    notifications.notify(session, told - {user.id}, "withdrawn", instance=instance,
                         body=f"{user.name}已拿回“{item.title}”，您的待办已撤销")
    audit.record(session, "task.take_back", actor=user, instance=instance, work_item=item,
                 payload={"task": item.task_name, "reason": text, "reopened_item": back.id})
    return back


def can_take_back(session: Session, user: User, item: WorkItem) -> bool:
    if not _is_handler(user, item) or item.action != "complete" or item.instance.status != "running":
        return False
    try:
        _plan(session, item, store.load(item.instance))
    except AlreadyHandled:
        return False
    return True
