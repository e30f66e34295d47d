"""Effects of `cadre_promotion`."""

from __future__ import annotations

from models import ReservePoolEntry
from workflows.effects.base import EffectContext
from workflows.effects.base import effect
from workflows.engine import clock


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
