"""An entry of the 后备干部库 as the page and the API show it: the cadre, the 培养措施 (with the
forms to add and correct them), the annual reviews. (No Flask here.)"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any

from models import ReserveMeasure
from models import ReserveReview
from webapp.pages.records.conduct import ConductPanel
from workflows.records import reserve
from workflows.records import reserve_review


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def measure_json(m: ReserveMeasure, names: dict[int, str]) -> dict[str, Any]:
    return {"id": m.id, "kind": m.kind, "kind_text": reserve.MEASURE_KINDS.get(m.kind, m.kind), "title": m.title,
            "starts_on": m.starts_on.isoformat(), "ends_on": _day(m.ends_on), "result": m.result,
            "created_by": names.get(m.created_by_id or 0)}


def review_json(r: ReserveReview, names: dict[int, str]) -> dict[str, Any]:
    return {"id": r.id, "year": r.year, "decision": r.decision,
            "decision_text": reserve_review.DECISIONS.get(r.decision, r.decision), "before": r.before,
            "after": r.after, "reason": r.reason, "reviewed_on": r.reviewed_on.isoformat(),
            "reviewed_by": names.get(r.reviewed_by_id or 0)}


def detail_json(d: reserve.EntryDetail) -> dict[str, Any]:
    return {"entry": d.row.as_dict(), "measures": [measure_json(m, d.names) for m in d.measures],
            "reviews": [review_json(r, d.names) for r in d.reviews], "can_manage": d.can_manage,
            "reviewed_this_year": d.reviewed_this_year, "ratings": d.ratings}


def _state_text(state: dict[str, Any]) -> str:
    if not state.get("in_pool", True):
        return "已调出"
    category = reserve.CATEGORIES.get(state.get("category") or "", "未分类")
    return f"{category} · {state.get('target_post') or '—'}"


@dataclass
class EntryPage:
    detail: reserve.EntryDetail
    today: date
    conduct: ConductPanel | None = field(default=None)  # the cadre's 现实表现纪实, for the managing 组织部

    @property
    def row(self) -> reserve.EntryRow:
        return self.detail.row

    @property
    def measures(self) -> list[dict[str, Any]]:
        return [measure_json(m, self.detail.names) for m in self.detail.measures]

    @property
    def reviews(self) -> list[dict[str, Any]]:
        return [{**review_json(r, self.detail.names), "before_text": _state_text(r.before),
                 "after_text": _state_text(r.after)} for r in self.detail.reviews]

    @property
    def ratings(self) -> list[dict[str, Any]]:
        return self.detail.ratings

    @property
    def can_edit(self) -> bool:
        return self.detail.can_manage and self.row.status == "active"

    @property
    def can_review(self) -> bool:
        return self.can_edit and not self.detail.reviewed_this_year

    kinds = reserve.MEASURE_KINDS
    categories = reserve.CATEGORIES
    decisions = reserve_review.DECISIONS
