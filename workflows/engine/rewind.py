"""Rewinding a case to an earlier step, for 退回 and 拿回 (reference/spiffworkflow.md §2.11).

The primitive is SpiffWorkflow's `reset_from_task_id`: it removes every descendant of the
step and makes it READY again *on the same task* — so however many times a case is returned,
the task tree does not grow (loop-depth trap G1): the returned-to step keeps its place in the
tree and only what followed it is rebuilt.

Which steps can be rewound to from a current step C:
- every completed user step on C's path (an ancestor of C in the tree), nearest first;
- a completed step in a parallel branch that was joined on C's path. SpiffWorkflow keeps
  only the last-arriving branch as the join's ancestor (the other branches' copies of the
  join are CANCELLED), so rewinding such a step also resets the completed join: the join then
  waits for the redone branch, and the other branches keep their results (部务会 退回 考察:
  the inspection is redone, the 纪委 opinion stands).

A multi-instance step (会签) is rewound as a whole: its instances are recreated. Stale form
values are cleared (G6) and the case data is rebuilt from what still stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ProcessInstance
from models import WorkItem
from models import WorkItemKind
from models import WorkItemStatus
from workflows.engine import definitions


@dataclass(frozen=True)
class Plan:
    """Reset `target`, then `join` (a completed parallel join on the current path) if set."""

    target: Task
    join: Task | None = None

    @property
    def name(self) -> str:
        return str(self.target.task_spec.bpmn_id)

    @property
    def title(self) -> str:
        return str(self.target.task_spec.bpmn_name or self.name)


def ancestors(task: Task) -> list[Task]:
    """The task's ancestors, nearest first."""
    found, node = [], task.parent
    while node is not None:
        found.append(node)
        node = node.parent
    return found


def descendants(task: Task) -> list[Task]:
    """Every task below `task` (iterative: the tree may be deep)."""
    found, stack = [], list(task.children)
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(node.children)
    return found


def is_mi_wrapper(task: Task) -> bool:
    return isinstance(task.task_spec, MultiInstanceTask)


def is_mi_instance(task: Task) -> bool:
    return task.parent is not None and is_mi_wrapper(task.parent)


def is_user_step(task: Task) -> bool:
    """A user task, or a multi-instance wrapper of user tasks (a 会签 step as a whole)."""
    if is_mi_wrapper(task):
        return bool(getattr(task.workflow.spec.task_specs[task.task_spec.task_spec], "manual", False))
    return bool(task.task_spec.manual) and not is_mi_instance(task)


def _is_join(task: Task) -> bool:
    return isinstance(task.task_spec, UnstructuredJoin) and len(task.task_spec.inputs) > 1


def _joined_branch_plans(workflow: BpmnWorkflow, path: list[Task]) -> list[Plan]:
    """Completed steps in other branches of the completed parallel joins on `path`."""
    on_path = {t.id for t in path}
    plans = []
    for index, join in enumerate(path):
        if not (_is_join(join) and join.state == TaskState.COMPLETED):
            continue
        for task in workflow.tasks.values():
            if task.id in on_path or task.state != TaskState.COMPLETED or not is_user_step(task):
                continue
            if _branch_joins(task, join, path, index):
                plans.append(Plan(task, join))
    return plans


def _branch_joins(task: Task, join: Task, path: list[Task], index: int) -> bool:
    """True when `task`'s branch ended in a cancelled copy of `join` of this very round: the
    branches meet after the last earlier occurrence of the join on the path."""
    if not any(d.task_spec is join.task_spec and d.state == TaskState.CANCELLED for d in descendants(task)):
        return False
    positions = {t.id: i for i, t in enumerate(path)}
    meet = next((positions[a.id] for a in ancestors(task) if a.id in positions), None)
    if meet is None or meet <= index:
        return False
    return not any(t.task_spec is join.task_spec for t in path[index + 1:meet])


def return_plans(workflow: BpmnWorkflow, current: Task) -> list[Plan]:
    """The steps `current` may be returned to, nearest first, one per step name."""
    path = ancestors(current)
    plans = [Plan(t) for t in path if t.state == TaskState.COMPLETED and is_user_step(t)]
    plans += _joined_branch_plans(workflow, path)
    unique: dict[str, Plan] = {}
    for plan in plans:
        unique.setdefault(plan.name, plan)
    return list(unique.values())


def take_back_plan(workflow: BpmnWorkflow, task: Task) -> Plan:
    """The plan that puts a completed step back: if its branch's join copy was cancelled (the
    join went on without it as ancestor), the live join is reset too."""
    cancelled = [d for d in descendants(task) if _is_join(d) and d.state == TaskState.CANCELLED]
    for copy in cancelled:
        live = [t for t in workflow.tasks.values() if t.task_spec is copy.task_spec
                and t.state == TaskState.COMPLETED and t not in ancestors(task)]
        live = [t for t in live if _branch_joins(task, t, [t, *ancestors(t)], 0)]
        if live:
            return Plan(task, min(live, key=lambda t: len(ancestors(t))))
    return Plan(task)


def affected(plan: Plan) -> list[Task]:
    """Every task a plan removes: what followed the target, and the join's successors."""
    tasks = descendants(plan.target)
    if plan.join is not None:
        tasks += [plan.join, *descendants(plan.join)]
    return tasks


def apply(workflow: BpmnWorkflow, plan: Plan, forms: dict[str, dict[str, Any]]) -> None:
    """Reset the plan's tasks and clear the target's stale form values (G6)."""
    workflow.reset_from_task_id(plan.target.id)
    if plan.join is not None:
        workflow.reset_from_task_id(plan.join.id)
    for field in _fields_of(plan.target, forms):
        plan.target.data.pop(field, None)


def _fields_of(task: Task, forms: dict[str, dict[str, Any]]) -> list[str]:
    spec = task.task_spec
    if is_mi_wrapper(task):  # re-armed by the reset itself, from the data before the step
        return []
    filename = definitions.properties(spec).get("formJsonSchemaFilename", "")
    return list(forms.get(filename, {}).get("properties", {}))


def completed_ids(workflow: BpmnWorkflow) -> set[str]:
    """Ids of the workflow's completed tasks: take them before a rewind for `rebuild_case_data`."""
    return {str(t.id) for t in workflow.tasks.values() if t.state == TaskState.COMPLETED}


def rebuild_case_data(session: Session, instance: ProcessInstance, workflow: BpmnWorkflow,
                      before: set[str]) -> None:
    """Drop from the case data what the steps removed by a rewind submitted, restoring each key
    to the value it had before them (the start data, then the steps that still stand, in order).

    `before` holds the completed task ids before the rewind. Only the latest submission of each
    of those tasks is read — the tree stays bounded (module doc), so a return costs the same at
    the thousandth step as at the fifth (T9)."""
    live = completed_ids(workflow)
    latest = select(func.max(WorkItem.id)).where(
        WorkItem.instance_id == instance.id, WorkItem.kind == WorkItemKind.TASK,
        WorkItem.status == WorkItemStatus.COMPLETED, WorkItem.action == "complete",
        WorkItem.task_id.in_(before | live)).group_by(WorkItem.task_id)
    done = session.scalars(select(WorkItem).where(WorkItem.id.in_(latest))
                           .order_by(WorkItem.completed_at, WorkItem.id)).all()
    undone = {key for item in done if item.task_id not in live for key in (item.data or {})}
    if not undone:
        return
    data = {k: v for k, v in instance.data.items() if k not in undone}
    start = workflow.task_tree.data
    data.update({k: start[k] for k in undone if k in start})
    for item in done:
        if item.task_id in live:
            data.update({k: v for k, v in (item.data or {}).items() if k in undone})
    instance.data = data
