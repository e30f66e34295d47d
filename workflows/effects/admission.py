"""Effects of `party_admission`."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from models import MemberStatus
from models import ProbationRecord
from models import User
from workflows.effects.base import EffectContext
from workflows.effects.base import effect


@effect("admission_approved")
def admission_approved(ctx: EffectContext) -> None:
    """The upper 党委 approved: the applicant is a 预备党员 from now on (branch rosters, C-C5, C-C6)."""
    if ctx.data.get("meeting_outcome") != "adopted" or ctx.instance.subject_user_id is None:
        return
    user = ctx.session.get(User, ctx.instance.subject_user_id)
    if user is not None and user.member_status == MemberStatus.NONE:
        user.member_status = MemberStatus.PROBATIONARY
        _register(ctx, user)


def _register(ctx: EffectContext, user: User) -> None:
    """The new 预备党员 enters the register (track, 支部大会 date, 预备期) that `party_probation` reads."""
    data = ctx.data
    record = ctx.session.scalars(select(ProbationRecord).where(ProbationRecord.user_id == user.id)).first()
    if record is None:
        record = ProbationRecord(user_id=user.id)
        ctx.session.add(record)
    record.track, record.frontline = data.get("track") or "regular", bool(data.get("frontline"))
    record.admitted_on = date.fromisoformat(data["branch_meeting_on"])
    record.probation_ends_on = date.fromisoformat(data["probation_ends_on"])
    record.approved_on = date.fromisoformat(data["approved_on"]) if data.get("approved_on") else None
    record.admission_instance_id = ctx.instance.id
    record.outcome, record.extended_months, record.confirmed_on, record.decided_on = "pending", None, None, None
