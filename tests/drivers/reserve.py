"""Drivers for the 后备干部库: `reserve_nomination` cases in 钢铁股份公司 (S1), and entries put in
the pool directly (as an earlier case would have) for the search and entry tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from flask import Flask
from sqlalchemy import select

from models import InfluencePeriod
from models import OrgUnit
from models import ReserveMeasure
from models import ReservePoolEntry
from tests.flows import Flow
from tests.helpers import COMMITTEES
from tests.helpers import meeting

PROCESS = "reserve_nomination"
OFFICER = "s1_03"   # S1 组织部干部: nominates, records the 党委会 and the 备案
HEAD = "s1_02"      # S1 组织部部长: the 部务会
CANDIDATE = "s1_05"  # 罗兰, rated 称职 for 2025, not a 党委委员 (no recusal)


def nomination(**overrides: Any) -> dict[str, Any]:
    data = {"candidate": CANDIDATE, "current_post": "党费管理员", "category": "young_outstanding",
            "target_post": "组织部副部长", "management_level": "subsidiary",
            "reasons": "疫情防控期间在一线卡口连续值守，表现突出（集团组织〔2020〕2号 第7条）",
            "frontline_performance": "负责复工复产防疫物资调配"}
    data.update(overrides)
    return data


def start(flow: Flow, by: str = OFFICER, expect: int = 201, **overrides: Any) -> dict[str, Any]:
    return flow.start(PROCESS, by, nomination(**overrides), expect=expect)


def committee(on: str = "2026-03-02", votes: dict[str, int] | None = None,
              absent: dict[str, str] | None = None) -> dict[str, Any]:
    """S1's 党委会 (5 党委委员): one away on business, the other four for."""
    return {"meeting": meeting(COMMITTEES["S1"], votes or {"for": 4, "against": 0, "defer": 0},
                               absent={"s1_08": "出差"} if absent is None else absent, date=on)}


def influence_period(app: Flask, username: str, starts: str, ends: str) -> None:
    """An 诫勉 影响期 as an `accountability` decision writes it (B-C8)."""
    from webapp.extensions import db
    from workflows import accounts

    with app.app_context():
        user = accounts.find_user(db.session, username)
        db.session.add(InfluencePeriod(user_id=user.id, kind="admonish", restriction="no_promotion",
                                       starts_on=date.fromisoformat(starts), ends_on=date.fromisoformat(ends)))
        db.session.commit()
        db.session.remove()


def put_in_pool(app: Flask, username: str, unit: str, category: str, target: str, entered_on: str,
                measures: Sequence[tuple[str, str, str, str | None]] = ()) -> int:
    """An entry managed by `unit`'s 组织部, with (kind, title, from, to) 培养措施; returns its id."""
    from webapp.extensions import db
    from workflows import accounts

    with app.app_context():
        user = accounts.find_user(db.session, username)
        managing = db.session.scalars(select(OrgUnit).where(OrgUnit.code == unit)).one()
        entry = ReservePoolEntry(user_id=user.id, level=managing.level, category=category, target_post=target,
                                 entered_on=date.fromisoformat(entered_on), unit_id=managing.id)
        db.session.add(entry)
        db.session.flush()
        for kind, title, starts, ends in measures:
            db.session.add(ReserveMeasure(entry_id=entry.id, kind=kind, title=title, starts_on=date.fromisoformat(starts),
                                          ends_on=date.fromisoformat(ends) if ends else None))
        db.session.commit()
        entry_id = entry.id
        db.session.remove()
    return entry_id
