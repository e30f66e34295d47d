"""The version of what processes cache from the database (the org tree, role holders,
relations, delegations): every write that changes them sets a new version in the same
transaction, and a process serves from its cache only while the version it read is current."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from models.base import Base


class CacheVersion(Base):
    __tablename__ = "cache_version"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    # A fresh random number on every change (not a counter): a database restored from a backup
    # or recreated never meets a process's cache of a version it did not write.
    version: Mapped[int] = mapped_column(BigInteger)
