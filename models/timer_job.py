"""Waiting timers and deadlines, claimed by `flask workflows worker`."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from models.base import Base
from models.base import utcnow


class TimerStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"


class TimerJob(Base):
    __tablename__ = "timer_job"
    __table_args__ = (
        Index("ix_timer_job_status_due", "status", "due_at"),
        Index("ix_timer_job_instance_status", "instance_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    kind: Mapped[str] = mapped_column(String(20), default="timer")  # timer | due_soon | overdue
    task_id: Mapped[str] = mapped_column(String(36))
    task_name: Mapped[str] = mapped_column(String(80))
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default=TimerStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    # Lease: a worker owns the job until locked_until; a crashed worker's lease simply expires.
    locked_by: Mapped[str | None] = mapped_column(String(80))
    locked_until: Mapped[datetime | None]
    fired_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
