"""What a step's form opens with: the case so far and, for a step that is open again, what it
was last submitted with — the fields and the 审批意见 (issue 13 item 2). The case page and
`GET /api/v1/tasks/<id>` show the same values; a decision is never prefilled (G6), nor a field
the server computes, nor a person's own act (`"x-personal": true`, e.g. 本人签名): the 调查组's
signature is not ticked by the subject's signature of the 申辩, and is given again after 退回.

A table may open with one row per person the case already names: `"x-rows-from": {"source":
"members", "key": "member"}` on an array field gives it a row `{"member": m}` for each `m` of the
case's `members` (the 班子成员 chosen at the start) while it has no value of its own yet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import WorkItem
from models import WorkItemStatus
from workflows.cases import tasks

SUBMITTED = ("complete", "resubmit")  # how an item is completed with its form


@dataclass(frozen=True)
class Prefill:
    data: dict[str, Any]
    comment: str
    from_item: int | None  # the earlier round the values come from (None: the case data only)


def last_submission(session: Session, item: WorkItem) -> WorkItem | None:
    """The earlier round of this very step, when it is open again.

    A 退回 or 拿回 reopens the same SpiffWorkflow task (`workflows.engine.rewind`), so a completed
    item of the same task id is its previous round. The instances of a 会签 are made anew when
    the step runs again, so for a step held by one person the fallback is that person's last
    submission of the same step: each signer gets their own words back, never another's."""
    same_step = (WorkItem.instance_id == item.instance_id, WorkItem.id != item.id, WorkItem.kind == item.kind,
                 WorkItem.status == WorkItemStatus.COMPLETED, WorkItem.action.in_(SUBMITTED))
    newest = (WorkItem.completed_at.desc(), WorkItem.id.desc())
    found = session.scalars(select(WorkItem).where(*same_step, WorkItem.task_id == item.task_id)
                            .order_by(*newest).limit(1)).first()
    if found is None and item.assignee_id is not None:
        found = session.scalars(select(WorkItem).where(*same_step, WorkItem.task_name == item.task_name,
                                                       WorkItem.completed_by_id == item.assignee_id)
                                .order_by(*newest).limit(1)).first()
    return found


def prefill(session: Session, item: WorkItem, schema: dict[str, Any] | None = None) -> Prefill:
    """The values `item`'s form opens with (see the module docstring)."""
    schema = schema if schema is not None else tasks.form_schema(item)["schema"]
    props = schema.get("properties") or {}
    personal = {name for name, prop in props.items() if isinstance(prop, dict) and prop.get("x-personal") is True}
    skip = set(tasks.DECISION_FIELDS) | set(schema.get("x-server-fields") or []) | personal
    last = last_submission(session, item)
    values = {**item.instance.data, **((last.data or {}) if last is not None else {})}
    data = {k: v for k, v in values.items() if k in props and k not in skip}
    for name, prop in props.items():
        if name not in data and name not in skip and isinstance(prop, dict) and isinstance(prop.get("x-rows-from"), dict):
            data.update(_rows_from(name, prop, values))
    return Prefill(data, (last.comment or "") if last is not None else "", last.id if last is not None else None)


def _rows_from(name: str, prop: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """`{name: [{key: m} for m in values[source]]}` for an `x-rows-from` table (see the docstring)."""
    source, key = prop["x-rows-from"].get("source"), prop["x-rows-from"].get("key")
    people = values.get(source) if isinstance(source, str) else None
    if not isinstance(key, str) or not isinstance(people, list) or not people:
        return {}
    most = prop.get("maxItems")
    rows = [{key: person} for person in people if isinstance(person, str)]
    return {name: rows[:most] if isinstance(most, int) else rows}
