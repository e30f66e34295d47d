"""退回: send a case back to an earlier step, or to the initiator, with a reason; and the
initiator's resubmission (重新提交) after a return to them.

Semantics (approval-products.md §6.6, §5 #7, stated explicitly): the returned-to step goes back
to the person who handled it (or for whom a deputy handled it), and after it is done again
the case runs forward through every later step once more — each later approver sees the
corrected case (退回重审). Returning to the initiator resets the case to its start event: the
initiator gets a 重新提交 item with the start form, and resubmitting runs the whole process
again from the first step. Nothing is deleted from the record: the returned items stay in
their handlers' 已办 as “退回”, and the audit log holds every round.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import OrgUnit
from models import ProcessInstance
from models import User
from models import WorkItem
from models import WorkItemKind
from workflows import audit
from workflows import rules
from workflows.actions import common
from workflows.cases import forms
from workflows.cases import store
from workflows.engine import BpmnWorkflow
from workflows.engine import StartEvent
from workflows.engine import Task
from workflows.engine import TaskState
from workflows.engine import clock
from workflows.engine import definitions
from workflows.engine import rewind
from workflows.engine.runtime import engine
from workflows.errors import AlreadyHandled
from workflows.errors import ValidationFailed
from workflows.notify import notifications

INITIATOR = "initiator"


def start_event(workflow: BpmnWorkflow) -> Task:
    """The BPMN start event the case started from."""
    return next(t for t in workflow.task_tree.children if isinstance(t.task_spec, StartEvent))


def _plans(workflow: BpmnWorkflow, item: WorkItem) -> list[rewind.Plan]:
    current = workflow.get_task_from_id(UUID(item.task_id))
    return rewind.return_plans(workflow, current) if current is not None else []


def last_handler(session: Session, task: Task) -> User | None:
    """Who handled a step's task last (the principal when a deputy did); None for 会签 steps."""
    if rewind.is_mi_wrapper(task):
        return None
    item = session.scalars(
        select(WorkItem).where(WorkItem.task_id == str(task.id), WorkItem.kind == WorkItemKind.TASK,
                               WorkItem.action == "complete").order_by(WorkItem.completed_at.desc()).limit(1)
    ).first()
    return common.handler_of(item) if item is not None else None


def return_options(session: Session, user: User, item: WorkItem) -> list[dict[str, Any]]:
    """Where `item` may be returned to: the initiator first, then earlier steps nearest first."""
    workflow = store.load(item.instance)
    start = start_event(workflow).task_spec
    options: list[dict[str, str | None]] = [{"value": INITIATOR, "label": f"发起人（{start.bpmn_name or '发起'}）",
                "handler": item.instance.initiator.username}]
    for plan in _plans(workflow, item):
        handler = last_handler(session, plan.target)
        options.append({"value": plan.name, "label": plan.title, "handler": handler.username if handler else None})
    return options


def _to_step(session: Session, item: WorkItem, workflow: BpmnWorkflow, to: str) -> list[WorkItem]:
    plan = next((p for p in _plans(workflow, item) if p.name == to), None)
    if plan is None:
        raise ValidationFailed("不能退回到该步骤", {"to": [f"“{to}”不是本流程在此之前办理过的步骤"]})
    instance = item.instance
    handler = last_handler(session, plan.target)
    before = rewind.completed_ids(workflow)
    rewind.apply(workflow, plan, definitions.assets(instance.definition)["forms"])
    engine().run(workflow)
    rewind.rebuild_case_data(session, instance, workflow, before)
    created = store.save(session, instance, workflow)
    back = [i for i in created if i.task_id == str(plan.target.id)]
    if handler is not None and handler.is_active:
        for new in back:
            common.set_handlers(new, [handler])
    return back or [i for i in created if i.task_name == plan.name]


def _to_initiator(session: Session, item: WorkItem, workflow: BpmnWorkflow) -> list[WorkItem]:
    instance = item.instance
    start = start_event(workflow)
    before = rewind.completed_ids(workflow)
    workflow.reset_from_task_id(start.id)  # held READY: only the resubmission runs it again
    rewind.rebuild_case_data(session, instance, workflow, before)
    store.save(session, instance, workflow)
    title = f"{start.task_spec.bpmn_name or '发起'}（退回修改）"
    resubmit = WorkItem(instance_id=instance.id, task_id=str(start.id), task_name=start.task_spec.bpmn_id,
                        title=title[:120], lane=INITIATOR, kind=WorkItemKind.RESUBMIT, created_at=clock.now())
    resubmit.instance = instance
    common.set_handlers(resubmit, [instance.initiator])
    session.add(resubmit)
    return [resubmit]


def return_item(session: Session, user: User, item_id: int, to: str | None = None,
                reason: str | None = None) -> WorkItem:
    """退回 the open item to the step `to` (a task name offered by `return_options`) or to
    the initiator. Raises NotFound, NotAllowed (403), AlreadyHandled (409), ValidationFailed
    (422: no reason, no or an unknown step)."""
    item, principal = common.open_item(session, user, item_id)
    text = common.require_text(reason, "reason", "退回理由")
    if not to:
        raise ValidationFailed("请选择退回到哪一步", {"to": ["请选择退回到哪一步"]})
    workflow = store.load(item.instance)
    common.close_as(session, item, user, principal, "return", text)
    back = _to_initiator(session, item, workflow) if to == INITIATOR else _to_step(session, item, workflow, to)
    for new in back:
        notifications.queue_item(session, new, "returned", body=f"{user.name}退回：{text}")
    audit.record(session, "task.return", actor=user, acted_for=item.acted_for, instance=item.instance, work_item=item,
                 payload={"task": item.task_name, "to": to, "to_title": back[0].title if back else to,
                          "reason": text})
    return item


def _case_data(session: Session, instance: ProcessInstance, form: dict[str, Any]) -> dict[str, Any]:
    meta = definitions.assets(instance.definition)["start"]
    subject_var = meta.get("subjectVariable")
    if subject_var and form.get(subject_var) != instance.data.get(subject_var):
        raise ValidationFailed("重新提交时不能更换人选", {subject_var: ["重新提交时不能更换人选；如需更换，请撤回后重新发起"]})
    unit = session.get(OrgUnit, instance.owning_unit_id)
    ctx = rules.RuleContext(session, data=form, task_name="start", owning_unit=unit)
    case = {**form, **rules.validate_all(meta.get("rules"), ctx, form)}
    keep = ("initiator", "owning_unit", "subject_name")
    return {**case, **{k: instance.data[k] for k in keep if k in instance.data}}


def _title(instance: ProcessInstance, case: dict[str, Any]) -> str:
    template = definitions.assets(instance.definition)["start"].get("titleTemplate")
    try:
        return template.format_map(case)[:200] if template else instance.title
    except (KeyError, ValueError):
        return instance.title


def resubmit(session: Session, user: User, item_id: int, data: Any, comment: str | None = None) -> WorkItem:
    """重新提交: the initiator's corrected start form; the case runs again from its first step.
    Raises like `tasks.complete` (422 for the form, its rules, or a changed candidate)."""
    item, principal = common.open_item(session, user, item_id, WorkItemKind.RESUBMIT)
    instance = item.instance
    assets = definitions.assets(instance.definition)
    meta, all_forms = assets["start"], assets["forms"]
    form = forms.validate(all_forms, meta["formJsonSchemaFilename"], data, instance.definition.content_hash)
    forms.check_comment(all_forms[meta["formJsonSchemaFilename"]], comment)
    case = _case_data(session, instance, form)
    workflow = store.load(instance)
    start = workflow.get_task_from_id(UUID(item.task_id))
    if start is None or start.state != TaskState.READY:
        raise AlreadyHandled("该流程已不在退回修改状态")
    workflow.task_tree.data = dict(case)
    start.data = dict(case)
    common.close_as(session, item, user, principal, "resubmit", comment)
    item.data = case
    instance.data, instance.title = case, _title(instance, case)
    engine().run(workflow)
    store.save(session, instance, workflow)
    audit.record(session, "instance.resubmit", actor=user, acted_for=item.acted_for, instance=instance,
                 work_item=item, payload={"task": item.task_name, "comment": comment, "data": case})
    return item
