"""Who may read and edit a cadre's 干部信息: the 组织部 (组织部长 `org_head`, 组织员 `org_officer`) of
the unit that manages the cadre — the nearest unit of the record's `management_level` at or above
the cadre's unit (干部管理权限, as `assignment.unit_at_level` finds a `role@level` lane) — or of a
unit above it. Nobody else, whatever their role: the record is sensitive.

A refusal is an `access.refused` event (target `cadre`), rate-limited as `reads.refused` is."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import false
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEvent
from models import CadreRecord
from models import OrgUnit
from models import Role
from models import RoleAssignment
from models import User
from workflows import audit
from workflows.audit.reads import REFUSAL_WINDOW
from workflows.audit.reads import REFUSALS_PER_USER
from workflows.engine import clock
from workflows.errors import NotAllowed
from workflows.routing.assignment import unit_at_level

KEEPERS = (Role.ORG_HEAD.value, Role.ORG_OFFICER.value)
# The management levels a 组织部 at a unit of this level keeps records for.
KEPT_BELOW = {"group": ("group", "subsidiary"), "subsidiary": ("subsidiary",), "branch": ()}


class RecordRefused(NotAllowed):
    """The caller does not manage this cadre: a refusal the web layer records (`refused`)."""

    def __init__(self, user_id: int, username: str) -> None:
        super().__init__("无权查看或修改该干部的干部信息（仅限管理该干部的组织部）")
        self.user_id, self.username = user_id, username


def managing_unit(session: Session, cadre: User, level: str) -> OrgUnit | None:
    """The unit whose 组织部 keeps the record: the nearest `level` unit at or above the cadre's
    unit (the cadre's own unit when there is none, e.g. a 子分公司-managed post at the 集团)."""
    unit = session.get(OrgUnit, cadre.unit_id) if cadre.unit_id else None
    if unit is None:
        return None
    return unit_at_level(session, unit, level) or unit


def _keeper_units(session: Session, user: User) -> list[OrgUnit]:
    return list(session.scalars(select(OrgUnit).join(RoleAssignment, RoleAssignment.unit_id == OrgUnit.id).where(
        RoleAssignment.user_id == user.id, RoleAssignment.role.in_(KEEPERS))))


def may_manage(session: Session, user: User, cadre: User, level: str) -> bool:
    """True when `user` is in the 组织部 of the cadre's managing unit or of a unit above it."""
    unit = managing_unit(session, cadre, level)
    if unit is None:
        return False
    return any(keeper.id in unit.ancestor_ids() for keeper in _keeper_units(session, user))


def managed_filter(session: Session, user: User) -> ColumnElement[bool]:
    """A WHERE clause (on CadreRecord joined to its User and that user's OrgUnit) selecting the
    records `user` manages, consistent with `may_manage`."""
    terms = [OrgUnit.path.like(f"{keeper.path}%") & CadreRecord.management_level.in_(KEPT_BELOW[keeper.level])
             for keeper in _keeper_units(session, user) if KEPT_BELOW.get(keeper.level)]
    return or_(*terms) if terms else false()


def require(session: Session, user: User, cadre: User, level: str) -> None:
    """Raises RecordRefused unless `user` manages the cadre."""
    if not may_manage(session, user, cadre, level):
        raise RecordRefused(user.id, cadre.username)


def refused(session: Session, user_id: int, username: str, payload: dict[str, Any]) -> bool:
    """Queue an `access.refused` event (target `cadre`) for a refused read or change of a cadre's
    record, unless one for this user and cadre is already on record in the window (or the user
    has REFUSALS_PER_USER of them); True if queued."""
    since = clock.now() - REFUSAL_WINDOW
    recent = session.scalars(select(AuditEvent.payload).where(
        AuditEvent.actor_id == user_id, AuditEvent.at > since, AuditEvent.action == audit.REFUSED)).all()
    if len(recent) >= REFUSALS_PER_USER:
        return False
    if any((p or {}).get("target") == "cadre" and (p or {}).get("user") == username for p in recent):
        return False
    user = session.get(User, user_id)
    if user is None:
        return False
    audit.record(session, audit.REFUSED, actor=user, payload={"target": "cadre", "user": username, **payload})
    return True
