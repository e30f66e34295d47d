"""Cases nobody can move, and the repair of those left behind by unmerged 会签 (G18).

A running case must always wait for someone (an open work item), for a timer, or for a
deadline job. One that waits for none of them is *stalled*: nothing in OrgFlow will ever move
it again. `stalled` lists them with the step they wait in (`flask workflows check`, 管理 ·
流程实例). `repair_plan` / `repair` find cases whose multi-instance step holds completed but
never merged instances — the stalled 会签 of SpiffWorkflow's lazy wiring, before specs were
wired at parse time — merge them, run the engine on and project the next work items, through
the same locked, revision-checked, audited path as any other change to a case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy import exists
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ProcessDefinition
from models import ProcessInstance
from models import TimerJob
from models import TimerStatus
from models import WorkItem
from models import WorkItemStatus
from workflows import audit
from workflows.cases import store
from workflows.engine import BpmnWorkflow
from workflows.engine import TaskState
from workflows.engine import definitions
from workflows.engine.locking import lock_instance
from workflows.engine.multi_instance import merge_unmerged
from workflows.engine.multi_instance import unmerged_instances
from workflows.engine.runtime import engine

WAITING = TaskState.STARTED | TaskState.WAITING | TaskState.READY


@dataclass
class StalledCase:
    id: int
    number: str
    process: str
    waiting_in: list[str]
    since: datetime | None


@dataclass
class Repair:
    """What repairing one case merges: (step name, number of signatures) per 会签 step."""

    id: int
    number: str
    merges: list[tuple[str, int]]


def _stalled_query(limit: int | None) -> Select[ProcessInstance]:
    open_item = exists().where(WorkItem.instance_id == ProcessInstance.id, WorkItem.status == WorkItemStatus.OPEN)
    pending_job = exists().where(TimerJob.instance_id == ProcessInstance.id, TimerJob.status == TimerStatus.PENDING)
    query = (select(ProcessInstance).where(ProcessInstance.status == "running", ~open_item, ~pending_job)
             .order_by(ProcessInstance.id))
    return query.limit(limit) if limit else query


def _step_name(task: Any) -> str:
    """The step's name in the diagram (a multi-instance wrapper is named by its instances' spec)."""
    spec = task.task_spec
    if not spec.bpmn_name and hasattr(spec, "merge_child"):
        spec = task.workflow.spec.task_specs[spec.task_spec]
    return str(spec.bpmn_name or spec.bpmn_id)


def waiting_steps(workflow: BpmnWorkflow) -> list[str]:
    """The named BPMN steps a workflow is inside of (running 会签 wrappers, waiting events, ready tasks)."""
    names = [_step_name(t) for t in workflow.get_tasks(state=WAITING) if getattr(t.task_spec, "bpmn_id", None)]
    return sorted(set(names))



def stalled(session: Session, limit: int | None = None) -> list[StalledCase]:
    """Every running case with no open work item, no pending timer and no pending deadline job,
    with the steps it waits in, oldest first."""
    found = []
    for instance in session.scalars(_stalled_query(limit)):
        found.append(StalledCase(instance.id, instance.number, instance.definition.name,
                                 waiting_steps(store.load(instance)), instance.updated_at))
    return found


def _with_loop_tasks(session: Session) -> list[int]:
    """Running cases on a definition that has a loop or multi-instance step (the only kind G18 strands)."""
    ids = []
    for definition in session.scalars(select(ProcessDefinition)):
        process = definitions.runtime(definition)
        specs = [process.spec, *process.subprocess_specs.values()]
        if any(hasattr(s, "merge_child") for spec in specs for s in spec.task_specs.values()):
            ids.append(definition.id)
    return list(session.scalars(select(ProcessInstance.id).where(
        ProcessInstance.status == "running", ProcessInstance.definition_id.in_(ids)).order_by(ProcessInstance.id)))


def _merges(found: list[tuple[Any, list[Any]]]) -> list[tuple[str, int]]:
    return [(_step_name(wrapper), len(instances)) for wrapper, instances in found]


def repair_plan(session: Session) -> list[Repair]:
    """The running cases holding completed but unmerged 会签 signatures (reads only)."""
    plan = []
    for instance_id in _with_loop_tasks(session):
        instance = session.get(ProcessInstance, instance_id)
        assert instance is not None
        found = unmerged_instances(store.load(instance))
        if found:
            plan.append(Repair(instance.id, instance.number, _merges(found)))
    return plan


def repair(session: Session, instance_id: int) -> Repair | None:
    """Repair one case in the caller's write transaction: lock it, merge its unmerged signatures,
    run the engine on, project the next items and timers, save, and record one `instance.repair`
    event. Idempotent: a case with nothing to merge is left untouched and None returned."""
    instance = lock_instance(session, instance_id)
    workflow = store.load(instance)
    found = merge_unmerged(workflow)
    if not found:
        return None
    engine().run(workflow)
    store.save(session, instance, workflow)
    merges = _merges(found)
    audit.record(session, "instance.repair", instance=instance,
                 payload={"merged": [{"task": wrapper.task_spec.bpmn_id, "signatures": len(children)}
                                     for wrapper, children in found],
                          "waiting_in": waiting_steps(workflow)})
    return Repair(instance.id, instance.number, merges)
