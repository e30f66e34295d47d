"""The unit of work that changes a case: its workflow loaded from the row, run by the caller,
projected and saved back (issue 14 §3).

Every place that changes a case goes through `load` and `save` here — starting it
(`cases.start`), completing a step (`cases.tasks.advance`), the approval actions that rewind or
end it (`actions.returning`, `actions.take_back`, `actions.ending`) and the timers
(`timers.fire`) — so the order is one: lock (the caller, `engine.locking`) → load → act and run
→ `save` (project READY tasks into work items and timer jobs, run end effects, store the state).

What then happens at commit is done by session listeners, listed here so a reader finds them:

- `models.process`: `before_flush` raises the case's `revision` once per transaction (the
  optimistic lock every UPDATE carries; a lost race is a 409);
- `workflows.audit`: `before_commit` chains the events queued with `audit.record` under the
  lock on the chain head; `after_rollback` drops them;
- `workflows.notify.notifications`: `before_commit` sends the "new item" notices queued by the
  projection to the handlers the item has at commit; `after_rollback` drops them;
- `workflows.engine.locking`: `after_transaction_end` releases the SQLite write queue.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from models import ProcessDefinition
from models import ProcessInstance
from models import WorkItem
from workflows.engine import BpmnWorkflow
from workflows.engine import definitions
from workflows.engine import projection
from workflows.engine.runtime import engine


def begin(definition: ProcessDefinition, data: dict[str, Any]) -> BpmnWorkflow:
    """A new workflow of `definition`, run to its first wait with the start form `data`."""
    return engine().start(definitions.runtime(definition), data)


def load(instance: ProcessInstance) -> BpmnWorkflow:
    """The case's workflow, restored from its stored state with its pinned definition's spec."""
    return engine().load(definitions.runtime(instance.definition), instance.state)


def dump(instance: ProcessInstance, workflow: BpmnWorkflow) -> None:
    """Store the workflow's state on the row without projecting (a cancelled workflow)."""
    instance.state = engine().dump(workflow)


def save(session: Session, instance: ProcessInstance, workflow: BpmnWorkflow,
         case_rows: projection.CaseRows | None = None) -> list[WorkItem]:
    """Project the workflow (work items, timer jobs, status, end effects) and store its state;
    returns the work items it opened. `case_rows`: see `projection.sync`."""
    created = projection.sync(session, instance, workflow, case_rows)
    dump(instance, workflow)
    return created
