"""The queues: 待办 (todo), 已办 (done), 我发起的 (started), 抄送我的 (cc).

Pure queries on indexed tables; a queue never deserializes a workflow. `queue` returns model
rows (the JSON API serializes them); `queue_rows` adds what a list row shows — from whom, since
when, current step and handlers — for a whole page in a fixed number of queries.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import load_only
from sqlalchemy.sql.util import find_tables

from models import CaseCC
from models import OrgUnit
from models import ProcessDefinition
from models import ProcessInstance
from models import User
from models import WorkItem
from models import WorkItemCandidate
from models import WorkItemStatus
from webapp.pages import item_lines
from workflows import sql
from workflows.engine import clock
from workflows.errors import InvalidRequest
from workflows.errors import ValidationFailed
from workflows.routing import assignment
from workflows.routing import delegation

VIEWS = ("todo", "done", "started", "cc")
FILTER_NAMES = ("process", "unit", "due", "q")
DUE_FILTERS = ("overdue", "today", "week")
MAX_FILTER = 100


@dataclass
class Page:
    items: list[Any]
    total: int


@dataclass(frozen=True)
class Filters:
    """Narrow a queue: process key, owning unit (with the units below it), due window, search text."""

    process: str | None = None
    unit: str | None = None
    due: str | None = None
    q: str | None = None

    def __post_init__(self) -> None:
        for name in FILTER_NAMES:
            value = getattr(self, name)
            if value is not None and len(value) > MAX_FILTER:
                raise InvalidRequest(f"筛选条件 {name} 不能超过 {MAX_FILTER} 个字符")

    def narrows(self) -> bool:
        """True when any filter is set (the list is then not the whole queue)."""
        return any((self.process, self.unit, self.due, self.q))


@dataclass
class Row:
    """One list row, whatever the queue: a work item (todo/done) or a case (started/cc)."""

    instance_id: int
    number: str
    title: str
    process: str
    status: str
    step: str
    sender: str
    since: datetime | None
    item_id: int | None = None
    due_at: datetime | None = None
    overdue: bool = False
    shared: bool = False
    decision: str | None = None
    handlers: list[str] = field(default_factory=list)
    acting_for: str = ""  # 待办 of a deputy: the principal they would act for (代X办理)
    unread: bool = False  # 抄送我的: not opened yet

    @property
    def css(self) -> str:
        """The row's classes in a list (Jinja's `select` filter took a sixth of the 待办 page's template)."""
        return " ".join(name for name, on in (("overdue", self.overdue), ("unread", self.unread)) if on)


@functools.cache
def _instance_columns() -> tuple[Any, ...]:
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


@functools.cache
def _item_options() -> tuple[Any, ...]:
    instance: Any = joinedload(WorkItem.instance)
    return (instance.options(*_instance_columns()), joinedload(WorkItem.assignee), joinedload(WorkItem.completed_by))


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _case_filters(session: Session, query: Any, filters: Filters) -> Any:
    if filters.process:
        query = query.where(ProcessInstance.definition_id.in_(
            select(ProcessDefinition.id).where(ProcessDefinition.key == filters.process)))
    if filters.unit:
        path = session.scalar(select(OrgUnit.path).where(OrgUnit.code == filters.unit))
        if path is None:
            raise ValidationFailed(f"组织“{filters.unit}”不存在", {"unit": [f"组织“{filters.unit}”不存在"]})
        query = query.where(ProcessInstance.owning_unit_id.in_(
            select(OrgUnit.id).where(OrgUnit.path.startswith(path, autoescape=True))))
    if filters.q:
        pattern = _like(filters.q.strip())
        query = query.where(or_(ProcessInstance.number.ilike(pattern, escape="\\"),
                                ProcessInstance.title.ilike(pattern, escape="\\")))
    return query


def _due_filter(query: Any, due: str | None) -> Any:
    if not due:
        return query
    if due not in DUE_FILTERS:
        raise InvalidRequest(f"未知的期限筛选 due={due!r}，可用：{', '.join(DUE_FILTERS)}")
    now = clock.now()
    if due == "overdue":
        return query.where(WorkItem.due_at < now)
    local = clock.today_local()
    end = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1 if due == "today" else 7)
    return query.where(WorkItem.due_at >= now, WorkItem.due_at < end)


# Newest first, ties by item: both in the candidate index (`ix_work_item_candidate_inbox`), so a page
# reads its 20 entries however many items share a moment.
TODO_ORDER = (WorkItemCandidate.created_at.desc(), WorkItemCandidate.work_item_id.desc())


def _todo_query(where: ColumnElement[bool]) -> Any:
    # Their own candidate rows and, during a 委托, their principals' (`where`: delegation.todo_filter);
    # `is_open` says the item is open, not held and not claimed by another (actions.signing.open_candidates).
    return (
        select(WorkItem)
        .join(WorkItemCandidate, WorkItemCandidate.work_item_id == WorkItem.id)
        .where(where, WorkItemCandidate.is_open.is_(True))
    )


def _todo_total(session: Session, where: ColumnElement[bool], cap: int | None = None) -> int:
    """How many items the 待办 `where` selects (at most `cap`). Someone who deputizes for nobody has
    a filter on the candidate table alone, counted on its index without reading one work item
    (on PostgreSQL the join made the count a scan of every work item); a 委托's filter reads the
    items' cases, so it is counted over the join."""
    if WorkItem.__table__ in find_tables(where, check_columns=True):
        query = _todo_query(where).with_only_columns(WorkItem.id)
    else:
        query = select(WorkItemCandidate.work_item_id).where(where, WorkItemCandidate.is_open.is_(True))
        if cap is not None:  # in the index's order: the count reads its first `cap` entries, where
            query = query.order_by(*TODO_ORDER)  # PostgreSQL would read them all, or scan the table
    if cap is not None:
        query = sql.page(query, cap)
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _query(session: Session, user: User, view: str, filters: Filters) -> Any:
    if view == "todo":
        query = _due_filter(_todo_query(delegation.todo_filter(session, user)), filters.due).order_by(*TODO_ORDER)
    elif view == "done":
        query = select(WorkItem).where(WorkItem.completed_by_id == user.id).order_by(
            WorkItem.completed_at.desc(), WorkItem.id.desc())
    elif view == "started":
        query = select(ProcessInstance).where(ProcessInstance.initiator_id == user.id).order_by(
            ProcessInstance.created_at.desc(), ProcessInstance.id.desc())
    elif view == "cc":
        query = select(CaseCC).where(CaseCC.user_id == user.id).order_by(CaseCC.created_at.desc(), CaseCC.id.desc())
    else:
        raise InvalidRequest(f"未知的列表 view={view!r}，可用：{', '.join(VIEWS)}")
    if view in ("todo", "done", "cc") and (filters.process or filters.unit or filters.q):
        source = WorkItem.instance_id if view != "cc" else CaseCC.instance_id
        query = query.join(ProcessInstance, ProcessInstance.id == source)
    return _case_filters(session, query, filters)


def _options(view: str) -> tuple[Any, ...]:
    if view in ("todo", "done"):
        return _item_options()
    if view == "cc":
        return ()
    return _instance_columns()


def queue(session: Session, user: User, view: str, limit: int = 20, offset: int = 0,
          filters: Filters | None = None) -> Page:
    """The user's queue `view`, newest first: work items (todo, done), cases (started) or CC rows (cc).

    Raises InvalidRequest for an unknown view or due filter, ValidationFailed for an unknown unit.
    """
    query, total = _counted(session, user, view, filters or Filters())
    rows = session.scalars(sql.page(query.options(*_options(view)), limit, offset)).unique()
    return Page(list(rows), total)


def _counted(session: Session, user: User, view: str, filters: Filters) -> tuple[Any, int]:
    """The statement of the queue `view` (unpaged) and how many rows it selects."""
    if view == "todo" and not filters.narrows():  # the whole 待办: counted on the candidate index
        where = delegation.todo_filter(session, user)
        return _todo_query(where).order_by(*TODO_ORDER), _todo_total(session, where)
    query = _query(session, user, view, filters)
    return query, session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def todo_count(session: Session, user: User, cap: int | None = None) -> int:
    """The size of the 待办: one index range scan on the candidate table, stopping at `cap`
    rows when given (the badge says “99+” beyond 99, so it need not count a big inbox)."""
    return _todo_total(session, delegation.todo_filter(session, user), cap)


# ---------------------------------------------------------------- rows for the lists

def _handlers(session: Session, instance_ids: list[int]) -> dict[int, tuple[list[str], list[str]]]:
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


def _item_row(line: item_lines.ItemLine, sender: str, now: datetime) -> Row:
    return Row(instance_id=line.instance_id, number=line.number, title=line.case_title, process=line.process,
               status=line.case_status, step=line.title, sender=sender,
               since=line.created_at if line.status == WorkItemStatus.OPEN else line.completed_at,
               item_id=line.id, due_at=line.due_at,
               overdue=line.status == WorkItemStatus.OPEN and line.due_at is not None and line.due_at < now,
               shared=line.assignee_id is None, decision=line.decision)


def _case_row(case: ProcessInstance, handlers: tuple[list[str], list[str]], sender: str, since: datetime) -> Row:
    steps, names = handlers
    return Row(instance_id=case.id, number=case.number, title=case.title, process=case.definition.name,
               status=case.status, step="、".join(steps), sender=sender, since=since, handlers=names)


def cc_cases(session: Session, ccs: list[CaseCC]) -> list[ProcessInstance]:
    """The cases of a page of CC rows, in one query."""
    ids = [cc.instance_id for cc in ccs]
    if not ids:
        return []
    return list(session.scalars(select(ProcessInstance).where(ProcessInstance.id.in_(ids))
                                .options(*_instance_columns())).unique())


def queue_rows(session: Session, user: User, view: str, limit: int = 20, offset: int = 0,
               filters: Filters | None = None) -> tuple[list[Row], int]:
    """A page of `view` as list rows, and the total count (see `queue`)."""
    now = clock.now()
    if view in ("todo", "done"):
        query, total = _counted(session, user, view, filters or Filters())
        lines = item_lines.page(session, query, limit, offset)
        senders = item_lines.senders(session, lines)
        rows = [_item_row(line, senders[line.id], now) for line in lines]
        if view == "todo":
            principals = item_lines.acting_for(session, user, lines)
            for row in rows:
                row.acting_for = principals.get(row.item_id or 0, "")
        return rows, total
    page = queue(session, user, view, limit, offset, filters)
    cases = cc_cases(session, page.items) if view == "cc" else page.items
    handlers = _handlers(session, [c.id for c in cases])
    if view == "started":
        return [_case_row(c, handlers[c.id], c.initiator.name, c.created_at) for c in cases], page.total
    by_ids = {cc.by_id for cc in page.items if cc.by_id}
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(by_ids))).all()) if by_ids else {}
    by_id = {c.id: c for c in cases}
    rows = []
    for cc in page.items:
        rows.append(_case_row(by_id[cc.instance_id], handlers[cc.instance_id], names.get(cc.by_id, ""), cc.created_at))
        rows[-1].unread = cc.read_at is None
    return rows, page.total


@dataclass
class QueuePage:
    view: str
    rows: list[Row]
    total: int
    processes: list[tuple[str, str]]
    units: list[tuple[str, str]]


def queue_page(session: Session, user: User, view: str, filters: Filters, limit: int, offset: int) -> QueuePage:
    """A page of a queue for the list screen, with the choices its filters offer."""
    rows, total = queue_rows(session, user, view, limit, offset, filters)
    processes = [(key, name) for key, name in session.execute(
        select(ProcessDefinition.key, func.min(ProcessDefinition.name)).group_by(ProcessDefinition.key)
        .order_by(ProcessDefinition.key))]
    units = list(assignment.unit_choices(session))
    return QueuePage(view, rows, total, processes, units)
