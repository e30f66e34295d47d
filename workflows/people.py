"""Whom a user picker offers: active people of the units in scope, grouped by unit.

A start form offers the people of the units where the initiator holds a role (and their own
unit), with everything below them; a step's form offers the people under the unit the step is
routed in and under the case's owning unit. The server still checks every chosen person.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import MemberStatus
from models import OrgUnit
from models import RoleAssignment
from models import User
from workflows.webforms import Option

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
    return [Option(username, f"{name} · {post}" if post else name, unit)
            for username, name, post, unit in session.execute(query)]


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
