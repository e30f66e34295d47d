"""The state of 加签 on an item, shared by `workflows.cases.tasks` and `workflows.actions.signers`.

An added signer is a SIGNER work item whose `parent_id` is the item signed for:

- 前加签 (`before`): the signer acts first; the original item is `on_hold` (out of its
  handler's 待办) until every before-signer has signed, then comes back to its handler.
- 后加签 (`after`): the signer is queued (`on_hold`) until the original handler submits; the
  submission is then held on the original item and the signers are activated; the step
  completes with the held submission when the last of them agrees.

SpiffWorkflow never sees a signer: its user task stays READY throughout, so the projection
keeps every item of that task open, and closes them all if the step goes away (退回, 撤回 …).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Exists
from sqlalchemy import exists
from sqlalchemy import false
from sqlalchemy import select
from sqlalchemy import true
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import aliased

from models import User
from models import WorkItem
from models import WorkItemCandidate
from models import WorkItemKind
from models import WorkItemStatus
from workflows.notify import notifications

BEFORE = "before"
AFTER = "after"
# An alias of work_item for the signers of an item, made once: aliasing a mapped class builds a
# proxy of every column (issue 17: it was 4 ms of a profiled completion, made on every request).
_SIGNER = aliased(WorkItem, name="signer")


def open_signers(session: Session, item: WorkItem, position: str | None = None) -> list[WorkItem]:
    """The open signer items of `item` (of one position, or all), oldest first."""
    query = select(WorkItem).where(WorkItem.parent_id == item.id, WorkItem.kind == WorkItemKind.SIGNER,
                                   WorkItem.status == WorkItemStatus.OPEN)
    if position:
        query = query.where(WorkItem.sign_position == position)
    return list(session.scalars(query.order_by(WorkItem.id)))


def waiting_after_signers(item_id: Any) -> Exists:
    """EXISTS: 后加签 signers wait on the item `item_id` (a column or value), to read along with it."""
    signer = _SIGNER
    return exists().where(signer.parent_id == item_id, signer.kind == WorkItemKind.SIGNER,
                          signer.status == WorkItemStatus.OPEN, signer.sign_position == AFTER)


def open_candidates(session: Session, item: WorkItem) -> None:
    """Set whose 待办 the open item is in (`WorkItemCandidate.is_open`): every candidate's, only its
    assignee's once it is claimed, nobody's while it is held for 加签."""
    mine: Any = WorkItemCandidate.user_id == item.assignee_id
    value = false() if item.on_hold else true() if item.assignee_id is None else mine
    session.execute(update(WorkItemCandidate).where(WorkItemCandidate.work_item_id == item.id)
                    .values(is_open=value).execution_options(synchronize_session=False))  # nothing reads it back
    item.instance.touch()  # a claim or a hold changes the case (its revision)


def set_on_hold(session: Session, item: WorkItem, on_hold: bool) -> None:
    """Hold an open item (it leaves its candidates' 待办) or release it back to them."""
    item.on_hold = on_hold
    open_candidates(session, item)


def _names(session: Session, items: list[WorkItem]) -> str:
    ids = [i.assignee_id for i in items if i.assignee_id is not None]
    users = list(session.scalars(select(User.name).where(User.id.in_(ids)).order_by(User.id))) if ids else []
    return "、".join(users) or "加签人"


def hold_message(session: Session, item: WorkItem) -> str:
    """Why an on-hold item cannot be acted on now (HTTP 409 message)."""
    if item.kind == WorkItemKind.SIGNER:
        return "加签尚未轮到您：原办理人提交后才能签署"
    before = open_signers(session, item, BEFORE)
    if before:
        return f"该事项正在等待加签人（{_names(session, before)}）先行签署"
    return f"您已提交，正在等待加签人（{_names(session, open_signers(session, item, AFTER))}）签署"


def hold_for_after_signers(session: Session, item: WorkItem) -> list[str]:
    """If 后加签 signers wait on `item`, hold its (already recorded) submission and activate
    them; returns their usernames ([] when there are none and the step may complete)."""
    queued = open_signers(session, item, AFTER)
    if not queued:
        return []
    set_on_hold(session, item, True)
    for signer in queued:
        set_on_hold(session, signer, False)
        notifications.queue_item(session, signer, "sign")
    return [s.assignee.username for s in queued if s.assignee is not None]
