"""干部信息: the record of a cadre the 组织部 keeps, in the boxes of the 干部任免审批表 — personal
data, education, 简历, 奖惩 and 家庭主要成员及重要社会关系. The 年度考核 results are the
`annual_rating` rows (models.record). Year-months are kept as "YYYY-MM" text, as the form prints them."""

from __future__ import annotations

from datetime import date
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from models.base import Base
from models.base import utcnow

MANAGEMENT_LEVELS = ("group", "subsidiary")  # 集团党委管理 | 子分公司党委管理


class CadreRecord(Base):
    """One cadre's 干部信息. `management_level` says which 党委 manages the cadre (干部管理权限):
    the nearest unit of that level above the cadre's unit, whose 组织部 keeps this record."""

    __tablename__ = "cadre_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), unique=True)
    management_level: Mapped[str] = mapped_column(String(20), default="subsidiary")
    gender: Mapped[str | None] = mapped_column(String(2))
    birth_month: Mapped[str | None] = mapped_column(String(7))
    ethnicity: Mapped[str | None] = mapped_column(String(20))
    native_place: Mapped[str | None] = mapped_column(String(40))  # 籍贯
    birthplace: Mapped[str | None] = mapped_column(String(40))
    party_joined: Mapped[str | None] = mapped_column(String(7))
    work_started: Mapped[str | None] = mapped_column(String(7))
    health: Mapped[str | None] = mapped_column(String(20))
    professional_title: Mapped[str | None] = mapped_column(String(60))  # 专业技术职务
    expertise: Mapped[str | None] = mapped_column(String(200))  # 熟悉专业有何专长
    current_post: Mapped[str | None] = mapped_column(String(120))
    full_time_degree: Mapped[str | None] = mapped_column(String(60))  # 全日制教育 学历学位
    full_time_school: Mapped[str | None] = mapped_column(String(120))  # 毕业院校系及专业
    in_service_degree: Mapped[str | None] = mapped_column(String(60))  # 在职教育
    in_service_school: Mapped[str | None] = mapped_column(String(120))
    photo: Mapped[bytes | None] = mapped_column(LargeBinary)
    photo_type: Mapped[str | None] = mapped_column(String(20))  # image/jpeg | image/png
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    resume: Mapped[list[CadreResumeEntry]] = relationship(
        "CadreResumeEntry", cascade="all, delete-orphan", order_by="CadreResumeEntry.position")
    awards: Mapped[list[CadreAward]] = relationship(
        "CadreAward", cascade="all, delete-orphan", order_by="CadreAward.position")
    family: Mapped[list[CadreFamilyMember]] = relationship(
        "CadreFamilyMember", cascade="all, delete-orphan", order_by="CadreFamilyMember.position")


class CadreResumeEntry(Base):
    """One line of the 简历: from–to (to empty: to this day), unit and post."""

    __tablename__ = "cadre_resume_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("cadre_record.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    starts: Mapped[str] = mapped_column(String(7))
    ends: Mapped[str | None] = mapped_column(String(7))
    text: Mapped[str] = mapped_column(String(200))


class CadreAward(Base):
    """One 奖惩 entry: when, and what (奖励 or 处分, in words)."""

    __tablename__ = "cadre_award"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("cadre_record.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    month: Mapped[str] = mapped_column(String(7))
    text: Mapped[str] = mapped_column(String(200))


class CadreFamilyMember(Base):
    """One of the 家庭主要成员及重要社会关系."""

    __tablename__ = "cadre_family_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("cadre_record.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    relation: Mapped[str] = mapped_column(String(10))  # 称谓
    name: Mapped[str] = mapped_column(String(64))
    birth_month: Mapped[str | None] = mapped_column(String(7))
    political_status: Mapped[str | None] = mapped_column(String(20))
    work: Mapped[str | None] = mapped_column(String(120))  # 工作单位及职务


EVENT_SOURCES = ("weekly", "special", "accountability", "assessment", "commendation", "supervision", "petition",
                 "inspection", "other")  # 周报 专报 问责 考核 表彰 督导 信访 巡察 其他
EVENT_MARKS = ("merit", "issue", "neutral")  # 先进 | 问题 | 一般


class CadreEvent(Base):
    """One entry of a cadre's 现实表现纪实: a key event on a day, what happened, where it is known
    from, whether it shows the cadre as 先进 or a 问题, and the case it came from (if any). Kept by
    the 组织部 that manages the cadre and written by processes (a 问责 decision)."""

    __tablename__ = "cadre_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    occurred_on: Mapped[date]
    text: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(20))
    mark: Mapped[str] = mapped_column(String(10))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # None: written by a process
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
