"""The locked read of a completion as one Core statement run on the DB-API cursor (`models.cursor`),
its rows made into the session's objects by `models.reads` (issue 17: through the ORM's loading the
same row cost seven times its SQL).

One statement, once per process: the item and the case's other open items, each with its
candidates; the case's timer jobs (on the item's rows only); the case with its definition (less its
XML and forms, which a step never reads from the row), subject, initiator and unit; and whether
后加签 signers wait on each item. What it returns is what the ORM statement returned: a row per
(item, candidate, timer) of (item, signers wait, candidate or None, timer or None, case), the
objects refreshed from the row as `populate_existing` refreshes them, the case's many-to-one
references set as a joined load sets them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from models import OrgUnit
from models import ProcessDefinition
from models import ProcessInstance
from models import TimerJob
from models import User
from models import WorkItem
from models import WorkItemCandidate
from models import WorkItemStatus
from models import reads
from models.cursor import Prepared
from workflows.actions import signing
from workflows.engine import projection

_NO_SECRET = ("password_hash",)


@dataclass(frozen=True)
class _Part:
    """One entity of the row: its model, the keys of its columns and where they sit in the row."""

    model: type[Any]
    keys: tuple[str, ...]
    start: int

    def values(self, row: Any) -> dict[str, Any] | None:
        values = dict(zip(self.keys, row[self.start:self.start + len(self.keys)], strict=True))
        return values if values["id"] is not None else None  # an outer join that found nothing


@functools.cache
def _statement() -> tuple[Prepared, dict[str, _Part], int]:
    """The statement (parameter `item_id`), its parts by name and the index of the signers flag."""
    candidate, subject, initiator = (User.__table__.alias(name) for name in ("candidate", "subject", "initiator"))
    sources: dict[str, tuple[type[Any], Any, tuple[str, ...]]] = {
        "item": (WorkItem, WorkItem.__table__, ()),
        "candidate": (User, candidate, _NO_SECRET),
        "timer": (TimerJob, TimerJob.__table__, ()),
        "case": (ProcessInstance, ProcessInstance.__table__, ()),
        "definition": (ProcessDefinition, ProcessDefinition.__table__, ("bpmn_xml", "assets")),
        "subject": (User, subject, _NO_SECRET),
        "initiator": (User, initiator, _NO_SECRET),
        "unit": (OrgUnit, OrgUnit.__table__, ()),
    }
    columns: list[Any] = []
    parts: dict[str, _Part] = {}
    for name, (model, source, skip) in sources.items():
        keyed = reads.column_keys(model, skip)
        parts[name] = _Part(model, tuple(key for key, _ in keyed), len(columns))
        columns.extend(source.c[column.key] for _, column in keyed)
    flag = len(columns)
    columns.append(signing.waiting_after_signers(WorkItem.id))
    target = WorkItem.id == bindparam("item_id")
    owner = select(WorkItem.instance_id).where(target).scalar_subquery()
    case = ProcessInstance.__table__
    statement = (
        select(*columns)
        .select_from(WorkItem.__table__)
        .outerjoin(WorkItemCandidate.__table__, WorkItemCandidate.work_item_id == WorkItem.id)
        .outerjoin(candidate, candidate.c.id == WorkItemCandidate.user_id)
        .outerjoin(TimerJob.__table__, and_(target, TimerJob.instance_id == WorkItem.instance_id,
                                            projection.CASE_TIMERS))
        .join(case, case.c.id == WorkItem.instance_id)
        .join(ProcessDefinition.__table__, ProcessDefinition.id == case.c.definition_id)
        .outerjoin(subject, subject.c.id == case.c.subject_user_id)
        .join(initiator, initiator.c.id == case.c.initiator_id)
        .join(OrgUnit.__table__, OrgUnit.id == case.c.owning_unit_id)
        .where(or_(target, WorkItem.status == WorkItemStatus.OPEN), WorkItem.instance_id == owner)
        .order_by(WorkItem.id)
    )
    return Prepared(statement), parts, flag


def rows(session: Session, item_id: int) -> list[tuple[Any, bool, Any, Any, Any]]:
    """The read's rows as the session's objects (module docstring); [] when there is no such item."""
    if not isinstance(session, Session):  # a scoped proxy (db.session): the Session it stands for
        session = session()
    if session.autoflush and (session.new or session.dirty or session.deleted):
        session.flush()  # as the ORM's query would, before it reads
    statement, parts, flag = _statement()
    seen: dict[tuple[str, Any], Any] = {}  # each object refreshed once, whatever the rows repeat

    def obj(name: str, row: Any) -> Any:
        part = parts[name]
        values = part.values(row)
        if values is None:
            return None
        key = (part.model.__name__, values["id"])
        if key not in seen:
            seen[key] = reads.loaded(session, part.model, values, refresh=True)
        return seen[key]

    found = []
    for row in statement.rows(session.connection(), {"item_id": item_id}):
        case = obj("case", row)
        if ("references", case.id) not in seen:
            seen["references", case.id] = True
            for name, relation in (("definition", "definition"), ("subject", "subject_user"),
                                   ("initiator", "initiator"), ("unit", "owning_unit")):
                set_committed_value(case, relation, obj(name, row))
        found.append((obj("item", row), bool(row[flag]), obj("candidate", row), obj("timer", row), case))
    return found
