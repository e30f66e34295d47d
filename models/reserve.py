"""The reserve pool's own records: 培养措施 of an entry and its annual review (动态调整)."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from models.base import Base
from models.base import utcnow


class ReserveMeasure(Base):
    """One 培养措施 of a reserve-pool entry, e.g. 选派到疫情防控一线吃劲岗位, from – to, result."""

    __tablename__ = "reserve_measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("reserve_pool_entry.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # frontline | secondment | rotation | training | other
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]  # None: still running
    result: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ReserveReview(Base):
    """The annual review of an entry (动态调整): kept, moved (category or target post) or exited."""

    __tablename__ = "reserve_review"
    __table_args__ = (UniqueConstraint("entry_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("reserve_pool_entry.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    decision: Mapped[str] = mapped_column(String(10))  # keep | move | exit
    before: Mapped[dict[str, Any]] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    reviewed_on: Mapped[date]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
