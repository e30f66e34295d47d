"""Who may see and do what. Every check runs on the server, for HTML and API alike."""

from __future__ import annotations

from sqlalchemy import exists
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CaseCC
from models import OrgUnit
from models import ProcessInstance
from models import Role
from models import RoleAssignment
from models import User
from models import WorkItem
from models import WorkItemCandidate
from workflows import caching
from workflows.errors import NotAllowed
from workflows.errors import ViewRefused
from workflows.labels import LEVEL_TITLES
from workflows.labels import role_title
from workflows.routing import delegation

# Roles whose holders oversee the cases of their unit and every unit below it.
OVERSIGHT_ROLES = (Role.SECRETARY, Role.ORG_HEAD, Role.ORG_OFFICER, Role.DISCIPLINE)


def has_role(session: Session, user: User, role: str, unit_id: int | None = None) -> bool:
    query = select(RoleAssignment.id).where(RoleAssignment.user_id == user.id, RoleAssignment.role == role)
    if unit_id is not None:
        query = query.where(RoleAssignment.unit_id == unit_id)
    return session.scalar(query.limit(1)) is not None


def roles_held(session: Session, user: User) -> frozenset[str]:
    """The roles the user holds at any unit (every page's menu asks): from the per-process cache
    that a change to any role assignment empties (`workflows.caching`)."""
    user_id = user.id

    def load() -> frozenset[str]:
        return frozenset(session.scalars(select(RoleAssignment.role).where(RoleAssignment.user_id == user_id)))

    return caching.cached(session, "roles_held", user_id, load)


def in_candidates(session: Session, item: WorkItem, user: User) -> bool:
    """True when `user` is one of the item's stored candidates (claimed or not)."""
    return session.scalar(
        select(WorkItemCandidate.user_id).where(
            WorkItemCandidate.work_item_id == item.id, WorkItemCandidate.user_id == user.id
        )
    ) is not None


def acting_principal(session: Session, item: WorkItem, user: User) -> User | None:
    """Whom `user` acts for on the item: themselves when a stored candidate, else the candidate
    whose active delegation (委托) names them deputy; None when they may not act at all."""
    if in_candidates(session, item, user):
        return user
    return delegation.principal_for(session, item, user)


def is_candidate(session: Session, item: WorkItem, user: User) -> bool:
    """True when `user` may act on the item (as a candidate or a deputy of one) and it is not
    claimed by somebody else."""
    principal = acting_principal(session, item, user)
    return principal is not None and item.assignee_id in (None, user.id, principal.id)


def _took_part(session: Session, user_ids: list[int], instance: ProcessInstance) -> bool:
    candidate = exists().where(
        WorkItemCandidate.user_id.in_(user_ids),
        WorkItemCandidate.work_item_id == WorkItem.id,
    )
    query = select(WorkItem.id).where(
        WorkItem.instance_id == instance.id, WorkItem.completed_by_id.in_(user_ids) | candidate
    )
    return session.scalar(query.limit(1)) is not None


def is_cc(session: Session, user: User, instance: ProcessInstance) -> bool:
    """True when the case was 抄送 to the user (read access)."""
    query = select(CaseCC.id).where(CaseCC.instance_id == instance.id, CaseCC.user_id == user.id)
    return session.scalar(query.limit(1)) is not None


def _deputizes(session: Session, user: User, instance: ProcessInstance) -> bool:
    key = instance.definition.key
    principals = [g.principal_id for g in delegation.active_for_deputy(session, user) if delegation.covers(g, key)]
    return bool(principals) and _took_part(session, principals, instance)


def _oversees(session: Session, user: User, instance: ProcessInstance) -> bool:
    unit = session.get(OrgUnit, instance.owning_unit_id)
    if unit is None:
        return False
    query = select(RoleAssignment.id).where(
        RoleAssignment.user_id == user.id,
        RoleAssignment.role.in_([r.value for r in OVERSIGHT_ROLES]),
        RoleAssignment.unit_id.in_(unit.ancestor_ids()),
    )
    return session.scalar(query.limit(1)) is not None


def takes_part(session: Session, user: User, instance: ProcessInstance) -> bool:
    """Started, is about, took part in (or deputizes for someone who did) or oversees the case:
    everybody who may see it for a reason other than a 抄送 or the auditor role."""
    if user.id in (instance.initiator_id, instance.subject_user_id):
        return True
    if _took_part(session, [user.id], instance) or _oversees(session, user, instance):
        return True
    return _deputizes(session, user, instance)


def can_view_instance(session: Session, user: User, instance: ProcessInstance) -> bool:
    """Auditors see all; others see cases they started, are about, took part in (themselves or
    as a deputy), oversee, or were 抄送'd."""
    if has_role(session, user, Role.AUDITOR):
        return True
    return takes_part(session, user, instance) or is_cc(session, user, instance)


def oversees(session: Session, user: User, instance: ProcessInstance) -> bool:
    """Holds an oversight role (书记, 组织部长, 组织员, 纪委) at the owning unit or above."""
    return _oversees(session, user, instance)


def is_admin(session: Session, user: User) -> bool:
    return has_role(session, user, Role.ADMIN)


def require_view(session: Session, user: User, instance: ProcessInstance) -> None:
    if not can_view_instance(session, user, instance):
        raise ViewRefused("无权查看该流程", user.id, instance.id)


def may_start(session: Session, user: User, starter_roles: str | None) -> bool:
    """A process may be started by holders of any of its `starterRoles` (anyone if none listed).
    An entry `role@level` counts only an assignment in a unit of that level (`secretary@branch`:
    a 党支部书记, not the 书记 of a company)."""
    entries = (starter_roles or "").split()
    return not entries or any(_holds_starter(session, user, entry) for entry in entries)


def _holds_starter(session: Session, user: User, entry: str) -> bool:
    role, _, level = entry.partition("@")
    if not level:
        return has_role(session, user, role)
    query = (select(RoleAssignment.id).join(OrgUnit, OrgUnit.id == RoleAssignment.unit_id)
             .where(RoleAssignment.user_id == user.id, RoleAssignment.role == role, OrgUnit.level == level))
    return session.scalar(query.limit(1)) is not None


def starters(starter_roles: str | None) -> str:
    """Who may start a process, in words: "组织部门干部或纪委" ("" when anyone may)."""
    return "或".join(_starter_title(entry) for entry in (starter_roles or "").split())


def _starter_title(entry: str) -> str:
    role, _, level = entry.partition("@")
    return LEVEL_TITLES.get(level, level) + role_title(role).removeprefix("党组织") if level else role_title(role)


def start_refused(process_name: str, starter_roles: str | None) -> NotAllowed:
    """The refusal of a start by someone without any of the `starterRoles` (HTTP 403)."""
    return NotAllowed(f"“{process_name}”只能由{starters(starter_roles)}发起，您没有相应角色")
