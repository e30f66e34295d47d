"""People, their roles in the org tree, and their API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from models.base import Base
from models.base import utcnow

if TYPE_CHECKING:
    from models.org import OrgUnit


class Role(StrEnum):
    SECRETARY = "secretary"
    ORG_HEAD = "org_head"
    ORG_OFFICER = "org_officer"
    COMMITTEE = "committee"
    DISCIPLINE = "discipline"
    FINANCE = "finance"
    AUDITOR = "auditor"
    ADMIN = "admin"


class MemberStatus(StrEnum):
    FULL = "full"
    PROBATIONARY = "probationary"
    NONE = "none"


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    member_status: Mapped[str] = mapped_column(String(20), default=MemberStatus.NONE)
    post: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(10))
    is_active: Mapped[bool] = mapped_column(default=True)
    # Bumped on logout-everywhere, password change and disable: older sessions stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[OrgUnit | None] = relationship("OrgUnit")
    roles: Mapped[list[RoleAssignment]] = relationship(
        "RoleAssignment", back_populates="user", cascade="all, delete-orphan"
    )

    # The three members flask-login expects; duck-typed so models never import Flask.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """Session id "<user id>:<session version>": bumping the version ends every session."""
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class RoleAssignment(Base):
    __tablename__ = "role_assignment"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "unit_id"),
        Index("ix_role_assignment_role_unit", "role", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship("User", back_populates="roles")
    unit: Mapped[OrgUnit] = relationship("OrgUnit")


class RelationKind(StrEnum):
    """Declared conflicts of interest (R-C1): the 亲属 of 干部任用条例 第十章, and others."""

    SPOUSE = "spouse"  # 夫妻
    LINEAL = "lineal"  # 直系血亲
    COLLATERAL = "collateral"  # 三代以内旁系血亲
    IN_LAW = "in_law"  # 近姻亲
    SUPERIOR = "superior"  # 同一单位直接上下级
    OTHER = "other"  # 其他利害关系


class UserRelation(Base):
    """A declared relation between two people; symmetric, stored once with `user_id < other_id`.

    Whoever is related to the person a case is about is treated like that person (回避, R-C1).
    """

    __tablename__ = "user_relation"
    __table_args__ = (
        UniqueConstraint("user_id", "other_id"),
        Index("ix_user_relation_other", "other_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    other_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship("User", foreign_keys=[user_id])
    other: Mapped[User] = relationship("User", foreign_keys=[other_id])


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship("User")
