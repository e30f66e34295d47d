"""The queues: 待办 (todo), 已办 (done), 我发起的 (started), 抄送我的 (cc).

Pure queries on indexed tables; a queue never deserializes a workflow. `queue` returns model
rows (the JSON API serializes them); `queue_rows` adds what a list row shows — from whom, since
when, current step and handlers — for a whole page in a fixed number of queries.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.util import find_tables

from models import CaseCC
from models import OrgUnit
from models import ProcessDefinition
from models import ProcessInstance
from models import User
from models import WorkItem
from models import WorkItemCandidate
from models import WorkItemStatus
from models.cursor import Prepared
from webapp.pages import case_lines
from webapp.pages import item_lines
from workflows import sql
from workflows.cases import batch
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
def _item_options() -> tuple[Any, ...]:
    instance: Any = joinedload(WorkItem.instance)
    return (instance.options(*case_lines.instance_columns()), joinedload(WorkItem.assignee), joinedload(WorkItem.completed_by))


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


def _todo_count_statement(where: ColumnElement[bool], cap: int | None) -> Any:
    """The count of the items the 待办 `where` selects (at most `cap`). Someone who deputizes for
    nobody has a filter on the candidate table alone, counted on its index without reading one
    work item (on PostgreSQL the join made the count a scan of every work item); a 委托's filter
    reads the items' cases, so it is counted over the join."""
    if WorkItem.__table__ in find_tables(where, check_columns=True):
        query = _todo_query(where).with_only_columns(WorkItem.id)
    else:
        query = select(WorkItemCandidate.work_item_id).where(where, WorkItemCandidate.is_open.is_(True))
        if cap is not None:  # in the index's order: the count reads its first `cap` entries, where
            query = query.order_by(*TODO_ORDER)  # PostgreSQL would read them all, or scan the table
    if cap is not None:
        query = sql.page(query, cap)
    return select(func.count()).select_from(query.subquery())


# The unfiltered 待办 of someone who deputizes for nobody — nearly every page — as statements
# compiled once per process and run on the DB-API cursor (`models.cursor`): building, caching and
# running them through Core was 40% of the page. Their user is the parameter `user`.
_OWN = WorkItemCandidate.user_id == bindparam("user")


@functools.lru_cache(maxsize=64)
def _own_count(cap: int | None) -> Prepared:
    return Prepared(_todo_count_statement(_OWN, cap))


@functools.lru_cache(maxsize=64)
def _own_page(limit: int, offset: int) -> Prepared:
    return Prepared(item_lines.statement(_todo_query(_OWN).order_by(*TODO_ORDER), limit, offset))


def _own_only(session: Session, user: User) -> bool:
    """Whether `user`'s 待办 is their own candidate rows alone (they deputize for nobody now)."""
    return not delegation.active_for_deputy(session, user)


def _todo_total(session: Session, user: User, cap: int | None = None) -> int:
    """How many items `user`'s 待办 holds (at most `cap`)."""
    if _own_only(session, user):
        return int(_own_count(cap).scalar(session.connection(), {"user": user.id}))
    return session.scalar(_todo_count_statement(delegation.todo_filter(session, user), cap)) or 0


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
    return case_lines.instance_columns()


def queue(session: Session, user: User, view: str, limit: int = 20, offset: int = 0,
          filters: Filters | None = None) -> Page:
    """The user's queue `view`, newest first: work items (todo, done), cases (started) or CC rows (cc).

    Raises InvalidRequest for an unknown view or due filter, ValidationFailed for an unknown unit.
    """
    filters = filters or Filters()
    query = _query(session, user, view, filters)
    total = _total(session, user, view, filters, query, None)
    rows = session.scalars(sql.page(query.options(*_options(view)), limit, offset)).unique()
    return Page(list(rows), total)


def _total(session: Session, user: User, view: str, filters: Filters, query: Any, cap: int | None) -> int:
    """How many rows the queue `view` selects (`query`, unpaged), counting at most `cap`."""
    if view == "todo" and not filters.narrows():  # the whole 待办: counted on the candidate index
        return _todo_total(session, user, cap)
    counted = query.order_by(None)
    if cap is not None:
        counted = sql.page(counted, cap)
    return session.scalar(select(func.count()).select_from(counted.subquery())) or 0


def todo_count(session: Session, user: User, cap: int | None = None) -> int:
    """The size of the 待办: one index range scan on the candidate table, stopping at `cap`
    rows when given (the badge says “99+” beyond 99, so it need not count a big inbox)."""
    return _todo_total(session, user, cap)


# ---------------------------------------------------------------- rows for the lists

def _item_row(line: item_lines.ItemLine, now: datetime) -> Row:
    return Row(instance_id=line.instance_id, number=line.number, title=line.case_title, process=line.process,
               status=line.case_status, step=line.title, sender=line.sender,
               since=line.created_at if line.status == WorkItemStatus.OPEN else line.completed_at,
               item_id=line.id, due_at=line.due_at,
               overdue=line.status == WorkItemStatus.OPEN and line.due_at is not None and line.due_at < now,
               shared=line.assignee_id is None, decision=line.decision)


def _case_row(case: ProcessInstance, handlers: tuple[list[str], list[str]], sender: str, since: datetime) -> Row:
    steps, names = handlers
    return Row(instance_id=case.id, number=case.number, title=case.title, process=case.definition.name,
               status=case.status, step="、".join(steps), sender=sender, since=since, handlers=names)


def _item_lines(session: Session, user: User, view: str, limit: int, offset: int, filters: Filters,
                cap: int | None) -> tuple[list[item_lines.ItemLine], int]:
    """A page of the todo or done list as `ItemLine`s, and how many items it has (at most `cap`)."""
    if view == "todo" and not filters.narrows() and _own_only(session, user):
        lines = item_lines.prepared_page(session, _own_page(limit, offset), {"user": user.id})
        return lines, _todo_total(session, user, cap)
    query = _query(session, user, view, filters)
    return item_lines.page(session, query, limit, offset), _total(session, user, view, filters, query, cap)


def _item_rows(session: Session, user: User, view: str, lines: list[item_lines.ItemLine]) -> list[Row]:
    now = clock.now()
    rows = [_item_row(line, now) for line in lines]
    if view == "todo":
        principals = item_lines.acting_for(session, user, lines)
        for row in rows:
            row.acting_for = principals.get(row.item_id or 0, "")
    return rows


def queue_rows(session: Session, user: User, view: str, limit: int = 20, offset: int = 0,
               filters: Filters | None = None, cap: int | None = None) -> tuple[list[Row], int]:
    """A page of `view` as list rows, and the total count (see `queue`), at most `cap`."""
    filters = filters or Filters()
    if view in ("todo", "done"):
        lines, total = _item_lines(session, user, view, limit, offset, filters, cap)
        return _item_rows(session, user, view, lines), total
    if view not in VIEWS:
        raise InvalidRequest(f"未知的列表 view={view!r}，可用：{', '.join(VIEWS)}")
    query = _query(session, user, view, filters)
    total = _total(session, user, view, filters, query, cap)
    found = list(session.scalars(sql.page(query.options(*_options(view)), limit, offset)).unique())
    cases = case_lines.cc_cases(session, found) if view == "cc" else found
    handlers = case_lines.handlers(session, [c.id for c in cases])
    if view == "started":
        return [_case_row(c, handlers[c.id], c.initiator.name, c.created_at) for c in cases], total
    by_ids = {cc.by_id for cc in found if cc.by_id}
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(by_ids))).all()) if by_ids else {}
    by_id = {c.id: c for c in cases}
    rows = []
    for cc in found:
        rows.append(_case_row(by_id[cc.instance_id], handlers[cc.instance_id], names.get(cc.by_id, ""), cc.created_at))
        rows[-1].unread = cc.read_at is None
    return rows, total


# A list screen counts its rows up to here (or to the end of the page shown, past it): beyond,
# it says “1000+”. An exact count reads every entry of the index (0.6 ms at 10,000 open items,
# growing with the list), and no one pages through a thousand rows by number.
TOTAL_CAP = 1000


@dataclass
class QueuePage:
    view: str
    rows: list[Row]
    total: int  # exact, or the count up to the cap when `more`
    processes: list[tuple[str, str]]
    units: list[tuple[str, str]]
    more: bool = False  # the list has more rows than `total`
    batchable: set[int] = field(default_factory=set)  # the 待办 rows a 批量同意 may tick

    @property
    def shown_total(self) -> str:
        return f"{self.total}+" if self.more else str(self.total)


_PROCESSES = Prepared(select(ProcessDefinition.key, func.min(ProcessDefinition.name))
                      .group_by(ProcessDefinition.key).order_by(ProcessDefinition.key))


def queue_page(session: Session, user: User, view: str, filters: Filters, limit: int, offset: int) -> QueuePage:
    """A page of a queue for the list screen, its count up to `TOTAL_CAP` (or to the page's end),
    which of its 待办 rows a 批量同意 may tick, and the choices its filters offer."""
    counted = max(TOTAL_CAP, offset + limit)
    batchable: set[int] = set()
    if view in ("todo", "done"):
        lines, total = _item_lines(session, user, view, limit, offset, filters, counted + 1)
        rows = _item_rows(session, user, view, lines)
        if view == "todo":
            batchable = batch.eligible(session, [line.step for line in lines])
    else:
        rows, total = queue_rows(session, user, view, limit, offset, filters, counted + 1)
    processes = [(key, name) for key, name in _PROCESSES.rows(session.connection(), {})]
    units = list(assignment.unit_choices(session))
    return QueuePage(view, rows, min(total, counted), processes, units, more=total > counted, batchable=batchable)
