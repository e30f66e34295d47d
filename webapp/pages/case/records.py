"""Approval actions as the opinion timeline (审批记录) reads them back (approval-products §6.4):
退回 with its target and reason, 转办 and 改派 from → to, 加签 / 减签 with the signer, 拿回,
撤回, 终止, 催办, 抄送 and 评论 — from the case's audit events, naming the principal where a deputy
acted ("李四（代张三）").

退回 and 转办 close the handler's item, so they annotate that item's entry (`Mark`); the other
actions are entries of their own (`Record`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEvent
from models import User
from webapp.pages.forms import people
from workflows import audit
from workflows.actions import signers

MARKS = {"task.return": "return", "task.transfer": "transfer"}
RECORDS = {
    "task.add_signer": "add_signer", "task.remove_signer": "remove_signer", "task.take_back": "take_back",
    "task.reassign": "reassign", "task.remind": "remind", "instance.cc": "cc", "instance.comment": "comment",
    "instance.withdraw": "withdraw", "instance.terminate": "terminate",
}


@dataclass
class Mark:
    """What an item's entry adds when its item was returned or transferred."""

    kind: str
    target: str  # the step returned to, or who it was handed to


@dataclass
class Record:
    kind: str
    at: datetime
    actor: str
    principal: str
    step: str = ""
    source: str = ""  # 改派: from whom
    target: str = ""  # to whom (or the 加签 signer, the 抄送 recipients, the reminded)
    detail: str = ""  # 向前加签 / 向后加签
    comment: str = ""


@dataclass
class Reading:
    marks: dict[int, Mark] = field(default_factory=dict)  # work item id → its mark
    records: list[Record] = field(default_factory=list)


def _usernames(payload: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for key in ("to", "from", "signer", "users"):
        value = payload.get(key)
        values = value if isinstance(value, list) else [value]
        found |= {v for v in values if isinstance(v, str)}
    return found


def _joined(value: Any, names: Callable[[Any], str]) -> str:
    values = value if isinstance(value, list) else [value] if value is not None else []
    return "、".join(names(v) for v in values)


def _record(event: AuditEvent, kind: str, users: dict[int, User], name: Callable[[Any], str],
            steps: dict[str, str]) -> Record:
    payload = event.payload
    actor, principal = users.get(event.actor_id or 0), users.get(event.acted_for_id or 0)
    task = str(payload.get("task") or "")
    record = Record(kind=kind, at=event.at, actor=actor.name if actor else "", principal=principal.name if principal else "",
                    step=steps.get(task, task), comment=str(payload.get("reason") or payload.get("note")
                                                            or payload.get("comment") or ""))
    if kind in ("add_signer", "remove_signer"):
        record.target = name(payload.get("signer"))
        record.detail = dict(signers.POSITIONS).get(str(payload.get("position")), "") if kind == "add_signer" else ""
    elif kind == "reassign":
        record.source, record.target = _joined(payload.get("from"), name), name(payload.get("to"))
    elif kind in ("cc", "remind"):
        record.target = _joined(payload.get("users") if kind == "cc" else payload.get("to"), name)
    return record


def read(session: Session, instance_id: int, steps: dict[str, str]) -> Reading:
    """The case's 退回/转办 marks by item and its other action records, oldest first."""
    events = [e for e in audit.events_of_instance(session, instance_id) if e.action in MARKS or e.action in RECORDS]
    users = audit.users_of(session, events)
    usernames = people.names(session, {u for e in events for u in _usernames(e.payload)})
    ids = {i for e in events if e.action == "task.remind" for i in e.payload.get("to") or [] if isinstance(i, int)}
    by_id = dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}

    def name(value: Any) -> str:
        return str(by_id.get(value, value)) if isinstance(value, int) else usernames.get(str(value), str(value or ""))

    reading = Reading()
    for event in events:
        if event.action in MARKS and event.work_item_id is not None:
            target = event.payload.get("to_title") if event.action == "task.return" else name(event.payload.get("to"))
            reading.marks[event.work_item_id] = Mark(MARKS[event.action], str(target or ""))
        elif event.action in RECORDS:
            reading.records.append(_record(event, RECORDS[event.action], users, name, steps))
    return reading
