"""工作台 and the navigation bar: queue counts, overdue items, this month's cases, open items per step."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CaseCC
from models import OrgUnit
from models import ProcessDefinition
from models import ProcessInstance
from models import Role
from models import RoleAssignment
from models import User
from models import WorkItem
from models import WorkItemCandidate
from models import WorkItemStatus
from webapp.pages import inbox
from webapp.pages import special_reports
from webapp.pages import weekly
from webapp.pages.commendation_board import CommendationRow
from webapp.pages.commendation_board import in_progress as commendations_in_progress
from webapp.pages.diagram.shapes import wrap
from workflows.engine import clock
from workflows.notify import notifications
from workflows.routing import permissions


@dataclass
class Nav:
    """What the navigation bar shows: the 待办 badge and the menus the user's roles open."""

    todo: int
    roles: set[str]
    unread: int = 0  # unread notifications (站内消息)

    @property
    def todo_badge(self) -> str:
        """The badge's text: the count, or “99+” from BADGE_CAP on."""
        return str(self.todo) if self.todo < BADGE_CAP else f"{BADGE_CAP - 1}+"

    @property
    def unread_badge(self) -> str:
        return str(self.unread) if self.unread < BADGE_CAP else f"{BADGE_CAP - 1}+"

    @property
    def admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def auditor(self) -> bool:
        return Role.AUDITOR in self.roles

    @property
    def reserve_pool(self) -> bool:
        """The 后备干部库: whoever oversees a unit, auditors and administrators."""
        return bool(self.roles & {*permissions.OVERSIGHT_ROLES, Role.AUDITOR, Role.ADMIN})

    @property
    def cadres(self) -> bool:
        """The 干部信息 menu: for the 组织部 (组织部长, 组织员), who keep the records."""
        return bool({Role.ORG_HEAD, Role.ORG_OFFICER} & self.roles)


@dataclass
class StepLoad:
    process: str
    step: str
    count: int


@dataclass
class Dashboard:
    counts: dict[str, int]
    overdue: list[inbox.Row]
    overdue_total: int
    started_this_month: int
    scope: str  # "oversight" (the units the user oversees) or "mine" (their own 待办)
    loads: list[StepLoad] = field(default_factory=list)
    chart: str = ""
    weekly: weekly.Board | None = None  # 周报: this week's for the group, what a subsidiary owes
    commendations: list[CommendationRow] = field(default_factory=list)  # 表彰 in progress (group 组织部)
    special_reports: special_reports.Board | None = None  # 重要情况专报 (webapp/pages/special_reports.py)


BADGE_CAP = 100  # the 待办 badge counts up to here and then says “99+”


def roles_of(session: Session, user: User) -> set[str]:
    return set(permissions.roles_held(session, user))


def nav(session: Session, user: User, todo: int | None = None) -> Nav:
    """Three indexed queries per page: the 待办 count (unless the page has just counted it, as
    the unfiltered 待办 list does), the user's roles and unread messages (both counted up to
    BADGE_CAP)."""
    todo = inbox.todo_count(session, user, cap=BADGE_CAP) if todo is None else min(todo, BADGE_CAP)
    return Nav(todo=todo, roles=roles_of(session, user),
               unread=notifications.unread_count(session, user, cap=BADGE_CAP))


def _count(session: Session, query: Select[Any]) -> int:
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _oversight_paths(session: Session, user: User) -> list[str]:
    return list(session.scalars(
        select(OrgUnit.path).join(RoleAssignment, RoleAssignment.unit_id == OrgUnit.id)
        .where(RoleAssignment.user_id == user.id, RoleAssignment.role.in_([r.value for r in permissions.OVERSIGHT_ROLES]))
    ))


def step_loads(session: Session, user: User, limit: int = 10) -> tuple[str, list[StepLoad]]:
    """Open items per step: across the cases of the units the user oversees, else in their own 待办."""
    query = (select(ProcessDefinition.name, WorkItem.title, func.count(WorkItem.id.distinct()))
             .join(ProcessInstance, ProcessInstance.id == WorkItem.instance_id)
             .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
             .where(WorkItem.status == WorkItemStatus.OPEN))
    paths = _oversight_paths(session, user)
    if paths:
        scope = "oversight"
        units = select(OrgUnit.id).where(or_(*[OrgUnit.path.startswith(p, autoescape=True) for p in paths]))
        query = query.where(ProcessInstance.owning_unit_id.in_(units))
    else:
        scope = "mine"
        query = query.join(WorkItemCandidate, WorkItemCandidate.work_item_id == WorkItem.id).where(
            WorkItemCandidate.user_id == user.id, WorkItemCandidate.is_open.is_(True))
    rows = session.execute(query.group_by(ProcessDefinition.name, WorkItem.title)
                           .order_by(func.count(WorkItem.id.distinct()).desc()).limit(limit)).all()
    return scope, [StepLoad(process, step, count) for process, step, count in rows]


def bar_chart(loads: list[StepLoad], title: str = "") -> str:
    """A horizontal bar chart as self-contained SVG (presentation attributes only)."""
    if not loads:
        return ""
    top = max(load.count for load in loads)
    row, label_w, bar_w = 30, 210, 300
    height = row * len(loads) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {label_w + bar_w + 60} {height}" '
             f'width="{label_w + bar_w + 60}" height="{height}" role="img" aria-label="{escape(title)}" '
             f'font-family="Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif">']
    for index, load in enumerate(loads):
        y = 5 + index * row
        width = max(2.0, bar_w * load.count / top)
        label = (wrap(f"{load.step}（{load.process}）", label_w - 10, 12, 1) or [""])[0]
        parts.append(f'<g class="bar"><title>{escape(load.process)} · {escape(load.step)}：{load.count}</title>'
                     f'<text x="{label_w - 8}" y="{y + 17}" font-size="12" fill="#4e5969" text-anchor="end">'
                     f'{escape(label)}</text><rect x="{label_w}" y="{y + 4}" width="{width:.1f}" height="18" rx="3" '
                     f'fill="#c8161d"/><text x="{label_w + width + 6:.1f}" y="{y + 17}" font-size="12" '
                     f'fill="#1f2329">{load.count}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def dashboard(session: Session, user: User) -> Dashboard:
    """The 工作台 of `user`."""
    local = clock.today_local()
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    counts = {
        "todo": inbox.todo_count(session, user),
        "done": _count(session, select(WorkItem.id).where(WorkItem.completed_by_id == user.id)),
        "started": _count(session, select(ProcessInstance.id).where(ProcessInstance.initiator_id == user.id)),
        "cc": _count(session, select(CaseCC.id).where(CaseCC.user_id == user.id)),
    }
    overdue, overdue_total = inbox.queue_rows(session, user, "todo", 5, 0, inbox.Filters(due="overdue"))
    started = _count(session, select(ProcessInstance.id).where(ProcessInstance.initiator_id == user.id,
                                                               ProcessInstance.created_at >= month_start))
    scope, loads = step_loads(session, user)
    return Dashboard(counts, overdue, overdue_total, started, scope, loads, bar_chart(loads, "open items per step"),
                     weekly=weekly.board(session, user),
                     commendations=commendations_in_progress(session, user),
                     special_reports=special_reports.board(session, user))
