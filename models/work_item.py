"""Work items: the projection of READY user tasks that the inbox (待办) queries."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING
from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import false
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from sqlalchemy.orm.attributes import set_committed_value

from models.base import Base
from models.base import utcnow

if TYPE_CHECKING:
    from models.process import ProcessInstance
    from models.user import User


class WorkItemStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class WorkItemKind(StrEnum):
    """What an item stands for. Only TASK items are SpiffWorkflow user tasks; the others are
    approval steps SpiffWorkflow has no notion of, kept in our own table."""

    TASK = "task"  # a READY user task (or one instance of a multi-instance task)
    SIGNER = "signer"  # 加签: an added signer's opinion on the item `parent_id`
    RESUBMIT = "resubmit"  # 退回发起人: the initiator corrects and resubmits the start form


class WorkItem(Base):
    __tablename__ = "work_item"
    __table_args__ = (
        Index("ix_work_item_instance_status", "instance_id", "status"),
        Index("ix_work_item_assignee_status_created", "assignee_id", "status", "created_at"),
        Index("ix_work_item_completed_by", "completed_by_id", "completed_at"),
        Index("ix_work_item_task_id", "task_id"),
        Index("ix_work_item_parent", "parent_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    task_id: Mapped[str] = mapped_column(String(36))  # SpiffWorkflow task UUID
    task_name: Mapped[str] = mapped_column(String(80))  # BPMN task id (DOMAIN §5)
    title: Mapped[str] = mapped_column(String(120))
    lane: Mapped[str | None] = mapped_column(String(80))
    scope_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(20), default=WorkItemStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    acted_for_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str | None] = mapped_column(String(20))
    decision: Mapped[str | None] = mapped_column(String(40))
    comment: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    kind: Mapped[str] = mapped_column(String(20), default=WorkItemKind.TASK, server_default=WorkItemKind.TASK.value)
    # A SIGNER item's original item; `sign_position` says whether it signs before or after it.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("work_item.id"))
    sign_position: Mapped[str | None] = mapped_column(String(10))
    # Open but not actionable: waiting for 前加签 signers, held for 后加签 signers, or a queued
    # 后加签 signer. Its candidates' `is_open` is False meanwhile, so it leaves the 待办.
    on_hold: Mapped[bool] = mapped_column(default=False, server_default=false())
    reminded_at: Mapped[datetime | None]  # last 催办, for the once-an-hour limit

    # The references to one row are read only: a writer sets the `…_id` column (and may set the
    # object too, for readers in the same transaction). A writable many-to-one gives every flush
    # a dependency step to sort and run; these five cost a completion ~0.5 ms (issue 17).
    instance: Mapped[ProcessInstance] = relationship("ProcessInstance", viewonly=True)
    assignee: Mapped[User | None] = relationship("User", foreign_keys=[assignee_id], viewonly=True)
    completed_by: Mapped[User | None] = relationship("User", foreign_keys=[completed_by_id], viewonly=True)
    acted_for: Mapped[User | None] = relationship("User", foreign_keys=[acted_for_id], viewonly=True)
    # Written by the actions that set an item's handlers (`actions.common.set_handlers`): the
    # item's INSERT gives them their `work_item_id` in the same flush. A routed new item's
    # candidates are one Core INSERT after that flush instead (`engine.projection.create_item`).
    candidates: Mapped[list[WorkItemCandidate]] = relationship("WorkItemCandidate", cascade="all, delete-orphan")
    parent: Mapped[WorkItem | None] = relationship("WorkItem", remote_side="WorkItem.id", viewonly=True)

    def set_handler(self, user: User | None, acted_for: User | None) -> None:
        """Who handled the item and for whom (None: nobody yet): the ids are what is written; the
        read-only references are set as loaded values, for readers in this transaction."""
        self.completed_by_id, self.acted_for_id = (user.id if user else None), (acted_for.id if acted_for else None)
        set_committed_value(self, "completed_by", user)
        set_committed_value(self, "acted_for", acted_for)


class WorkItemCandidate(Base):
    """Who may act on a work item, resolved when the item is created.

    `is_open`: the item is in this person's 待办 — open, not held for 加签, and not claimed by
    another candidate (`workflows.actions.common.open_candidates`) — so the 待办 and its count are
    one index range scan on (user_id, is_open, created_at, work_item_id), touching neither closed history nor
    the work items themselves.
    """

    __tablename__ = "work_item_candidate"
    # Newest first with a tie-break the index holds too: items made in one transaction share a
    # created_at, and a page of 20 must not sort them all.
    __table_args__ = (Index("ix_work_item_candidate_inbox", "user_id", "is_open", "created_at", "work_item_id"),)

    work_item_id: Mapped[int] = mapped_column(ForeignKey("work_item.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    is_open: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Read only, as `WorkItem.instance`: set the ids.
    work_item: Mapped[WorkItem] = relationship("WorkItem", viewonly=True)
    user: Mapped[User] = relationship("User", viewonly=True)
