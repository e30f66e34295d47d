"""Side effects on OrgFlow's own records when a step or an end event completes.

A diagram names them (`spiffworkflow:property name="effects" value="reserve_pool_entry"`); the
functions live here, keyed by name, and run in the same transaction as the step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from models import ProcessInstance
from models import ReservePoolEntry
from workflows import clock


@dataclass
class EffectContext:
    session: Session
    instance: ProcessInstance
    data: dict[str, Any]


Effect = Callable[[EffectContext], None]
EFFECTS: dict[str, Effect] = {}


def effect(name: str) -> Callable[[Effect], Effect]:
    def register(func: Effect) -> Effect:
        EFFECTS[name] = func
        return func

    return register


@effect("reserve_pool_entry")
def reserve_pool_entry(ctx: EffectContext) -> None:
    """Enter the candidate in the reserve pool at the case's management level (research §2 A.4)."""
    if ctx.instance.subject_user_id is None:
        return
    ctx.session.add(ReservePoolEntry(
        user_id=ctx.instance.subject_user_id,
        level=ctx.data.get("management_level", "subsidiary"),
        target_post=ctx.data.get("proposed_post"),
        entered_on=clock.today_local().date(),
        source_instance_id=ctx.instance.id,
    ))


def run_effects(names: str | None, ctx: EffectContext) -> None:
    for name in (names or "").split():
        EFFECTS[name](ctx)
