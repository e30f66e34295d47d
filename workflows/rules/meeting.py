"""The meeting block (DOMAIN §5): consistency, quorum and the outcome, computed by the server."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import func
from sqlalchemy import select

from models import MemberStatus
from models import User
from workflows.errors import ValidationFailed
from workflows.rules.base import RuleContext
from workflows.rules.base import check
from workflows.rules.base import violation
from workflows.rules.packs import Body
from workflows.rules.packs import body as find_body


def _consistency_errors(m: dict[str, Any], counted_written: bool) -> dict[str, list[str]]:
    due, present = m["members_due"], m["present"]
    votes = m["votes"]
    cast = votes["for"] + votes["against"] + votes.get("abstain", 0) + votes.get("defer", 0)
    written = m.get("written_opinions_for", 0) + m.get("written_opinions_against", 0)
    errors: dict[str, list[str]] = {}
    if present > due:
        errors["meeting.present"] = [f"实到人数（{present}）不能多于应到人数（{due}）"]
    absent = m.get("absent") or []
    if absent and len(absent) != due - present:
        errors["meeting.absent"] = [f"缺席人员应为 {due - present} 人（应到减实到），现填写 {len(absent)} 人"]
    if cast > present:
        errors["meeting.votes"] = [f"表决票数（{cast}）不能多于实到人数（{present}）"]
    if written > max(due - present, 0):
        errors["meeting.written_opinions_for"] = ["书面意见只能来自缺席人员，份数不能多于缺席人数"]
    if written and not counted_written:
        errors["meeting.written_opinions_for"] = ["该会议的表决不计书面意见"]
    return errors


def quorum_needed(body: Body, due: int) -> int:
    """Members who must be present: ⌈q × due⌉, or the first count above q × due when strict."""
    exact = body.quorum * due
    return math.floor(exact) + 1 if body.quorum_strict else math.ceil(exact)


def outcome(body: Body, m: dict[str, Any]) -> str:
    """`adopted`, `deferred` or `rejected` for a consistent, quorate meeting."""
    votes = m["votes"]
    support = votes["for"] + (m.get("written_opinions_for", 0) if body.count_written_opinions else 0)
    if support > body.adoption * m["members_due"]:
        return "adopted"
    if body.defer_rule and votes.get("defer", 0) > 0:
        return "deferred"
    return "rejected"


def evaluate(body: Body, m: dict[str, Any]) -> str:
    """Check a meeting record against its body's rules and return the outcome.

    Raises ValidationFailed for inconsistent counts and RuleViolation (naming the body's
    quorum rule) when too few members were present; the task then stays open.
    """
    errors = _consistency_errors(m, body.count_written_opinions)
    if errors:
        raise ValidationFailed("会议记录前后不一致", errors)
    need = quorum_needed(body, m["members_due"])
    if m["present"] < need:
        raise violation(
            body.quorum_rule,
            f"{body.name}应到 {m['members_due']} 人，须至少 {need} 人到会，实到 {m['present']} 人，会议无效",
            field="meeting.present",
        )
    return outcome(body, m)


def roster(ctx: RuleContext, body: Body) -> dict[str, int] | None:
    """The voting members due according to OrgFlow's own member records, if the body uses one."""
    if body.members_due_roster != "unit_full_members" or ctx.instance is None:
        return None
    counts = dict(ctx.session.execute(
        select(User.member_status, func.count()).where(
            User.unit_id == ctx.instance.owning_unit_id, User.is_active.is_(True)).group_by(User.member_status)
    ).all())
    return {"full": counts.get(MemberStatus.FULL, 0), "probationary": counts.get(MemberStatus.PROBATIONARY, 0)}


def _check_roster(ctx: RuleContext, body: Body, m: dict[str, Any]) -> None:
    members = roster(ctx, body)
    if members is not None and m["members_due"] != members["full"]:
        raise violation(
            body.quorum_rule,
            f"应到会有表决权的正式党员为 {members['full']} 人（预备党员 {members['probationary']} 人无表决权，"
            f"不计入），会议记录填写 {m['members_due']} 人",
            field="meeting.members_due",
        )


def _prepare_meeting(ctx: RuleContext, arg: str | None) -> dict[str, Any]:
    members = roster(ctx, find_body(arg or ""))
    return {"meeting_roster": members} if members is not None else {}


@check("meeting", prepare=_prepare_meeting)
def check_meeting(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    if arg is None:
        raise ValueError("the meeting check needs a body, e.g. meeting:cadre_committee")
    body = find_body(arg)
    _check_roster(ctx, body, form["meeting"])
    return {"meeting_outcome": evaluate(body, form["meeting"])}
