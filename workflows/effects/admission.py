"""Effects of `party_admission`."""

from __future__ import annotations

from models import MemberStatus
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
