"""审计 (auditors): find any case, and check the audit chain. Full search and exports come later."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import load_only

from models import ProcessDefinition
from models import ProcessInstance
from models import ProcessStatus
from models import Role
from models import User
from workflows import audit
from workflows import definitions
from workflows import permissions
from workflows.clock import SHANGHAI
from workflows.errors import NotAllowed


@dataclass(frozen=True)
class Search:
    q: str = ""
    process: str = ""
    status: str = ""
    since: date | None = None
    until: date | None = None


@dataclass
class Results:
    cases: list[ProcessInstance]
    total: int
    processes: list[ProcessDefinition]
    statuses: list[str]


def require_auditor(session: Session, user: User) -> None:
    if not permissions.has_role(session, user, Role.AUDITOR):
        raise NotAllowed("只有审计人员可以进入审计")


def _filtered(query: Select[Any], search: Search) -> Select[Any]:
    q = query
    if search.q.strip():
        pattern = f"%{search.q.strip()}%"
        q = q.where(or_(ProcessInstance.number.ilike(pattern), ProcessInstance.title.ilike(pattern)))
    if search.process:
        q = q.where(ProcessInstance.definition_id.in_(
            select(ProcessDefinition.id).where(ProcessDefinition.key == search.process)))
    if search.status:
        q = q.where(ProcessInstance.status == search.status)
    if search.since:
        q = q.where(ProcessInstance.created_at >= datetime.combine(search.since, time(0), SHANGHAI))
    if search.until:
        end = datetime.combine(search.until + timedelta(days=1), time(0), SHANGHAI)
        q = q.where(ProcessInstance.created_at < end)
    return q


def search_cases(session: Session, auditor: User, search: Search, limit: int = 30, offset: int = 0) -> Results:
    """Every case matching `search`, newest first (auditors only)."""
    require_auditor(session, auditor)
    query = _filtered(select(ProcessInstance), search)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.options(
        load_only(ProcessInstance.id, ProcessInstance.number, ProcessInstance.title, ProcessInstance.status,
                  ProcessInstance.created_at, ProcessInstance.definition_id, ProcessInstance.initiator_id,
                  ProcessInstance.revision),
        joinedload(ProcessInstance.definition).load_only(ProcessDefinition.name, ProcessDefinition.key),
        joinedload(ProcessInstance.initiator).load_only(User.name),
    ).order_by(ProcessInstance.created_at.desc(), ProcessInstance.id.desc()).limit(limit).offset(offset))
    return Results(list(rows), total, definitions.all_latest(session), [s.value for s in ProcessStatus])


def verify_chain(session: Session, auditor: User) -> audit.VerifyResult:
    """Walk the whole hash chain (auditors only)."""
    require_auditor(session, auditor)
    return audit.verify(session)
