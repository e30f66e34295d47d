"""The annual review of the reserve pool (动态调整, A-R4): once a year per entry the 组织部 of the
managing unit keeps the cadre, moves them to another category or target post, or takes them
out with a reason. Each review is a `ReserveReview` row and an audit event with before/after.
(`accountability` decisions take people out on their own: workflows/effects/accountability.py.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ReservePoolEntry
from models import ReserveReview
from models import User
from workflows import audit
from workflows.errors import NotAllowed
from workflows.errors import ValidationFailed
from workflows.records.reserve import bounded_text
from workflows.records.reserve import can_manage
from workflows.records.reserve import load_entry
from workflows.rules.base import violation
from workflows.rules.reserve import CATEGORIES

DECISIONS = {"keep": "继续保留", "move": "调整类别或培养方向", "exit": "调出后备干部库"}
MAX_TEXT = 2000
MAX_POST = 200


@dataclass(frozen=True)
class ReviewInput:
    decision: str
    category: str | None
    target_post: str | None
    reason: str


def parse_review(values: Mapping[str, Any]) -> ReviewInput:
    """A review from a form or a JSON body; raises ValidationFailed naming each bad field."""
    errors: dict[str, list[str]] = {}
    decision = bounded_text(values.get("decision"), "decision", 10, errors)
    if decision not in DECISIONS:
        errors["decision"] = ["请选择：" + "、".join(DECISIONS.values())]
    category = bounded_text(values.get("category"), "category", 20, errors)
    if category and category not in CATEGORIES:
        errors["category"] = ["类别应为" + "或".join(CATEGORIES.values())]
    target = bounded_text(values.get("target_post"), "target_post", MAX_POST, errors)
    reason = bounded_text(values.get("reason"), "reason", MAX_TEXT, errors)
    if errors:
        raise ValidationFailed("年度调整填写有误", errors)
    return ReviewInput(decision, category or None, target or None, reason)


def _state(entry: ReservePoolEntry) -> dict[str, Any]:
    return {"category": entry.category, "target_post": entry.target_post, "in_pool": entry.removed_on is None}


def _apply(entry: ReservePoolEntry, value: ReviewInput, year: int, today: date) -> None:
    """A-R4: a move changes the category or the target post; a move or an exit says why."""
    if value.decision != "keep" and not value.reason:
        raise violation("A-R4", f"{DECISIONS[value.decision]}须写明理由", "reason")
    if value.decision == "move":
        category = value.category or entry.category
        target = value.target_post or entry.target_post
        if (category, target) == (entry.category, entry.target_post):
            raise violation("A-R4", "调整须改变类别或培养方向；不作调整的请选“继续保留”", "category")
        entry.category, entry.target_post = category, target
    elif value.decision == "exit":
        entry.removed_on = today
        entry.removed_reason = f"{year} 年度动态调整调出：{value.reason}"


def review(session: Session, actor: User, entry_id: int, values: Mapping[str, Any], today: date) -> ReserveReview:
    """This year's review of an entry in the pool (as posted: a form or a JSON body). Raises
    NotFound/NotAllowed (not the managing 组织部) before it reads the input, then ValidationFailed
    (bad input, already out of the pool) or RuleViolation (A-R4: reviewed this year already, a
    move that changes nothing, no reason)."""
    entry = load_entry(session, actor, entry_id)
    if not can_manage(session, actor, entry):
        raise NotAllowed("只有管理该后备干部的组织部门可以进行年度调整")
    value = parse_review(values)
    if entry.removed_on is not None:
        raise ValidationFailed("已调出后备干部库", {"decision": ["该同志已调出后备干部库"]})
    if session.scalar(select(ReserveReview.id).where(ReserveReview.entry_id == entry.id,
                                                     ReserveReview.year == today.year)) is not None:
        raise violation("A-R4", f"{today.year} 年度已调整过，每年调整一次", "decision")
    before = _state(entry)
    _apply(entry, value, today.year, today)
    row = ReserveReview(entry_id=entry.id, year=today.year, decision=value.decision, before=before,
                        after=_state(entry), reason=value.reason or None, reviewed_on=today, reviewed_by_id=actor.id)
    session.add(row)
    session.flush()
    person = session.get(User, entry.user_id)
    audit.record(session, "reserve.review", actor=actor, payload={
        "entry": entry.id, "user": person.username if person else None, "year": today.year,
        "decision": value.decision, "reason": value.reason or None, "before": before, "after": row.after})
    return row
