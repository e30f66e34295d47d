"""Effects of `special_report` (重要情况专报)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from models import CadreEvent
from models import User
from workflows.effects.base import EffectContext
from workflows.effects.base import effect
from workflows.records import conduct
from workflows.rules import special_report as rules


@effect("special_report_conduct")
def special_report_conduct(ctx: EffectContext) -> None:
    """SR-2: an accepted 典型案例 (先进 or 反面) goes on the 现实表现纪实 of each person it names,
    source 专报, mark 先进 or 问题, linked to the case. A person who has this case's event
    already (the step was returned and done again) gets no second one."""
    data = ctx.instance.data
    mark = rules.marks().get(str(data.get("kind")))
    if mark is None:
        return
    written = set(ctx.session.scalars(select(CadreEvent.user_id).where(CadreEvent.instance_id == ctx.instance.id)))
    recorded = []
    for username in data.get("persons") or []:
        user = ctx.session.scalars(select(User).where(User.username == username)).first()
        if user is None or user.id in written:
            continue
        text = f"{data.get('kind_label', '')}：{data.get('headline', '')}（专报 {ctx.instance.number}）"
        conduct.record_event(ctx.session, user.id, conduct.EventInput(date.fromisoformat(data["occurred_on"]), text,
                                                                       "special", mark), instance=ctx.instance)
        recorded.append(username)
    ctx.update_data({"conduct_recorded": sorted({*recorded, *(data.get("conduct_recorded") or [])})})
