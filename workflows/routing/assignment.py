"""Routing (DESIGN §4): a lane name → the org unit in scope → the users who may act.

Lanes: `role` (the owning unit itself), `role@level` (nearest unit of that level at or above
the owning unit), `role@decider` (the level held in the variable the task's `deciderVariable`
names, `management_level` by default), `initiator`, `subject` (the person the case is about;
for a case about an organization, its 书记 answers for it), and `assignees` (usernames from a
variable chosen in an earlier form, or the multi-instance item).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import OrgUnit
from models import ProcessInstance
from models import Role
from models import RoleAssignment
from models import UnitLevel
from models import User
from workflows import caching
from workflows.errors import InvalidRequest

SPECIAL_LANES = ("initiator", "subject", "assignees")
LEVELS = {level.value for level in UnitLevel} | {"decider"}
RELATIVE_LEVELS = {level.value for level in UnitLevel} | {"parent"}
ROLES = {role.value for role in Role}


class RoutingError(InvalidRequest):
    """Nobody holds the role a step needs; an admin must fill it before the case can go on."""

    code = "no_candidates"


@dataclass(frozen=True)
class Lane:
    kind: str  # role | initiator | subject | assignees
    role: str | None = None
    level: str | None = None


@dataclass
class Route:
    lane: str
    scope_unit: OrgUnit | None
    candidates: list[User]


def parse_lane(name: str | None) -> Lane:
    """Parse a lane name; raises ValueError for unknown roles or levels."""
    if not name:
        raise ValueError("user task outside any lane")
    if name in SPECIAL_LANES:
        return Lane(name)
    role, _, level = name.partition("@")
    if role not in ROLES or (level and level not in LEVELS):
        raise ValueError(f"unknown lane {name!r}")
    return Lane("role", role, level or None)


def parse_relative_lane(name: str) -> Lane:
    """A role relative to a given unit (such as the unit a step is routed to): `role` (that unit),
    `role@parent` (its parent) or `role@level` (the nearest unit of that level at or above it).
    Raises ValueError otherwise."""
    role, _, level = name.partition("@")
    if role not in ROLES or (level and level not in RELATIVE_LEVELS):
        raise ValueError(f"unknown relative lane {name!r} (role, role@parent or role@<level>)")
    return Lane("role", role, level or None)


def unit_at_level(session: Session, start: OrgUnit, level: str) -> OrgUnit | None:
    """The nearest unit of `level` at or above `start`."""
    ids = tuple(start.ancestor_ids())

    def load() -> list[dict[str, Any]]:
        return [caching.columns(u) for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))]

    units = {row["id"]: row for row in caching.cached(session, "units_above", ids, load)}
    found = next((units[i] for i in ids if i in units and units[i]["level"] == level), None)
    return caching.attached(session, OrgUnit, found) if found is not None else None


def unit_choices(session: Session) -> tuple[tuple[str, str], ...]:
    """(code, name) of every unit above the branches, in the tree's order: what a list's unit
    filter offers (cached per process, `workflows.caching`)."""

    def load() -> tuple[tuple[str, str], ...]:
        rows = session.execute(select(OrgUnit.code, OrgUnit.name).where(OrgUnit.level != "branch").order_by(OrgUnit.path))
        return tuple((code, name) for code, name in rows)

    return caching.cached(session, "unit_choices", None, load)


def users_with_role(session: Session, role: str, unit_id: int) -> list[User]:
    """The active holders of `role` at the unit, by id (cached per process, `workflows.caching`)."""

    def load() -> list[dict[str, Any]]:
        holders = session.scalars(
            select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(RoleAssignment.role == role, RoleAssignment.unit_id == unit_id, User.is_active.is_(True))
            .order_by(User.id)
        )
        return [caching.columns(u, skip=("password_hash",)) for u in holders]

    return [caching.attached(session, User, row) for row in caching.cached(session, "holders", (role, unit_id), load)]


def _users_by_name(session: Session, names: list[str]) -> list[User]:
    users = [u for u in caching.users_named(session, names).values() if u.is_active]
    order = {name: index for index, name in enumerate(names)}
    return sorted(users, key=lambda u: order[u.username])


def _scope(session: Session, instance: ProcessInstance, data: dict[str, Any], props: dict[str, str]) -> OrgUnit:
    unit_variable = props.get("unitVariable")
    if unit_variable and data.get(unit_variable):
        unit = session.scalars(select(OrgUnit).where(OrgUnit.code == data[unit_variable])).first()
        if unit is not None:
            return unit
    unit = session.get(OrgUnit, instance.owning_unit_id)
    assert unit is not None
    return unit


def _assignee_names(data: dict[str, Any], props: dict[str, str], mi_item: Any) -> list[str]:
    if isinstance(mi_item, str):
        return [mi_item]
    value = data.get(props.get("assigneesVariable", ""), [])
    return [value] if isinstance(value, str) else list(value or [])


def resolve(
    session: Session,
    lane_name: str | None,
    instance: ProcessInstance,
    data: dict[str, Any],
    props: dict[str, str],
    mi_item: Any = None,
) -> Route:
    """Who may act on a step in `lane_name` for this case. Raises RoutingError if nobody."""
    lane = parse_lane(lane_name)
    scope: OrgUnit | None = None
    if lane.kind == "initiator":
        candidates = [instance.initiator]
    elif lane.kind == "subject":
        candidates = [instance.subject_user] if instance.subject_user else []
        if not candidates:  # a case about an organization: its 主要负责人 answers for it
            scope = session.get(OrgUnit, instance.owning_unit_id)
            candidates = users_with_role(session, Role.SECRETARY, instance.owning_unit_id)
    elif lane.kind == "assignees":
        candidates = _users_by_name(session, _assignee_names(data, props, mi_item))
    else:
        scope = _scope(session, instance, data, props)
        level = data.get(props.get("deciderVariable", "management_level")) if lane.level == "decider" else lane.level
        if level:
            scope = unit_at_level(session, scope, level)
        candidates = users_with_role(session, lane.role or "", scope.id) if scope else []
    if not candidates:
        where = f"（{scope.name}）" if scope else ""
        raise RoutingError(f"无法确定“{lane_name}”的办理人{where}：没有人担任该角色，请联系系统管理员")
    return Route(lane_name or "", scope, candidates)
