"""The record the chain vouches for (issue 12 §5): the 审批记录, the case page and the 审批单 read
`work_item` and `process_instance` rows; this module re-derives what those rows must say from
the case's audit events and reports every row that differs.

What each event sets (the payloads are written by the actions in `workflows.cases.tasks` and
`workflows.actions`):

    task.complete        its item: action complete, decision, 审批意见 (comment), form data
    task.sign            its item: action sign, decision, comment, data {"decision"};
                         an after-signer's 不同意 voids the submission of `for_item` (all empty)
    task.return          its item: action return, comment = the 退回理由
    task.transfer        its item: action transfer, comment = the 转办理由
    instance.resubmit    its item: action resubmit, comment, data
    instance.end         the case: status and outcome (the end event reached)
    instance.withdraw    the case: withdrawn;  instance.terminate: terminated

An item no event closed carries no action, decision, opinion or data (a 减签 signer only the
action `removed`). A case starts `running`.

`check_case` also checks the case's own events against the chain: each event's HMAC and its
links to the events before and after it. That is a few rows for one case; the whole chain
(an event deleted between two of other cases) is `flask audit verify`'s full walk.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEvent
from models import ProcessInstance
from models import WorkItem
from models import WorkItemKind
from workflows import audit
from workflows.audit import chain as audit_chain
from workflows.errors import NotFound

END = "instance.end"
ENDINGS = {"instance.withdraw": "withdrawn", "instance.terminate": "terminated"}
FIELDS = ("action", "decision", "comment", "data")
LABELS = {"action": "办理动作", "decision": "办理结果", "comment": "审批意见", "data": "表单数据",
          "status": "流程状态", "outcome": "办理结果", "event": "审计事件"}
_EMPTY: dict[str, Any] = {"action": None, "decision": None, "comment": None, "data": None}


@dataclass(frozen=True)
class Difference:
    """One row (or event) that differs from what the chain says."""

    instance_id: int
    number: str
    what: str  # a key of LABELS
    recorded: Any = None
    derived: Any = None
    item_id: int | None = None
    step: str = ""
    note: str = ""

    def line(self) -> str:
        """One line for `flask audit verify` and the case page."""
        where = f"{self.number} 事项 #{self.item_id}（{self.step}）" if self.item_id else self.number
        if self.note:
            return f"{where} {LABELS[self.what]}：{self.note}"
        return f"{where} {LABELS[self.what]}：记录为 {_short(self.recorded)}，审计链为 {_short(self.derived)}"


@dataclass
class CaseCheck:
    instance_id: int
    number: str
    events: int
    differences: list[Difference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences

    @property
    def detail(self) -> str:
        """What differs, the first three differences in one line ("" when nothing does)."""
        shown = "；".join(d.line().removeprefix(f"{self.number} ") for d in self.differences[:3])
        return shown + (f"；共 {len(self.differences)} 处" if len(self.differences) > 3 else "")

    @property
    def summary(self) -> str:
        """The banner: 记录与审计链一致 / 记录与审计链不一致：…"""
        return "记录与审计链一致" if self.ok else f"记录与审计链不一致：{self.detail}"


def _short(value: Any, limit: int = 60) -> str:
    if value is None:
        return "（空）"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return f"“{text[:limit]}…”（{len(text)} 字）" if len(text) > limit else f"“{text}”"


def _plain(value: Any) -> Any:
    """A value as the chain stores it (JSON: dates as text, tuples as lists)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str)) if value is not None else None


# ---------------------------------------------------------------- deriving

@dataclass
class Derived:
    status: str = "running"
    outcome: str | None = None
    items: dict[int, dict[str, Any]] = field(default_factory=dict)


def derive(events: Iterable[AuditEvent]) -> Derived:
    """What the case's rows must say, from its events in chain order."""
    out = Derived()
    for evt in events:
        p, item = evt.payload or {}, evt.work_item_id
        if evt.action == "task.complete" and item:
            out.items[item] = {"action": "complete", "decision": p.get("decision"), "comment": p.get("comment"),
                               "data": p.get("data")}
        elif evt.action == "task.sign" and item:
            decision = p.get("decision")
            out.items[item] = {"action": "sign", "decision": decision, "comment": p.get("comment"),
                               "data": {"decision": decision}}
            if p.get("position") == "after" and decision == "disagree" and p.get("for_item"):
                out.items[int(p["for_item"])] = dict(_EMPTY)
        elif evt.action in ("task.return", "task.transfer") and item:
            before = out.items.get(item, _EMPTY)
            out.items[item] = {**before, "action": evt.action.removeprefix("task."), "comment": p.get("reason")}
        elif evt.action == "instance.resubmit" and item:
            out.items[item] = {"action": "resubmit", "decision": None, "comment": p.get("comment"),
                               "data": p.get("data")}
        elif evt.action == END:
            out.status, out.outcome = str(p.get("status")), p.get("outcome")
        elif evt.action in ENDINGS:
            out.status = ENDINGS[evt.action]
    return out


def compare(instance: ProcessInstance, items: Iterable[WorkItem], events: list[AuditEvent]) -> list[Difference]:
    """Every field of the case's rows that differs from its events."""
    derived = derive(events)
    found: list[Difference] = []

    def add(what: str, recorded: Any, should: Any, item: WorkItem | None = None) -> None:
        found.append(Difference(instance.id, instance.number, what, recorded, should,
                                item.id if item else None, item.title if item else ""))

    if instance.status != derived.status:
        add("status", instance.status, derived.status)
    outcome = (instance.data or {}).get("outcome")
    if derived.status in ("completed", "rejected") and outcome != derived.outcome:
        add("outcome", outcome, derived.outcome)
    for item in sorted(items, key=lambda i: i.id):
        should = derived.items.get(item.id)
        if should is None and item.kind == WorkItemKind.SIGNER and item.action == "removed":
            should = {**_EMPTY, "action": "removed"}  # 减签 names the signer, not the signer's item
        should = should or _EMPTY
        row = {"action": item.action, "decision": item.decision, "comment": item.comment, "data": item.data}
        for name in FIELDS:
            if _plain(row[name]) != _plain(should[name]):
                recorded, expected = _data_diff(row[name], should[name]) if name == "data" else (row[name], should[name])
                add(name, recorded, expected, item)
    return found


def _data_diff(recorded: Any, derived: Any) -> tuple[Any, Any]:
    """For form data, only the fields that differ, on each side."""
    a, b = _plain(recorded), _plain(derived)
    if not isinstance(a, dict) or not isinstance(b, dict):
        return a, b
    keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    return {k: a.get(k) for k in keys}, {k: b.get(k) for k in keys}


# ---------------------------------------------------------------- one case, with its events' links

def _events_of(session: Session, instance_id: int) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id)
                                .order_by(AuditEvent.seq)))


def _chain_differences(session: Session, instance: ProcessInstance, events: list[AuditEvent]) -> list[Difference]:
    """The case's events against the chain: each one's HMAC (under any key the chain was signed
    with) and its links to its neighbours."""
    keys = audit.keys(session)
    seqs = {e.seq for e in events}
    around = {s - 1 for s in seqs} | {s + 1 for s in seqs}
    neighbours = {row.seq: row for row in session.execute(
        select(AuditEvent.seq, AuditEvent.hash, AuditEvent.prev_hash).where(AuditEvent.seq.in_(sorted(around))))}
    found = []
    for evt in events:
        record = audit.to_record(evt)
        before = neighbours.get(evt.seq - 1)
        after = neighbours.get(evt.seq + 1)
        reason = None
        if not any(audit_chain.link_hash(k, evt.prev_hash, record) == evt.hash for k in keys):
            reason = "内容与哈希不符（被修改）"
        elif evt.seq > 1 and (before is None or before.hash != evt.prev_hash):
            reason = "与前一事件的链接不符"
        elif evt.seq == 1 and evt.prev_hash != audit_chain.GENESIS:
            reason = "与链首不符"
        elif after is not None and after.prev_hash != evt.hash:
            reason = "与后一事件的链接不符"
        if reason:
            found.append(Difference(instance.id, instance.number, "event", note=f"第 {evt.seq} 号事件{reason}"))
    return found


def find_case(session: Session, ref: str) -> ProcessInstance:
    """A case by its number or id; NotFound."""
    found = session.scalars(select(ProcessInstance).where(ProcessInstance.number == ref)).first()
    if found is None and ref.isdigit():
        found = session.get(ProcessInstance, int(ref))
    if found is None:
        raise NotFound(f"流程实例 {ref} 不存在")
    return found


def check_case(session: Session, instance: ProcessInstance) -> CaseCheck:
    """The case's rows against its events, and its events against the chain (a few queries)."""
    events = _events_of(session, instance.id)
    items = session.scalars(select(WorkItem).where(WorkItem.instance_id == instance.id))
    differences = _chain_differences(session, instance, events) + compare(instance, items, events)
    return CaseCheck(instance.id, instance.number, len(events), differences)


# ---------------------------------------------------------------- every case

def check_all(session: Session, batch: int = 200) -> Iterator[CaseCheck]:
    """Every case's rows against its events (the chain itself is walked by `audit.verify`), a
    batch of cases at a time: three queries per batch."""
    last = 0
    while True:
        cases = list(session.scalars(select(ProcessInstance).where(ProcessInstance.id > last)
                                     .order_by(ProcessInstance.id).limit(batch)))
        if not cases:
            return
        ids = [c.id for c in cases]
        events: dict[int, list[AuditEvent]] = {i: [] for i in ids}
        for evt in session.scalars(select(AuditEvent).where(AuditEvent.instance_id.in_(ids))
                                   .order_by(AuditEvent.seq)):
            events[evt.instance_id or 0].append(evt)
        items: dict[int, list[WorkItem]] = {i: [] for i in ids}
        for item in session.scalars(select(WorkItem).where(WorkItem.instance_id.in_(ids))):
            items[item.instance_id].append(item)
        for case in cases:
            yield CaseCheck(case.id, case.number, len(events[case.id]),
                            compare(case, items[case.id], events[case.id]))
        last = ids[-1]
        session.expunge_all()  # a large database is read in constant memory
