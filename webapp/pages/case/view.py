"""The case page (详情): header, read-only data, the opinion timeline, the viewer's form and the
action bar.

`case_page` assembles everything the page shows for one viewer. The action bar's descriptors,
`register(name, handler, provider)` and `perform` live in `webapp.pages.case.actions` (re-exported
here): approval actions plug in without touching the templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models import OrgUnit
from models import ProcessInstance
from models import User
from models import WorkItem
from webapp.pages import documents
from webapp.pages.case import actions as case_actions
from webapp.pages.case import timeline as case_timeline
from webapp.pages.case.actions import Action
from webapp.pages.case.actions import Submission
from webapp.pages.case.actions import available_actions
from webapp.pages.case.actions import perform
from webapp.pages.case.actions import perform_on_case
from webapp.pages.case.actions import register
from webapp.pages.diagram import render as diagram
from webapp.pages.forms import fields as webforms
from webapp.pages.forms import people
from webapp.pages.records import conduct as conduct_page
from workflows import actions
from workflows import cases
from workflows.actions import ITEM
from workflows.actions import cc
from workflows.actions import signing
from workflows.audit import record_check
from workflows.cases import attachments
from workflows.cases import forms
from workflows.cases import prefill
from workflows.cases import tasks
from workflows.engine import clock
from workflows.errors import NotFound
from workflows.errors import ValidationFailed
from workflows.labels import server_rows
from workflows.notify import notifications
from workflows.routing import permissions


@dataclass
class Header:
    id: int
    number: str
    title: str
    process: str
    version: int
    status: str
    initiator: str
    initiator_unit: str
    created_at: datetime
    completed_at: datetime | None
    current_steps: list[str]
    outcome: str = ""  # the real outcome of an ended case (the end event's name)


@dataclass
class TaskPanel:
    """The viewer's open item: its form (values and errors kept), server fields and actions."""

    item_id: int
    step: str
    shared: bool
    due_at: datetime | None
    overdue: bool
    fields: list[webforms.Field]
    server_fields: list[tuple[str, str]]
    actions: list[Action]
    comment: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)
    form_errors: list[str] = field(default_factory=list)
    message: str = ""
    max_upload_mb: int = 0
    can_complete: bool = True
    hold: str = ""  # why the item waits (加签) when it cannot be completed now
    acting_for: str = ""  # the principal a deputy acts for (委托): "代马立新办理"
    comment_max: int = forms.MAX_COMMENT  # the 审批意见's limit (the form may set its own)


@dataclass
class CasePage:
    header: Header
    tab: str
    data_fields: list[webforms.Field] = field(default_factory=list)
    timeline: list[case_timeline.Entry] = field(default_factory=list)
    task: TaskPanel | None = None
    actions: list[Action] = field(default_factory=list)  # the bar beyond the viewer's own item
    svg: str = ""
    events: list[case_timeline.Event] = field(default_factory=list)
    downloads: list[documents.Link] = field(default_factory=list)  # the PDFs the viewer may download
    unseen: bool = False  # the viewer has unread messages or an unread 抄送 of this case
    alert: str = ""
    record: record_check.CaseCheck | None = None  # the case's rows against its audit events
    conduct: conduct_page.ConductPanel | None = None  # the candidate's 现实表现纪实 (a promotion case)
    leads: conduct_page.LeadsPanel | None = None  # 表彰线索 for the 组织部 at a 表彰's 推荐


TABS = ("detail", "diagram", "log")
__all__ = ["Action", "CasePage", "Submission", "available_actions", "case_page", "mark_seen", "perform",
           "perform_on_case", "refused", "register", "retry_page"]


# ---------------------------------------------------------------- the page

def _header(instance: ProcessInstance, open_items: list[WorkItem]) -> Header:
    initiator = instance.initiator
    return Header(
        id=instance.id, number=instance.number, title=instance.title, process=instance.definition.name,
        version=instance.definition.version, status=instance.status, initiator=initiator.name,
        initiator_unit=initiator.unit.name if initiator.unit else "", created_at=instance.created_at,
        completed_at=instance.completed_at, current_steps=sorted({i.title for i in open_items}),
        outcome=(instance.data or {}).get("outcome_text", "") if instance.status in ("completed", "rejected") else "",
    )


def _my_item(session: Session, user: User, open_items: list[WorkItem]) -> WorkItem | None:
    """The viewer's open item: one they can complete now, else one that waits (加签)."""
    mine = [i for i in open_items if permissions.is_candidate(session, i, user)]
    return next((i for i in mine if actions.can_complete(session, user, i)), mine[0] if mine else None)


def _scope_units(session: Session, item: WorkItem) -> list[OrgUnit]:
    ids = {item.scope_unit_id, item.instance.owning_unit_id} - {None}
    return [u for u in (session.get(OrgUnit, i) for i in ids) if u is not None]


def _collect_paths(fields: list[webforms.Field]) -> set[str]:
    paths: set[str] = set()
    for f in fields:
        paths.add(f.path)
        paths |= _collect_paths(f.children)
        for row in f.rows:
            paths |= _collect_paths(row)
    return paths


def _acting_for(session: Session, user: User, item: WorkItem) -> str:
    principal = permissions.acting_principal(session, item, user)
    return principal.name if principal is not None and principal.id != user.id else ""


def task_panel(session: Session, user: User, item: WorkItem, values: dict[str, Any] | None = None,
               comment: str = "", error: ValidationFailed | None = None, grow: str = "") -> TaskPanel:
    """The form and action bar of `user`'s open `item`, optionally re-filled after a failed submit
    (or a 添加一行 without JavaScript: `grow` names the table that gets another blank row)."""
    form = actions.form_schema(item)
    schema, blocks = form["schema"], form["blocks"]
    errors = dict(error.fields) if error is not None else {}
    decision = case_actions.decision_field(schema)
    skip = frozenset([decision[0]]) if decision else frozenset()
    ctx = webforms.FormContext(blocks=blocks, options_for=people.options_for(session, _scope_units(session, item)),
                               errors=errors, editing=True, roster=tasks.meeting_roster(session, item),
                               more_rows=frozenset([grow]))
    can_complete = actions.can_complete(session, user, item)
    opening = prefill.prefill(session, item, schema) if values is None else None
    shown_values = opening.data if opening is not None else values or {}
    fields = webforms.fields_of(schema, shown_values, ctx, skip=skip) if can_complete else []
    shown = _collect_paths(fields) | {"comment", attachments.FIELD}
    stray = [m for path, messages in errors.items() if path not in shown for m in messages]
    server = server_rows(schema, item.instance.data,
                         case_timeline.value_words(session, item.instance, [(form, item.instance.data)]))
    return TaskPanel(
        item_id=item.id, step=item.title, shared=item.assignee_id is None, due_at=item.due_at,
        overdue=bool(item.due_at and item.due_at < clock.now()), fields=fields, server_fields=server,
        actions=available_actions(session, user, item), comment=comment or (opening.comment if opening else ""),
        errors=errors, form_errors=stray,
        message=error.message if error is not None else "", max_upload_mb=attachments.max_bytes(session) // (1024 * 1024),
        can_complete=can_complete, hold="" if can_complete or not item.on_hold else signing.hold_message(session, item),
        acting_for=_acting_for(session, user, item), comment_max=forms.comment_limit(schema),
    )


def case_page(session: Session, user: User, instance_id: int, tab: str = "detail",
              labels: dict[str, str] | None = None) -> CasePage:
    """Everything the case page shows `user` on `tab` (detail | diagram | log).

    Raises NotFound for an unknown case or tab and NotAllowed for a viewer who may not see it.
    """
    if tab not in TABS:
        raise NotFound(f"没有“{tab}”这个页签")
    instance = cases.get(session, user, instance_id)
    open_items = tasks.open_items(session, instance)
    page = CasePage(header=_header(instance, open_items), tab=tab, downloads=documents.links(session, instance),
                    record=record_check.check_case(session, instance))
    mine = _my_item(session, user, open_items)
    if tab == "detail":
        page.data_fields = documents.approval.start_fields(session, instance)
        page.timeline = case_timeline.timeline(session, instance)
        page.task = task_panel(session, user, mine) if mine is not None else None
        page.actions = case_actions.case_actions(session, user, instance, open_items, mine)
        page.unseen = cc.unread(session, user, instance.id) or notifications.unread_about(session, user, instance.id)
        page.conduct = conduct_page.for_case(session, user, instance)
        page.leads = conduct_page.leads_for_item(session, user, mine)
    elif tab == "diagram":
        state = case_timeline.diagram_state(instance)
        page.svg = diagram.render_svg(instance.definition.bpmn_xml, instance.definition.key, state, labels,
                                      title=instance.definition.name, prefix=f"case{instance.id}")
    else:
        page.events = case_timeline.events(session, instance)
    return page


def retry_page(session: Session, user: User, item_id: int, submission: Submission,
               error: ValidationFailed | None, grow: str = "") -> CasePage:
    """The case page after a failed submit (or a 添加一行 without JavaScript in the table `grow`):
    the user's input kept, each error next to its field."""
    item = tasks.get_item(session, user, item_id)
    page = case_page(session, user, item.instance_id)
    if page.task is not None and page.task.item_id == item.id:
        form = actions.form_schema(item)
        values = webforms.parse_object(submission.fields, form["schema"], form["blocks"])
        page.task = task_panel(session, user, item, values, submission.first("comment") or "", error, grow)
    return page


def refused(session: Session, user: User, scope: str, target_id: int, action: str, submission: Submission,
            error: ValidationFailed) -> CasePage:
    """The case page after a refused action: its form open again, the input kept, each error
    next to its field (the step's own form for 提交)."""
    if scope == ITEM and action == "complete":
        return retry_page(session, user, target_id, submission, error)
    instance_id = tasks.get_item(session, user, target_id).instance_id if scope == ITEM else target_id
    page = case_page(session, user, instance_id)
    bar = [*(page.task.actions if page.task else []), *page.actions]
    found = next((a for a in bar if a.name == action and a.scope == scope and a.target_id == target_id), None)
    if found is None:
        page.alert = error.message
    else:
        case_actions.refill(session, user, found, submission, error)
    return page


def mark_seen(session: Session, user: User, instance_id: int) -> None:
    """The viewer opened the case: its 抄送 to them and their messages about it are read."""
    cc.mark_read(session, user, instance_id)
    notifications.mark_case_read(session, user, instance_id)
