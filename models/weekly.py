"""周报 (weekly reports): the group's schedule, one report per subsidiary and week, and 督导 records."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from models.base import Base
from models.base import utcnow


class WeeklyStatus(StrEnum):
    PENDING = "pending"  # 待报: opened, not reported, the deadline is ahead
    ON_TIME = "on_time"  # 已报
    LATE = "late"  # 迟报: reported after the deadline
    MISSING = "missing"  # 漏报: the deadline passed without a report


class WeeklySchedule(Base):
    """The group's schedule (one row): the weekday reports open, the weekday and hour they are
    due, and which subsidiaries report (none listed: all of them)."""

    __tablename__ = "weekly_schedule"

    id: Mapped[int] = mapped_column(primary_key=True)
    active: Mapped[bool] = mapped_column(default=True)
    open_weekday: Mapped[int] = mapped_column(default=0)  # 0 = Monday
    due_weekday: Mapped[int] = mapped_column(default=4)
    due_hour: Mapped[int] = mapped_column(default=18)
    unit_codes: Mapped[list[Any]] = mapped_column(default=list)  # JSON (JSONB on PostgreSQL), as the migration
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class WeeklyReport(Base):
    """One unit's report of one week. The unique (unit, week) is what makes opening happen once
    however many timer workers race for it."""

    __tablename__ = "weekly_report"
    __table_args__ = (
        UniqueConstraint("unit_id", "week_start", name="uq_weekly_report_unit_week"),
        Index("ix_weekly_report_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    week_start: Mapped[date]  # the Monday of the week
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default=WeeklyStatus.PENDING)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    missed_at: Mapped[datetime | None]  # when it was marked 漏报 (kept after a late report)
    accepted_at: Mapped[datetime | None]


class Supervision(Base):
    """A 督导 record the group's 组织部 opened on a late or missing report."""

    __tablename__ = "supervision"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("weekly_report.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    reason: Mapped[str] = mapped_column(String(500))
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
