"""The work items of a todo or done list page as plain rows: what each row shows of the item and
its case, who sent it and whom a deputy acts for (issue 17: the ORM's items, cases, definitions
and initiators cost the 待办 page a millisecond)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import aliased

from models import ProcessDefinition
from models import ProcessInstance
from models import User
from models import WorkItem
from models import WorkItemCandidate
from models import WorkItemStatus
from workflows import sql
from workflows.routing import delegation


class ItemLine(NamedTuple):
    """What a todo or done row shows of a work item and its case."""

    id: int
    instance_id: int
    title: str
    status: str
    created_at: datetime
    completed_at: datetime | None
    due_at: datetime | None
    assignee_id: int | None
    decision: str | None
    number: str
    case_title: str
    case_status: str
    process: str
    process_key: str
    initiator: str


# Aliases: a filtered queue has joined the case already.
_LINE_CASE = aliased(ProcessInstance, name="line_case")
_LINE_DEFINITION = aliased(ProcessDefinition, name="line_definition")
_LINE_INITIATOR = aliased(User, name="line_initiator")


def page(session: Session, query: Any, limit: int, offset: int) -> list[ItemLine]:
    """A page of a todo or done statement (of `WorkItem`) as `ItemLine`s, in one statement."""
    statement = (
        query.with_only_columns(
            WorkItem.id, WorkItem.instance_id, WorkItem.title, WorkItem.status, WorkItem.created_at,
            WorkItem.completed_at, WorkItem.due_at, WorkItem.assignee_id, WorkItem.decision, _LINE_CASE.number,
            _LINE_CASE.title, _LINE_CASE.status, _LINE_DEFINITION.name, _LINE_DEFINITION.key, _LINE_INITIATOR.name,
            maintain_column_froms=True)
        .join(_LINE_CASE, _LINE_CASE.id == WorkItem.instance_id)
        .join(_LINE_DEFINITION, _LINE_DEFINITION.id == _LINE_CASE.definition_id)
        .join(_LINE_INITIATOR, _LINE_INITIATOR.id == _LINE_CASE.initiator_id)
    )
    return [ItemLine(*row) for row in session.execute(sql.page(statement, limit, offset))]


def senders(session: Session, lines: list[ItemLine]) -> dict[int, str]:
    """Who sent each item: the last person to finish a step of its case before it arrived, else the initiator."""
    ids = {line.instance_id for line in lines}
    if not ids:
        return {}
    done = session.execute(
        select(WorkItem.instance_id, WorkItem.completed_at, User.name)
        .join(User, User.id == WorkItem.completed_by_id)
        .where(WorkItem.instance_id.in_(ids), WorkItem.status == WorkItemStatus.COMPLETED)
    ).all()
    by_case: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    for instance_id, completed_at, name in done:
        if completed_at is not None:  # a completed item always has its time
            by_case[instance_id].append((completed_at, name))
    senders = {}
    for line in lines:
        earlier = [(at, name) for at, name in by_case[line.instance_id] if at <= line.created_at]
        senders[line.id] = max(earlier)[1] if earlier else line.initiator
    return senders


def acting_for(session: Session, user: User, lines: list[ItemLine]) -> dict[int, str]:
    """Item id → the principal's name, for the items of a 待办 page that `user` holds only as a
    deputy (委托): the candidate whose active delegation covers the case's process."""
    grants = delegation.active_for_deputy(session, user)
    if not grants or not lines:
        return {}
    candidates: dict[int, set[int]] = defaultdict(set)
    for item_id, user_id in session.execute(select(WorkItemCandidate.work_item_id, WorkItemCandidate.user_id)
                                            .where(WorkItemCandidate.work_item_id.in_([line.id for line in lines]))):
        candidates[item_id].add(user_id)
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_({g.principal_id for g in grants}))).all())
    found = {}
    for line in lines:
        if user.id in candidates[line.id]:
            continue
        principal = next((g.principal_id for g in grants if g.principal_id in candidates[line.id]
                          and delegation.covers(g, line.process_key)), None)
        if principal is not None:
            found[line.id] = names[principal]
    return found
