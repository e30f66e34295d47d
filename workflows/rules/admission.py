"""Checks of party_admission (C-C3 … C-C11), values from `member-dev-2014.toml` and the
`covid-2020` overlay.

The server decides the track (regular / fast_a / fast_b) and the waivers from the applicant's
status and dates and from the overlay's *effective* validity window (an admin may change it);
the steps that are never waived are enforced on every track.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from models import MemberStatus
from models import RoleAssignment
from models import UnitLevel
from workflows.calendar import add_months
from workflows.calendar import midnight_after
from workflows.errors import NotAllowed
from workflows.errors import ValidationFailed
from workflows.routing.assignment import unit_at_level
from workflows.rules.base import RuleContext
from workflows.rules.base import check
from workflows.rules.base import violation
from workflows.rules.overlays import window
from workflows.rules.packs import load_packs
from workflows.rules.packs import rule

OVERLAY = "covid-2020"


def _day(value: str | None, field: str) -> date:
    """A required date. Where it may fall (not ahead of today, in stage order) is the pack's date
    order, checked first by `dates:party_admission`."""
    if not value:
        raise ValidationFailed("请填写日期", {field: ["必填"]})
    return date.fromisoformat(value)


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end` (8 for 2019-06-20 → 2020-02-20)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - 1 if add_months(start, months) > end else months


def _require_branch_secretary(ctx: RuleContext) -> None:
    unit = ctx.owning_unit
    if unit is None or unit.level != UnitLevel.BRANCH:
        raise ValidationFailed("申请人不在党支部", {"applicant": ["申请人须编入党支部，由所在党支部发起"]})
    if ctx.actor is not None and ctx.session.scalar(select(RoleAssignment.id).where(
            RoleAssignment.user_id == ctx.actor.id, RoleAssignment.role == "secretary",
            RoleAssignment.unit_id == unit.id).limit(1)) is None:
        raise NotAllowed(f"只有{unit.name}书记可以发起该申请人的发展程序")


def _applicant(ctx: RuleContext, form: dict[str, Any]) -> None:
    user = ctx.user(form["applicant"])
    if user is None or not user.is_active:
        raise ValidationFailed("人员不存在", {"applicant": [f"找不到在职人员“{form['applicant']}”"]})
    if user.member_status != MemberStatus.NONE:
        raise ValidationFailed("申请人已是党员", {"applicant": ["该同志已是党员（含预备党员），无需发展"]})
    _require_branch_secretary(ctx)


def _fast_track(ctx: RuleContext, form: dict[str, Any], proposed: date, cultivated: int) -> dict[str, Any]:
    """C-C3 under the overlay: the front-line case A / case B, or a violation naming the window."""
    overlay = window(ctx.session, OVERLAY)
    short = f"培养考察期为 {cultivated} 个月，不满一年" if form["status"] != "applicant" else "尚未经过积极分子培养考察"
    if not overlay.contains(proposed):
        raise violation("C-C3", f"{short}；{proposed} 不在 {OVERLAY} 规则集有效期（{overlay.valid_from} 至 "
                                f"{overlay.valid_to or '今'}）内，不能走一线快速通道", "proposed_on")
    if not (form["frontline"] and (form.get("frontline_post") or "").strip() and (form.get("deeds") or "").strip()):
        raise violation("C-C3", f"{short}；一线快速发展须为疫情防控一线人员，并附一线岗位和事迹材料", "frontline")
    fast = load_packs()[OVERLAY].settings["fast_track"]
    track = "fast_a" if form["status"] in fast["fast_a_statuses"] else "fast_b"
    return {"track": track, "waivers": fast[f"{track}_waivers"], "never_waived": fast["never_waived"],
            "overlay_window": overlay.as_dict()}


@check("admission_track")
def check_track(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """C-C3: a year of cultivation, waived only by the covid-2020 overlay for front-line people."""
    _applicant(ctx, form)
    proposed = _day(form.get("proposed_on") or ctx.today.isoformat(), "proposed_on")
    cultivated = 0
    if form["status"] != "applicant":
        cultivated = months_between(_day(form.get("activist_since"), "activist_since"), proposed)
    if form["status"] == "development_target":
        _day(form.get("development_target_since"), "development_target_since")
    derived: dict[str, Any] = {"proposed_on": proposed.isoformat(), "cultivation_months": cultivated}
    if form["status"] != "applicant" and cultivated >= rule("C-C3")["cultivation_months"]:
        fast = load_packs()[OVERLAY].settings["fast_track"]
        return {**derived, "track": "regular", "waivers": [], "never_waived": fast["never_waived"]}
    return {**derived, **_fast_track(ctx, form, proposed, cultivated)}


@check("vetting")
def check_vetting(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> None:
    """C-C5: exactly two introducers, both full members and not the applicant."""
    introducers = form["introducers"]
    if len(set(introducers)) != rule("C-C5")["introducers"]:
        raise violation("C-C5", f"入党介绍人须为两名，现为 {len(set(introducers))} 名", "introducers")
    for index, username in enumerate(introducers):
        user = ctx.user(username)
        if user is None or not user.is_active:
            raise ValidationFailed("人员不存在", {f"introducers.{index}": [f"找不到在职人员“{username}”"]})
        if username == ctx.data.get("applicant"):
            raise violation("C-C5", "申请人本人不能担任入党介绍人", f"introducers.{index}")
        if user.member_status != MemberStatus.FULL:
            raise violation("C-C5", f"{user.name}不是正式党员，不能担任入党介绍人", f"introducers.{index}")


@check("training")
def check_training(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """C-C11: at least 24 学时 of training, or a recorded special case made up in the 预备期."""
    minimum = rule("C-C11")["min_hours"]
    if form["completed"]:
        if form.get("hours", 0) < minimum:
            raise violation("C-C11", f"集中培训不少于 {minimum} 学时，现为 {form.get('hours', 0)} 学时", "hours")
        return {"training_waived": False}
    if not form["special_case"]:
        raise violation("C-C11", "未经培训的不能发展入党；确属特殊情况的，须注明并在预备期内补训", "special_case")
    if not (form.get("special_reason") or "").strip():
        raise violation("C-C11", "特殊情况未培训的，须写明具体情况", "special_reason")
    return {"training_waived": True}


def _branch_meeting_dates(held: date) -> dict[str, Any]:
    """C-C10 (预备期 from the meeting) and C-C8 (approval due in 3 months, at most 6)."""
    probation_end = add_months(held, rule("C-C10")["months"])
    due = add_months(held, rule("C-C8")["months"])
    return {
        "branch_meeting_on": held.isoformat(),
        "probation_starts_on": held.isoformat(), "probation_ends_on": probation_end.isoformat(),
        "probation_due_at": midnight_after(probation_end).isoformat(),
        "approval_due_on": due.isoformat(),
        "approval_max_on": add_months(held, rule("C-C8")["max_months"]).isoformat(),
    }


def _prepare_branch_meeting(ctx: RuleContext, arg: str | None) -> dict[str, Any]:
    """The introducers' opinions (collected one per introducer) shown to the 支部大会."""
    return {"introducer_opinions": ctx.data.get("introducer_opinions") or []}


@check("branch_meeting", prepare=_prepare_branch_meeting)
def check_branch_meeting(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """C-C4 before the 支部大会; once adopted, the 预备期 and the approval deadline are fixed."""
    if ctx.submission("vetting").get("political_review") != "pass":
        raise violation("C-C4", "政治审查未形成“合格”结论，不能提交支部大会讨论")
    held = _day(form["meeting"]["date"], "meeting.date")
    if ctx.data.get("track") in ("fast_a", "fast_b"):
        _fast_track_meeting(ctx, held)
    return _branch_meeting_dates(held) if form.get("meeting_outcome") == "adopted" else {}


def _fast_track_meeting(ctx: RuleContext, held: date) -> None:
    """C-C3: a fast-track admission is voted by a 支部大会 held inside the overlay's window (the
    window the case was proposed in may have closed since)."""
    overlay = window(ctx.session, OVERLAY)
    if not overlay.contains(held):
        raise violation("C-C3", f"本案按一线快速通道发展，支部大会（{held}）须在 {OVERLAY} 规则集有效期（"
                                f"{overlay.valid_from} 至 {overlay.valid_to or '今'}）内召开；期满后须按一年培养期的正常程序办理",
                        "meeting.date")


@check("approval_talk")
def check_approval_talk(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> None:
    """C-C7: the talk is held by a 党委委员 or 组织员 of the approving 党委, after the 支部大会."""
    user = ctx.user(form["talk_by"])
    home = ctx.home_unit()
    approving = unit_at_level(ctx.session, home, UnitLevel.SUBSIDIARY) if home else None
    roles = rule("C-C7")["talk_roles"]
    holds = user is not None and approving is not None and ctx.session.scalar(select(RoleAssignment.id).where(
        RoleAssignment.user_id == user.id, RoleAssignment.role.in_(roles),
        RoleAssignment.unit_id == approving.id).limit(1)) is not None
    if not holds:
        raise violation("C-C7", "审批前谈话须由上级党委委员或组织员进行", "talk_by")


@check("upper_approval")
def check_upper_approval(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """C-C7 before approval; C-C8: within 3 months of the 支部大会, up to 6 with a recorded reason."""
    if not ctx.submission("approval_talk"):
        raise violation("C-C7", "审批前须由党委委员或组织员同发展对象谈话")
    held = _day(form["meeting"]["date"], "meeting.date")
    due, latest = date.fromisoformat(ctx.data["approval_due_on"]), date.fromisoformat(ctx.data["approval_max_on"])
    if held > latest:
        raise violation("C-C8", f"审批期限最长延至 {latest}，{held} 审批已超出六个月", "meeting.date")
    extended = held > due
    if extended and not (form.get("extension_reason") or "").strip():
        raise violation("C-C8", f"应于 {due} 前审批；延长审批时间的，须写明理由", "extension_reason")
    adopted = form.get("meeting_outcome") == "adopted"
    return {"approval_extended": extended, **({"approved_on": held.isoformat()} if adopted else {})}


@check("oath")
def check_oath(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> None:
    """C-C9: the oath is taken by the new member and recorded (after the approval: the date order)."""
    if ctx.data.get("applicant") not in form["participants"]:
        raise violation("C-C9", "入党宣誓须由新党员本人参加", "participants")


@check("makeup_training")
def check_makeup_training(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> None:
    """C-C11: the waived training is made up inside the 预备期, with the full hours."""
    done = _day(form["completed_on"], "completed_on")
    start, end = (date.fromisoformat(ctx.data[k]) for k in ("probation_starts_on", "probation_ends_on"))
    if not start <= done <= end:
        raise violation("C-C11", f"补训须在预备期（{start} 至 {end}）内完成", "completed_on")
    minimum = rule("C-C11")["min_hours"]
    if form["hours"] < minimum:
        raise violation("C-C11", f"补训不少于 {minimum} 学时，现为 {form['hours']} 学时", "hours")
