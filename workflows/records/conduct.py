"""现实表现纪实: the key events of a cadre's conduct — the day, what happened (≤ 500 characters),
where it is known from (周报, 专报, 问责, 考核, 表彰, 督导, 信访, 巡察, 其他), whether it shows the cadre
as 先进 or a 问题 (or neither), and the case it came from. Not tied to one promotion case: the
promotion and reserve-pool pages show them.

The 组织部 that manages the cadre (the 干部信息's rules, `access`) lists, adds and removes them (a
removal with a reason); processes write theirs with `record_event` (a 问责 decision, and later the
年度综合考核 and 表彰). Every change is an audit event (`cadre.event_add` / `cadre.event_remove`)
with the event before and after. An event a process wrote is corrected by the process (an appeal
that revokes the 问责 decision removes it), not by hand.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CadreEvent
from models import CadreRecord
from models import OrgUnit
from models import ProcessInstance
from models import User
from workflows import audit
from workflows.engine import clock
from workflows.errors import NotFound
from workflows.errors import ValidationFailed
from workflows.labels import N_
from workflows.records import access
from workflows.records.cadres import find_managed

ADD, REMOVE, EXPORT = "cadre.event_add", "cadre.event_remove", "cadre.export"
SOURCES = {"weekly": N_("周报"), "special": N_("专报"), "accountability": N_("问责"), "assessment": N_("考核"),
           "commendation": N_("表彰"), "supervision": N_("督导"), "petition": N_("信访"), "inspection": N_("巡察"),
           "other": N_("其他")}
MARKS = {"merit": N_("先进"), "issue": N_("问题"), "neutral": N_("一般")}
MAX_TEXT, MAX_REASON = 500, 200
PAGE, MOST = 20, 200  # events a page shows; the most one request lists
EARLIEST = date(1950, 1, 1)


@dataclass(frozen=True)
class EventInput:
    occurred_on: date
    text: str
    source: str
    mark: str


@dataclass
class EventList:
    """A person's events, newest first (one page of them), and how many there are in all."""

    username: str
    name: str
    events: list[CadreEvent]
    total: int
    names: dict[int, str] = field(default_factory=dict)  # who recorded them
    numbers: dict[int, str] = field(default_factory=dict)  # the linked cases' numbers
    can_edit: bool = False


def _text(raw: Any, name: str, limit: int, errors: dict[str, list[str]], missing: str) -> str:
    if raw is not None and not isinstance(raw, str):
        errors[name] = ["应为文字"]
        return ""
    text = (raw or "").strip()
    if not text:
        errors[name] = [missing]
    elif len(text) > limit:
        errors[name] = [f"不超过 {limit} 个字"]
    return text


def _day(raw: Any, today: date, errors: dict[str, list[str]]) -> date | None:
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        errors["occurred_on"] = ["请填写日期" if raw in (None, "") else "日期格式应为 YYYY-MM-DD"]
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors["occurred_on"] = ["日期格式应为 YYYY-MM-DD"]
        return None
    if day > today:
        errors["occurred_on"] = [f"不能晚于今天（{today}）"]
    elif day < EARLIEST:
        errors["occurred_on"] = [f"不能早于 {EARLIEST}"]
    return day


def parse_event(values: Mapping[str, Any], today: date) -> EventInput:
    """An event from a form or a JSON body; ValidationFailed with a message under each bad field."""
    errors: dict[str, list[str]] = {}
    day = _day(values.get("occurred_on"), today, errors)
    text = _text(values.get("text"), "text", MAX_TEXT, errors, "请填写事件内容")
    source, mark = (str(v) if isinstance(v, str) else "" for v in (values.get("source"), values.get("mark")))
    if source not in SOURCES:
        errors["source"] = ["请选择来源：" + "、".join(SOURCES.values())]
    if mark not in MARKS:
        errors["mark"] = ["请选择性质：" + "、".join(MARKS.values())]
    if errors:
        raise ValidationFailed("现实表现纪实填写有误，请按提示修改", errors)
    assert day is not None
    return EventInput(day, text, source, mark)


def snapshot(event: CadreEvent) -> dict[str, Any]:
    """The event as plain data (the audit events' before/after)."""
    return {"id": event.id, "occurred_on": event.occurred_on.isoformat(), "text": event.text,
            "source": event.source, "mark": event.mark, "instance_id": event.instance_id}


def record_event(session: Session, user_id: int, value: EventInput, *, instance: ProcessInstance | None = None,
                 actor: User | None = None, via: str = "process") -> CadreEvent:
    """Add an event to `user_id`'s 现实表现纪实 — for the effects of a process, e.g.
    `record_event(ctx.session, user_id, EventInput(day, text, "assessment", "merit"), instance=ctx.instance)`
    (no access check; the text is cut to MAX_TEXT). Audited as `cadre.event_add` with the event after."""
    if value.source not in SOURCES or value.mark not in MARKS:
        raise ValueError(f"unknown event source or mark: {value.source}, {value.mark}")
    event = CadreEvent(user_id=user_id, occurred_on=value.occurred_on, text=value.text.strip()[:MAX_TEXT],
                       source=value.source, mark=value.mark, instance_id=instance.id if instance is not None else None,
                       recorded_by_id=actor.id if actor is not None else None)
    session.add(event)
    session.flush()
    person = session.get(User, user_id)
    audit.record(session, ADD, actor=actor, instance=instance, payload={
        "user": person.username if person else None, "part": "events", "before": None, "after": snapshot(event),
        "via": via})
    return event


def remove_case_events(session: Session, instance: ProcessInstance, reason: str) -> int:
    """Remove the events a case wrote (its decision was revoked); each removal audited."""
    found = session.scalars(select(CadreEvent).where(CadreEvent.instance_id == instance.id,
                                                     CadreEvent.recorded_by_id.is_(None))).all()
    for event in found:
        _delete(session, None, event, reason, "process", instance)
    return len(found)


def _delete(session: Session, actor: User | None, event: CadreEvent, reason: str, via: str,
            instance: ProcessInstance | None = None) -> None:
    person = session.get(User, event.user_id)
    before = snapshot(event)
    session.delete(event)
    session.flush()
    audit.record(session, REMOVE, actor=actor, instance=instance, payload={
        "user": person.username if person else None, "part": "events", "before": before, "after": None,
        "reason": reason, "via": via})


def _page(session: Session, user_id: int, limit: int, offset: int) -> tuple[list[CadreEvent], int]:
    total = session.scalar(select(func.count(CadreEvent.id)).where(CadreEvent.user_id == user_id)) or 0
    rows = list(session.scalars(select(CadreEvent).where(CadreEvent.user_id == user_id)
                                .order_by(CadreEvent.occurred_on.desc(), CadreEvent.id.desc())
                                .limit(max(1, min(limit, MOST))).offset(max(0, offset))))
    return rows, total


def events_for(session: Session, person: User, limit: int = PAGE, offset: int = 0, can_edit: bool = False) -> EventList:
    """A person's events newest first (no access check: the caller decides who sees them)."""
    rows, total = _page(session, person.id, limit, offset)
    people = {e.recorded_by_id for e in rows} - {None}
    cases = {e.instance_id for e in rows} - {None}
    names = {u.id: u.name for u in session.scalars(select(User).where(User.id.in_(people)))} if people else {}
    numbers = {c.id: c.number for c in session.scalars(select(ProcessInstance).where(
        ProcessInstance.id.in_(cases)))} if cases else {}
    return EventList(person.username, person.name, rows, total, names, numbers, can_edit)


def level_of(session: Session, person: User) -> str:
    """The management level of the person's 干部信息 (子分公司党委管理 when there is no record)."""
    level = session.scalar(select(CadreRecord.management_level).where(CadreRecord.user_id == person.id))
    return level or "subsidiary"


def may_manage(session: Session, user: User, person: User) -> bool:
    """The 组织部 that keeps the person's 干部信息 (or one above it)."""
    return access.may_manage(session, user, person, level_of(session, person))


def listed(session: Session, reader: User, username: str, limit: int = PAGE, offset: int = 0) -> EventList:
    """The events of a cadre `reader` manages (NotFound; access.RecordRefused when not theirs)."""
    cadre, _ = find_managed(session, reader, username)
    return events_for(session, cadre, limit, offset, can_edit=True)


def add(session: Session, editor: User, username: str, values: Mapping[str, Any], via: str = "web") -> CadreEvent:
    """Add an event to the record of a cadre `editor` manages: RecordRefused before the input is
    read, then ValidationFailed (a future day, a text over MAX_TEXT, an unknown source or mark)."""
    cadre, _ = find_managed(session, editor, username)
    value = parse_event(values, clock.today_local().date())
    return record_event(session, cadre.id, value, actor=editor, via=via)


def remove(session: Session, editor: User, username: str, event_id: int, reason: Any, via: str = "web") -> None:
    """Remove an event `editor` recorded for a cadre they manage, with a reason (≤ MAX_REASON).
    An event a process wrote is refused: the process corrects it."""
    cadre, _ = find_managed(session, editor, username)
    event = session.get(CadreEvent, event_id)
    if event is None or event.user_id != cadre.id:
        raise NotFound("没有该现实表现纪实")
    errors: dict[str, list[str]] = {}
    text = _text(reason, "reason", MAX_REASON, errors, "请填写删除理由")
    if event.instance_id is not None and event.recorded_by_id is None:
        errors["reason"] = ["该事件由流程记录，随流程更正，不能手工删除"]
    if errors:
        raise ValidationFailed("不能删除该现实表现纪实", errors)
    _delete(session, editor, event, text, via)


def _cell(text: str) -> str:
    """A typed text as a CSV cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


CSV_HEADER = ["日期", "事件", "来源", "性质", "关联流程", "记录人", "记录时间"]


def csv_text(session: Session, reader: User, username: str, via: str = "web") -> tuple[str, str]:
    """All (up to MOST) events of a cadre `reader` manages as CSV (UTF-8 with BOM) and the
    person's name; the export is recorded (`cadre.export`, part `events`)."""
    found = listed(session, reader, username, MOST)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for e in found.events:
        writer.writerow([e.occurred_on.isoformat(), _cell(e.text), SOURCES.get(e.source, e.source), MARKS.get(e.mark, e.mark),
                         found.numbers.get(e.instance_id or 0, ""), found.names.get(e.recorded_by_id or 0, "（流程）"),
                         e.recorded_at.strftime("%Y-%m-%d %H:%M")])
    audit.record(session, EXPORT, actor=reader, payload={"user": found.username, "part": "events",
                                                         "count": len(found.events), "via": via})
    return "\ufeff" + out.getvalue(), found.name


@dataclass(frozen=True)
class Lead:
    """A 表彰线索: one 先进 event of a person in a nominating unit."""

    username: str
    name: str
    unit: str
    event: CadreEvent


LEAD_DAYS = 366  # a 推荐 weighs the last year's 先进 events


def leads(session: Session, unit_id: int, limit: int = PAGE) -> list[Lead]:
    """The 先进 events of the last year of people in unit `unit_id` and the units below it, newest
    first: what a 表彰's 推荐 step offers its 组织部 as 线索 — a 周报 line marked 先进 and accepted by
    the group, a 典型案例 专报, a 先进 entered on the record. No access check: the caller decides."""
    unit = session.get(OrgUnit, unit_id)
    if unit is None:
        return []
    since = date.fromordinal(clock.today_local().date().toordinal() - LEAD_DAYS)
    rows = session.execute(
        select(CadreEvent, User, OrgUnit).join(User, User.id == CadreEvent.user_id)
        .join(OrgUnit, OrgUnit.id == User.unit_id)
        .where(OrgUnit.path.startswith(unit.path), CadreEvent.mark == "merit", CadreEvent.occurred_on >= since)
        .order_by(CadreEvent.occurred_on.desc(), CadreEvent.id.desc()).limit(max(1, min(limit, MOST)))).all()
    return [Lead(user.username, user.name, where.name, event) for event, user, where in rows]
