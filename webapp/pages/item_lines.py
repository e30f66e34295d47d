"""The work items of a todo or done list page as plain rows: what each row shows of the item and
its case, who sent it, what 批量同意 judges it by, and whom a deputy acts for — one statement
for the rows (issue 17: the ORM's items, cases, definitions and initiators cost the 待办 page a
millisecond; the senders' and the batch check's own queries another half)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any
from typing import NamedTuple

from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import func
from sqlalchemy import literal_column
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import aliased

from models import ProcessDefinition
from models import ProcessInstance
from models import User
from models import WorkItem
from models import WorkItemCandidate
from models import WorkItemStatus
from models.cursor import Prepared
from workflows import sql
from workflows.cases import batch
from workflows.routing import delegation


class ItemLine(NamedTuple):
    """What a todo or done row shows of a work item and its case, and what 批量同意 judges it by."""

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
    sender: str
    definition_id: int
    content_hash: str
    kind: str
    task_name: str

    @property
    def step(self) -> batch.Step:
        """The step as `batch.eligible` judges it."""
        return batch.Step(self.id, self.definition_id, self.content_hash, self.kind, self.task_name)


# Aliases: a filtered queue has joined the case already.
_LINE_CASE = aliased(ProcessInstance, name="line_case")
_LINE_DEFINITION = aliased(ProcessDefinition, name="line_definition")
_LINE_INITIATOR = aliased(User, name="line_initiator")
_EARLIER = aliased(WorkItem, name="earlier")
_EARLIER_BY = aliased(User, name="earlier_by")
# Written into the statement, not sent: PostgreSQL plans a prepared statement once for all
# (a generic plan) only if that plan costs what the per-run plans did, and a status sent as a
# parameter is costed as any status (most items are open), so every page was planned again.
_COMPLETED = literal_column(f"'{WorkItemStatus.COMPLETED.value}'", String)


def _sender() -> Any:
    """Who sent the item: the last person to finish a step of its case before it arrived (the
    later name on a tie), else the case's initiator. Per row, on `ix_work_item_instance_status`."""
    last = (
        select(_EARLIER_BY.name)
        .select_from(_EARLIER)
        .join(_EARLIER_BY, _EARLIER_BY.id == _EARLIER.completed_by_id)
        .where(_EARLIER.instance_id == WorkItem.instance_id, _EARLIER.status == _COMPLETED,
               _EARLIER.completed_at <= WorkItem.created_at)
        .order_by(_EARLIER.completed_at.desc(), _EARLIER_BY.name.desc())
        .limit(literal_column("1", Integer))
        .correlate(WorkItem)
        .scalar_subquery()
    )
    return func.coalesce(last, _LINE_INITIATOR.name)


def statement(query: Any, limit: int, offset: int) -> Any:
    """A page of a todo or done statement (of `WorkItem`) as the columns of `ItemLine`."""
    return sql.page(
        query.with_only_columns(
            WorkItem.id, WorkItem.instance_id, WorkItem.title, WorkItem.status, WorkItem.created_at,
            WorkItem.completed_at, WorkItem.due_at, WorkItem.assignee_id, WorkItem.decision, _LINE_CASE.number,
            _LINE_CASE.title, _LINE_CASE.status, _LINE_DEFINITION.name, _LINE_DEFINITION.key, _sender(),
            _LINE_DEFINITION.id, _LINE_DEFINITION.content_hash, WorkItem.kind, WorkItem.task_name,
            maintain_column_froms=True)
        .join(_LINE_CASE, _LINE_CASE.id == WorkItem.instance_id)
        .join(_LINE_DEFINITION, _LINE_DEFINITION.id == _LINE_CASE.definition_id)
        .join(_LINE_INITIATOR, _LINE_INITIATOR.id == _LINE_CASE.initiator_id),
        limit, offset)


def page(session: Session, query: Any, limit: int, offset: int) -> list[ItemLine]:
    """A page of a todo or done statement (of `WorkItem`) as `ItemLine`s, in one statement."""
    return [ItemLine(*row) for row in session.execute(statement(query, limit, offset))]


def prepared_page(session: Session, prepared: Prepared, params: dict[str, Any]) -> list[ItemLine]:
    """The same from a `Prepared` form of `statement` (the unfiltered 待办's, `webapp.pages.inbox`)."""
    return [ItemLine(*row) for row in prepared.rows(session.connection(), params)]


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
