"""Changing 干部信息 (by the 组织部 that manages the cadre, `access`): the basic boxes, one section's
entries at a time (简历, 奖惩, 年度考核, 家庭成员), the photo, and a new record. Every change is one
`cadre.update` audit event with the part's value before and after; nothing is half-written — a
submission with any bad value is refused whole (ValidationFailed, each message under its field)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AnnualRating
from models import CadreAward
from models import CadreFamilyMember
from models import CadreRecord
from models import CadreResumeEntry
from models import User
from workflows import audit
from workflows.errors import InvalidRequest
from workflows.errors import NotFound
from workflows.errors import ValidationFailed
from workflows.records import access
from workflows.records.cadres import find_managed
from workflows.records.cadres import snapshot
from workflows.records.fields import BASIC
from workflows.records.fields import SECTIONS
from workflows.records.fields import read_row
from workflows.rules.packs import rule

UPDATE = "cadre.update"
CREATE = "cadre.create"
MAX_PHOTO = 512 * 1024
PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
ENTRY_MODELS: dict[str, type[CadreResumeEntry] | type[CadreAward] | type[CadreFamilyMember]] = {
    "resume": CadreResumeEntry, "awards": CadreAward, "family": CadreFamilyMember}


def check_basic(raw: dict[str, Any]) -> dict[str, Any]:
    """The basic boxes' values to keep; ValidationFailed with a message per bad field."""
    values, errors = read_row(BASIC, raw)
    if errors:
        raise ValidationFailed("干部信息有误，请按提示修改", {k: [v] for k, v in errors.items()})
    return values


def check_section(section: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A section's entries to keep (blank rows dropped); ValidationFailed with `section.i.field` keys."""
    if section not in SECTIONS:
        raise NotFound(f"没有“{section}”这一栏")
    title, fields, most = SECTIONS[section]
    kept = [row for row in rows if any(str(row.get(f.name) or "").strip() for f in fields)]
    if len(kept) > most:
        raise ValidationFailed(f"{title}最多 {most} 条", {section: [f"最多 {most} 条"]})
    values: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    for index, row in enumerate(kept):
        value, bad = read_row(fields, row)
        values.append(value)
        errors.update({f"{section}.{index}.{name}": [message] for name, message in bad.items()})
    if section == "ratings" and len({v["year"] for v in values}) < len(values):
        errors.setdefault(section, []).append("同一年度只能有一条考核结果")
    if errors:
        raise ValidationFailed(f"{title}有误，请按提示修改", errors)
    return values


def apply_basic(record: CadreRecord, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(record, name, value)


def apply_section(session: Session, record: CadreRecord, section: str, values: list[dict[str, Any]]) -> None:
    """Replace the section's entries by `values` (checked). Ratings are the `annual_rating` rows:
    a locked 不称职 (B-C9) may be neither changed nor removed here."""
    if section == "ratings":
        _apply_ratings(session, record.user_id, values)
        return
    model = ENTRY_MODELS[section]
    entries: list[Any] = [model(position=i, **value) for i, value in enumerate(values)]
    setattr(record, section, entries)


def _apply_ratings(session: Session, user_id: int, values: list[dict[str, Any]]) -> None:
    held = {r.year: r for r in session.scalars(select(AnnualRating).where(AnnualRating.user_id == user_id))}
    wanted = {v["year"]: v["rating"] for v in values}
    for year, row in held.items():
        if row.locked and wanted.get(year) != row.rating:
            raise ValidationFailed(f"B-C9：{year} 年度考核结果“{row.rating}”已锁定，只能由集团党委会在年度综合考核中改变"
                                   f"（依据：{rule('B-C9').source}）",
                                   {"ratings": [f"{year} 年度考核结果已锁定：B-C9，只能由集团党委会改变（依据：{rule('B-C9').source}）"]})
        if year not in wanted:
            session.delete(row)
    for year, rating in wanted.items():
        kept = held.get(year)
        if kept is None:
            session.add(AnnualRating(user_id=user_id, year=year, rating=rating, source="manual"))
        elif kept.rating != rating:
            kept.rating, kept.source = rating, "manual"


def _changed(session: Session, editor: User | None, cadre: User, record: CadreRecord,
             change: dict[str, Any]) -> None:
    """Record a change (`part`, `before`, `after`, `via`) unless nothing changed."""
    if change["before"] == change["after"]:
        return
    record.updated_by_id = editor.id if editor else None
    audit.record(session, UPDATE, actor=editor, payload={"user": cadre.username, **change})


def update_basic(session: Session, editor: User, username: str, raw: dict[str, Any], via: str = "web") -> None:
    """Set the basic boxes of a cadre `editor` manages. Raises NotFound, RecordRefused,
    ValidationFailed; when the new management level puts the cadre outside the editor's reach,
    RecordRefused too (a record is handed over by the unit that receives it)."""
    cadre, record = find_managed(session, editor, username)
    values = check_basic(raw)
    access.require(session, editor, cadre, values["management_level"])
    before = snapshot(session, record)["basic"]
    apply_basic(record, values)
    _changed(session, editor, cadre, record,
             {"part": "basic", "before": before, "after": snapshot(session, record)["basic"], "via": via})
    session.flush()


def update_section(session: Session, editor: User, username: str, section: str, rows: list[dict[str, Any]],
                   via: str = "web") -> None:
    """Replace one section's entries of a cadre `editor` manages (NotFound, RecordRefused, ValidationFailed)."""
    cadre, record = find_managed(session, editor, username)
    values = check_section(section, rows)
    before = snapshot(session, record)[section]
    apply_section(session, record, section, values)
    session.flush()
    session.expire(record)
    _changed(session, editor, cadre, record,
             {"part": section, "before": before, "after": snapshot(session, record)[section], "via": via})
    session.flush()


def photo_type(data: bytes) -> str:
    """The photo's type from its first bytes (JPEG or PNG only, at most MAX_PHOTO bytes); else InvalidRequest."""
    if len(data) > MAX_PHOTO:
        raise ValidationFailed("照片不超过 512 KB", {"photo": ["照片不超过 512 KB"]})
    kind = next((t for magic, t in PHOTO_TYPES.items() if data.startswith(magic)), None)
    if kind is None:
        raise ValidationFailed("照片只能是 JPEG 或 PNG 图片", {"photo": ["照片只能是 JPEG 或 PNG 图片"]})
    return kind


def set_photo(session: Session, editor: User, username: str, data: bytes) -> None:
    """Replace the photo of a cadre `editor` manages; the audit event names the sizes, not the bytes."""
    cadre, record = find_managed(session, editor, username)
    kind = photo_type(data)
    before = {"type": record.photo_type, "bytes": len(record.photo or b"")}
    record.photo, record.photo_type = data, kind
    _changed(session, editor, cadre, record,
             {"part": "photo", "before": before, "after": {"type": kind, "bytes": len(data)}, "via": "web"})
    session.flush()


def photo(session: Session, reader: User, username: str) -> tuple[bytes, str]:
    """The photo of a cadre `reader` manages (NotFound when there is none)."""
    _, record = find_managed(session, reader, username)
    if record.photo is None or record.photo_type is None:
        raise NotFound("该干部尚无照片")
    return record.photo, record.photo_type


def create(session: Session, editor: User, username: str, level: str) -> CadreRecord:
    """Open an empty record for a person `editor` would manage at `level` (InvalidRequest if they
    already have one or the level is unknown; NotFound for an unknown username)."""
    cadre = session.scalars(select(User).where(User.username == username.strip()[:64])).first()
    if cadre is None:
        raise ValidationFailed(f"没有用户“{username}”", {"username": ["没有该用户"]})
    values = check_basic({"management_level": level})
    access.require(session, editor, cadre, values["management_level"])
    if session.scalars(select(CadreRecord.id).where(CadreRecord.user_id == cadre.id)).first() is not None:
        raise InvalidRequest(f"{cadre.name}已有干部信息")
    record = CadreRecord(user_id=cadre.id, management_level=values["management_level"], current_post=cadre.post,
                         updated_by_id=editor.id)
    session.add(record)
    session.flush()
    audit.record(session, CREATE, actor=editor, payload={"user": cadre.username, "after": snapshot(session, record)})
    return record
