"""后备干部库: the pool as the 组织部 reads it — search, an entry with its 培养措施 and reviews, CSV.

Entries are written by the end of a `reserve_nomination` or `cadre_promotion` case (effects),
taken out by an `accountability` decision (B-C8) or by the annual review (reserve_review.py).
Whoever oversees a unit (书记, 组织部长, 组织部门干部, 纪委) sees the entries of the people in it and
below; auditors and administrators see all. Only the 组织部 (组织部长, 组织部门干部) of the unit that
manages an entry changes it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any

from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import OrgUnit
from models import ReserveMeasure
from models import ReservePoolEntry
from models import ReserveReview
from models import Role
from models import RoleAssignment
from models import User
from workflows.errors import NotAllowed
from workflows.errors import NotFound
from workflows.errors import ValidationFailed
from workflows.records.cadres import ratings_of
from workflows.routing import permissions
from workflows.routing.assignment import unit_at_level
from workflows.rules.reserve import CATEGORIES as CATEGORIES  # re-exported: the pages name the categories

MEASURE_KINDS = {"frontline": "疫情防控一线吃劲岗位", "secondment": "挂职锻炼", "rotation": "轮岗交流",
                 "training": "教育培训", "other": "其他"}
STATUSES = {"active": "在库", "exited": "已调出", "all": "全部"}
LEVELS = {"group": "集团管理", "subsidiary": "子分公司管理"}
MANAGERS = (Role.ORG_HEAD, Role.ORG_OFFICER)
MAX_FILTER = 100


@dataclass(frozen=True)
class Criteria:
    """A search of the pool; every field optional, texts are matched as contained."""

    unit: str = ""  # unit code: people of this unit and the units below it
    category: str = ""
    target: str = ""
    since: date | None = None  # entered on or after
    measure: str = ""  # a 培养措施 whose kind, title or result contains this
    q: str = ""  # name or username contains
    status: str = "active"


def _text(args: Mapping[str, Any], name: str, errors: dict[str, list[str]]) -> str:
    value = str(args.get(name) or "").strip()
    if len(value) > MAX_FILTER:
        errors[name] = [f"不超过 {MAX_FILTER} 个字"]
    return value


def criteria_from(args: Mapping[str, Any], strict: bool = False) -> Criteria:
    """Criteria from query arguments; raises ValidationFailed naming each bad one. `strict` (the
    API): a category, status or date that is given must not be blank (a search form sends blanks)."""
    errors: dict[str, list[str]] = {}
    if strict:
        errors.update({name: ["不能为空"] for name in ("category", "status", "since")
                       if name in args and not str(args[name]).strip()})
    texts = {name: _text(args, name, errors) for name in ("unit", "category", "target", "measure", "q", "status")}
    if texts["category"] and texts["category"] not in CATEGORIES:
        errors["category"] = ["类别应为 " + " / ".join(CATEGORIES)]
    if texts["status"] and texts["status"] not in STATUSES:
        errors["status"] = ["状态应为 " + " / ".join(STATUSES)]
    since = None
    if str(args.get("since") or "").strip():
        try:
            since = date.fromisoformat(str(args["since"]).strip())
        except ValueError:
            errors["since"] = ["日期格式应为 YYYY-MM-DD"]
    if errors:
        raise ValidationFailed("查询条件有误", errors)
    return Criteria(since=since, **{**texts, "status": texts["status"] or "active"})


def visible_paths(session: Session, viewer: User) -> list[str] | None:
    """None: the viewer sees every unit (admin, auditor); else the unit paths they oversee.
    Raises NotAllowed when they oversee none."""
    if permissions.has_role(session, viewer, Role.ADMIN) or permissions.has_role(session, viewer, Role.AUDITOR):
        return None
    paths = list(session.scalars(
        select(OrgUnit.path).join(RoleAssignment, RoleAssignment.unit_id == OrgUnit.id)
        .where(RoleAssignment.user_id == viewer.id,
               RoleAssignment.role.in_([r.value for r in permissions.OVERSIGHT_ROLES]))))
    if not paths:
        raise NotAllowed("您没有查看后备干部库的权限")
    return paths


@dataclass
class EntryRow:
    id: int
    username: str
    name: str
    post: str
    unit: str
    unit_code: str
    level: str
    category: str | None
    target_post: str | None
    entered_on: date
    removed_on: date | None
    removed_reason: str | None
    source_instance_id: int | None
    managing_unit: str = ""
    measures: int = 0

    @property
    def category_text(self) -> str:
        return CATEGORIES.get(self.category or "", "未分类")

    @property
    def status(self) -> str:
        return "exited" if self.removed_on else "active"

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "username": self.username, "name": self.name, "post": self.post, "unit": self.unit_code,
                "unit_name": self.unit, "managing_unit": self.managing_unit, "level": self.level,
                "category": self.category, "category_text": self.category_text, "target_post": self.target_post,
                "entered_on": self.entered_on.isoformat(), "status": self.status,
                "removed_on": self.removed_on.isoformat() if self.removed_on else None,
                "removed_reason": self.removed_reason, "source_instance_id": self.source_instance_id,
                "measures": self.measures}


def _query(session: Session, paths: list[str] | None, c: Criteria) -> Select[ReservePoolEntry, User, OrgUnit]:
    query = (select(ReservePoolEntry, User, OrgUnit).join(User, User.id == ReservePoolEntry.user_id)
             .join(OrgUnit, OrgUnit.id == User.unit_id))
    if paths is not None:
        query = query.where(or_(*[OrgUnit.path.startswith(p) for p in paths]))
    if c.unit:
        unit = session.scalars(select(OrgUnit).where(OrgUnit.code == c.unit)).first()
        if unit is None:
            raise ValidationFailed("查询条件有误", {"unit": [f"组织“{c.unit}”不存在"]})
        query = query.where(OrgUnit.path.startswith(unit.path))
    if c.status != "all":
        query = query.where(ReservePoolEntry.removed_on.is_(None) if c.status == "active"
                            else ReservePoolEntry.removed_on.is_not(None))
    if c.category:
        query = query.where(ReservePoolEntry.category == c.category)
    if c.target:
        query = query.where(ReservePoolEntry.target_post.contains(c.target, autoescape=True))
    if c.since:
        query = query.where(ReservePoolEntry.entered_on >= c.since)
    if c.q:
        query = query.where(or_(User.name.contains(c.q, autoescape=True), User.username.contains(c.q, autoescape=True)))
    if c.measure:
        query = query.where(ReservePoolEntry.id.in_(select(ReserveMeasure.entry_id).where(or_(
            ReserveMeasure.title.contains(c.measure, autoescape=True),
            ReserveMeasure.result.contains(c.measure, autoescape=True),
            ReserveMeasure.kind.in_([k for k, t in MEASURE_KINDS.items() if c.measure in t])))))
    return query


def _rows(session: Session, found: list[Any]) -> list[EntryRow]:
    ids = [entry.id for entry, _, _ in found]
    counts = dict(session.execute(select(ReserveMeasure.entry_id, func.count()).where(
        ReserveMeasure.entry_id.in_(ids)).group_by(ReserveMeasure.entry_id)).all()) if ids else {}
    managers = {u.id: u.name for u in session.scalars(select(OrgUnit).where(
        OrgUnit.id.in_({e.unit_id for e, _, _ in found if e.unit_id})))}
    return [EntryRow(id=e.id, username=u.username, name=u.name, post=u.post or "", unit=unit.name, unit_code=unit.code,
                     level=e.level, category=e.category, target_post=e.target_post, entered_on=e.entered_on,
                     removed_on=e.removed_on, removed_reason=e.removed_reason, source_instance_id=e.source_instance_id,
                     managing_unit=managers.get(e.unit_id or 0, ""), measures=counts.get(e.id, 0))
            for e, u, unit in found]


def search(session: Session, viewer: User, c: Criteria, limit: int | None = None,
           offset: int = 0) -> tuple[list[EntryRow], int]:
    """The entries the viewer may see that match, newest first, and how many match in all.
    Raises NotAllowed for a viewer who oversees no unit, ValidationFailed for an unknown unit."""
    query = _query(session, visible_paths(session, viewer), c)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    query = query.order_by(ReservePoolEntry.entered_on.desc(), ReservePoolEntry.id.desc()).offset(offset)
    found = session.execute(query.limit(limit) if limit else query).all()
    return _rows(session, list(found)), total


def managing_unit(session: Session, entry: ReservePoolEntry) -> OrgUnit | None:
    """The unit whose 组织部 manages the entry: as recorded, else the person's unit at its level."""
    if entry.unit_id is not None:
        return session.get(OrgUnit, entry.unit_id)
    person = session.get(User, entry.user_id)
    home = session.get(OrgUnit, person.unit_id) if person is not None and person.unit_id else None
    return unit_at_level(session, home, entry.level) if home is not None else None


def can_manage(session: Session, user: User, entry: ReservePoolEntry) -> bool:
    """The 组织部长 or a 组织部门干部 of the managing unit."""
    unit = managing_unit(session, entry)
    return unit is not None and session.scalar(select(RoleAssignment.id).where(
        RoleAssignment.user_id == user.id, RoleAssignment.unit_id == unit.id,
        RoleAssignment.role.in_([r.value for r in MANAGERS])).limit(1)) is not None


@dataclass
class EntryDetail:
    row: EntryRow
    measures: list[ReserveMeasure]
    reviews: list[ReserveReview]
    can_manage: bool
    reviewed_this_year: bool = False
    names: dict[int, str] = field(default_factory=dict)  # user id → name (who entered, who reviewed)
    # The last three 年度考核 results (年度综合考核, import, 问责's B-C9), newest first: the annual
    # review (动态调整) weighs them, and A-R1 refuses a nomination on them.
    ratings: list[dict[str, Any]] = field(default_factory=list)


def load_entry(session: Session, viewer: User, entry_id: int) -> ReservePoolEntry:
    """The entry if the viewer manages it or oversees the person's unit; NotFound otherwise (no
    hint that it exists), NotAllowed for a viewer who oversees no unit at all."""
    entry = session.get(ReservePoolEntry, entry_id)
    if entry is None:
        raise NotFound("后备干部库中没有该记录")
    if can_manage(session, viewer, entry):
        return entry
    paths = visible_paths(session, viewer)
    if paths is not None and not _search_one(session, paths, entry_id):
        raise NotFound("后备干部库中没有该记录")
    return entry


def _search_one(session: Session, paths: list[str], entry_id: int) -> bool:
    query = _query(session, paths, Criteria(status="all")).where(ReservePoolEntry.id == entry_id)
    return session.execute(query.limit(1)).first() is not None


def detail(session: Session, viewer: User, entry_id: int, today: date) -> EntryDetail:
    """An entry with its 培养措施 (by start date) and reviews (newest first), for the viewer."""
    entry = load_entry(session, viewer, entry_id)
    found = session.execute(select(ReservePoolEntry, User, OrgUnit).join(User, User.id == ReservePoolEntry.user_id)
                            .join(OrgUnit, OrgUnit.id == User.unit_id).where(ReservePoolEntry.id == entry.id)).all()
    measures = list(session.scalars(select(ReserveMeasure).where(ReserveMeasure.entry_id == entry.id)
                                    .order_by(ReserveMeasure.starts_on, ReserveMeasure.id)))
    reviews = list(session.scalars(select(ReserveReview).where(ReserveReview.entry_id == entry.id)
                                   .order_by(ReserveReview.year.desc())))
    people = {m.created_by_id for m in measures} | {r.reviewed_by_id for r in reviews}
    names = {u.id: u.name for u in session.scalars(select(User).where(User.id.in_(people - {None})))}
    return EntryDetail(_rows(session, list(found))[0], measures, reviews, can_manage(session, viewer, entry),
                       reviewed_this_year=any(r.year == today.year for r in reviews), names=names,
                       ratings=ratings_of(session, entry.user_id)[:3])


CSV_HEADER = ["姓名", "用户名", "所在单位", "现任职务", "类别", "培养方向（目标岗位）", "管理权限", "管理单位",
              "纳入日期", "状态", "调出日期", "调出原因", "培养措施（项）"]


def csv_text(rows: list[EntryRow]) -> str:
    """The rows as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for r in rows:
        writer.writerow([r.name, r.username, r.unit, r.post, r.category_text, r.target_post or "",
                         LEVELS.get(r.level, r.level), r.managing_unit, r.entered_on.isoformat(),
                         STATUSES[r.status], r.removed_on.isoformat() if r.removed_on else "",
                         r.removed_reason or "", r.measures])
    return "\ufeff" + out.getvalue()


def bounded_text(raw: Any, name: str, limit: int, errors: dict[str, list[str]]) -> str:
    """A posted text field, stripped; a non-text value or one over `limit` characters adds an
    error under `name` (the 培养措施 and review forms and their JSON bodies)."""
    if raw is not None and not isinstance(raw, str):
        errors[name] = ["应为文字"]
        return ""
    text = (raw or "").strip()
    if len(text) > limit:
        errors[name] = [f"不超过 {limit} 个字"]
    return text
