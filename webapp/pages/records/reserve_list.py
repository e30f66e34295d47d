"""The 后备干部库 list page: the search as typed, the rows of this page, the filters' choices.
(No Flask here: the route passes the query arguments in.)"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import OrgUnit
from models import User
from workflows.records import reserve


@dataclass
class ListPage:
    criteria: reserve.Criteria
    rows: list[reserve.EntryRow]
    total: int
    units: list[tuple[str, str]]
    categories: dict[str, str]
    statuses: dict[str, str]

    def filters(self) -> dict[str, str]:
        """The search as query arguments (for the CSV link and the pager)."""
        c = self.criteria
        found = {"unit": c.unit, "category": c.category, "target": c.target, "measure": c.measure, "q": c.q,
                 "since": c.since.isoformat() if c.since else "", "status": c.status}
        return {k: v for k, v in found.items() if v}


def units_for(session: Session, viewer: User) -> list[tuple[str, str]]:
    """The units the viewer may filter by: those they oversee and the units below (all for auditors)."""
    paths = reserve.visible_paths(session, viewer)
    query = select(OrgUnit.code, OrgUnit.name).order_by(OrgUnit.path)
    if paths is not None:
        query = query.where(or_(*[OrgUnit.path.startswith(p) for p in paths]))
    return [(code, name) for code, name in session.execute(query)]


def list_page(session: Session, viewer: User, args: Mapping[str, Any], page: int, per_page: int) -> ListPage:
    criteria = reserve.criteria_from(args)
    rows, total = reserve.search(session, viewer, criteria, per_page, (page - 1) * per_page)
    return ListPage(criteria, rows, total, units_for(session, viewer), reserve.CATEGORIES, reserve.STATUSES)


def export(session: Session, viewer: User, args: Mapping[str, Any]) -> str:
    """Every matching entry as CSV."""
    rows, _ = reserve.search(session, viewer, reserve.criteria_from(args))
    return reserve.csv_text(rows)
