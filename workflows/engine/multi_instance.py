"""会签 / 或签 / 票签 on multi-instance user tasks (reference/spiffworkflow.md §2.7, G3).

SpiffWorkflow evaluates a multi-instance `completionCondition` against the data of the
instance that just finished only; it has no `nrOf…` counters. This script engine adds them,
so a diagram can say what its step needs:

- 会签 (everyone signs): no completionCondition;
- 或签 (the first one decides): `completionCondition` `True`;
- a vote threshold (票签), e.g. two thirds agree:
  `sum(1 for v in mi_outputs.values() if v["decision"] == "agree") * 3 >= nrOfInstances * 2`.

When the condition holds, SpiffWorkflow cancels the instances still open and the projection
closes their work items. Added signers (加签) never count here: they sign an item, not the step.

SpiffWorkflow 3.2 connects a multi-instance task to its instances lazily, in memory, on the
spec object (reference/spiffworkflow.md G18): `create_child` connects the instance spec's
`completed_event` to the wrapper's `merge_child`. A spec parsed in another thread or process, or
after a restart, never saw `create_child` run, so an instance completed there would never be
merged and the case would wait for ever. `wire_merges` makes that connection once, when a spec
is parsed, as SpiffWorkflow's own spec deserializer does; `refuse_lazy_wiring` rejects the two
constructs whose run-time spec changes cannot be made safe that way (see docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import AdHocSubprocessSpec
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState


def completion_context(task: Task) -> dict[str, Any]:
    """`nrOfInstances`, `nrOfCompletedInstances`, `nrOfActiveInstances` and `mi_outputs` for an
    instance of a multi-instance task ({} for any other task).

    `mi_outputs` is the output collection gathered so far, the finishing instance included,
    always as a mapping (a list output is keyed by position).
    """
    wrapper = task.parent
    spec = wrapper.task_spec if wrapper is not None else None
    if not isinstance(spec, MultiInstanceTask):
        return {}
    instances = [c for c in wrapper.children if c.task_spec.name == spec.task_spec]
    completed = sum(1 for c in instances if c.state == TaskState.COMPLETED)
    outputs: Any = spec.data_output.get(wrapper) if spec.data_output is not None else {}
    if not isinstance(outputs, Mapping):
        outputs = dict(enumerate(outputs or []))
    total = len(instances) + len(wrapper.internal_data.get("remaining", []))
    return {
        "nrOfInstances": total,
        "nrOfCompletedInstances": completed,
        "nrOfActiveInstances": sum(1 for c in instances if not c.has_state(TaskState.FINISHED_MASK)),
        "mi_outputs": dict(outputs),
    }


class ApprovalScriptEngine(PythonScriptEngine):
    """The script engine of every diagram: the stock one plus the multi-instance counters."""

    def evaluate(self, task: Task, expression: str, external_context: dict[str, Any] | None = None) -> Any:
        context = completion_context(task)
        if context:
            external_context = {**context, **(external_context or {})}
        return super().evaluate(task, expression, external_context)


def wire_merges(process_spec: Any) -> int:
    """Connect every loop / multi-instance task of a process spec to its instance spec, so an
    instance completed in any thread or process is merged into its wrapper. Idempotent; returns
    how many connections it made."""
    made = 0
    for spec in list(process_spec.task_specs.values()):
        if not isinstance(spec, LoopTask):
            continue
        instance_spec = process_spec.task_specs[spec.task_spec]
        if not instance_spec.completed_event.is_connected(spec.merge_child):
            instance_spec.completed_event.connect(spec.merge_child)
            made += 1
    return made


def lazy_wiring_problems(process_spec: Any) -> list[str]:
    """Constructs whose spec SpiffWorkflow 3.2 rewires while a case runs, changing how every later
    case on the same spec object behaves: ad hoc subprocesses (`add_path` connects the start to a
    path the first time it is re-run) and message/signal-started participants or event
    subprocesses (`trigger_wf` connects the start to them the first time one is triggered)."""
    problems = []
    if isinstance(process_spec, AdHocSubprocessSpec):
        problems.append(f"{process_spec.name}: ad hoc subprocesses are not supported")
    start = getattr(process_spec, "start", None)
    for name in getattr(start, "trigger_specs", []):
        problems.append(f"{process_spec.name}: {name} is started by a message or signal, which is not supported")
    return problems


def unmerged_instances(workflow: Any) -> list[tuple[Task, list[Task]]]:
    """Loop / multi-instance tasks still running whose completed instances were never merged
    (cases left behind by G18 before specs were wired at parse time): (wrapper, instances in
    the order they completed)."""
    found = []
    for wrapper in workflow.get_tasks(state=TaskState.STARTED):
        spec = wrapper.task_spec
        if not isinstance(spec, LoopTask):
            continue
        merged = set(wrapper.internal_data.get("merged", []))
        pending = [c for c in wrapper.children if c.task_spec.name == spec.task_spec
                   and c.state == TaskState.COMPLETED and str(c.id) not in merged]
        if pending:
            found.append((wrapper, sorted(pending, key=lambda c: c.last_state_change)))
    return found


def merge_unmerged(workflow: Any) -> list[tuple[Task, list[Task]]]:
    """Merge every completed-but-unmerged instance into its wrapper, in completion order, as
    SpiffWorkflow would have when it completed; the wrapper becomes READY when its instances are
    done (or its completion condition holds) and the next engine run moves the case on.
    Returns what was merged."""
    found = unmerged_instances(workflow)
    for wrapper, instances in found:
        spec = wrapper.task_spec
        for child in instances:
            spec.merge_child(workflow, child)
            if isinstance(spec, MultiInstanceTask) and spec.condition is not None \
                    and spec.check_completion_condition(wrapper):
                break  # 或签 / 票签 decided here: later signatures would have been cancelled
    return found
