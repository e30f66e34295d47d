"""Personnel records OrgFlow keeps itself: annual ratings and influence periods (影响期)."""

from __future__ import annotations

from datetime import date
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from models.base import Base
from models.base import utcnow

RATINGS = ("优秀", "称职", "基本称职", "不称职")


class AnnualRating(Base):
    __tablename__ = "annual_rating"
    __table_args__ = (UniqueConstraint("user_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    year: Mapped[int]
    rating: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(20), default="import")  # import | accountability | assessment | manual
    source_instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    # A forced 不称职 (B-C9) is locked: only the group 党委 may override it, with a reason.
    locked: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InfluencePeriod(Base):
    """A period during which a person may not be promoted (or hold certain posts)."""

    __tablename__ = "influence_period"
    __table_args__ = (Index("ix_influence_period_user_ends", "user_id", "ends_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(30))  # admonish | ordered_resign | dismiss | demote ...
    restriction: Mapped[str] = mapped_column(String(30))  # no_promotion | no_leading_post | no_higher_post
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    source_instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarOverride(Base):
    """An admin correction to the Chinese working-day calendar for one day."""

    __tablename__ = "calendar_override"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool]
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarYear(Base):
    """A year's official holiday schedule imported by an administrator (`flask calendar import`),
    for years the calendar library does not cover yet. Its days are `calendar_day` rows."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(200))  # e.g. 国务院办公厅关于2027年部分节假日安排的通知
    days: Mapped[int]
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarDay(Base):
    """One day of an imported schedule: a holiday (休) or a 调休 make-up working day (班)."""

    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("calendar_year.year", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # holiday | workday
    name: Mapped[str] = mapped_column(String(40))  # 元旦, 春节 …


class ReservePoolEntry(Base):
    """A cadre entered in the reserve pool (后备干部库) by a `cadre_promotion` or `reserve_nomination`
    case; its 培养措施 and annual reviews are `ReserveMeasure` and `ReserveReview` (models/reserve.py)."""

    __tablename__ = "reserve_pool_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    level: Mapped[str] = mapped_column(String(20))  # group | subsidiary
    target_post: Mapped[str | None] = mapped_column(String(120))
    entered_on: Mapped[date]
    removed_on: Mapped[date | None]
    source_instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    # Set when an `accountability` decision takes the cadre out of the pool (B-C8, research A.4 R6).
    removed_reason: Mapped[str | None] = mapped_column(Text)
    removed_by_instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    # young_outstanding (优秀年轻干部) | long_term (中长期培养对象); None for entries made before
    # the category was kept (a `cadre_promotion` case names none).
    category: Mapped[str | None] = mapped_column(String(20))
    # The unit whose 组织部 manages the entry (the case's deciding unit): it edits 培养措施 and reviews.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RulePackWindow(Base):
    """An admin's setting of a rule pack's validity window (e.g. the `covid-2020` overlay).

    Without a row, the window in the pack's TOML applies.
    """

    __tablename__ = "rule_pack_window"

    pack_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(String(200))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProbationRecord(Base):
    """A member admitted as a 预备党员 (the register of `party_probation`): when and how they were
    admitted, their 预备期, and the 转正 outcome. Written by `party_admission` (approval, oath) and
    `party_probation` (decision); members imported as probationary get a row from their importer."""

    __tablename__ = "probation_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    track: Mapped[str] = mapped_column(String(20), default="regular")  # regular | fast_a | fast_b
    frontline: Mapped[bool] = mapped_column(default=False)
    admitted_on: Mapped[date]  # the 支部大会 date: the 预备期 starts here (C-C10)
    approved_on: Mapped[date | None]
    oath_on: Mapped[date | None]
    probation_ends_on: Mapped[date]  # the (possibly extended) end of the 预备期
    extended_months: Mapped[int | None]  # set once (C-C15)
    # pending | extended | confirmed | cancelled
    outcome: Mapped[str] = mapped_column(String(20), default="pending")
    confirmed_on: Mapped[date | None]  # 转正 date: the end of the 预备期 (党龄 counts from it)
    decided_on: Mapped[date | None]  # the upper 党委's approval of the outcome
    admission_instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    probation_instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
