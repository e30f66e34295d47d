"""The action bar of the case page: what the viewer may do, as descriptors one template renders.

- On their own open item: the form's decisions (提交 / 同意 / 不同意 …, or a signer's 同意 /
  不同意, or 重新提交) from `actions.form_schema`, and every other action the registry
  (`workflows.actions.ACTIONS`) says is available to them — 退回, 转办, 加签, 减签, 认领, 释放.
- On the case's other open items (催办, and 改派 for administrators), on a step they handled
  (拿回), and on the case itself (撤回, 抄送, 评论, 终止).

Each action with parameters opens a small form (`action_forms`); an irreversible one asks for a
confirmation. `register(name, handler, provider)` adds an action without touching a template,
and `perform` / `perform_on_case` run one from a submitted form. Availability comes from the
actions' own `available` predicates: the page never decides who may do what.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CaseComment
from models import ProcessInstance
from models import User
from models import WorkItem
from models import WorkItemKind
from models import WorkItemStatus
from webapp.pages.case import action_forms
from webapp.pages.forms import fields as webforms
from workflows import actions
from workflows.actions import INSTANCE
from workflows.actions import ITEM
from workflows.actions import can_claim
from workflows.cases import attachments
from workflows.cases import tasks
from workflows.errors import NotFound
from workflows.errors import ValidationFailed

STYLES = {"return": "danger", "withdraw": "danger", "terminate": "danger", "claim": "default"}
LEAVES_TODO = ("complete", "return", "transfer")  # the item leaves the viewer's 待办: back to the list
CONFIRM_FIELD = "confirm"


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

    `submits_form`: the button submits the step's form and 审批意见 (a decision); otherwise it
    posts its own small form to `scope`/`target_id` (an item or the case), asking for `fields`
    and, when `confirm` is set, a confirmation. `open`, `message` and `form_errors` re-open the
    form after a refusal with the server's errors.
    """

    name: str
    label: str
    value: str | None = None
    field_name: str | None = None  # the form field the button sets to `value` (the decision)
    needs_reason: bool = False
    style: str = "primary"
    submits_form: bool = True
    fields: list[webforms.Field] = field(default_factory=list)
    scope: str = ITEM
    target_id: int = 0
    subject: str = ""  # the step it concerns when it is not the viewer's own (催办 · 考察)
    confirm: str | None = None
    open: bool = False
    message: str = ""
    form_errors: list[str] = field(default_factory=list)
    confirm_error: str = ""

    @property
    def key(self) -> str:
        """A DOM id unique on the page."""
        return f"{self.name}-{'i' if self.scope == ITEM else 'c'}{self.target_id}"


@dataclass
class Outcome:
    """What a performed action leaves for the page: where it happened and where to go next."""

    action: str
    label: str
    instance_id: int
    number: str
    title: str
    leaves_todo: bool


Handler = Callable[[Session, User, int, Submission], Any]
Provider = Callable[[Session, User, WorkItem], list[Action]]
HANDLERS: dict[str, Handler] = {}
PROVIDERS: list[Provider] = []


def register(name: str, handler: Handler, provider: Provider | None = None) -> None:
    """Add an action: `handler` performs it, `provider` offers its buttons for the viewer's item."""
    HANDLERS[name] = handler
    if provider is not None:
        PROVIDERS.append(provider)


# ---------------------------------------------------------------- descriptors

def decision_field(schema: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    props = schema.get("properties") or {}
    for name in tasks.DECISION_FIELDS:
        if isinstance(props.get(name), dict) and props[name].get("oneOf"):
            return name, props[name]
    return None


def _complete_actions(session: Session, user: User, item: WorkItem) -> list[Action]:
    if not actions.can_complete(session, user, item):
        return []
    schema = actions.form_schema(item)["schema"]
    found = decision_field(schema)
    if found is None:
        return [Action("complete", "重新提交" if item.kind == WorkItemKind.RESUBMIT else "提交", target_id=item.id)]
    name, prop = found
    reasons = (schema.get("x-comment-required-when") or {}).get(name, [])
    out = []
    for index, option in enumerate(prop["oneOf"]):
        needs = option.get("const") in reasons
        style = "danger" if needs else ("primary" if index == 0 else "default")
        out.append(Action("complete", str(option.get("title", option.get("const"))), str(option.get("const")),
                          name, needs, style, target_id=item.id))
    return out


def _claim_action(session: Session, user: User, item: WorkItem) -> list[Action]:
    return [Action("claim", "认领", style="default", submits_form=False, target_id=item.id)] \
        if can_claim(session, user, item) else []


def describe(session: Session, user: User, target: WorkItem | ProcessInstance, subject: str = "",
             only: Callable[[actions.Action], bool] | None = None) -> list[Action]:
    """The registry's actions available to `user` on `target`, as dialog descriptors."""
    scope = ITEM if isinstance(target, WorkItem) else INSTANCE
    out = []
    for described in actions.describe(session, user, target):
        action = actions.get(described["name"])
        if not action.http or (only is not None and not only(action)):
            continue
        key = f"{action.name}-{'i' if scope == ITEM else 'c'}{target.id}-"
        out.append(Action(action.name, action.label, needs_reason=action.reason_required,
                          style=STYLES.get(action.name, "default"), submits_form=False,
                          fields=action_forms.fields(session, user, target, described, key), scope=scope,
                          target_id=target.id, subject=subject, confirm=action.confirm))
    return out


def _registry_actions(session: Session, user: User, item: WorkItem) -> list[Action]:
    return describe(session, user, item)


def available_actions(session: Session, user: User, item: WorkItem) -> list[Action]:
    """What `user` may do with their open `item` now (nothing when it is not theirs to act on)."""
    if item.status != WorkItemStatus.OPEN:
        return []
    return [action for provider in PROVIDERS for action in provider(session, user, item)]


def _handled_by(session: Session, user: User, instance: ProcessInstance, limit: int = 2) -> list[WorkItem]:
    """The user's most recently handled steps of the case (candidates for 拿回)."""
    return list(session.scalars(
        select(WorkItem).where(WorkItem.instance_id == instance.id, WorkItem.action == "complete",
                               WorkItem.status == WorkItemStatus.COMPLETED,
                               or_(WorkItem.completed_by_id == user.id, WorkItem.acted_for_id == user.id))
        .order_by(WorkItem.completed_at.desc(), WorkItem.id.desc()).limit(limit)
    ))


def case_actions(session: Session, user: User, instance: ProcessInstance, open_items: list[WorkItem],
                 mine: WorkItem | None) -> list[Action]:
    """The actions beyond the viewer's own item: on the other open items, on steps they handled,
    and on the case."""
    found: list[Action] = []
    others = [i for i in open_items if mine is None or i.id != mine.id]
    for item in others + _handled_by(session, user, instance):
        found += describe(session, user, item, subject=item.title)
    return found + describe(session, user, instance)


# ---------------------------------------------------------------- performing

def _target(session: Session, scope: str, target_id: int) -> WorkItem | ProcessInstance | None:
    if scope == ITEM:
        return session.get(WorkItem, target_id)
    return session.get(ProcessInstance, target_id)


def _check_confirmed(session: Session, user: User, action: actions.Action, target_id: int,
                     submission: Submission) -> None:
    """An irreversible action needs its confirmation ticked — asked only of those who may take
    it now, so that everybody else gets the action's own refusal (404/403/409) instead."""
    if action.confirm is None or submission.first(CONFIRM_FIELD) == "yes":
        return
    target = _target(session, action.scope, target_id)
    if target is not None and action.available(session, user, target):
        raise ValidationFailed("请确认后再提交", {CONFIRM_FIELD: ["请勾选确认"]})


def _run_registry(session: Session, user: User, name: str, scope: str, target_id: int,
                  submission: Submission) -> Any:
    action = actions.ACTIONS.get(name)
    if action is None or not action.http or action.scope != scope:
        raise NotFound(f"没有“{name}”这个操作")
    _check_confirmed(session, user, action, target_id, submission)
    return actions.perform(session, name, user, target_id, action_forms.body_of(action.params, submission.fields))


def _outcome(session: Session, name: str, result: Any) -> Outcome:
    label = actions.ACTIONS[name].label if name in actions.ACTIONS else name
    if isinstance(result, WorkItem):
        return Outcome(name, label, result.instance_id, result.instance.number, result.title, name in LEAVES_TODO)
    instance = session.get(ProcessInstance, result.instance_id) if isinstance(result, CaseComment) else result
    assert instance is not None
    return Outcome(name, label, instance.id, instance.number, instance.title, name in LEAVES_TODO)


def perform(session: Session, user: User, item_id: int, name: str, submission: Submission) -> Outcome:
    """Run action `name` on a work item from a submitted form. Raises NotFound for unknown
    actions, and whatever the action raises (NotAllowed, AlreadyHandled, ValidationFailed …)."""
    handler = HANDLERS.get(name)
    result = (handler(session, user, item_id, submission) if handler is not None
              else _run_registry(session, user, name, ITEM, item_id, submission))
    return _outcome(session, name, result)


def perform_on_case(session: Session, user: User, instance_id: int, name: str, submission: Submission) -> Outcome:
    """Run a case action (撤回, 抄送, 评论, 终止) from a submitted form."""
    return _outcome(session, name, _run_registry(session, user, name, INSTANCE, instance_id, submission))


def refill(session: Session, user: User, action: Action, submission: Submission, error: ValidationFailed) -> None:
    """Re-open a refused action's form with the input kept and each error next to its field."""
    target = _target(session, action.scope, action.target_id)
    assert target is not None
    described = next(d for d in actions.describe(session, user, target) if d["name"] == action.name)
    action.fields = action_forms.fields(session, user, target, described, f"{action.key}-", submission.fields,
                                        error.fields)
    shown = {f.path for f in action.fields} | {CONFIRM_FIELD}
    action.open, action.message = True, error.message
    action.form_errors = [m for path, messages in error.fields.items() if path not in shown for m in messages]
    action.confirm_error = (error.fields.get(CONFIRM_FIELD) or [""])[0]


# ---------------------------------------------------------------- the built-in actions

def _complete(session: Session, user: User, item_id: int, submission: Submission) -> WorkItem:
    item = tasks.get_item(session, user, item_id)
    form = actions.form_schema(item)
    data = webforms.parse_object(submission.fields, form["schema"], form["blocks"])
    files = attachments.prepare(session, submission.files)
    done = actions.complete_item(session, user, item_id, data, (submission.first("comment") or "").strip() or None)
    attachments.save(session, user, done.instance, done, files)
    return done


def _claim(session: Session, user: User, item_id: int, submission: Submission) -> WorkItem:
    return actions.claim(session, user, item_id)


register("complete", _complete, _complete_actions)
register("claim", _claim, _claim_action)
PROVIDERS.append(_registry_actions)
