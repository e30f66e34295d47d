"""R-C2: who may take over a step — the target of a 转办, 加签 or 改派, and a deputy (委托) — is
checked the same way as the step's own candidates, plus 回避 (R-C1, `rules.recusal`).

"Able to hold" a step, by its lane (values: `bpmn/rules/recusal-2019.toml`, `settings.stand_in`):

- `role` / `role@level` lanes: the person holds, at the unit the step was routed to, the lane's
  role or one of the roles that may stand in for it (a 党委委员 for the 书记 …);
- `assignees` lanes (考察组, 调查组, 会签 members named in a form): anyone the form could have
  named, i.e. only R-C1 applies — but a standing 委托 never covers them (the appointment is
  personal; a 转办 with its reason is the way to hand one over);
- `initiator`: a holder of one of the process's starter roles where the initiator holds it;
- `subject` (申辩, 入党志愿书, 申诉): nobody but the subject.

A delegation may be created only when, for every process it covers and every role the
principal holds that the process's lanes use, the deputy can stand in for that role at the same
unit; and a deputy acts on an item only while still able to hold it and not bound to recuse.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import OrgUnit
from models import ProcessDefinition
from models import RoleAssignment
from models import User
from models import WorkItem
from workflows.errors import RuleViolation
from workflows.labels import ROLE_TITLES
from workflows.routing.assignment import parse_lane
from workflows.rules import recusal
from workflows.rules.base import violation
from workflows.rules.packs import load_packs

RULE = "R-C2"


def stand_ins(role: str) -> list[str]:
    """The roles that may hold a step of `role` (the role itself first)."""
    table = load_packs()[recusal.PACK].settings["stand_in"]
    return list(table.get(role, [role]))


def _roles_text(roles: list[str]) -> str:
    return "或".join(ROLE_TITLES.get(r, r) for r in roles)


def holds(session: Session, user: User, roles: list[str], unit_ids: list[int]) -> bool:
    """True when `user` holds one of `roles` at one of the units."""
    return session.scalar(select(RoleAssignment.id).where(
        RoleAssignment.user_id == user.id, RoleAssignment.role.in_(roles), RoleAssignment.unit_id.in_(unit_ids),
    ).limit(1)) is not None


def _unit_name(session: Session, unit_id: int | None) -> str:
    unit = session.get(OrgUnit, unit_id) if unit_id is not None else None
    return unit.name if unit is not None else ""


def _starter_units(session: Session, item: WorkItem, roles: list[str]) -> list[int]:
    """Where the case's initiator holds a starter role (a stand-in must hold one there)."""
    return list(session.scalars(select(RoleAssignment.unit_id).where(
        RoleAssignment.user_id == item.instance.initiator_id, RoleAssignment.role.in_(roles))))


@dataclass
class Holders:
    """Who may hold a step: holders of `roles` at `units` (`where` names them in messages)."""

    roles: list[str]
    units: list[int]
    where: str


def holders(session: Session, item: WorkItem) -> Holders | str | None:
    """Who may hold `item` by its lane: the roles and units; None when anyone may (a lane of
    people named in a form); a refusal text when nobody else may (the subject's own step)."""
    lane = parse_lane(item.lane)
    if lane.kind == "subject":
        return f"“{item.title}”须由当事人本人办理，不能交由他人"
    if lane.kind == "assignees":
        return None
    if lane.kind == "initiator":
        from workflows.engine import definitions  # late: definitions imports the rules package

        entries = (definitions.assets(item.instance.definition).get("start") or {}).get("starterRoles", "").split()
        starters = [entry.partition("@")[0] for entry in entries]  # `secretary@branch` → secretary
        roles = sorted({s for r in starters for s in stand_ins(r)})
        return Holders(roles, _starter_units(session, item, starters), "发起人所在单位")
    units = [item.scope_unit_id] if item.scope_unit_id else []
    return Holders(stand_ins(lane.role or ""), units, _unit_name(session, item.scope_unit_id))


def lane_refusal(session: Session, item: WorkItem, person: User, deputy: bool = False) -> str | None:
    """Why `person` may not hold `item` by its lane (R-C2), or None when they may."""
    found = holders(session, item)
    if isinstance(found, str):
        return found
    if found is None:
        return f"“{item.title}”由表单指定的人员本人办理，不能委托他人代办" if deputy else None
    if found.units and holds(session, person, found.roles, found.units):
        return None
    return f"{person.name}不在{found.where}担任{_roles_text(found.roles)}，不能办理“{item.title}”"


def check_target(session: Session, item: WorkItem, target: User, doing: str, field: str) -> None:
    """Refuse a 转办/加签/改派 target who could not hold the step (R-C2) or must recuse (R-C1)."""
    recusal.check_person(recusal.case_conflicts(session, item.instance), target, f"{doing}（{item.title}）", field)
    reason = lane_refusal(session, item, target)
    if reason is not None:
        raise violation(RULE, f"{reason}，不能作为{doing}对象", field)


def deputy_refusal(session: Session, item: WorkItem, deputy: User) -> RuleViolation | None:
    """Why a deputy (委托) may not act on `item` now (R-C1 or R-C2), or None."""
    conflicts = recusal.case_conflicts(session, item.instance)
    if deputy in conflicts:
        return recusal.refusal(conflicts, deputy, f"代为办理本案的“{item.title}”")
    reason = lane_refusal(session, item, deputy, deputy=True)
    return violation(RULE, f"{reason}（受托人须能办理所代办的环节）") if reason is not None else None


_roles_cache: dict[tuple[int, str], frozenset[str]] = {}
_roles_lock = threading.Lock()


def process_roles(definition: ProcessDefinition) -> frozenset[str]:
    """The roles a process's lanes route to (parsed once per definition version)."""
    key = (definition.id, definition.content_hash)
    found = _roles_cache.get(key)
    if found is None:
        from workflows.engine import definitions  # late: definitions imports the rules package

        parsed = definitions.runtime(definition)
        lanes = {getattr(s, "lane", None) for spec in [parsed.spec, *parsed.subprocess_specs.values()]
                 for s in spec.task_specs.values()}
        roles = {parse_lane(name).role for name in lanes if name}
        found = frozenset(r for r in roles if r)
        with _roles_lock:
            _roles_cache[key] = found
    return found


def _grants(session: Session, user: User) -> list[tuple[str, int]]:
    return [(r, u) for r, u in session.execute(
        select(RoleAssignment.role, RoleAssignment.unit_id).where(RoleAssignment.user_id == user.id))]


def check_delegation(session: Session, principal: User, deputy: User, processes: list[ProcessDefinition]) -> None:
    """Refuse a 委托 whose deputy could not hold the steps it covers (R-C2): for each process
    and each of the principal's roles its lanes use, the deputy must be able to stand in for
    that role at the same unit. A delegation covering no such step is refused too."""
    covered = 0
    for definition in processes:
        used = process_roles(definition)
        for role, unit_id in _grants(session, principal):
            if role not in used:
                continue
            covered += 1
            if not holds(session, deputy, stand_ins(role), [unit_id]):
                raise violation(RULE, f"{deputy.name}不在{_unit_name(session, unit_id)}担任{_roles_text(stand_ins(role))}，"
                                      f"不能代办{principal.name}作为{ROLE_TITLES.get(role, role)}在“{definition.name}”"
                                      f"中的环节", "deputy")
    if not covered:
        raise violation(RULE, f"{principal.name}在所选流程中没有按角色承担的环节，无须委托", "process_keys")


def eligible_usernames(session: Session, item: WorkItem) -> set[str] | None:
    """The usernames who could take over `item` (R-C2 and R-C1), for a picker; None = anyone
    not bound to recuse may (see `excluded_usernames`)."""
    found = holders(session, item)
    if isinstance(found, str):
        return set()
    excluded = excluded_usernames(session, item)
    if found is None:
        return None
    names = session.scalars(select(User.username).join(RoleAssignment, RoleAssignment.user_id == User.id).where(
        RoleAssignment.role.in_(found.roles), RoleAssignment.unit_id.in_(found.units), User.is_active.is_(True)))
    return set(names) - excluded


def excluded_usernames(session: Session, item: WorkItem) -> set[str]:
    """The usernames bound to recuse from `item`'s case (R-C1)."""
    ids = recusal.case_conflicts(session, item.instance).ids
    if not ids:
        return set()
    return set(session.scalars(select(User.username).where(User.id.in_(ids))))
