"""加签 (before / after the current signer), 减签, and an added signer's 签署.

See `workflows.actions.signing` for how signer items relate to the item they sign for. The rules:

- Only the item's handler adds or removes signers, on a TASK item; an added signer signs
  (同意 / 不同意 with an opinion, required for 不同意) and cannot add further signers.
- 前加签: the handler's item waits until every before-signer has signed, then comes back.
  A before-signer's 不同意 is an opinion the handler weighs; the handler still decides.
- 后加签: the handler submits as usual; the step completes when every after-signer agrees.
  An after-signer's 不同意 voids the held submission: the item goes back to its handler with
  the objection, and the remaining after-signers wait for the next submission.
- 减签 removes a signer who has not signed yet. Added signers never change a 会签 vote
  threshold: they sign one item, not the step (approval-products.md §5 #9).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from models import User
from models import WorkItem
from models import WorkItemKind
from models import WorkItemStatus
from workflows import audit
from workflows.actions import common
from workflows.actions import signing
from workflows.cases import forms
from workflows.cases import tasks
from workflows.engine import clock
from workflows.engine import projection
from workflows.errors import AlreadyHandled
from workflows.errors import NotAllowed
from workflows.errors import ValidationFailed
from workflows.notify import notifications
from workflows.routing import permissions
from workflows.rules import eligibility

SIGN_FORM: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "加签意见",
    "type": "object",
    "additionalProperties": False,
    "required": ["decision"],
    "properties": {"decision": {"title": "意见", "oneOf": [{"const": "agree", "title": "同意"},
                                                         {"const": "disagree", "title": "不同意"}]}},
    "x-comment-required-when": {"decision": ["disagree"]},
}
POSITIONS = (("before", "向前加签"), ("after", "向后加签"))


def add_signer(session: Session, user: User, item_id: int, user_name: str | None = None,
               position: str | None = None, reason: str | None = None) -> WorkItem:
    """加签 `user_name` before or after the handler of the open item; returns the signer item."""
    item, principal = common.open_item(session, user, item_id)
    if position not in dict(POSITIONS):
        raise ValidationFailed("请选择向前或向后加签", {"position": ["须为 before（向前）或 after（向后）"]})
    signer = common.find_user(session, user_name, "user")
    _check_new_signer(session, item, signer, principal)
    note = common.optional_text(reason, "reason", "加签说明")
    added = common.new_item_like(session, item, [signer], kind=WorkItemKind.SIGNER, parent_id=item.id,
                                 sign_position=position, title=f"{item.title}（加签）"[:120],
                                 on_hold=position == signing.AFTER)
    if position == signing.BEFORE:
        signing.set_on_hold(session, item, True)
        notifications.queue_item(session, added, "sign", body=note)
    audit.record(session, "task.add_signer", actor=user, acted_for=tasks.acted_for(user, principal),
                 instance=item.instance, work_item=item,
                 payload={"task": item.task_name, "signer": signer.username, "position": position, "reason": note})
    return added


def _check_new_signer(session: Session, item: WorkItem, signer: User, principal: User) -> None:
    if signer.id == principal.id or permissions.in_candidates(session, item, signer):
        raise ValidationFailed("不能加签本步骤的办理人", {"user": ["该人员已是本步骤的办理人"]})
    if any(s.assignee_id == signer.id for s in signing.open_signers(session, item)):
        raise ValidationFailed("该人员已在加签中", {"user": ["该人员已被加签，尚未签署"]})
    eligibility.check_target(session, item, signer, "加签", "user")  # R-C2 and R-C1


def _parent_for_handler(session: Session, user: User, item_id: int) -> tuple[WorkItem, User]:
    """The handler's item even while it waits on signers (減签 must work then): 404/403/409."""
    item = common.locked_item(session, item_id)
    principal = permissions.acting_principal(session, item, user)
    if principal is None:
        raise NotAllowed("您不是该事项的办理人")
    if item.status != WorkItemStatus.OPEN or item.kind != WorkItemKind.TASK:
        raise AlreadyHandled("该事项已不在办理中")
    return item, principal


def remove_signer(session: Session, user: User, item_id: int, user_name: str | None = None,
                  reason: str | None = None) -> WorkItem:
    """减签: remove an added signer of the item who has not signed yet."""
    item, principal = _parent_for_handler(session, user, item_id)
    target = next((s for s in signing.open_signers(session, item)
                   if s.assignee is not None and s.assignee.username == user_name), None)
    if target is None:
        raise ValidationFailed("没有可减签的人员", {"user": [f"“{user_name}”不是本事项尚未签署的加签人"]})
    projection.close_item(session, target, WorkItemStatus.CANCELLED, clock.now())
    target.action = "removed"
    released = settle(session, item)
    audit.record(session, "task.remove_signer", actor=user, acted_for=tasks.acted_for(user, principal),
                 instance=item.instance, work_item=item,
                 payload={"task": item.task_name, "signer": user_name, "position": target.sign_position,
                          "reason": common.optional_text(reason, "reason", "减签说明"), "released": released})
    return item


def settle(session: Session, item: WorkItem) -> bool:
    """After a signer signed or was removed: give the item back to its handler when no
    before-signer is left, or complete the step with the held submission when no after-signer
    is left. True when the step completed."""
    if not item.on_hold or signing.open_signers(session, item, signing.BEFORE):
        return False
    if item.completed_by_id is None:  # it waited for before-signers
        signing.set_on_hold(session, item, False)
        notifications.queue_item(session, item, "sign", body="加签人已签署，请继续办理")
        return False
    if signing.open_signers(session, item, signing.AFTER):
        return False
    by = common.handler_of(item)
    assert by is not None and item.data is not None
    tasks.advance(session, item, item.data, by)
    return True


def _void_held_submission(session: Session, item: WorkItem, objection: str | None) -> None:
    """An after-signer disagreed: the handler decides again; the other after-signers wait."""
    item.set_handler(None, None)
    item.action = None
    item.decision, item.comment, item.data, item.completed_at = None, None, None, None
    for other in signing.open_signers(session, item, signing.AFTER):
        signing.set_on_hold(session, other, True)
    signing.set_on_hold(session, item, False)
    notifications.queue_item(session, item, "returned", body=f"加签人不同意：{objection or ''}")


def sign(session: Session, user: User, item_id: int, data: Any, comment: str | None = None) -> WorkItem:
    """签署: an added signer's 同意/不同意 with an opinion (`data` = {"decision": …})."""
    item, principal = common.open_item(session, user, item_id, WorkItemKind.SIGNER)
    form = forms.validate({"sign.json": SIGN_FORM}, "sign.json", data)
    forms.require_comment(SIGN_FORM, form, comment)
    common.close_as(session, item, user, principal, "sign", comment)
    item.decision, item.data = form["decision"], form
    parent = item.parent
    assert parent is not None
    released = False
    if item.sign_position == signing.AFTER and form["decision"] == "disagree":
        _void_held_submission(session, parent, comment)
    else:
        released = settle(session, parent)
    audit.record(session, "task.sign", actor=user, acted_for=item.acted_for, instance=item.instance, work_item=item,
                 payload={"task": item.task_name, "position": item.sign_position, "decision": form["decision"],
                          "comment": comment, "for_item": parent.id, "released": released})
    return item
