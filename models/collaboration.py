"""Tables around a case besides its steps: delegations (委托), CC (抄送), notifications,
comments (评论) and attachments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from models.base import Base
from models.base import utcnow


class Delegation(Base):
    """委托/代理: the deputy sees and acts on the principal's items in [starts_at, ends_at)."""

    __tablename__ = "delegation"
    __table_args__ = (Index("ix_delegation_deputy_period", "deputy_id", "starts_at", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    # Process keys the delegation covers; null means every process.
    process_keys: Mapped[list[Any] | None] = mapped_column(default=None)
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class CaseCC(Base):
    """抄送: read access to a case for a named user, with a notification."""

    __tablename__ = "case_cc"
    __table_args__ = (UniqueConstraint("instance_id", "user_id"), Index("ix_case_cc_user_created", "user_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]


class Notification(Base):
    """An in-app message (new item, return, reminder, CC, deadline …); e-mailed when configured."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_user_read", "user_id", "read_at", "created_at"),
        Index("ix_notification_email_pending", "emailed_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(30))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    work_item_id: Mapped[int | None] = mapped_column(ForeignKey("work_item.id"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]


class CaseComment(Base):
    """评论 on a case; immutable once written (corrections are new comments)."""

    __tablename__ = "case_comment"
    __table_args__ = (Index("ix_case_comment_instance_created", "instance_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attachment(Base):
    """A file attached to a case (optionally to one step), stored outside static/, by hash."""

    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_instance", "instance_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    work_item_id: Mapped[int | None] = mapped_column(ForeignKey("work_item.id"))
    uploader_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
