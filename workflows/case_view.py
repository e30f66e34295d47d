"""The case page (详情) and the actions of its action bar.

`case_page` assembles everything the page shows for one viewer; `available_actions` lists what
the viewer may do with their open item, as descriptors the template renders generically; and
`perform` runs one of them. Approval actions beyond completing and claiming (退回, 转办, 加签 …)
plug in with `register(name, handler, provider)` without touching the templates.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models import OrgUnit
from models import ProcessInstance
from models import User
from models import WorkItem
from models import WorkItemStatus
from workflows import attachments
from workflows import case_timeline
from workflows import cases
from workflows import clock
from workflows import diagram
from workflows import documents
from workflows import people
from workflows import permissions
from workflows import tasks
from workflows import webforms
from workflows.errors import NotFound
from workflows.errors import ValidationFailed
from workflows.labels import SERVER_FIELD_TITLES
from workflows.labels import server_value_text


@dataclass
class Submission:
    """What the browser sent: the form fields (name → values) and the uploaded files."""

    fields: Mapping[str, list[str]] = field(default_factory=dict)
    files: list[attachments.Upload] = field(default_factory=list)

    def first(self, name: str) -> str | None:
        values = self.fields.get(name) or []
        return values[0] if values else None


@dataclass
class Action:
    """One button of the action bar.

    `submits_form`: the button submits the step's form and 审批意见 (完成 with a decision);
    otherwise it posts on its own, asking for `fields` (and a reason when `needs_reason`).
    """

    name: str
    label: str
    value: str | None = None
    field_name: str | None = None  # the form field the button sets to `value` (the decision)
    needs_reason: bool = False
    style: str = "primary"
    submits_form: bool = True
    fields: list[webforms.Field] = field(default_factory=list)


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


@dataclass
class CasePage:
    header: Header
    tab: str
    data_fields: list[webforms.Field] = field(default_factory=list)
    timeline: list[case_timeline.Entry] = field(default_factory=list)
    task: TaskPanel | None = None
    svg: str = ""
    events: list[case_timeline.Event] = field(default_factory=list)
    downloads: list[documents.Link] = field(default_factory=list)  # the PDFs the viewer may download


Handler = Callable[[Session, User, int, Submission], WorkItem]
Provider = Callable[[Session, User, WorkItem], list[Action]]
HANDLERS: dict[str, Handler] = {}
PROVIDERS: list[Provider] = []
TABS = ("detail", "diagram", "log")


def register(name: str, handler: Handler, provider: Provider | None = None) -> None:
    """Add an action: `handler` performs it, `provider` offers its buttons for an item."""
    HANDLERS[name] = handler
    if provider is not None:
        PROVIDERS.append(provider)


# ---------------------------------------------------------------- actions

def _decision_field(schema: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    props = schema.get("properties") or {}
    for name in tasks.DECISION_FIELDS:
        if isinstance(props.get(name), dict) and props[name].get("oneOf"):
            return name, props[name]
    return None


def _complete_actions(session: Session, user: User, item: WorkItem) -> list[Action]:
    schema = tasks.form_schema(item)["schema"]
    found = _decision_field(schema)
    if found is None:
        return [Action("complete", "提交")]
    name, prop = found
    reasons = (schema.get("x-comment-required-when") or {}).get(name, [])
    actions = []
    for index, option in enumerate(prop["oneOf"]):
        needs = option.get("const") in reasons
        style = "danger" if needs else ("primary" if index == 0 else "default")
        actions.append(Action("complete", str(option.get("title", option.get("const"))), str(option.get("const")),
                              name, needs, style))
    return actions


def _claim_action(session: Session, user: User, item: WorkItem) -> list[Action]:
    return [Action("claim", "认领", style="default", submits_form=False)] if item.assignee_id is None else []


def available_actions(session: Session, user: User, item: WorkItem) -> list[Action]:
    """What `user` may do with `item` now (nothing unless it is open and theirs to act on)."""
    if item.status != WorkItemStatus.OPEN or not permissions.is_candidate(session, item, user):
        return []
    return [action for provider in PROVIDERS for action in provider(session, user, item)]


def _complete(session: Session, user: User, item_id: int, submission: Submission) -> WorkItem:
    item = tasks.get_item(session, item_id, user)
    form = tasks.form_schema(item)
    data = webforms.parse_object(submission.fields, form["schema"], form["blocks"])
    files = attachments.prepare(submission.files)
    done = tasks.complete(session, item_id, user, data, (submission.first("comment") or "").strip() or None)
    attachments.save(session, user, done.instance, done, files)
    return done


def _claim(session: Session, user: User, item_id: int, submission: Submission) -> WorkItem:
    return tasks.claim(session, item_id, user)


register("complete", _complete, _complete_actions)
register("claim", _claim, _claim_action)


def perform(session: Session, user: User, item_id: int, action: str, submission: Submission) -> WorkItem:
    """Run action `action` on a work item. Raises NotFound for unknown actions, and whatever the
    action raises (NotAllowed, AlreadyHandled, ValidationFailed …)."""
    handler = HANDLERS.get(action)
    if handler is None:
        raise NotFound(f"没有“{action}”这个操作")
    return handler(session, user, item_id, submission)


# ---------------------------------------------------------------- the page

def _header(instance: ProcessInstance, open_items: list[WorkItem]) -> Header:
    initiator = instance.initiator
    return Header(
        id=instance.id, number=instance.number, title=instance.title, process=instance.definition.name,
        version=instance.definition.version, status=instance.status, initiator=initiator.name,
        initiator_unit=initiator.unit.name if initiator.unit else "", created_at=instance.created_at,
        completed_at=instance.completed_at, current_steps=sorted({i.title for i in open_items}),
    )


def _start_fields(session: Session, instance: ProcessInstance) -> list[webforms.Field]:
    assets = instance.definition.assets
    schema = assets["forms"][assets["start"]["formJsonSchemaFilename"]]
    blocks = {k: v for k, v in assets["forms"].items() if k.startswith("blocks/")}
    names = people.names(session, webforms.usernames_in(schema, instance.data, blocks))
    return webforms.fields_of(schema, instance.data, webforms.FormContext(blocks=blocks, user_names=names))


def _my_item(session: Session, user: User, open_items: list[WorkItem]) -> WorkItem | None:
    return next((i for i in open_items if permissions.is_candidate(session, i, user)), None)


def _form_values(item: WorkItem, schema: dict[str, Any]) -> dict[str, Any]:
    """Prefill from the case so far (a revision starts from the proposal), never a decision."""
    props = schema.get("properties") or {}
    skip = set(tasks.DECISION_FIELDS) | set(schema.get("x-server-fields") or [])
    return {k: v for k, v in item.instance.data.items() if k in props and k not in skip}


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


def task_panel(session: Session, user: User, item: WorkItem, values: dict[str, Any] | None = None,
               comment: str = "", error: ValidationFailed | None = None) -> TaskPanel:
    """The form and action bar of `user`'s open `item`, optionally re-filled after a failed submit."""
    form = tasks.form_schema(item)
    schema, blocks = form["schema"], form["blocks"]
    errors = dict(error.fields) if error is not None else {}
    decision = _decision_field(schema)
    skip = frozenset([decision[0]]) if decision else frozenset()
    ctx = webforms.FormContext(blocks=blocks, options_for=people.options_for(session, _scope_units(session, item)),
                               errors=errors)
    fields = webforms.fields_of(schema, values if values is not None else _form_values(item, schema), ctx, skip=skip)
    shown = _collect_paths(fields) | {"comment", attachments.FIELD}
    stray = [m for path, messages in errors.items() if path not in shown for m in messages]
    server = [(SERVER_FIELD_TITLES.get(n, n), server_value_text(n, item.instance.data.get(n)))
              for n in schema.get("x-server-fields") or [] if n in item.instance.data]
    return TaskPanel(
        item_id=item.id, step=item.title, shared=item.assignee_id is None, due_at=item.due_at,
        overdue=bool(item.due_at and item.due_at < clock.now()), fields=fields, server_fields=server,
        actions=available_actions(session, user, item), comment=comment, errors=errors, form_errors=stray,
        message=error.message if error is not None else "", max_upload_mb=attachments.max_bytes() // (1024 * 1024),
    )


def case_page(session: Session, user: User, instance_id: int, tab: str = "detail",
              labels: dict[str, str] | None = None) -> CasePage:
    """Everything the case page shows `user` on `tab` (detail | diagram | log).

    Raises NotFound for an unknown case or tab and NotAllowed for a viewer who may not see it.
    """
    if tab not in TABS:
        raise NotFound(f"没有“{tab}”这个页签")
    instance = cases.get(session, instance_id, user)
    open_items = tasks.open_items(session, instance)
    page = CasePage(header=_header(instance, open_items), tab=tab, downloads=documents.links(session, instance))
    mine = _my_item(session, user, open_items)
    if tab == "detail":
        page.data_fields = _start_fields(session, instance)
        page.timeline = case_timeline.timeline(session, instance)
        page.task = task_panel(session, user, mine) if mine is not None else None
    elif tab == "diagram":
        state = case_timeline.diagram_state(instance)
        page.svg = diagram.render_svg(instance.definition.bpmn_xml, instance.definition.key, state, labels,
                                      title=instance.definition.name, prefix=f"case{instance.id}")
    else:
        page.events = case_timeline.events(session, instance)
    return page


def retry_page(session: Session, user: User, item_id: int, submission: Submission,
               error: ValidationFailed) -> CasePage:
    """The case page after a failed submit: the user's input kept, each error next to its field."""
    item = tasks.get_item(session, item_id, user)
    page = case_page(session, user, item.instance_id)
    if page.task is not None and page.task.item_id == item.id:
        form = tasks.form_schema(item)
        values = webforms.parse_object(submission.fields, form["schema"], form["blocks"])
        page.task = task_panel(session, user, item, values, submission.first("comment") or "", error)
    return page
