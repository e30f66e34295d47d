"""Reminders (提醒) and escalations (督办) fired by deadline timers in the diagrams.

`remind:<task>` tells whoever holds the open `<task>` of the case that its deadline is near;
`escalate:<task>` tells them it has passed and, as 督办, the 组织部长 of the unit the step is
routed to. Both write in-app notifications in the timer's transaction.
"""

from __future__ import annotations

from sqlalchemy import select

from models import Notification
from models import Role
from models import WorkItem
from models import WorkItemCandidate
from models import WorkItemStatus
from workflows import clock
from workflows.assignment import users_with_role
from workflows.effects.base import EffectContext
from workflows.effects.base import effect


def _open_items(ctx: EffectContext) -> list[WorkItem]:
    return list(ctx.session.scalars(select(WorkItem).where(
        WorkItem.instance_id == ctx.instance.id, WorkItem.task_name == ctx.arg,
        WorkItem.status == WorkItemStatus.OPEN)))


def _notify(ctx: EffectContext, item: WorkItem, user_ids: set[int], kind: str, title: str) -> None:
    for user_id in sorted(user_ids):
        ctx.session.add(Notification(user_id=user_id, kind=kind, instance_id=ctx.instance.id, work_item_id=item.id,
                                     title=title[:200], body=ctx.instance.title, created_at=clock.now()))


def _candidates(ctx: EffectContext, item: WorkItem) -> set[int]:
    if item.assignee_id is not None:
        return {item.assignee_id}
    return set(ctx.session.scalars(
        select(WorkItemCandidate.user_id).where(WorkItemCandidate.work_item_id == item.id)))


def _due_text(item: WorkItem) -> str:
    return item.due_at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M") if item.due_at else "期限"


@effect("remind")
def remind(ctx: EffectContext) -> None:
    """提醒: the deadline of the open `<task>` is near."""
    for item in _open_items(ctx):
        _notify(ctx, item, _candidates(ctx, item), "reminder",
                f"【即将到期】{item.title}（{ctx.instance.number}）须于 {_due_text(item)} 前办理")


@effect("escalate")
def escalate(ctx: EffectContext) -> None:
    """督办: the open `<task>` is overdue; its holders and the 组织部长 of its unit are told."""
    for item in _open_items(ctx):
        heads = {u.id for u in users_with_role(ctx.session, Role.ORG_HEAD, item.scope_unit_id)} \
            if item.scope_unit_id else set()
        _notify(ctx, item, _candidates(ctx, item) | heads, "overdue",
                f"【已超期】{item.title}（{ctx.instance.number}）期限 {_due_text(item)} 已过，请督办")
