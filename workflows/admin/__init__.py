"""管理 (administrators): users and their roles, the org tree, process versions, calendar overrides.

Every function takes the acting user, refuses anyone without the `admin` role (NotAllowed), and
audits every change.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload

from models import CalendarOverride
from models import OrgUnit
from models import ProcessDefinition
from models import ProcessInstance
from models import Role
from models import RoleAssignment
from models import UnitLevel
from models import User
from workflows import accounts
from workflows import audit
from workflows.calendar import load_calendar
from workflows.calendar import missing_years_warning
from workflows.engine import clock
from workflows.errors import InvalidRequest
from workflows.errors import NotAllowed
from workflows.errors import NotFound
from workflows.errors import ValidationFailed
from workflows.routing import permissions
from workflows.routing import relations
from workflows.rules.recusal import relation_titles

# The face: what code outside this package (the web layer above all) may use; `make lint`
# (scripts/check_layers.py) refuses anything else from webapp/.
__all__ = [
    "calendar_import",
    "calendar_overrides",
    "calendar_warning",
    "calendar_years",
    "change_role",
    "create_unit",
    "create_user",
    "declare_relation",
    "delete_override",
    "org_import",
    "org_tree",
    "remove_relation",
    "require_admin",
    "reset_password",
    "set_active",
    "set_override",
    "user_detail",
    "users",
    "version",
    "versions",
]


def require_admin(session: Session, user: User) -> None:
    if not permissions.has_role(session, user, Role.ADMIN):
        raise NotAllowed("只有系统管理员可以进入管理")


# ---------------------------------------------------------------- users

@dataclass
class UserList:
    users: list[User]
    total: int
    units: list[OrgUnit]
    roles: list[str]


def users(session: Session, actor: User, q: str = "", limit: int = 30, offset: int = 0) -> UserList:
    """Users matching `q` (username, name or post), with their unit and roles."""
    require_admin(session, actor)
    query = select(User)
    if q.strip():
        pattern = f"%{q.strip()}%"
        query = query.where(or_(User.username.ilike(pattern), User.name.ilike(pattern), User.post.ilike(pattern)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.options(selectinload(User.unit), selectinload(User.roles).selectinload(RoleAssignment.unit))
                           .order_by(User.id).limit(limit).offset(offset))
    units = list(session.scalars(select(OrgUnit).order_by(OrgUnit.path)))
    return UserList(list(rows), total, units, [r.value for r in Role])


def get_user(session: Session, actor: User, user_id: int) -> User:
    require_admin(session, actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"用户 {user_id} 不存在")
    return user


@dataclass
class UserDetail:
    user: User
    units: list[OrgUnit]
    roles: list[str]
    relations: list[relations.RelationRow]
    relation_kinds: dict[str, str]


def user_detail(session: Session, actor: User, user_id: int) -> UserDetail:
    """One user with the units and roles an administrator may grant, and the relations declared
    for them (回避, R-C1)."""
    user = get_user(session, actor, user_id)
    units = list(session.scalars(select(OrgUnit).order_by(OrgUnit.path)))
    return UserDetail(user, units, [r.value for r in Role], relations.of(session, user), relation_titles())


def declare_relation(session: Session, actor: User, user_id: int, other: str, kind: str, note: str) -> User:
    """Declare a relation of the user to another person (by username); 404/422 as `relations`."""
    user = get_user(session, actor, user_id)
    if not other.strip():
        raise ValidationFailed("请填写对方的用户名", {"other": ["请填写对方的用户名"]})
    relations.declare(session, user, accounts.find_user(session, other.strip()), kind, note, actor)
    return user


def remove_relation(session: Session, actor: User, user_id: int, relation_id: int) -> User:
    """Remove one of the user's declared relations."""
    user = get_user(session, actor, user_id)
    if relation_id not in {r.id for r in relations.of(session, user)}:
        raise NotFound(f"关系 {relation_id} 不存在")
    relations.remove(session, relation_id, actor)
    return user


def _bounded(*fields: tuple[str, str, int]) -> None:
    """Free text within its column's width (400 naming the field)."""
    for label, text, limit in fields:
        if len(text) > limit:
            raise InvalidRequest(f"{label}不能超过 {limit} 字")


def create_user(session: Session, actor: User, username: str, name: str, unit_code: str, password: str) -> User:
    """A new login in a unit; the username must be new and the password at least 8 characters."""
    require_admin(session, actor)
    if not username.strip() or not name.strip():
        raise InvalidRequest("请填写用户名和姓名")
    _bounded(("用户名", username.strip(), 64), ("姓名", name.strip(), 64))
    user = accounts.create_user(session, username.strip(), name.strip(), unit_code or None, password)
    audit.record(session, "user.create", actor=actor, payload={"user": user.username, "unit": unit_code})
    return user


def set_active(session: Session, actor: User, user_id: int, active: bool) -> User:
    user = get_user(session, actor, user_id)
    accounts.set_active(session, user, active, actor)
    return user


def reset_password(session: Session, actor: User, user_id: int, password: str) -> User:
    user = get_user(session, actor, user_id)
    accounts.reset_password(session, user, password, actor)
    return user


def change_role(session: Session, actor: User, user_id: int, role: str, unit_code: str, grant: bool) -> User:
    """Grant or revoke `role` at a unit (both audited)."""
    user = get_user(session, actor, user_id)
    if grant:
        accounts.set_role(session, user, role, unit_code, actor)
    else:
        accounts.revoke_role(session, user, role, unit_code, actor)
    return user


# ---------------------------------------------------------------- org tree

@dataclass
class UnitNode:
    unit: OrgUnit
    people: int
    children: list[UnitNode] = field(default_factory=list)


def org_tree(session: Session, actor: User) -> list[UnitNode]:
    """The org tree, roots first, with head counts."""
    require_admin(session, actor)
    units = list(session.scalars(select(OrgUnit).order_by(OrgUnit.path)))
    counts = dict(session.execute(select(User.unit_id, func.count()).group_by(User.unit_id)).all())
    nodes = {u.id: UnitNode(u, counts.get(u.id, 0)) for u in units}
    roots: list[UnitNode] = []
    for unit in units:
        parent = nodes.get(unit.parent_id) if unit.parent_id else None
        (parent.children if parent else roots).append(nodes[unit.id])
    return roots


def create_unit(session: Session, actor: User, code: str, name: str, level: str, parent_code: str | None) -> OrgUnit:
    """A new unit under `parent_code` (a root when empty). Audited."""
    require_admin(session, actor)
    if level not in {lv.value for lv in UnitLevel}:
        raise InvalidRequest(f"未知的组织层级“{level}”")
    if not code.strip() or not name.strip():
        raise InvalidRequest("请填写组织代码和名称")
    _bounded(("组织代码", code.strip(), 40), ("名称", name.strip(), 120))
    if session.scalars(select(OrgUnit).where(OrgUnit.code == code.strip())).first():
        raise InvalidRequest(f"组织代码“{code}”已存在")
    parent = accounts.find_unit(session, parent_code) if parent_code else None
    unit = OrgUnit(code=code.strip(), name=name.strip(), level=level, parent_id=parent.id if parent else None)
    session.add(unit)
    session.flush()
    unit.path = (parent.path if parent else "/") + f"{unit.id}/"
    audit.record(session, "unit.create", actor=actor, payload={"code": unit.code, "name": unit.name,
                                                               "parent": parent_code})
    return unit


# ---------------------------------------------------------------- process versions

@dataclass
class Version:
    definition: ProcessDefinition
    instances: int


def versions(session: Session, actor: User) -> dict[str, list[Version]]:
    """Every deployed version by process key, newest first, with how many cases use it."""
    require_admin(session, actor)
    used = dict(session.execute(select(ProcessInstance.definition_id, func.count())
                                .group_by(ProcessInstance.definition_id)).all())
    rows = session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.key, ProcessDefinition.version.desc()))
    grouped: dict[str, list[Version]] = defaultdict(list)
    for definition in rows:
        grouped[definition.key].append(Version(definition, used.get(definition.id, 0)))
    return dict(grouped)


def version(session: Session, actor: User, definition_id: int) -> ProcessDefinition:
    """A deployed version, for administrators."""
    require_admin(session, actor)
    definition = session.get(ProcessDefinition, definition_id)
    if definition is None:
        raise NotFound(f"流程版本 {definition_id} 不存在")
    return definition


# ---------------------------------------------------------------- calendar

@dataclass
class CalendarDay:
    override: CalendarOverride
    official: bool  # what the official calendar says without the override


def calendar_overrides(session: Session, actor: User) -> list[CalendarDay]:
    require_admin(session, actor)
    rows = list(session.scalars(select(CalendarOverride).order_by(CalendarOverride.day.desc())))
    official = load_calendar(session)
    official.overrides = {}
    return [CalendarDay(row, official.is_workday(row.day)) for row in rows]


def calendar_years(session: Session, actor: User) -> list[tuple[int, str]]:
    """(year, the calendar its working days come from) for last year to next year."""
    require_admin(session, actor)
    calendar, today = load_calendar(session), clock.today_local().date()
    return [(year, calendar.year_label(year)) for year in range(today.year - 1, today.year + 2)]


def calendar_warning(session: Session) -> str | None:
    """The warning every 管理 page shows while this year, or from December next year, has no
    official holiday schedule."""
    return missing_years_warning(load_calendar(session), clock.today_local().date())


def set_override(session: Session, actor: User, day: date, is_workday: bool, note: str) -> CalendarOverride:
    """Mark one day as a working day or not, whatever the official calendar says. Audited."""
    require_admin(session, actor)
    row = session.get(CalendarOverride, day)
    if row is None:
        row = CalendarOverride(day=day, is_workday=is_workday)
        session.add(row)
    row.is_workday, row.note = is_workday, note.strip()[:200] or None
    audit.record(session, "calendar.override", actor=actor,
                 payload={"day": day.isoformat(), "is_workday": is_workday, "note": row.note})
    return row


def delete_override(session: Session, actor: User, day: date) -> None:
    require_admin(session, actor)
    row = session.get(CalendarOverride, day)
    if row is None:
        raise NotFound(f"{day.isoformat()} 没有调整记录")
    session.delete(row)
    audit.record(session, "calendar.override_removed", actor=actor, payload={"day": day.isoformat()})
