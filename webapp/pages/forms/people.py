"""Whom a user picker offers: active people of the units in scope, grouped by unit.

A start form offers the people of the units where the initiator holds a role (and their own
unit), with everything below them; a step's form offers the people under the unit the step is
routed in and under the case's owning unit. The server still checks every chosen person. Each
option carries the text its picker's search box filters by (pinyin computed here, `pypinyin`).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from pypinyin import Style
from pypinyin import lazy_pinyin
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import MemberStatus
from models import OrgUnit
from models import RoleAssignment
from models import User
from webapp.pages.forms.fields import Option

LIMIT = 800


def _top_paths(units: Iterable[OrgUnit]) -> list[str]:
    """Unit paths with any path already covered by an ancestor removed."""
    paths = sorted({u.path for u in units}, key=len)
    kept: list[str] = []
    for path in paths:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def choices(session: Session, units: Iterable[OrgUnit], members_only: bool = False) -> list[Option]:
    """People under `units` (subtrees), as picker options grouped by unit, in tree order."""
    paths = _top_paths(units)
    if not paths:
        return []
    query = (
        select(User.username, User.name, User.post, OrgUnit.name)
        .join(OrgUnit, User.unit_id == OrgUnit.id)
        .where(or_(*[OrgUnit.path.startswith(p, autoescape=True) for p in paths]), User.is_active.is_(True))
        .order_by(OrgUnit.path, User.id)
        .limit(LIMIT)
    )
    if members_only:
        query = query.where(User.member_status.in_([MemberStatus.FULL, MemberStatus.PROBATIONARY]))
    return [Option(username, f"{name} · {post}" if post else name, unit, search_text(name, username, post, unit))
            for username, name, post, unit in session.execute(query)]


@lru_cache(maxsize=4096)
def _spelled(text: str) -> str:
    """"马立新" → "malixin mlx": the full pinyin and its initials, lower case ("" for no 汉字)."""
    syllables = [s for s in lazy_pinyin(text, style=Style.NORMAL, errors="ignore") if s]
    return f"{''.join(syllables)} {''.join(s[0] for s in syllables)}".lower().strip()


def search_text(name: str, username: str, post: str | None, unit: str) -> str:
    """What a person picker's search box matches for one person: name, username, post, unit,
    and the pinyin (full and initials) of the name and the unit — so "mlx", "malixin", "s1_01"
    and "炼钢" all find 马立新's option."""
    return " ".join(part for part in (name, username.lower(), post or "", unit, _spelled(name), _spelled(unit)) if part)


def role_units(session: Session, user: User) -> list[OrgUnit]:
    """The units where `user` holds any role, plus their own unit."""
    units = list(session.scalars(
        select(OrgUnit).join(RoleAssignment, RoleAssignment.unit_id == OrgUnit.id)
        .where(RoleAssignment.user_id == user.id)
    ))
    if user.unit is not None:
        units.append(user.unit)
    return units


def names(session: Session, usernames: Iterable[str]) -> dict[str, str]:
    """username → name for the given usernames, in one query."""
    wanted = {u for u in usernames if u}
    if not wanted:
        return {}
    return dict(session.execute(select(User.username, User.name).where(User.username.in_(wanted))).all())


def unit_names(session: Session, codes: Iterable[str]) -> dict[str, str]:
    """unit code → name for the given codes, in one query."""
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    return dict(session.execute(select(OrgUnit.code, OrgUnit.name).where(OrgUnit.code.in_(wanted))).all())


def options_for(session: Session, units: list[OrgUnit]) -> Any:
    """An `OptionsFor` callback for `webforms`: user pickers offer the people under `units`."""
    cache: dict[bool, list[Option]] = {}

    def options(kind: str, schema: dict[str, Any]) -> list[Option]:
        members = (schema.get("x-candidates") or (schema.get("items") or {}).get("x-candidates")) == "members"
        if members not in cache:
            cache[members] = choices(session, units, members_only=members)
        return cache[members]

    return options
