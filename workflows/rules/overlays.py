"""Validity windows of rule packs, which an admin may change (e.g. the `covid-2020` overlay).

The window in the pack's TOML is the default; a `rule_pack_window` row, written by an admin
and audited, replaces it. Overlay checks ask `applies(session, pack, day)` for the business
date they are about (e.g. the branch's proposal date), never for today's date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from models import Role
from models import RulePackWindow
from models import User
from workflows import audit
from workflows.engine import clock
from workflows.errors import NotAllowed
from workflows.errors import NotFound
from workflows.errors import ValidationFailed
from workflows.routing.permissions import has_role
from workflows.rules.packs import load_packs


@dataclass(frozen=True)
class Window:
    pack_id: str
    valid_from: date | None
    valid_to: date | None
    source: str  # "pack" (the TOML default) or "admin"

    def contains(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def as_dict(self) -> dict[str, str | None]:
        return {"pack": self.pack_id, "valid_from": _iso(self.valid_from), "valid_to": _iso(self.valid_to),
                "source": self.source}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def window(session: Session, pack_id: str) -> Window:
    """The effective window of a pack; raises NotFound for an unknown pack."""
    pack = load_packs().get(pack_id)
    if pack is None:
        raise NotFound(f"没有规则集“{pack_id}”")
    row = session.get(RulePackWindow, pack_id)
    if row is not None:
        return Window(pack_id, row.valid_from, row.valid_to, "admin")
    return Window(pack_id, pack.valid_from, pack.valid_to, "pack")


def applies(session: Session, pack_id: str, day: date) -> bool:
    """True when `day` lies inside the pack's effective validity window."""
    return window(session, pack_id).contains(day)


MAX_NOTE = 200


def _parse_day(value: Any, field: str, required: bool) -> date | None:
    if value in (None, "") and not required:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed("日期格式有误", {field: ["日期格式应为 YYYY-MM-DD"]}) from None


def update_window(session: Session, pack_id: str, body: Any, actor: User | None) -> Window:
    """Set a pack's window from a request body {valid_from, valid_to, note}; admins only.

    `actor` None is the operator at the CLI. Raises NotAllowed, NotFound, ValidationFailed.
    """
    if actor is not None and not has_role(session, actor, Role.ADMIN):
        raise NotAllowed("只有系统管理员可以调整规则集的有效期")
    if not isinstance(body, dict):
        raise ValidationFailed("请求体须为对象", {"_form": ["请求体须为对象"]})
    valid_from = _parse_day(body.get("valid_from"), "valid_from", True)
    assert valid_from is not None
    note = body.get("note")
    if note is not None and (not isinstance(note, str) or len(note) > MAX_NOTE):
        raise ValidationFailed("说明有误", {"note": [f"说明须为不超过 {MAX_NOTE} 字的文字"]})
    return set_window(session, pack_id, valid_from, _parse_day(body.get("valid_to"), "valid_to", False), actor,
                      note or None)


def set_window(session: Session, pack_id: str, valid_from: date, valid_to: date | None, actor: User | None,
               note: str | None = None) -> Window:
    """Store a window for a pack (audited). Raises NotFound or ValidationFailed."""
    before = window(session, pack_id)
    if valid_to is not None and valid_to < valid_from:
        raise ValidationFailed("有效期有误", {"valid_to": ["结束日期不能早于开始日期"]})
    row = session.get(RulePackWindow, pack_id) or RulePackWindow(pack_id=pack_id)
    row.valid_from, row.valid_to, row.note = valid_from, valid_to, note
    row.updated_by_id, row.updated_at = (actor.id if actor else None), clock.now()
    session.add(row)
    session.flush()
    after = window(session, pack_id)
    audit.record(session, "rule_pack.window", actor=actor,
                 payload={"pack": pack_id, "before": before.as_dict(), "after": after.as_dict(), "note": note})
    return after
