"""The 重要情况专报 pages: the list (search as typed, this page's rows, the filters' choices), one
专报 with its people and cases, and the 工作台 section. (No Flask here: the routes pass the
query arguments in.)"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import OrgUnit
from models import User
from workflows.records import special_reports as reports
from workflows.rules import special_report as rules


@dataclass
class ListPage:
    criteria: reports.Criteria
    rows: list[reports.ReportRow]
    total: int
    units: list[tuple[str, str]]
    kinds: dict[str, str]
    statuses: dict[str, str]

    def filters(self) -> dict[str, str]:
        """The search as query arguments (for the CSV link and the pager)."""
        c = self.criteria
        found = {"kind": c.kind, "unit": c.unit, "q": c.q, "status": c.status if c.status != "all" else "",
                 "since": c.since.isoformat() if c.since else "", "until": c.until.isoformat() if c.until else ""}
        return {k: v for k, v in found.items() if v}


def units_for(session: Session, viewer: User) -> list[tuple[str, str]]:
    """The units the viewer may filter by: those they oversee and the units below (all for auditors)."""
    paths = reports.visible_paths(session, viewer)
    query = select(OrgUnit.code, OrgUnit.name).order_by(OrgUnit.path)
    if paths is not None:
        query = query.where(or_(*[OrgUnit.path.startswith(p, autoescape=True) for p in paths]))
    return [(code, name) for code, name in session.execute(query)]


def list_page(session: Session, viewer: User, args: Mapping[str, Any], page: int, per_page: int) -> ListPage:
    criteria = reports.criteria_from(args)
    rows, total = reports.search(session, viewer, criteria, per_page, (page - 1) * per_page)
    return ListPage(criteria, rows, total, units_for(session, viewer), rules.kinds(), reports.STATUSES)


def export(session: Session, viewer: User, args: Mapping[str, Any]) -> str:
    """Every matching 专报 as CSV."""
    rows, _ = reports.search(session, viewer, reports.criteria_from(args))
    return reports.csv_text(rows)


def detail(session: Session, viewer: User, instance_id: int) -> reports.ReportDetail:
    return reports.detail(session, viewer, instance_id)


@dataclass
class Board:
    """The 工作台 section: open 专报 of the units the user oversees, those waiting for the 组织部部长
    first (empty for everybody else: the template shows nothing)."""

    rows: list[reports.ReportRow]
    total: int
    awaiting: int


def board(session: Session, user: User) -> Board:
    rows, total = reports.open_for(session, user)
    return Board(rows, total, sum(1 for r in rows if r.awaiting_ack))
