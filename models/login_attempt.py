"""Failed logins, counted per username and per client address by `workflows.accounts.login_limit`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from models.base import Base


class LoginFailure(Base):
    """One failed login under a limiter key (`user:<name>` or `ip:<address>`).

    Rows older than the limiter's window are deleted as new failures arrive, so the table stays
    small; a successful login deletes its username's rows.
    """

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]
