"""Effects of `commendation`: the 表彰决定 on the honoured people's records.

Each honoured person with a 干部信息 gets a 奖惩 entry (the box the 干部任免审批表 prints), audited
as a `cadre.update` of the `awards` part with before and after; every honoured person gets a
先进 event of source 表彰 in their 现实表现纪实 (`record_event`), linked to the case. Both run in
the decision's own transaction.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from models import CadreAward
from models import CadreRecord
from models import User
from workflows import audit
from workflows.effects.base import EffectContext
from workflows.effects.base import effect
from workflows.engine import clock
from workflows.records.conduct import EventInput
from workflows.records.conduct import record_event
from workflows.records.fields import SECTIONS
from workflows.rules.commendation import honoured_users

MAX_AWARDS = SECTIONS["awards"][2]  # the 奖惩 rows a record holds (the editor's own limit)


def award_text(ctx: EffectContext, honour_title: str) -> str:
    """"2026年6月被集团党委授予“优秀共产党员”称号（集团党字〔2026〕12号）"."""
    issued = date.fromisoformat(ctx.data["issued_on"])
    issuer = ctx.data.get("issuer") or "集团党委"
    number = f"（{ctx.data['decision_no']}）" if ctx.data.get("decision_no") else ""
    return f"{issued.year}年{issued.month}月被{issuer}授予“{honour_title}”称号{number}"[:200]


def _add_award(ctx: EffectContext, user: User, text: str, month: str) -> bool:
    record = ctx.session.scalars(select(CadreRecord).where(CadreRecord.user_id == user.id)).first()
    if record is None or len(record.awards) >= MAX_AWARDS:
        return False
    before = [{"month": a.month, "text": a.text} for a in record.awards]
    record.awards.append(CadreAward(month=month, text=text, position=len(before)))
    ctx.session.flush()
    audit.record(ctx.session, "cadre.update", instance=ctx.instance, payload={
        "user": user.username, "part": "awards", "before": before, "after": [*before, {"month": month, "text": text}],
        "via": "process"})
    return True


@effect("commendation_awards")
def commendation_awards(ctx: EffectContext) -> None:
    """On the 表彰决定: a 奖惩 entry for each honoured cadre, a 先进 event for each honoured person."""
    honourees = ctx.data.get("honourees") or []
    users = honoured_users(ctx.session, honourees)
    issued = date.fromisoformat(ctx.data["issued_on"])
    day = min(issued, clock.today_local().date())
    awarded, events = [], 0
    for row in honourees:
        user = users.get(row.get("person") or "")
        if user is None:
            continue
        text = award_text(ctx, row["honour_title"])
        if _add_award(ctx, user, text, issued.strftime("%Y-%m")):
            awarded.append(user.username)
        record_event(ctx.session, user.id, EventInput(day, f"{ctx.instance.number} {ctx.data.get('kind_title', '表彰')}：{text}",
                                                      "commendation", "merit"), instance=ctx.instance)
        events += 1
    ctx.update_data({"awards_written": awarded, "events_written": events})
