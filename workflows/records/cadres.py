"""Reading 干部信息: the list of the cadres a 组织部 manages (with search) and one whole record.
Reading a whole record is itself an audit event (`cadre.read`): the record is sensitive, so who
opened whose record is on file; a reader who does not manage the cadre is refused (`access`)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AnnualRating
from models import CadreRecord
from models import OrgUnit
from models import User
from workflows import audit
from workflows.errors import NotFound
from workflows.records import access
from workflows.records.fields import BASIC
from workflows.records.fields import SECTIONS

READ = "cadre.read"
MAX_QUERY = 100
PAGE = 50


@dataclass(frozen=True)
class CadreRow:
    username: str
    name: str
    unit: str
    current_post: str
    management_level: str


@dataclass
class CadreView:
    """One whole record: the person, the basic boxes and every section's entries as plain dicts."""

    username: str
    name: str
    unit: str
    basic: dict[str, Any]
    sections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    has_photo: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"username": self.username, "name": self.name, "unit": self.unit, **self.basic,
                **self.sections, "has_photo": self.has_photo}


def find(session: Session, username: str) -> tuple[User, CadreRecord]:
    """The cadre and their record; NotFound when either is missing."""
    cadre = session.scalars(select(User).where(User.username == username)).first()
    record = session.scalars(select(CadreRecord).where(CadreRecord.user_id == cadre.id)).first() if cadre else None
    if cadre is None or record is None:
        raise NotFound(f"没有“{username}”的干部信息")
    return cadre, record


def find_managed(session: Session, user: User, username: str) -> tuple[User, CadreRecord]:
    """The record of a cadre `user` manages; NotFound, or RecordRefused when not theirs."""
    cadre, record = find(session, username)
    access.require(session, user, cadre, record.management_level)
    return cadre, record


def ratings_of(session: Session, user_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(select(AnnualRating).where(AnnualRating.user_id == user_id)
                           .order_by(AnnualRating.year.desc()))
    return [{"year": r.year, "rating": r.rating, "locked": r.locked, "source": r.source} for r in rows]


def snapshot(session: Session, record: CadreRecord) -> dict[str, Any]:
    """The record as plain data (the audit events' before/after; the API's answer)."""
    basic = {f.name: getattr(record, f.name) for f in BASIC}
    sections = {
        "resume": [{"starts": e.starts, "ends": e.ends, "text": e.text} for e in record.resume],
        "awards": [{"month": e.month, "text": e.text} for e in record.awards],
        "ratings": [{"year": r["year"], "rating": r["rating"]} for r in ratings_of(session, record.user_id)],
        "family": [{"relation": m.relation, "name": m.name, "birth_month": m.birth_month,
                    "political_status": m.political_status, "work": m.work} for m in record.family],
    }
    return {"basic": basic, **sections}


def view(session: Session, cadre: User, record: CadreRecord) -> CadreView:
    data = snapshot(session, record)
    unit = cadre.unit.name if cadre.unit else ""
    return CadreView(cadre.username, cadre.name, unit, data["basic"], {key: data[key] for key in SECTIONS},
                     record.photo is not None)


def read(session: Session, reader: User, username: str, via: str = "web") -> CadreView:
    """The whole record of a cadre `reader` manages, its reading recorded (`cadre.read`).
    Raises NotFound (no such cadre or record) and access.RecordRefused (not the reader's)."""
    cadre, record = find_managed(session, reader, username)
    record_read(session, reader, cadre, via)
    return view(session, cadre, record)


def record_read(session: Session, reader: User, cadre: User, via: str, number: str | None = None) -> None:
    """Record that `reader` read `cadre`'s whole record (`cadre.read`): on the 干部信息 page or
    API, or printed in a case's 干部任免审批表 (`number`: that case)."""
    payload = {"user": cadre.username, "via": via, **({"number": number} if number else {})}
    audit.record(session, READ, actor=reader, payload=payload)


def for_editing(session: Session, reader: User, username: str) -> CadreView:
    """The record for an edit form of a cadre `reader` manages. Not recorded as a read: an edit
    form shows one part of it (its changes are recorded); `read` is the whole record."""
    cadre, record = find_managed(session, reader, username)
    return view(session, cadre, record)


def search(session: Session, reader: User, query: str = "", offset: int = 0) -> tuple[list[CadreRow], int]:
    """The cadres `reader` manages whose name, username or post contains `query` (a page of
    PAGE rows from `offset`, by unit and name) and how many there are in all."""
    text = query.strip()[:MAX_QUERY]
    stmt = (select(User, CadreRecord, OrgUnit).join(CadreRecord, CadreRecord.user_id == User.id)
            .join(OrgUnit, OrgUnit.id == User.unit_id).where(access.managed_filter(session, reader)))
    if text:
        like = f"%{text}%"
        stmt = stmt.where(or_(User.name.like(like), User.username.like(like), CadreRecord.current_post.like(like)))
    rows = session.execute(stmt.order_by(OrgUnit.path, User.name, User.id)).all()
    page = rows[max(0, offset):max(0, offset) + PAGE]
    found = [CadreRow(u.username, u.name, unit.name, r.current_post or u.post or "", r.management_level)
             for u, r, unit in page]
    return found, len(rows)
