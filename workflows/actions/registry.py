"""The registry of approval actions (STYLE #5: a registry, not if/elif on names).

Each `Action` runs one verb in the caller's transaction and describes itself for the
interfaces: its Chinese label, the parameters it asks for (a reason among them when one is
required), and `available(session, user, target)` — whether to show the button to this user
now. The API generates one route per action and its OpenAPI entry from this description, and
the UI can build its action bar from `describe`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from models import ProcessInstance
from models import User
from models import WorkItem
from workflows.actions.cc import MAX_USERS
from workflows.actions.common import MAX_REASON
from workflows.errors import InvalidRequest
from workflows.errors import NotFound

ITEM = "item"
INSTANCE = "instance"
MAX_TEXT = MAX_REASON
USERNAME = {"type": "string", "minLength": 1, "maxLength": 64}


@dataclass(frozen=True)
class Param:
    """One input an action asks for. `kind`: text, user (a username), users (a list of them),
    step (a step name offered by `options`), choice (one of `choices`)."""

    name: str
    label: str
    kind: str = "text"
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    options: Callable[[Session, User, Any], list[dict[str, Any]]] | None = None
    arg: str = ""  # the keyword of `run` when it differs from `name` (e.g. "user" → user_name)

    @property
    def keyword(self) -> str:
        return self.arg or self.name

    def json_type(self) -> dict[str, Any]:
        """The parameter's JSON Schema, as strict as the actions that read it: a required text is
        not blank and at most MAX_TEXT long (`common.require_text`), an optional one may be null
        or blank (none); users are usernames, at most MAX_USERS of them."""
        if self.kind == "users":
            schema: dict[str, Any] = {"type": "array", "items": USERNAME, "minItems": 1, "maxItems": MAX_USERS}
        elif self.choices:
            schema = {"type": "string", "enum": [value for value, _ in self.choices]}
        elif self.kind in ("user", "step"):
            schema = USERNAME if self.kind == "user" else {"type": "string", "minLength": 1, "maxLength": 100}
        elif self.required:
            return {"type": "string", "minLength": 1, "maxLength": MAX_TEXT, "pattern": r"\S"}
        else:
            return {"type": ["string", "null"], "maxLength": MAX_TEXT}
        return schema if self.required else {"anyOf": [schema, {"type": "null"}]}


@dataclass(frozen=True)
class Action:
    name: str  # registry key and URL segment, e.g. "add-signer"
    label: str  # the button, e.g. "加签"
    scope: str  # ITEM (a work item id) or INSTANCE (a case id)
    run: Callable[..., Any]  # run(session, user, target_id, **params) -> the item or the case
    available: Callable[[Session, User, Any], bool]
    params: tuple[Param, ...] = ()
    summary: str = ""
    confirm: str | None = None  # a question to confirm an irreversible action
    admin: bool = False
    http: bool = True  # False for verbs with their own route (claim, complete)

    @property
    def reason_required(self) -> bool:
        return any(p.name == "reason" and p.required for p in self.params)

    def body_schema(self) -> dict[str, Any]:
        return {"type": "object", "required": [p.name for p in self.params if p.required],
                "properties": {p.name: {**p.json_type(), "description": p.label} for p in self.params}}


ACTIONS: dict[str, Action] = {}


def register(action: Action) -> Action:
    if action.name in ACTIONS:
        raise ValueError(f"action {action.name!r} registered twice")
    ACTIONS[action.name] = action
    return action


def get(name: str) -> Action:
    if name not in ACTIONS:
        raise NotFound(f"没有“{name}”这个操作")
    return ACTIONS[name]


def _check_type(param: Param, value: Any) -> None:
    if param.kind == "users":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    else:
        ok = isinstance(value, str)
    if not ok:
        raise InvalidRequest(f"参数 {param.name} 须为{'字符串数组' if param.kind == 'users' else '字符串'}")


def parse(action: Action, body: dict[str, Any]) -> dict[str, Any]:
    """The action's parameters from a JSON body: types checked (400); missing values stay
    None so the action reports them as field errors (422) after its permission checks."""
    params: dict[str, Any] = {}
    for param in action.params:
        value = body.get(param.name)
        if value is not None:
            _check_type(param, value)
        params[param.keyword] = value
    return params


def perform(session: Session, name: str, user: User, target_id: int, body: dict[str, Any]) -> Any:
    """Run action `name` on a work item or case id with the JSON body's parameters."""
    action = get(name)
    return action.run(session, user, target_id, **parse(action, body))


def describe(session: Session, user: User, target: WorkItem | ProcessInstance) -> list[dict[str, Any]]:
    """The actions `user` may take on `target` now, for an action bar: name, label, confirm,
    reason_required, and each parameter with its options (e.g. the steps one may return to)."""
    scope = ITEM if isinstance(target, WorkItem) else INSTANCE
    found = []
    for action in ACTIONS.values():
        if action.scope != scope or not action.available(session, user, target):
            continue
        params = [{"name": p.name, "label": p.label, "kind": p.kind, "required": p.required,
                   **({"choices": [{"value": v, "label": t} for v, t in p.choices]} if p.choices else {}),
                   **({"options": p.options(session, user, target)} if p.options else {})}
                  for p in action.params]
        found.append({"name": action.name, "label": action.label, "reason_required": action.reason_required,
                      "confirm": action.confirm, "params": params})
    return found
