"""The cases of a 我发起的 or 抄送我的 list page: the columns a row shows and, per case, its open
steps and the people they wait for."""

from __future__ import annotations

import functools
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import load_only

from models import CaseCC
from models import ProcessDefinition
from models import ProcessInstance
from models import User
from models import WorkItem
from models import WorkItemCandidate
from models import WorkItemStatus


@functools.cache
def instance_columns() -> tuple[Any, ...]:
    """Load the case columns a row shows, never the workflow state or the definition's XML. Built
    once per process (loader options are immutable; building them was 0.6 ms of every list)."""
    return (
        load_only(ProcessInstance.id, ProcessInstance.number, ProcessInstance.title, ProcessInstance.status,
                  ProcessInstance.definition_id, ProcessInstance.initiator_id, ProcessInstance.created_at,
                  ProcessInstance.completed_at, ProcessInstance.owning_unit_id, ProcessInstance.revision),
        joinedload(ProcessInstance.definition).load_only(ProcessDefinition.key, ProcessDefinition.name,
                                                         ProcessDefinition.version),
        joinedload(ProcessInstance.initiator).load_only(User.username, User.name),
    )


def handlers(session: Session, instance_ids: list[int]) -> dict[int, tuple[list[str], list[str]]]:
    """Per case: the titles of its open steps and the people they wait for."""
    if not instance_ids:
        return {}
    rows = session.execute(
        select(WorkItem.instance_id, WorkItem.title, User.name)
        .join(WorkItemCandidate, WorkItemCandidate.work_item_id == WorkItem.id)
        .join(User, User.id == WorkItemCandidate.user_id)
        .where(WorkItem.instance_id.in_(instance_ids), WorkItem.status == WorkItemStatus.OPEN,
               (WorkItem.assignee_id.is_(None)) | (WorkItem.assignee_id == WorkItemCandidate.user_id))
        .order_by(WorkItem.id, User.id)
    ).all()
    found: dict[int, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    for instance_id, title, name in rows:
        steps, names = found[instance_id]
        if title not in steps:
            steps.append(title)
        if name not in names:
            names.append(name)
    return found


def cc_cases(session: Session, ccs: list[CaseCC]) -> list[ProcessInstance]:
    """The cases of a page of CC rows, in one query."""
    ids = [cc.instance_id for cc in ccs]
    if not ids:
        return []
    return list(session.scalars(select(ProcessInstance).where(ProcessInstance.id.in_(ids))
                                .options(*instance_columns())).unique())
