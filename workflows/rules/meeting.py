"""The meeting block (DOMAIN §5): who was due, who came, and the outcome — computed by the server.

Nobody types how many members a body has. The roster comes from OrgFlow's own records (the
body's `roster` in its rule pack): the 党委委员 (`committee` role) of the deciding unit — the unit
the step was routed to — for a 党委会, the branch's full members for a 支部大会. The record names
each member of the roster once, as present, absent (with the reason) or recused (with the
reason); the subject of the case and their declared relatives must be recorded as recused
(回避, R-C1). Recused members are not due: `members_due` = roster − recused, `present` = those
present; both are stored in the `meeting` variable (with `absent` and `recusals`) for the API
contract, and the body's rules (quorum, adoption, vote options) read them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy import exists
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import aliased

from models import MemberStatus
from models import OrgUnit
from models import ProcessInstance
from models import Role
from models import RoleAssignment
from models import User
from workflows.errors import ValidationFailed
from workflows.rules import recusal
from workflows.rules.base import RuleContext
from workflows.rules.base import check
from workflows.rules.base import parse_specs
from workflows.rules.base import violation
from workflows.rules.packs import Body
from workflows.rules.packs import body as find_body

STATUSES = {"present": "出席", "absent": "缺席", "recused": "回避"}
VOTE_TITLES = {"for": "同意", "against": "不同意", "abstain": "弃权", "defer": "缓议"}
ROSTER_TITLES = {"unit_committee": "党委委员", "unit_full_members": "有表决权的正式党员"}
MAX_ROSTER = 1000  # the block's `attendance` takes at most this many rows


@dataclass
class Roster:
    """The members due to attend before recusals, and who of them must recuse."""

    body: Body
    unit: OrgUnit | None
    members: list[User]
    must_recuse: dict[int, str] = field(default_factory=dict)  # user id → why (R-C1)
    non_voting: dict[str, User] = field(default_factory=dict)  # probationary members, by username

    @property
    def title(self) -> str:
        return f"{self.unit.name if self.unit else ''}的{ROSTER_TITLES.get(self.body.roster, '成员')}名册"


def _deciding_unit(ctx: RuleContext) -> OrgUnit | None:
    unit_id = ctx.scope_unit_id or (ctx.instance.owning_unit_id if ctx.instance is not None else None)
    return ctx.session.get(OrgUnit, unit_id) if unit_id is not None else None


def _committee(ctx: RuleContext, unit: OrgUnit) -> list[User]:
    """The unit's 党委委员, its 书记 first."""
    chair = aliased(RoleAssignment)
    is_chair = exists().where(chair.user_id == User.id, chair.role == Role.SECRETARY, chair.unit_id == unit.id)
    return list(ctx.session.scalars(
        select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role == Role.COMMITTEE, RoleAssignment.unit_id == unit.id, User.is_active.is_(True))
        .order_by(is_chair.desc(), User.id)))


def _members(ctx: RuleContext, unit: OrgUnit, status: str) -> list[User]:
    return list(ctx.session.scalars(select(User).where(
        User.unit_id == unit.id, User.member_status == status, User.is_active.is_(True)).order_by(User.id)))


def roster_of(ctx: RuleContext, body: Body) -> Roster:
    """The body's roster at the deciding unit, as OrgFlow's records have it now."""
    unit = _deciding_unit(ctx)
    if unit is None:
        return Roster(body, None, [])
    if body.roster == "unit_full_members":
        found = Roster(body, unit, _members(ctx, unit, MemberStatus.FULL),
                       non_voting={u.username: u for u in _members(ctx, unit, MemberStatus.PROBATIONARY)})
    else:
        found = Roster(body, unit, _committee(ctx, unit))
    if ctx.instance is not None:
        conflicts = recusal.case_conflicts(ctx.session, ctx.instance)
        found.must_recuse = {u.id: conflicts.why(u) for u in found.members if u in conflicts}
    return found


def roster_view(roster: Roster) -> dict[str, Any]:
    """The roster as shown to the recorder (`meeting_roster`): the members, who must recuse."""
    view: dict[str, Any] = {
        "body": roster.body.name, "unit": roster.unit.code if roster.unit else None,
        "unit_name": roster.unit.name if roster.unit else "", "vote_options": list(roster.body.vote_options),
        "members": [{"username": u.username, "name": u.name, "post": u.post or "",
                     **({"must_recuse": roster.must_recuse[u.id]} if u.id in roster.must_recuse else {})}
                    for u in roster.members],
    }
    if roster.body.roster == "unit_full_members":
        view.update(full=len(roster.members), probationary=len(roster.non_voting))
    return view


def _row_errors(roster: Roster, rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    known = {u.username for u in roster.members}
    seen: set[str] = set()
    errors: dict[str, list[str]] = {}
    for index, row in enumerate(rows):
        at, member = f"meeting.attendance.{index}", row["member"]
        if member in seen:
            errors[f"{at}.member"] = ["同一人只能填写一次"]
        seen.add(member)
        if member not in known and member not in roster.non_voting:
            errors[f"{at}.member"] = [f"“{member}”不在{roster.title}上"]
        if row["status"] != "present" and not (row.get("reason") or "").strip():
            errors[f"{at}.reason"] = [f"{STATUSES[row['status']]}须写明原因"]
    return errors


def _check_roster(roster: Roster, rows: list[dict[str, Any]]) -> None:
    """Every member of the roster once, nobody else; the recused as the rules say."""
    rule = roster.body.quorum_rule
    if len(roster.members) > MAX_ROSTER:
        raise violation(rule, f"{roster.title}有 {len(roster.members)} 人，超出会议记录的上限 {MAX_ROSTER} 人")
    if not roster.members:
        raise violation(rule, f"{roster.title}为空，无法确定应到会人数：请系统管理员维护名册", "meeting.attendance")
    errors = _row_errors(roster, rows)
    if errors:
        raise ValidationFailed("出席情况填写有误", errors)
    for index, row in enumerate(rows):
        if row["member"] in roster.non_voting:
            name = roster.non_voting[row["member"]].name
            raise violation(rule, f"{name}是预备党员，可以列席但没有表决权，不计入应到、实到人数，请勿填入出席情况",
                            f"meeting.attendance.{index}.member")
    listed = {row["member"] for row in rows}
    missing = [u.name for u in roster.members if u.username not in listed]
    if missing:
        raise violation(rule, f"应到会成员以{roster.title}为准（共 {len(roster.members)} 人），"
                              f"未填写{'、'.join(missing)}的出席情况", "meeting.attendance")


def _check_recusals(ctx: RuleContext, roster: Roster, rows: list[dict[str, Any]]) -> None:
    by_name = {u.username: u for u in roster.members}
    conflicts = recusal.case_conflicts(ctx.session, ctx.instance) if ctx.instance is not None else None
    for index, row in enumerate(rows):
        user = by_name[row["member"]]
        if user.id in roster.must_recuse and row["status"] != "recused" and conflicts is not None:
            raise recusal.refusal(conflicts, user, f"参加本事项的{roster.body.name}表决，应记为回避",
                                  f"meeting.attendance.{index}.status")


def tally(ctx: RuleContext, roster: Roster, submitted: dict[str, Any]) -> dict[str, Any]:
    """The meeting as stored: the record as given plus the counts and lists the server derives."""
    rows = submitted["attendance"]
    _check_roster(roster, rows)
    _check_recusals(ctx, roster, rows)
    by_name = {u.username: u for u in roster.members}

    def named(status: str) -> list[dict[str, str]]:
        return [{"username": r["member"], "name": by_name[r["member"]].name, "reason": (r.get("reason") or "").strip()}
                for r in rows if r["status"] == status]

    recused = named("recused")
    for entry in recused:
        forced = roster.must_recuse.get(by_name[entry["username"]].id)
        if forced:
            entry.update(reason=entry["reason"] or forced, rule=recusal.RULE)
    return {**submitted, "body": submitted.get("body") or roster.body.name,
            "unit": roster.unit.code if roster.unit else None, "members_total": len(roster.members),
            "members_due": len(rows) - len(recused), "present": sum(r["status"] == "present" for r in rows),
            "absent": named("absent"), "recusals": recused}


def _consistency_errors(m: dict[str, Any], counted_written: bool) -> dict[str, list[str]]:
    due, present = m["members_due"], m["present"]
    votes = m["votes"]
    cast = sum(int(votes.get(k, 0)) for k in VOTE_TITLES)
    written = m.get("written_opinions_for", 0) + m.get("written_opinions_against", 0)
    errors: dict[str, list[str]] = {}
    if cast > present:
        errors["meeting.votes"] = [f"表决票数（{cast}）不能多于出席人数（{present}）"]
    if written > max(due - present, 0):
        errors["meeting.written_opinions_for"] = ["书面意见只能来自缺席人员，份数不能多于缺席人数"]
    if written and not counted_written:
        errors["meeting.written_opinions_for"] = ["该会议的表决不计书面意见"]
    return errors


def _check_vote_options(body: Body, votes: dict[str, Any]) -> None:
    for key, count in votes.items():
        if count and key not in body.vote_options:
            allowed = "、".join(VOTE_TITLES[k] for k in body.vote_options)
            raise violation(body.defer_rule or body.adoption_rule,
                            f"{body.name}的表决选项为{allowed}，不设“{VOTE_TITLES.get(key, key)}”", f"meeting.votes.{key}")


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
    """Check a tallied meeting (`members_due`, `present` derived) against its body's rules and
    return the outcome.

    Raises ValidationFailed for inconsistent counts and RuleViolation for a vote option the body
    does not have, or (naming the body's quorum rule) when too few members were present; the
    task then stays open.
    """
    _check_vote_options(body, m["votes"])
    errors = _consistency_errors(m, body.count_written_opinions)
    if errors:
        raise ValidationFailed("会议记录前后不一致", errors)
    need = quorum_needed(body, m["members_due"])
    if m["members_due"] < 1 or m["present"] < need:
        recused = f"（名册 {m['members_total']} 人，回避 {len(m['recusals'])} 人）" if m.get("recusals") else ""
        raise violation(
            body.quorum_rule,
            f"{body.name}应到 {m['members_due']} 人{recused}，须至少 {need} 人到会，实到 {m['present']} 人，会议无效",
            field="meeting.attendance",
        )
    return outcome(body, m)


def step_roster(session: Session, instance: ProcessInstance, scope_unit_id: int | None,
                spec: str | None) -> dict[str, Any] | None:
    """The roster view of a step whose rules hold `meeting:<body>` (None for other steps), as
    OrgFlow's records have it now: what the form lists and the API shows for an open item."""
    body_key = next((arg for name, arg in parse_specs(spec) if name == "meeting" and arg), None)
    if body_key is None:
        return None
    ctx = RuleContext(session, data=dict(instance.data), task_name="", instance=instance, scope_unit_id=scope_unit_id)
    return roster_view(roster_of(ctx, find_body(body_key)))


def _prepare_meeting(ctx: RuleContext, arg: str | None) -> dict[str, Any]:
    return {"meeting_roster": roster_view(roster_of(ctx, find_body(arg or "")))}


@check("meeting", prepare=_prepare_meeting)
def check_meeting(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """The meeting record against the roster (who was due), R-C1 (who must recuse) and the
    body's rules; stores the derived counts in `meeting` and the outcome in `meeting_outcome`."""
    if arg is None:
        raise ValueError("the meeting check needs a body, e.g. meeting:cadre_committee")
    body = find_body(arg)
    meeting = tally(ctx, roster_of(ctx, body), form["meeting"])
    return {"meeting": meeting, "meeting_outcome": evaluate(body, meeting)}
