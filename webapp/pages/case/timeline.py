"""How a case reads back: the opinion timeline (审批记录), the audit trail (流转记录) and the
diagram state — all from indexed rows in a few queries, never per row. The approval actions
beyond deciding a step (退回, 转办, 加签, 撤回 …) come from `case_records`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload

from models import Attachment
from models import ProcessInstance
from models import User
from models import WorkItem
from models import WorkItemCandidate
from models import WorkItemKind
from models import WorkItemStatus
from webapp.pages.audit import reading as audit_reading
from webapp.pages.case import records as case_records
from webapp.pages.diagram import render as diagram
from webapp.pages.forms import fields as webforms
from webapp.pages.forms import people
from workflows import actions
from workflows import audit
from workflows import timers
from workflows.actions import signing
from workflows.cases import attachments
from workflows.cases import store
from workflows.cases import tasks
from workflows.engine import clock
from workflows.engine import definitions
from workflows.labels import OPTION_FIELDS
from workflows.labels import Words
from workflows.labels import option_title
from workflows.labels import option_titles
from workflows.labels import server_rows
from workflows.labels import unit_codes
from workflows.labels import usernames


@dataclass
class Entry:
    """One line of the timeline: 姓名 — 动作 — 时间, then the opinion and what was filled in.

    `kind` names what was done when it was not deciding the step: an item closed by `return`,
    `transfer`, `resubmit`, `sign`, `removed` (减签), or an action entry (status `event`) of
    `case_records.RECORDS`; `source` → `target` and `detail` say more (the step returned to, to
    whom, 向后加签 …)."""

    step: str
    status: str  # start | done | open | cancelled | timer | event
    actor: str = ""
    principal: str = ""  # set when a deputy acted: "李四（代张三）"
    decision: str = ""
    at: datetime | None = None
    comment: str = ""
    due_at: datetime | None = None
    overdue: bool = False
    waiting_for: list[str] = field(default_factory=list)
    fields: list[webforms.Field] = field(default_factory=list)
    server: list[tuple[str, str]] = field(default_factory=list)  # what the server derived (表决结果 …)
    attachments: list[Attachment] = field(default_factory=list)
    previews: dict[int, str] = field(default_factory=dict)  # attachment id → how the browser shows it (preview_kind)
    kind: str = ""
    source: str = ""
    target: str = ""
    detail: str = ""


@dataclass
class Event:
    at: datetime
    actor: str
    principal: str
    action: str
    step: str
    detail: str


def step_names(instance: ProcessInstance) -> dict[str, str]:
    """BPMN id → name of every task and event of the case's definition version."""
    process = definitions.runtime(instance.definition)
    names: dict[str, str] = {}
    for spec in [process.spec, *process.subprocess_specs.values()]:
        for task_spec in spec.task_specs.values():
            bpmn_id = getattr(task_spec, "bpmn_id", None)
            if bpmn_id:
                names[bpmn_id] = getattr(task_spec, "bpmn_name", None) or bpmn_id
    return names


def _items(session: Session, instance_id: int) -> list[WorkItem]:
    return list(session.scalars(
        select(WorkItem).where(WorkItem.instance_id == instance_id)
        .options(selectinload(WorkItem.completed_by), selectinload(WorkItem.acted_for),
                 selectinload(WorkItem.assignee))
        .order_by(WorkItem.id)
    ))


def _waiting(session: Session, items: list[WorkItem]) -> dict[int, list[str]]:
    open_ids = [i.id for i in items if i.status == WorkItemStatus.OPEN]
    if not open_ids:
        return {}
    rows = session.execute(
        select(WorkItemCandidate.work_item_id, User.name).join(User, User.id == WorkItemCandidate.user_id)
        .where(WorkItemCandidate.work_item_id.in_(open_ids)).order_by(User.id)
    ).all()
    found: dict[int, list[str]] = defaultdict(list)
    for item_id, name in rows:
        found[item_id].append(name)
    return found


def _decision_text(item: WorkItem, schema: dict[str, Any]) -> str:
    if item.decision is None:
        return ""
    for name in tasks.DECISION_FIELDS:
        title = option_title((schema.get("properties") or {}).get(name), item.decision)
        if title:
            return title
    return item.decision


def value_words(session: Session, instance: ProcessInstance, filled: list[tuple[dict[str, Any], Any]]) -> Words:
    """How the codes in these (form, data) pairs read: the names of the units their unit fields
    and server values hold (one query) and the titles of the process's form options."""
    codes: set[str] = set()
    users: set[str] = set()
    for form, data in filled:
        values = data or {}
        codes |= webforms.unit_codes_in(form["schema"], values, form["blocks"])
        for name in form["schema"].get("x-server-fields") or []:
            codes |= unit_codes(name, values.get(name))
            users |= usernames(name, values.get(name))
    forms = definitions.assets(instance.definition)["forms"]
    return Words(people.unit_names(session, codes), {p: option_titles(forms, p) for p in set(OPTION_FIELDS.values())},
                 people.names(session, users))


def _done_entry(item: WorkItem, form: dict[str, Any], names: dict[str, str], files: list[Attachment],
                words: Words) -> Entry:
    ctx = webforms.FormContext(blocks=form["blocks"], user_names=names, unit_names=dict(words.units))
    decision_fields = frozenset(tasks.DECISION_FIELDS)
    entry = Entry(step=item.title, status="done" if item.status == WorkItemStatus.COMPLETED else "cancelled",
                  at=item.completed_at, comment=item.comment or "", attachments=files,
                  decision=_decision_text(item, form["schema"]), kind=item.action if item.action and item.action != "complete" else "")
    if item.completed_by is not None:
        entry.actor = item.completed_by.name
        entry.principal = item.acted_for.name if item.acted_for is not None else ""
    if item.data:
        entry.fields = webforms.fields_of(form["schema"], item.data, ctx, skip=decision_fields)
        entry.server = server_rows(form["schema"], item.data, words)
    return entry


def _open_entry(item: WorkItem, waiting: list[str]) -> Entry:
    now = clock.now()
    who = [item.assignee.name] if item.assignee is not None else waiting
    entry = Entry(step=item.title, status="open", at=item.created_at, due_at=item.due_at,
                  overdue=bool(item.due_at and item.due_at < now), waiting_for=who)
    if item.on_hold:
        # 前加签: the handler acts after the signers; a queued 后加签 signer after the handler.
        entry.kind = "queued_signer" if item.kind == WorkItemKind.SIGNER else "after_signers"
    return entry


def _held_entries(session: Session, instance: ProcessInstance, held: list[WorkItem],
                  files: dict[int | None, list[Attachment]], waiting: dict[int, list[str]]) -> list[Entry]:
    """后加签: the handler's submission, recorded and held until the signers have signed — shown
    as what it is (their decision and opinion), waiting on the signers, not on the handler."""
    entries = []
    for item in held:
        form = actions.form_schema(item)
        names = people.names(session, webforms.usernames_in(form["schema"], item.data, form["blocks"]))
        entry = _done_entry(item, form, names, files.get(item.id, []), value_words(session, instance, [(form, item.data)]))
        entry.kind = "held"
        entry.target = "、".join(n for s in signing.open_signers(session, item) if not s.on_hold
                                 for n in waiting.get(s.id, []))
        entries.append(entry)
    return entries


def _record_entry(record: case_records.Record) -> Entry:
    return Entry(step=record.step, status="event", actor=record.actor, principal=record.principal, at=record.at,
                 comment=record.comment, kind=record.kind, source=record.source, target=record.target,
                 detail=record.detail)


def _closed_entries(session: Session, instance: ProcessInstance, closed: list[WorkItem],
                    files: dict[int | None, list[Attachment]]) -> list[Entry]:
    """Every handled step and every other action (退回, 转办, 加签, 评论 …), oldest first."""
    forms = {i.id: actions.form_schema(i) for i in closed}
    names = people.names(session, {u for i in closed
                                   for u in webforms.usernames_in(forms[i.id]["schema"], i.data, forms[i.id]["blocks"])})
    words = value_words(session, instance, [(forms[i.id], i.data) for i in closed])
    reading = case_records.read(session, instance.id, step_names(instance))
    entries = []
    for item in closed:
        entry = _done_entry(item, forms[item.id], names, files.get(item.id, []), words)
        mark = reading.marks.get(item.id)
        if mark is not None:
            entry.kind, entry.target = mark.kind, mark.target
        entries.append(entry)
    entries += [_record_entry(r) for r in reading.records]
    return sorted(entries, key=lambda e: e.at or instance.created_at)


def timeline(session: Session, instance: ProcessInstance) -> list[Entry]:
    """Start, every handled step and action (oldest first), then the open steps and waiting timers."""
    items = _items(session, instance.id)
    files: dict[int | None, list[Attachment]] = defaultdict(list)
    for row in session.scalars(select(Attachment).where(Attachment.instance_id == instance.id)
                               .order_by(Attachment.id)):
        files[row.work_item_id].append(row)
    closed = sorted((i for i in items if i.status != WorkItemStatus.OPEN),
                    key=lambda i: (i.completed_at or i.created_at, i.id))
    entries = [Entry(step="发起", status="start", actor=instance.initiator.name, at=instance.created_at,
                     attachments=files.get(None, []))]
    entries += _closed_entries(session, instance, closed, files)
    waiting = _waiting(session, items)
    still_open = [i for i in items if i.status == WorkItemStatus.OPEN]
    held = [i for i in still_open if i.on_hold and i.completed_by_id is not None]
    entries += _held_entries(session, instance, held, files, waiting)
    entries += [_open_entry(i, waiting.get(i.id, [])) for i in still_open if i not in held]
    labels = step_names(instance)
    entries += [Entry(step=labels.get(job.task_name, job.task_name), status="timer", due_at=job.due_at)
                for job in timers.timers_of(session, instance.id)]
    for entry in entries:
        entry.previews = {a.id: kind for a in entry.attachments if (kind := attachments.preview_kind(a))}
    return entries


def events(session: Session, instance: ProcessInstance) -> list[Event]:
    """The case's audit events (流转记录) in chain order, with names instead of ids."""
    rows = audit.events_of_instance(session, instance.id)
    users = audit.users_of(session, rows)
    labels = step_names(instance)
    reader = audit_reading.Reader(session)
    reader.prime(row.payload for row in rows)
    out = []
    for row in rows:
        task = str(row.payload.get("task") or "")
        actor = users.get(row.actor_id) if row.actor_id else None
        principal = users.get(row.acted_for_id) if row.acted_for_id else None
        detail = reader.summary(row.payload, instance.definition_id)
        out.append(Event(at=row.at, actor=actor.name if actor else "", principal=principal.name if principal else "",
                         action=row.action, step=labels.get(task, task), detail=str(detail)))
    return out


def diagram_state(instance: ProcessInstance) -> diagram.DiagramState:
    """Which nodes the case completed and which it waits in, from its saved workflow."""
    return diagram.state_of(store.load(instance))
