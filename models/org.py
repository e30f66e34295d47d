"""The organization tree: 集团党委 → 子分公司党委 → 党支部."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from models.base import Base
from models.base import utcnow


class UnitLevel(StrEnum):
    GROUP = "group"
    SUBSIDIARY = "subsidiary"
    BRANCH = "branch"


class OrgUnit(Base):
    __tablename__ = "org_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    # Materialized path of unit ids ("/1/4/9/"): descendant queries are one LIKE on an index.
    path: Mapped[str] = mapped_column(String(400), index=True, default="/")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[OrgUnit | None] = relationship("OrgUnit", remote_side="OrgUnit.id")

    def ancestor_ids(self) -> list[int]:
        """Ids from this unit up to the root, nearest first."""
        return [int(part) for part in reversed(self.path.strip("/").split("/")) if part]

    def __repr__(self) -> str:
        return f"<OrgUnit {self.code} {self.level}>"
