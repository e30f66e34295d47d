"""The small forms of the approval actions (退回, 转办, 加签 …) as generic form fields.

An action's parameters (`workflows.actions.Param`, as `actions.describe` lists them) become
`webforms.Field`s that the case page renders with its one form macro: the 退回 step list (with
who handled each step), the 向前/向后 choice, user pickers limited to the people of the case's
units and the viewer's own, and a reason box. A submitted form becomes the action's body again.
Labels are the registry's Chinese words; the page translates them (`attrs["i18n"]`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from models import OrgUnit
from models import ProcessInstance
from models import User
from models import WorkItem
from webapp.pages.forms import people
from webapp.pages.forms.fields import Field
from webapp.pages.forms.fields import Option
from workflows.actions import MAX_REASON
from workflows.actions import Param
from workflows.rules import eligibility

Target = WorkItem | ProcessInstance


def _units(session: Session, user: User, target: Target) -> list[OrgUnit]:
    """Whose people a picker offers: the case's unit, the step's unit and the viewer's own units."""
    instance = target.instance if isinstance(target, WorkItem) else target
    ids = {instance.owning_unit_id, target.scope_unit_id if isinstance(target, WorkItem) else None} - {None}
    units = [u for u in (session.get(OrgUnit, i) for i in ids) if u is not None]
    return units + people.role_units(session, user)


def _step_options(session: Session, options: list[dict[str, Any]]) -> list[Option]:
    """退回 targets, nearest first, each with who handled it ("酝酿 · 马立新")."""
    names = people.names(session, {str(o["handler"]) for o in options if o.get("handler")})
    return [Option(str(o["value"]), f"{o['label']} · {names[o['handler']]}" if o.get("handler") in names
                   else str(o["label"])) for o in options]


HANDOVERS = ("transfer", "add-signer", "reassign")  # whose targets must be able to hold the step (R-C2)


def _people(session: Session, user: User, target: Target, action: str) -> list[Option]:
    """The people a picker offers: those of the case's and the viewer's units; for a 转办, 加签 or
    改派 only those who could hold the step and need not recuse (the server checks again)."""
    found = [o for o in people.choices(session, _units(session, user, target)) if o.value != user.username]
    if action not in HANDOVERS or not isinstance(target, WorkItem):
        return found
    allowed = eligibility.eligible_usernames(session, target)
    excluded = eligibility.excluded_usernames(session, target)
    return [o for o in found if (allowed is None or o.value in allowed) and o.value not in excluded]


def _kind_and_options(session: Session, user: User, target: Target, param: dict[str, Any],
                      pickers: dict[str, list[Option]], action: str) -> tuple[str, list[Option]]:
    kind = param["kind"]
    if kind == "step":
        return "choice", _step_options(session, param.get("options") or [])
    if kind == "choice":
        return "radio", [Option(c["value"], c["label"]) for c in param.get("choices") or []]
    if kind in ("user", "users") and param.get("options") is not None:  # e.g. 减签: the open signers only
        return "radio", [Option(str(o["value"]), str(o["label"])) for o in param["options"]]
    if kind in ("user", "users"):
        if "people" not in pickers:  # nobody transfers, adds or 抄送s to themselves
            pickers["people"] = _people(session, user, target, action)
        return kind, pickers["people"]
    return "textarea", []


def _value(kind: str, values: Mapping[str, list[str]], name: str) -> Any:
    given = [v for v in values.get(name, []) if v is not None]
    if kind == "users":
        return given
    return given[0] if given else None


def fields(session: Session, user: User, target: Target, described: dict[str, Any], id_prefix: str,
           values: Mapping[str, list[str]] | None = None,
           errors: Mapping[str, list[str]] | None = None) -> list[Field]:
    """The fields of one described action (`actions.describe`), refilled after a refusal."""
    pickers: dict[str, list[Option]] = {}
    out = []
    for param in described["params"]:
        kind, options = _kind_and_options(session, user, target, param, pickers, str(described.get("name", "")))
        attrs: dict[str, Any] = {"i18n": True}
        if kind == "textarea":
            attrs["maxlength"] = MAX_REASON
        out.append(Field(path=param["name"], label=param["label"], kind=kind, required=bool(param["required"]),
                         value=_value(kind, values or {}, param["name"]), options=options,
                         errors=list((errors or {}).get(param["name"], [])), attrs=attrs, id_prefix=id_prefix))
    return out


def body_of(params: tuple[Param, ...], values: Mapping[str, list[str]]) -> dict[str, Any]:
    """An action's body from a submitted form: one string per parameter (a list for `users`);
    blank values are left out so the action reports them as missing next to their field."""
    body: dict[str, Any] = {}
    for param in params:
        given = [v for v in values.get(param.name, []) if isinstance(v, str) and v.strip()]
        if param.kind == "users":
            body[param.name] = given or None
        else:
            body[param.name] = given[0] if given else None
    return body
