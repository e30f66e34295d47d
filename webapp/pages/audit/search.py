"""审计 queries (auditors only): every case by process, unit (and the units below), status, start
date, person and number; the event log by action, actor, date and case. Each page is one joined
query plus a count (no query per row); exports walk the same query in batches (`yield_per`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

from sqlalchemy import Select
from sqlalchemy import false
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import aliased

from models import AuditEvent
from models import OrgUnit
from models import ProcessDefinition
from models import ProcessInstance
from models import ProcessStatus
from models import Role
from models import User
from webapp.pages.audit import reading as audit_reading
from workflows import sql
from workflows.audit import reads
from workflows.engine import clock
from workflows.engine import definitions
from workflows.errors import InvalidRequest
from workflows.errors import NotAllowed
from workflows.routing import permissions

Initiator, Subject, Actor, Principal = (aliased(User) for _ in range(4))
ActorUnit = aliased(OrgUnit)


def require_auditor(session: Session, user: User) -> None:
    if not permissions.has_role(session, user, Role.AUDITOR):
        raise NotAllowed("只有审计人员可以进入审计")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), clock.SHANGHAI)


def _filters(search: Any) -> dict[str, str]:
    """The filters actually set, as text (how an export's audit event names what was exported)."""
    return {k: (v.isoformat() if isinstance(v, date) else str(v)) for k, v in asdict(search).items() if v}


def _people(session: Session, who: str) -> Any:
    """Ids of the users whose username or name is `who` (a subquery)."""
    return select(User.id).where(or_(User.username == who, User.name == who)).scalar_subquery()


# ---------------------------------------------------------------- cases

@dataclass(frozen=True)
class CaseSearch:
    q: str = ""  # number or title contains
    process: str = ""
    unit: str = ""  # owning unit code; the units below it too
    status: str = ""
    since: date | None = None
    until: date | None = None
    person: str = ""  # username or name: the initiator, the person concerned, or anyone who acted

    def filters(self) -> dict[str, str]:
        return _filters(self)


@dataclass
class CaseRow:
    id: int
    number: str
    title: str
    process: str
    status: str
    initiator: str
    unit: str
    subject: str
    created_at: datetime
    completed_at: datetime | None


@dataclass
class CasePage:
    rows: list[CaseRow]
    total: int
    processes: list[ProcessDefinition]
    statuses: list[str]
    units: list[tuple[str, str]]


def _acted(who: Any) -> Any:
    """Cases in which one of `who` did something (reads aside), as actor or as the principal a deputy acted for."""
    acted = select(AuditEvent.instance_id).where(AuditEvent.instance_id.is_not(None),
                                                 AuditEvent.action.not_in(sorted(reads.TRACES)))
    return ProcessInstance.id.in_(acted.where(or_(AuditEvent.actor_id.in_(who), AuditEvent.acted_for_id.in_(who))))


def _case_filters(session: Session, query: Any, search: CaseSearch) -> Any:
    q = query
    if search.q.strip():
        pattern = f"%{search.q.strip()}%"
        q = q.where(or_(ProcessInstance.number.ilike(pattern), ProcessInstance.title.ilike(pattern)))
    if search.process:
        q = q.where(ProcessDefinition.key == search.process)
    if search.unit:
        path = session.scalar(select(OrgUnit.path).where(OrgUnit.code == search.unit))
        if path is None:
            raise InvalidRequest(f"组织“{search.unit}”不存在")
        q = q.where(OrgUnit.path.startswith(path, autoescape=True))
    if search.status:
        q = q.where(ProcessInstance.status == search.status)
    if search.since:
        q = q.where(ProcessInstance.created_at >= _day_start(search.since))
    if search.until:
        q = q.where(ProcessInstance.created_at < _day_start(search.until + timedelta(days=1)))
    if search.person.strip():
        who = _people(session, search.person.strip())
        q = q.where(or_(ProcessInstance.initiator_id.in_(who), ProcessInstance.subject_user_id.in_(who), _acted(who)))
    return q


def _case_query(session: Session, search: CaseSearch) -> Select[Any]:
    query = (select(ProcessInstance.id, ProcessInstance.number, ProcessInstance.title, ProcessDefinition.name,
                    ProcessInstance.status, Initiator.name, OrgUnit.name, Subject.name, ProcessInstance.created_at,
                    ProcessInstance.completed_at)
             .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
             .join(Initiator, Initiator.id == ProcessInstance.initiator_id)
             .join(OrgUnit, OrgUnit.id == ProcessInstance.owning_unit_id)
             .outerjoin(Subject, Subject.id == ProcessInstance.subject_user_id))
    filtered: Select[Any] = _case_filters(session, query, search)
    return filtered


def _case_row(row: Any) -> CaseRow:
    return CaseRow(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7] or "", row[8], row[9])


def last_case_id(session: Session) -> int:
    """The newest case's id: an export lists the cases up to it, as counted when it was recorded."""
    return session.scalar(select(func.max(ProcessInstance.id))) or 0


def count_cases(session: Session, search: CaseSearch, upto: int | None = None) -> int:
    query = _case_query(session, search)
    if upto is not None:
        query = query.where(ProcessInstance.id <= upto)
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def search_cases(session: Session, auditor: User, search: CaseSearch, limit: int = 20, offset: int = 0) -> CasePage:
    """One page of the cases matching `search`, newest first."""
    require_auditor(session, auditor)
    order = (ProcessInstance.created_at.desc(), ProcessInstance.id.desc())
    rows = session.execute(sql.page(_case_query(session, search).order_by(*order), limit, offset)).all()
    units = [(c, n) for c, n in session.execute(select(OrgUnit.code, OrgUnit.name).order_by(OrgUnit.path))]
    return CasePage([_case_row(r) for r in rows], count_cases(session, search), definitions.all_latest(session),
                    [s.value for s in ProcessStatus], units)


def all_cases(session: Session, search: CaseSearch, upto: int, batch: int = 500) -> Iterator[CaseRow]:
    """Every matching case up to id `upto`, newest first, fetched in batches (for the export; the
    caller checked)."""
    order = (ProcessInstance.created_at.desc(), ProcessInstance.id.desc())
    query = _case_query(session, search).where(ProcessInstance.id <= upto).order_by(*order)
    result = session.execute(query.execution_options(yield_per=batch))
    try:
        yield from (_case_row(r) for r in result)
    finally:
        result.close()


# ---------------------------------------------------------------- events

@dataclass(frozen=True)
class EventSearch:
    action: str = ""
    actor: str = ""  # username or name of who acted (or for whom a deputy acted)
    since: date | None = None
    until: date | None = None
    instance: str = ""  # a case's number

    def filters(self) -> dict[str, str]:
        return _filters(self)


@dataclass
class EventRow:
    seq: int
    at: datetime
    actor: str
    acted_for: str
    action: str
    number: str
    instance_id: int | None
    step: str
    detail: str  # the raw payload (技术详情)
    hash: str
    title: str = ""  # the action in words (办理, 转办 …)
    summary: str = ""  # what was done, in words (audit_reading.Reader.summary)


@dataclass
class EventPage:
    rows: list[EventRow]
    total: int
    actions: list[tuple[str, str]]  # (code, title) of every action in the log, for the filter
    case: tuple[int, str, str] | None  # (id, number, title) when the log is one case's 流转记录


def _event_query(session: Session, search: EventSearch) -> Select[Any]:
    q = (select(AuditEvent.seq, AuditEvent.at, Actor.name, Principal.name, AuditEvent.action, ProcessInstance.number,
                AuditEvent.instance_id, ProcessInstance.definition_id, AuditEvent.payload, AuditEvent.hash,
                ActorUnit.name)
         .outerjoin(Actor, Actor.id == AuditEvent.actor_id)
         .outerjoin(ActorUnit, ActorUnit.id == Actor.unit_id)
         .outerjoin(Principal, Principal.id == AuditEvent.acted_for_id)
         .outerjoin(ProcessInstance, ProcessInstance.id == AuditEvent.instance_id))
    if search.action:
        q = q.where(AuditEvent.action == search.action)
    if search.actor.strip():
        who = _people(session, search.actor.strip())
        q = q.where(or_(AuditEvent.actor_id.in_(who), AuditEvent.acted_for_id.in_(who)))
    if search.since:
        q = q.where(AuditEvent.at >= _day_start(search.since))
    if search.until:
        q = q.where(AuditEvent.at < _day_start(search.until + timedelta(days=1)))
    if search.instance.strip():
        case_id = session.scalar(select(ProcessInstance.id).where(ProcessInstance.number == search.instance.strip()))
        q = q.where(AuditEvent.instance_id == case_id) if case_id is not None else q.where(false())
    return q


class StepNames:
    """BPMN id → step name per definition version, parsed once each (definitions.runtime caches)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.known: dict[int, dict[str, str]] = {}
        self.loaded: dict[int, ProcessDefinition] = {}  # held here: the session's identity map holds weakly

    def prime(self, definition_ids: set[int]) -> None:
        """Load the definitions of a page's events in one query."""
        wanted = definition_ids - set(self.known)
        if wanted:
            for definition in self.session.scalars(select(ProcessDefinition).where(ProcessDefinition.id.in_(wanted))):
                self.loaded[definition.id] = definition
                process = definitions.runtime(definition)
                self.known[definition.id] = {s.bpmn_id: s.bpmn_name or s.bpmn_id
                                             for spec in [process.spec, *process.subprocess_specs.values()]
                                             for s in spec.task_specs.values() if getattr(s, "bpmn_id", None)}

    def definition(self, definition_id: int) -> ProcessDefinition | None:
        self.prime({definition_id})
        return self.loaded.get(definition_id)

    def of(self, definition_id: int | None, task: str) -> str:
        if definition_id is None or not task:
            return task
        self.prime({definition_id})
        return self.known.get(definition_id, {}).get(task, task)


def _event_row(row: Any, steps: StepNames, reader: audit_reading.Reader) -> EventRow:
    payload = dict(row[8] or {})
    task = str(payload.get("task", "") or "")
    actor = f"{row[2]}（{row[10]}）" if row[2] and row[10] else row[2] or ""
    return EventRow(row[0], row[1], actor, row[3] or "", row[4], row[5] or "", row[6], steps.of(row[7], task),
                    audit_reading.technical({k: v for k, v in payload.items() if k != "task"}), row[9],
                    audit_reading.title(row[4]), reader.summary(payload, row[7]))


def last_seq(session: Session) -> int:
    """The chain's last event: an export lists the events up to it, as counted when it was recorded."""
    return session.scalar(select(func.max(AuditEvent.seq))) or 0


def count_events(session: Session, search: EventSearch, upto: int | None = None) -> int:
    query = _event_query(session, search)
    if upto is not None:
        query = query.where(AuditEvent.seq <= upto)
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _case_of(session: Session, search: EventSearch) -> tuple[int, str, str] | None:
    if not search.instance.strip():
        return None
    row = session.execute(select(ProcessInstance.id, ProcessInstance.number, ProcessInstance.title)
                          .where(ProcessInstance.number == search.instance.strip())).first()
    return (row[0], row[1], row[2]) if row is not None else None


def search_events(session: Session, auditor: User, search: EventSearch, limit: int = 20,
                  offset: int = 0) -> EventPage:
    """One page of the event log, newest first; with `instance`, that case's 流转记录."""
    require_auditor(session, auditor)
    rows = session.execute(sql.page(_event_query(session, search).order_by(AuditEvent.seq.desc()), limit, offset)).all()
    steps = StepNames(session)
    reader = audit_reading.Reader(session, steps.definition)
    steps.prime({r[7] for r in rows if r[7] is not None})
    reader.prime(r[8] for r in rows)
    actions = [(a, audit_reading.title(a))
               for a in session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))]
    return EventPage([_event_row(r, steps, reader) for r in rows], count_events(session, search), actions,
                     _case_of(session, search))


def all_events(session: Session, search: EventSearch, upto: int, batch: int = 1000) -> Iterator[EventRow]:
    """Every matching event up to seq `upto`, in chain order, fetched in batches (for the export;
    the caller checked)."""
    steps = StepNames(session)
    reader = audit_reading.Reader(session, steps.definition)
    query = _event_query(session, search).where(AuditEvent.seq <= upto).order_by(AuditEvent.seq)
    result = session.execute(query.execution_options(yield_per=batch))
    try:
        for rows in result.partitions():
            reader.prime(r[8] for r in rows)
            yield from (_event_row(r, steps, reader) for r in rows)
    finally:
        result.close()
