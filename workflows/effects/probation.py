"""Effects of `party_probation`: the upper 党委's decision changes the member's standing."""

from __future__ import annotations

from datetime import date
from typing import Any

from models import MemberStatus
from models import ProbationRecord
from models import User
from workflows.effects.base import EffectContext
from workflows.effects.base import effect
from workflows.rules.probation import record_of


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def ensure_record(ctx: EffectContext, user: User) -> ProbationRecord:
    """The member's register row; a member imported as probationary gets one from this case."""
    record = record_of(ctx.session, user)
    if record is None:
        record = ProbationRecord(user_id=user.id, track=ctx.data.get("track") or "unknown",
                                 frontline=bool(ctx.data.get("frontline")), admitted_on=_day(ctx.data["admitted_on"]),
                                 probation_ends_on=_day(ctx.data["probation_until"]))
        ctx.session.add(record)
    return record


@effect("probation_decided")
def probation_decided(ctx: EffectContext) -> None:
    """The upper 党委 approved the branch's decision: 转正 makes a full member (rosters, C-C5, C-C6),
    an extension moves the end of the 预备期, a cancellation ends the membership."""
    if ctx.data.get("meeting_outcome") != "adopted" or ctx.instance.subject_user_id is None:
        return
    user = ctx.session.get(User, ctx.instance.subject_user_id)
    if user is None:
        return
    record = ensure_record(ctx, user)
    record.probation_instance_id = ctx.instance.id
    record.decided_on = _day(ctx.data.get("decided_on"))
    decision = ctx.data.get("decision")
    if decision == "confirm":
        user.member_status = MemberStatus.FULL
        record.outcome, record.confirmed_on = "confirmed", _day(ctx.data.get("confirmed_on"))
    elif decision == "extend":
        record.outcome = "extended"
        record.extended_months = int(ctx.data["extension_months_granted"])
        record.probation_ends_on = date.fromisoformat(ctx.data["probation_until"])
    elif decision == "cancel":
        user.member_status = MemberStatus.NONE
        record.outcome = "cancelled"
    ctx.update_data({"member_status": user.member_status})
