"""培养措施 of a reserve-pool entry: added and corrected by the 组织部 of the managing unit.

Inputs are bounded (kind from a list, title ≤ 200, result ≤ 2000, dates 1950–2100) and the
dates in order (A-R3). Every change is an audit event with the values before and after.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from models import ReserveMeasure
from models import ReservePoolEntry
from models import User
from workflows import audit
from workflows.errors import NotAllowed
from workflows.errors import NotFound
from workflows.errors import ValidationFailed
from workflows.records.reserve import MEASURE_KINDS
from workflows.records.reserve import bounded_text
from workflows.records.reserve import can_manage
from workflows.records.reserve import load_entry
from workflows.rules.base import violation

MAX_TITLE = 200
MAX_RESULT = 2000
EARLIEST, LATEST = date(1950, 1, 1), date(2100, 12, 31)


@dataclass(frozen=True)
class MeasureInput:
    kind: str
    title: str
    starts_on: date
    ends_on: date | None
    result: str | None


def _day(raw: Any, name: str, errors: dict[str, list[str]], required: bool) -> date | None:
    text = str(raw or "").strip() if not isinstance(raw, (dict, list)) else "?"
    if not text:
        if required:
            errors[name] = ["请填写日期"]
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors[name] = ["日期格式应为 YYYY-MM-DD"]
        return None
    if not EARLIEST <= day <= LATEST:
        errors[name] = [f"日期应在 {EARLIEST} 至 {LATEST} 之间"]
    return day


def parse_measure(values: Mapping[str, Any]) -> MeasureInput:
    """A 培养措施 from a form or a JSON body; raises ValidationFailed naming each bad field."""
    errors: dict[str, list[str]] = {}
    kind = bounded_text(values.get("kind"), "kind", 20, errors)
    if kind not in MEASURE_KINDS:
        errors["kind"] = ["请选择措施类别：" + "、".join(MEASURE_KINDS.values())]
    title = bounded_text(values.get("title"), "title", MAX_TITLE, errors)
    if not title and "title" not in errors:
        errors["title"] = ["请填写措施内容，如“选派到疫情防控一线吃劲岗位”"]
    starts_on = _day(values.get("starts_on"), "starts_on", errors, required=True)
    ends_on = _day(values.get("ends_on"), "ends_on", errors, required=False)
    result = bounded_text(values.get("result"), "result", MAX_RESULT, errors)
    if errors:
        raise ValidationFailed("培养措施填写有误", errors)
    assert starts_on is not None
    return MeasureInput(kind, title, starts_on, ends_on, result or None)


def _in_order(entry: ReservePoolEntry, value: MeasureInput) -> None:
    """A-R3: to ≥ from, and from on or after the day the cadre entered the pool."""
    if value.ends_on is not None and value.ends_on < value.starts_on:
        raise violation("A-R3", f"结束日期（{value.ends_on}）不能早于开始日期（{value.starts_on}）", "ends_on")
    if value.starts_on < entry.entered_on:
        raise violation("A-R3", f"开始日期（{value.starts_on}）不能早于纳入后备干部库的日期（{entry.entered_on}）",
                        "starts_on")


def _managed(session: Session, actor: User, entry_id: int) -> ReservePoolEntry:
    entry = load_entry(session, actor, entry_id)
    if not can_manage(session, actor, entry):
        raise NotAllowed("只有管理该后备干部的组织部门可以维护培养措施")
    if entry.removed_on is not None:
        raise ValidationFailed("已调出后备干部库", {"entry": ["该同志已调出后备干部库，不能再维护培养措施"]})
    return entry


def _snapshot(measure: ReserveMeasure) -> dict[str, Any]:
    return {"kind": measure.kind, "title": measure.title, "starts_on": measure.starts_on.isoformat(),
            "ends_on": measure.ends_on.isoformat() if measure.ends_on else None, "result": measure.result}


def _audit(session: Session, action: str, actor: User, entry: ReservePoolEntry, measure: ReserveMeasure,
           before: dict[str, Any] | None) -> None:
    person = session.get(User, entry.user_id)
    audit.record(session, action, actor=actor, payload={
        "entry": entry.id, "measure": measure.id, "user": person.username if person else None,
        "before": before, "after": _snapshot(measure)})


def add_measure(session: Session, actor: User, entry_id: int, values: Mapping[str, Any]) -> ReserveMeasure:
    """Add a 培养措施 (as posted: a form or a JSON body) to an entry in the pool. Raises
    NotFound/NotAllowed (not the managing 组织部) before it reads the input, then
    ValidationFailed (bad input, an exited entry) or RuleViolation (A-R3)."""
    entry = _managed(session, actor, entry_id)
    value = parse_measure(values)
    _in_order(entry, value)
    fields = asdict(value)
    measure = ReserveMeasure(entry_id=entry.id, created_by_id=actor.id, **fields)
    session.add(measure)
    session.flush()
    _audit(session, "reserve.measure_add", actor, entry, measure, None)
    return measure


def update_measure(session: Session, actor: User, entry_id: int, measure_id: int,
                   values: Mapping[str, Any]) -> ReserveMeasure:
    """Correct a 培养措施 (e.g. enter its end and result); the same checks as `add_measure`."""
    entry = _managed(session, actor, entry_id)
    measure = session.get(ReserveMeasure, measure_id)
    if measure is None or measure.entry_id != entry.id:
        raise NotFound("没有该培养措施")
    value = parse_measure(values)
    _in_order(entry, value)
    before = _snapshot(measure)
    for name, new in asdict(value).items():
        setattr(measure, name, new)
    session.flush()
    _audit(session, "reserve.measure_update", actor, entry, measure, before)
    return measure
