"""Deployed process definitions and the running instances of them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING
from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import event
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import Session
from sqlalchemy.orm import SessionTransaction
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from models import writes
from models.base import Base
from models.base import utcnow
from models.work_item import WorkItem

if TYPE_CHECKING:
    from models.org import OrgUnit
    from models.user import User


class ProcessStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    TERMINATED = "terminated"
    ERROR = "error"


FINAL_STATUSES = frozenset(
    {ProcessStatus.COMPLETED, ProcessStatus.REJECTED, ProcessStatus.WITHDRAWN, ProcessStatus.TERMINATED}
)


class ProcessDefinition(Base):
    """One deployed version of a BPMN process, with the forms it references.

    A new version is stored only when the content hash changes; instances keep the version
    they started on.
    """

    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("key", "version"), UniqueConstraint("key", "content_hash"))

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(120))
    content_hash: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    # {"forms": {filename: schema}, "start": {...process metadata from the start event...}}
    assets: Mapped[dict[str, Any]] = mapped_column(default=dict)
    deployed_at: Mapped[datetime] = mapped_column(default=utcnow)
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class ProcessInstance(Base):
    __tablename__ = "process_instance"
    __table_args__ = (
        Index("ix_process_instance_initiator_created", "initiator_id", "created_at"),
        Index("ix_process_instance_status_created", "status", "created_at"),
        Index("ix_process_instance_created", "created_at"),  # 审计 search: newest first, by date range
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), index=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=ProcessStatus.RUNNING)
    initiator_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    owning_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    # Flat case variables (DOMAIN §5 names) as of the last change; the engine state holds the rest.
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # SpiffWorkflow state without the spec (the spec comes from the definition row).
    state: Mapped[str] = mapped_column(Text)
    serializer_version: Mapped[str] = mapped_column(String(20))
    revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]

    # The ORM adds "AND revision = <read>" to every UPDATE and raises StaleDataError when
    # another transaction got there first: the revision-checked save of DESIGN §3. The
    # revision is raised by `_one_revision_per_transaction`, so a user action that flushes a
    # case several times still moves it by exactly one.
    __mapper_args__ = {"version_id_col": revision, "version_id_generator": False}

    # Read only (set the `…_id` columns), as `WorkItem.instance`: a writable many-to-one is a
    # dependency step in every flush of a case. `owning_unit` is loaded with the case's lock, so
    # that routing finds the unit in the identity map (`session.get`) instead of reading it.
    definition: Mapped[ProcessDefinition] = relationship("ProcessDefinition", viewonly=True)
    initiator: Mapped[User] = relationship("User", foreign_keys=[initiator_id], viewonly=True)
    subject_user: Mapped[User | None] = relationship("User", foreign_keys=[subject_user_id], viewonly=True)
    owning_unit: Mapped[OrgUnit] = relationship("OrgUnit", viewonly=True)

    def touch(self) -> None:
        """The case changed now, through a bulk UPDATE of its items the flush does not see: its
        revision rises at the flush (`_one_revision_per_transaction`)."""
        self.updated_at = utcnow()


_REVISED = "orgflow.revised_instances"
# Tables whose rows are parts of a case: a change to one is a change to its case.
_CASE_PARTS = ("work_item", "timer_job")


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    """Raise the revisions of the changed cases, then write the cases' and their items' column
    changes and insert the new items (`models.writes`): in this order, so the revisions are
    written with them and a new item still counts as a change to its case."""
    _one_revision_per_transaction(session)
    writes.write_through(session, (ProcessInstance, WorkItem))
    writes.insert_through(session, (WorkItem,))


def _one_revision_per_transaction(session: Session) -> None:
    """Raise a changed case's revision once per transaction (DESIGN §3: revision + 1 per change);
    a case inserted in this transaction keeps its first revision.

    A change to one of its work items or timer jobs changes the case too (a claim, a 加签 hold,
    a 转办), so that the revision check of any later write of the case — one that read the
    case before that change committed (`engine.locking.defer_write`) — fails, as it must. A bulk
    UPDATE of such rows, which the flush does not see, calls `ProcessInstance.touch`.
    """
    revised: set[int] = session.info.setdefault(_REVISED, set())
    new, dirty = list(session.new), session.dirty  # each a set built afresh per access
    revised.update(id(obj) for obj in new if isinstance(obj, ProcessInstance))
    changed = [obj for obj in dirty if isinstance(obj, ProcessInstance) and session.is_modified(obj)]
    for part in (*new, *dirty, *session.deleted):
        if getattr(part, "__tablename__", None) in _CASE_PARTS and (part not in dirty or session.is_modified(part)):
            case = _case_of(session, part)
            if case is not None:
                changed.append(case)
    for case in changed:
        if id(case) not in revised:
            case.revision += 1
            revised.add(id(case))


def _case_of(session: Session, part: Any) -> ProcessInstance | None:
    """The case of a work item or timer job, without a lazy load when it is in the session."""
    case = part.__dict__.get("instance")
    if case is None and part.instance_id is not None:
        case = session.get(ProcessInstance, part.instance_id)
    return case if isinstance(case, ProcessInstance) else None


@event.listens_for(Session, "after_transaction_end")
def _forget_revised(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_REVISED, None)


class NumberSequence(Base):
    """Per-prefix, per-year counters for business numbers such as TB-2026-0007."""

    __tablename__ = "number_sequence"

    prefix: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)
