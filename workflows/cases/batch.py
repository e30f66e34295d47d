"""批量同意: approve several 待办 items at once — only steps whose form asks for nothing but the
decision, each in a transaction of its own with its own audit event, every item answered.

Which steps qualify is read from the form's JSON Schema (`approval_of`): the form has no field
but `decision`, and exactly one of its decisions needs no reason (the others — 不同意, 退回修改,
终止 … — are the form's `x-comment-required-when`); that one is 同意. Everything else goes
through `actions.complete_item` as a single 办理 would: the same checks (404 → 403 → 409 → 422),
the same rules, the same `task.complete` (or `task.sign`) event.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from typing import NamedTuple

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from models import User
from models import WorkItem
from workflows import actions
from workflows.cases import forms
from workflows.engine.locking import begin_write
from workflows.errors import AlreadyHandled
from workflows.errors import InvalidRequest
from workflows.errors import NotAllowed
from workflows.errors import NotFound
from workflows.errors import WorkflowError

log = logging.getLogger(__name__)

MAX_ITEMS = 50
MAX_ID = 999_999_999  # as ids in URLs (and within PostgreSQL's integer)
MAX_COMMENT = forms.MAX_COMMENT  # a shared 审批意见 as any other


@dataclass
class Outcome:
    """What became of one item: approved, or refused and why."""

    item_id: int
    ok: bool
    message: str
    error: str | None = None
    number: str = ""
    title: str = ""
    step: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.item_id, "ok": self.ok, "message": self.message, "error": self.error,
                "number": self.number, "title": self.title, "step": self.step}


def _options(schema: dict[str, Any]) -> list[str]:
    decision = schema.get("properties", {}).get("decision", {})
    return [o["const"] for o in decision.get("oneOf", []) if "const" in o] or list(decision.get("enum", []))


def approval_of(item: WorkItem) -> str | None:
    """The decision value that means 同意 on this item's form, or None when the form asks for more
    than the decision (any other field) or does not have exactly one decision without a reason."""
    try:
        schema = actions.form_schema(item)["schema"]
    except KeyError:  # a step its diagram does not have (hand-made rows): not for a batch
        return None
    if set(schema.get("properties", {})) != {"decision"} or set(schema.get("required", [])) != {"decision"}:
        return None
    needs_reason = set((schema.get("x-comment-required-when") or {}).get("decision", []))
    plain = [value for value in _options(schema) if value not in needs_reason]
    return plain[0] if len(plain) == 1 else None


# (definition id, its content hash, item kind, step) → what `approval_of` says of such an item. A
# deployed version never changes, so each step is judged once per process, not on every 待办 page
# (which loaded every row's item, case and definition with its 21 KB of forms: 2 ms a page).
# Bounded: past it a step is judged each time, as before.
_approvals: dict[tuple[int, str, str, str], str | None] = {}
_MAX_APPROVALS = 4096


class Step(NamedTuple):
    """An open item as `eligible` judges it: its definition (id and content hash), kind and step."""

    item_id: int
    definition_id: int
    content_hash: str
    kind: str
    task_name: str


def eligible(session: Session, steps: Iterable[Step]) -> set[int]:
    """Of these items (a 待办 page: the caller's open items, read with the page's rows), those
    with a form that needs nothing but the decision — the ones a 批量同意 may tick. No query
    once this process has judged their steps; whether the caller may still handle each is
    checked when it is approved."""
    found = set()
    for item_id, definition_id, content_hash, kind, task_name in steps:
        key = (definition_id, content_hash, str(kind), task_name)
        if key in _approvals:
            decision = _approvals[key]
        else:
            decision = approval_of(session.get_one(WorkItem, item_id))
            if len(_approvals) < _MAX_APPROVALS:
                _approvals[key] = decision
        if decision is not None:
            found.add(item_id)
    return found


def _ids(raw: Any) -> list[int]:
    if not isinstance(raw, list) or not raw:
        raise InvalidRequest("请选择要批量同意的事项（ids 须为非空的事项编号数组）")
    if len(raw) > MAX_ITEMS:
        raise InvalidRequest(f"一次最多批量同意 {MAX_ITEMS} 件")
    if not all(isinstance(i, int) and not isinstance(i, bool) and 0 < i <= MAX_ID for i in raw):
        raise InvalidRequest("事项编号须为正整数")
    return list(dict.fromkeys(raw))


def _comment(raw: Any) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise InvalidRequest("审批意见须为文字")
    if len(raw) > MAX_COMMENT:
        raise InvalidRequest(f"审批意见不能超过 {MAX_COMMENT} 字")
    return raw.strip() or None


def _describe(session: Session, outcome: Outcome) -> Outcome:
    """Name the item's case and step — for items the caller handles (a refusal for 404 or 403
    names nothing) — and end the read, so the next item starts a write transaction of its own."""
    item = session.get(WorkItem, outcome.item_id)
    if item is not None and outcome.error not in (NotFound.code, NotAllowed.code):
        outcome.number, outcome.title, outcome.step = item.instance.number, item.instance.title, item.title
    session.rollback()
    return outcome


def _approve_one(session: Session, user: User, item_id: int, comment: str | None) -> Outcome:
    """One item in its own transaction: committed when approved, rolled back when refused."""
    try:
        begin_write(session)  # may be Busy (the writers' queue): that item is refused, the others go on
        item = session.get(WorkItem, item_id)
        decision = approval_of(item) if item is not None else None
        if item is not None and decision is None and actions.can_complete(session, user, item):
            session.rollback()
            return _describe(session, Outcome(item_id, False, "该步骤需要填写表单，请逐件办理", "form_required"))
        done = actions.complete_item(session, user, item_id, {"decision": decision}, comment)
        outcome = Outcome(item_id, True, "已同意", None, done.instance.number, done.instance.title, done.title)
        session.commit()
        return outcome
    except WorkflowError as refused:
        session.rollback()
        return _describe(session, Outcome(item_id, False, refused.message, refused.code))
    except StaleDataError:
        session.rollback()
        return _describe(session, Outcome(item_id, False, "该流程刚刚被他人处理，请刷新后查看", AlreadyHandled.code))
    except Exception:
        session.rollback()
        log.exception("batch approval of item %s failed", item_id)
        return _describe(session, Outcome(item_id, False, "系统错误，该事项未办理", "internal_error"))


def approve(session: Session, user: User, raw_ids: Any, raw_comment: Any = None) -> list[Outcome]:
    """批量同意 the items `raw_ids` (at most MAX_ITEMS) with one shared optional opinion; one
    transaction per item (this function commits), one Outcome per item in the order asked.
    Raises InvalidRequest (400) for a malformed request before touching any item."""
    ids, comment = _ids(raw_ids), _comment(raw_comment)
    session.rollback()  # whatever the caller's transaction read; each item opens its own
    return [_approve_one(session, user, item_id, comment) for item_id in ids]
