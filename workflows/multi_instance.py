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
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
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
