"""Effects of `cadre_promotion` and `reserve_nomination`."""

from __future__ import annotations

from sqlalchemy import select

from models import OrgUnit
from models import ReservePoolEntry
from workflows.effects.base import EffectContext
from workflows.effects.base import effect
from workflows.engine import clock
from workflows.routing.assignment import unit_at_level


def _managing_unit_id(ctx: EffectContext, level: str) -> int | None:
    """The deciding unit of the case: its 组织部 manages the entry."""
    home = ctx.session.get(OrgUnit, ctx.instance.owning_unit_id)
    unit = unit_at_level(ctx.session, home, level) if home is not None else None
    return unit.id if unit is not None else None


@effect("reserve_pool_entry")
def reserve_pool_entry(ctx: EffectContext) -> None:
    """Enter the candidate in the reserve pool at the case's management level (research §2 A.4),
    with the category and target post a `reserve_nomination` names (a promotion case names the
    proposed post). A person already in the pool keeps their entry (one open entry per person)."""
    user_id = ctx.instance.subject_user_id
    if user_id is None or ctx.session.scalars(select(ReservePoolEntry.id).where(
            ReservePoolEntry.user_id == user_id, ReservePoolEntry.removed_on.is_(None))).first() is not None:
        return
    level = ctx.data.get("management_level", "subsidiary")
    ctx.session.add(ReservePoolEntry(
        user_id=user_id,
        level=level,
        category=ctx.data.get("category"),
        target_post=ctx.data.get("target_post") or ctx.data.get("proposed_post"),
        entered_on=clock.today_local().date(),
        source_instance_id=ctx.instance.id,
        unit_id=_managing_unit_id(ctx, level),
    ))
