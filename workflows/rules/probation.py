"""Checks of party_probation (预备党员转正: C-C10, C-C14 … C-C16), values from `member-dev-2014.toml`.

The 预备期 and the admission facts come from the register of probationary members
(`ProbationRecord`, written when `party_admission` is approved); a member imported as
probationary has no record, and the branch enters the 支部大会 date when it starts the case.
The dates of one round (申请 → 支部大会 → 审批) are kept under `current_*` and cleared when the
预备期 is extended, so the next round is compared with its own dates only (`dates:party_probation`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import MemberStatus
from models import ProbationRecord
from models import ProcessDefinition
from models import ProcessInstance
from models import ProcessStatus
from models import RoleAssignment
from models import UnitLevel
from models import User
from workflows.calendar import add_months
from workflows.calendar import midnight_after
from workflows.errors import NotAllowed
from workflows.errors import ValidationFailed
from workflows.routing.assignment import unit_at_level
from workflows.rules.base import RuleContext
from workflows.rules.base import check
from workflows.rules.base import violation
from workflows.rules.packs import rule

PROCESS = "party_probation"


def record_of(session: Session, user: User) -> ProbationRecord | None:
    return session.scalars(select(ProbationRecord).where(ProbationRecord.user_id == user.id)).first()


def open_case(session: Session, user: User) -> ProcessInstance | None:
    """The member's running 转正 case, if any."""
    return session.scalars(
        select(ProcessInstance).join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(ProcessDefinition.key == PROCESS, ProcessInstance.subject_user_id == user.id,
               ProcessInstance.status == ProcessStatus.RUNNING).limit(1)).first()


def oath_on(session: Session, record: ProbationRecord) -> str:
    """The 入党宣誓 date (C-C9): on the record, else as the admission case recorded it."""
    if record.oath_on is not None:
        return record.oath_on.isoformat()
    admission = session.get(ProcessInstance, record.admission_instance_id) if record.admission_instance_id else None
    return str((admission.data or {}).get("oath_date") or "") if admission is not None else ""


def discussion_due(ends: date) -> str:
    """C-C14: the 支部大会 discusses the 转正 in time, by this day (the 支部大会 step's deadline)."""
    return add_months(ends, rule("C-C14")["discuss_within_months"]).isoformat()


def probation_end(admitted: date) -> date:
    """C-C10: one year from the 支部大会 that admitted the member."""
    return add_months(admitted, rule("C-C10")["months"])


def _may_start(ctx: RuleContext, member: User) -> None:
    """The member's branch secretary, or an 组织部门干部/组织员 of the 党委 above it."""
    unit = ctx.owning_unit
    if unit is None or unit.level != UnitLevel.BRANCH:
        raise ValidationFailed("预备党员不在党支部", {"member": ["预备党员须编入党支部，由所在党支部发起转正"]})
    if ctx.actor is None:
        return
    upper = unit_at_level(ctx.session, unit, UnitLevel.SUBSIDIARY)
    allowed = [(RoleAssignment.role == "secretary") & (RoleAssignment.unit_id == unit.id)]
    if upper is not None:
        allowed.append((RoleAssignment.role == "org_officer") & (RoleAssignment.unit_id == upper.id))
    if ctx.session.scalar(select(RoleAssignment.id).where(
            RoleAssignment.user_id == ctx.actor.id, or_(*allowed)).limit(1)) is None:
        raise NotAllowed(f"只有{unit.name}书记或上级党委组织部门可以发起{member.name}的转正")


@check("probation_start")
def check_start(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """Who the case is about, and their 预备期 (C-C10) from the register or the branch's entry."""
    member = ctx.user(form["member"])
    if member is None or not member.is_active:
        raise ValidationFailed("人员不存在", {"member": [f"找不到在职人员“{form['member']}”"]})
    if member.member_status != MemberStatus.PROBATIONARY:
        raise ValidationFailed("该同志不是预备党员", {"member": [f"{member.name}不是预备党员，无需办理转正"]})
    _may_start(ctx, member)
    if open_case(ctx.session, member) is not None:
        raise ValidationFailed("已有进行中的转正程序", {"member": [f"{member.name}的转正程序已在办理中"]})
    record = record_of(ctx.session, member)
    if record is not None:
        return {"admitted_on": record.admitted_on.isoformat(), "probation_until": record.probation_ends_on.isoformat(),
                "discussion_due_on": discussion_due(record.probation_ends_on),
                "track": record.track, "frontline": record.frontline,
                "oath_on": oath_on(ctx.session, record),
                "extended": record.extended_months is not None}
    if not form.get("admitted_on"):
        raise ValidationFailed("请填写支部大会通过为预备党员日期",
                               {"admitted_on": ["预备党员名册中没有该同志的接收记录，请填写支部大会通过日期"]})
    admitted = date.fromisoformat(form["admitted_on"])
    if admitted > ctx.today:
        raise violation("T-C1", f"支部大会通过为预备党员日期（{admitted}）不能晚于今天（{ctx.today}）", "admitted_on")
    return {"admitted_on": admitted.isoformat(), "probation_until": probation_end(admitted).isoformat(),
            "discussion_due_on": discussion_due(probation_end(admitted)),
            "track": "unknown", "frontline": False, "oath_on": "", "extended": False}


@check("probation_application")
def check_application(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """The member's written application of this round (its date is ordered by T-C4)."""
    return {"current_applied_on": form["applied_on"]}


def _extension(ctx: RuleContext, form: dict[str, Any]) -> None:
    """C-C15: 6 to 12 months, once, with a reason."""
    limits = rule("C-C15")
    if ctx.data.get("extended"):
        raise violation("C-C15", "预备期已延长过一次，不能再次延长；须作出转为正式党员或取消预备党员资格的决定", "decision")
    months = form.get("extension_months")
    if months is None or not limits["min_months"] <= months <= limits["max_months"]:
        shown = "未填写" if months is None else f"{months} 个月"
        raise violation("C-C15", f"延长预备期不能少于 {limits['min_months']} 个月、不超过 {limits['max_months']} 个月，"
                                 f"现为{shown}", "extension_months")
    if not (form.get("reason") or "").strip():
        raise violation("C-C15", "延长预备期须写明需要继续教育和考察的理由", "reason")


@check("probation_meeting")
def check_meeting(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """C-C14: discussed once the 预备期 is over, in time; C-C15 for an extension; a reason to cancel."""
    held = date.fromisoformat(form["meeting"]["date"])
    ends = date.fromisoformat(ctx.data["probation_until"])
    if held < ends:
        raise violation("C-C14", f"预备期至 {ends} 届满，{held} 不能提前讨论转正", "meeting.date")
    latest = add_months(ends, rule("C-C14")["discuss_within_months"])
    if held > latest and not (form.get("delay_reason") or "").strip():
        raise violation("C-C14", f"预备期于 {ends} 届满，应及时讨论；{latest} 以后讨论的须写明原因", "delay_reason")
    if form["decision"] == "extend":
        _extension(ctx, form)
    elif form["decision"] == "cancel" and not (form.get("reason") or "").strip():
        raise ValidationFailed("请写明取消预备党员资格的理由", {"reason": ["取消预备党员资格须写明理由"]})
    derived: dict[str, Any] = {"current_meeting_on": held.isoformat()}
    if form.get("meeting_outcome") == "adopted":
        derived["approval_due_on"] = add_months(held, rule("C-C16")["months"]).isoformat()
    return derived


@check("probation_approval")
def check_approval(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """C-C16: the upper 党委 decides within 3 months (later only with a reason); the outcome's dates."""
    decided = date.fromisoformat(form["meeting"]["date"])
    due = date.fromisoformat(ctx.data["approval_due_on"])
    if decided > due and not (form.get("delay_reason") or "").strip():
        raise violation("C-C16", f"应于 {due} 前审批；逾期审批的须写明原因", "delay_reason")
    if form.get("meeting_outcome") != "adopted":
        return {"current_decided_on": ""}
    decision = ctx.data.get("decision")
    derived: dict[str, Any] = {"decided_on": decided.isoformat(), "current_decided_on": decided.isoformat()}
    ends = date.fromisoformat(ctx.data["probation_until"])
    if decision == "confirm":
        derived["confirmed_on"] = ends.isoformat()  # 党龄 counts from the end of the 预备期 (党章第七条)
    elif decision == "extend":
        _extension(ctx, {**ctx.data, **form, "extension_months": ctx.data.get("extension_months"),
                         "reason": ctx.data.get("reason")})
        months = int(ctx.data["extension_months"])
        new_end = add_months(ends, months)
        derived.update(extended=True, extension_months_granted=months, probation_until=new_end.isoformat(),
                       discussion_due_on=discussion_due(new_end),
                       extension_due_at=midnight_after(new_end).isoformat(),
                       current_applied_on="", current_meeting_on="", current_decided_on="")
    return derived
