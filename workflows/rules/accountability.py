"""Checks of the accountability process (B-C1 … B-C10), values from `accountability-2019.toml`
(B-C9, the forced 不称职, from `assessment-2020.toml`: the 年度综合考核 applies it, see
`workflows/rules/assessment.py`; this case records it at once and may have it changed by the group
党委会 at `rating_override`).

The forms of 问责 decide the route (B-C5) and the 影响期 (B-C8); the server derives both, and
the dates of every deadline, from the pack. `workflows/effects/accountability.py` writes the
records other processes read.
"""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from models import OrgUnit
from models import Role
from models import RoleAssignment
from models import WorkItem
from models import WorkItemStatus
from workflows.calendar import add_months
from workflows.calendar import midnight_after
from workflows.errors import ValidationFailed
from workflows.labels import form_title
from workflows.routing.assignment import unit_at_level
from workflows.rules.base import CHECKS
from workflows.rules.base import RuleContext
from workflows.rules.base import check
from workflows.rules.base import violation
from workflows.rules.packs import load_packs
from workflows.rules.packs import rule

PACK = "accountability-2019"


def settings() -> dict[str, Any]:
    return load_packs()[PACK].settings


def _unit(ctx: RuleContext, code: str) -> OrgUnit | None:
    return ctx.session.scalars(select(OrgUnit).where(OrgUnit.code == code)).first()


def _is_secretary_of(ctx: RuleContext, user_id: int, unit_id: int) -> bool:
    return ctx.session.scalar(select(RoleAssignment.id).where(
        RoleAssignment.user_id == user_id, RoleAssignment.role == Role.SECRETARY,
        RoleAssignment.unit_id == unit_id).limit(1)) is not None


def _subject(ctx: RuleContext, form: dict[str, Any]) -> tuple[OrgUnit, str, int | None]:
    """(the subject's unit, its label, the subject user's id) or ValidationFailed."""
    username, unit_code = form.get("subject_user"), form.get("subject_unit")
    if bool(username) == bool(unit_code):
        raise ValidationFailed("问责对象有误", {"subject_user": ["问责对象须为一名领导干部或一个党组织（二选一）"]})
    if username:
        user = ctx.user(username)
        if user is None or not user.is_active or user.unit is None:
            raise ValidationFailed("人员不存在", {"subject_user": [f"找不到在职人员“{username}”"]})
        return user.unit, user.name, user.id
    unit = _unit(ctx, str(unit_code))
    if unit is None:
        raise ValidationFailed("单位不存在", {"subject_unit": [f"找不到党组织“{unit_code}”"]})
    return unit, unit.name, None


@check("accountability_start")
def check_start(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """B-C1: the case is approved by the 主要负责人 of a unit above the subject, never by the subject."""
    unit, label, user_id = _subject(ctx, form)
    deciding = unit_at_level(ctx.session, unit, form["level"])
    if deciding is None:
        raise ValidationFailed("办理层级有误", {"level": [f"{unit.name}之上没有该层级的党组织"]})
    if user_id is None and deciding.id == unit.id:
        raise violation("B-C1", f"对{unit.name}问责，应由其上级党委主要负责人批准启动，请选择上一级办理", "level")
    if user_id is not None and _is_secretary_of(ctx, user_id, deciding.id):
        raise violation("B-C1", f"被问责人是{deciding.name}主要负责人，应由上级党委主要负责人批准启动，请选择上一级办理",
                        "level")
    if form["two_ensures_failed"]:
        if user_id is None:
            raise ValidationFailed("“两个确保”认定对象有误", {"two_ensures_failed": ["年度考核等次针对领导干部个人，请以个人为问责对象"]})
        if not form.get("year") or form["year"] > ctx.today.year:
            raise ValidationFailed("请填写考核年度", {"year": ["未完成“两个确保”的，须填写评定“不称职”的考核年度"]})
    # Both subject variables exist afterwards, so diagram conditions may test either.
    return {"subject_label": label, "deciding_unit": deciding.code, "subject_user": form.get("subject_user"),
            "subject_unit": form.get("subject_unit"), "forces_rating": bool(form["two_ensures_failed"])}


# How a case ends without a 问责 decision (`closing`); every such end passes the B-C9 rating gate.
CLOSINGS = {"no_accountability": "no_accountability", "transfer_discipline": "transfer_discipline"}


@check("investigation_start")
def check_investigation_start(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """B-C2: an investigation team of two or more, without the subject. Derives `closing` when the
    case ends here (不予问责, 转纪律审查)."""
    if form["decision"] != "investigate":
        return {"closing": CLOSINGS[form["decision"]]}
    team = form.get("investigation_team") or []
    if len(set(team)) < rule("B-C2")["min_members"]:
        raise violation("B-C2", f"调查组现有 {len(set(team))} 人，须由两名以上成员组成", "investigation_team")
    for index, username in enumerate(team):
        user = ctx.user(username)
        if user is None or not user.is_active:
            raise ValidationFailed("人员不存在", {f"investigation_team.{index}": [f"找不到在职人员“{username}”"]})
    if ctx.data.get("subject_user") in team:
        raise violation("B-C2", "被问责人不得参加调查组", "investigation_team")
    return {"closing": None}


@check("defence_deadline")
def check_defence_deadline(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """B-C3: the facts are shown to the subject, who has N working days for the 申辩."""
    shown = date.fromisoformat(form["facts_shown_on"])
    last, due = ctx.calendar.window(shown + timedelta(days=1), rule("B-C3")["defence_working_days"])
    basis = ctx.calendar.basis(shown + timedelta(days=1), last)
    # Not a legal minimum (an HBIS setting): computed on Monday–Friday when a year has no official
    # schedule, and flagged on the case so the 申辩 period can be checked by hand.
    return {"defence_last_day": last.isoformat(), "defence_due_at": due.isoformat(), "defence_calendar": basis.text,
            "defence_calendar_unofficial": not basis.official}


@check("defence_record")
def check_defence(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """B-C3: the statement is on record, signed or with the refusal to sign noted."""
    if not form["signed"] and not (form.get("refusal_note") or "").strip():
        raise violation("B-C3", "本人不签字的，须注明不签字的理由或情况", "refusal_note")
    return {"defence_refused": False, "defence_on": ctx.today.isoformat()}


def _defence_on_record(ctx: RuleContext) -> bool:
    return bool(ctx.data.get("defence_refused")) or bool(ctx.submission("defence"))


@check("report_signature")
def check_report_signature(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> None:
    """B-C3 before the report; B-C4: each team member signs the collectively discussed report."""
    if not _defence_on_record(ctx):
        raise violation("B-C3", "被问责对象的陈述申辩（或逾期未申辩的记录）尚未在案，不能形成调查报告")
    if not form["signed"]:
        raise violation("B-C4", "调查报告须由调查组组长和成员签名；有不同意见的请在保留意见中写明", "signed")


def report_signers(ctx: RuleContext) -> list[str]:
    """Usernames of the team members who signed the report (in signing order)."""
    if ctx.instance is None:
        return []
    items = ctx.session.scalars(select(WorkItem).where(
        WorkItem.instance_id == ctx.instance.id, WorkItem.task_name == "report",
        WorkItem.status == WorkItemStatus.COMPLETED).order_by(WorkItem.completed_at, WorkItem.id)).all()
    return [item.completed_by.username for item in items if item.completed_by and (item.data or {}).get("signed")]


def influence_plan(forms: list[str]) -> list[dict[str, Any]]:
    """The 影响期 each chosen form carries (B-C8), from the pack."""
    plan = []
    for entry in settings()["influence"]:
        if entry["form"] in forms:
            plan.append({"form": entry["form"], "restriction": entry["restriction"], "months": entry["months"]})
    return plan


def check_forms(ctx: RuleContext, forms: list[str], field: str) -> dict[str, Any]:
    """Forms fit the target (问责条例 第八条); derive the route (B-C5, or the 纪委 alone: B-C10) and
    the influence plan (B-C8) of what this case decides (a 纪律处分 and its 影响期 are the 纪委's)."""
    target = "person" if ctx.data.get("subject_user") else "organization"
    allowed = settings()["forms"][target]
    wrong = [f for f in forms if f not in allowed]
    if wrong:
        who = "领导干部" if target == "person" else "党组织"
        titles = "、".join(form_title(f) for f in wrong)
        raise ValidationFailed("问责方式与对象不符", {field: [f"对{who}不适用的问责方式：{titles}（《中国共产党问责条例》第八条）"]})
    own = [f for f in forms if f != "discipline"]
    plan = influence_plan(own)
    committee = set(rule("B-C5")["committee_forms"])
    route = "committee" if committee & set(own) else "secretary" if own else "discipline_only"
    return {"route": route, "transfers_discipline": "discipline" in forms, "influence_plan": plan,
            "influence_months": max((p["months"] for p in plan), default=0)}


def _prepare_proposal(ctx: RuleContext, arg: str | None) -> dict[str, Any]:
    return {"report_signed_by": report_signers(ctx)}


@check("accountability_forms", prepare=_prepare_proposal)
def check_proposal(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """B-C4 (the whole team signed), then the forms: route (B-C5) and 影响期 (B-C8)."""
    signed = report_signers(ctx)
    missing = [u for u in ctx.data.get("investigation_team", []) if u not in signed]
    if missing:
        raise violation("B-C4", f"调查报告尚缺调查组成员签名：{'、'.join(missing)}")
    if form["decision"] == "drop":
        return {"report_signed_by": signed, "closing": "dropped", "transfers_discipline": False}
    if not form.get("forms"):
        raise ValidationFailed("请选择问责方式", {"forms": ["提出问责建议的，须至少选择一种问责方式"]})
    derived = check_forms(ctx, form["forms"], "forms")
    closing = "discipline_only" if derived["route"] == "discipline_only" else None
    return {"report_signed_by": signed, **derived, "closing": closing}


@check("discipline_transfer")
def check_discipline_transfer(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """B-C10: the 纪委 records that it received the matter for its own procedure."""
    return {"discipline_transferred_on": form["transferred_on"]}


def periods(plan: list[dict[str, Any]], start: date) -> list[dict[str, Any]]:
    """Dated influence periods: each runs `months` from the decision date."""
    return [{**p, "starts_on": start.isoformat(),
             "ends_on": (add_months(start, p["months"]) - timedelta(days=1)).isoformat()} for p in plan]


def _decision_date(ctx: RuleContext, form: dict[str, Any], body: str) -> date | None:
    if body == "secretary":
        if ctx.data.get("route") == "committee":
            raise violation("B-C5", "所提问责方式含组织调整、组织处理或纪律处分，须由党委会集体决定，书记不能单独批准")
        return ctx.today if form["decision"] == "approve" else None
    if form.get("meeting_outcome") != "adopted":
        return None
    return date.fromisoformat(form["meeting"]["date"])


@check("accountability_decision")
def check_decision(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """B-C5 authority; on a decision, the dated 影响期 (B-C8), the forced rating (B-C9) and the
    1-month deadline of 组织处理 (B-C6)."""
    decided = _decision_date(ctx, form, arg or "")
    if decided is None:
        return {}
    derived: dict[str, Any] = {"decided_on": decided.isoformat(), "closing": "decided",
                               "influence_periods": periods(ctx.data.get("influence_plan") or [], decided)}
    if ctx.data.get("two_ensures_failed") and ctx.data.get("subject_user"):
        derived["forced_rating"] = {"year": ctx.data["year"], "rating": rule("B-C9")["rating"]}
    if ctx.data.get("route") == "committee":
        derived["handling_due_on"] = add_months(decided, rule("B-C6")["months"]).isoformat()
    return derived


def _prepare_override(ctx: RuleContext, arg: str | None) -> dict[str, Any]:
    hook = CHECKS["meeting"].prepare
    return hook(ctx, "cadre_committee") if hook else {}


@check("rating_override", prepare=_prepare_override)
def check_rating_override(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """B-C9: only a group 党委会 changes the forced 不称职, by a decision on record (the shared meeting
    block and its checks: quorum, adoption), with a reason and the new rating."""
    if not form["override"]:
        return {"override_adopted": False}
    if not (form.get("reason") or "").strip():
        raise violation("B-C9", "改变“不称职”认定须写明理由", "reason")
    if form.get("rating") in (None, rule("B-C9")["rating"]):
        raise ValidationFailed("请选择改定后的等次", {"rating": ["改变认定的，须选择改定后的考核等次"]})
    if not form.get("meeting"):
        raise violation("B-C9", "改变“不称职”认定须经集团党委会集体决定，请填写会议记录", "meeting")
    decided = CHECKS["meeting"].validate(ctx, form, "cadre_committee") or {}
    return {**decided, "override_adopted": decided.get("meeting_outcome") == "adopted"}


@check("announcement")
def check_announcement(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """B-C6: announced, archived and filed upward; B-C7: the appeal window runs from receipt."""
    announced = date.fromisoformat(form["announced_on"])  # after the decision, not ahead: `dates:accountability`
    if not form["archived"]:
        raise violation("B-C6", "问责决定材料须归入廉政档案和人事档案", "archived")
    if not form["filed_upward"]:
        raise violation("B-C6", "问责决定须报上一级组织部门备案", "filed_upward")
    ends = add_months(announced, rule("B-C7")["appeal_months"])
    return {"appeal_window_ends_on": ends.isoformat(), "appeal_window_due_at": midnight_after(ends).isoformat()}


def _late(ctx: RuleContext, form: dict[str, Any], day: date, due_key: str, rule_id: str, what: str) -> bool:
    due = ctx.data.get(due_key)
    if not due or day <= date.fromisoformat(due):
        return False
    if not (form.get("late_reason") or "").strip():
        raise violation(rule_id, f"{what}期限为 {due}，已超期，须写明超期理由", "late_reason")
    return True


@check("handling_deadline")
def check_handling(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """B-C6: 组织处理手续 within 1 month of the decision; a late one is recorded with its reason."""
    handled = date.fromisoformat(form["handled_on"])  # after the decision, not ahead: `dates:accountability`
    return {"handled_late": _late(ctx, form, handled, "handling_due_on", "B-C6", "组织处理手续办理")}


@check("appeal_window")
def check_appeal(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """B-C7: an appeal is filed within 1 month of receipt and decided within 1 month."""
    ends = ctx.data.get("appeal_window_ends_on")
    if not ends or ctx.today > date.fromisoformat(ends):
        raise violation("B-C7", f"申诉期已于 {ends} 届满，不能再提出申诉")
    due = add_months(ctx.today, rule("B-C7")["decision_months"])
    return {"filed_on": ctx.today.isoformat(), "appeal_decision_due_on": due.isoformat()}


@check("appeal_decision")
def check_appeal_decision(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """B-C7: decided within 1 month of the appeal (late only with a reason) by the body that took the
    decision: the secretary (`:secretary`, today) or the 党委会 (`:committee`, the meeting's date); a
    change recomputes the 影响期 from the original decision date."""
    if arg == "committee" and form.get("meeting_outcome") != "adopted":
        return {}  # the 党委会 did not adopt a handling: it stays with the 党委会
    decided_on = ctx.today if arg != "committee" else date.fromisoformat(form["meeting"]["date"])
    derived: dict[str, Any] = {"appeal_decided_on": decided_on.isoformat(),
                               "appeal_decided_late": _late(ctx, form, decided_on, "appeal_decision_due_on", "B-C7",
                                                            "申诉处理")}
    if form["decision"] != "change":
        return derived
    if not form.get("changed_forms"):
        raise ValidationFailed("请选择改变后的问责方式", {"changed_forms": ["改变问责决定的，须选择改变后的问责方式"]})
    if "discipline" in form["changed_forms"]:
        raise violation("B-C10", "纪律处分由纪检机关依纪处理，申诉处理不能改为纪律处分", "changed_forms")
    changed = check_forms(ctx, form["changed_forms"], "changed_forms")
    decided = date.fromisoformat(ctx.data["decided_on"])
    return {**derived, "influence_plan": changed["influence_plan"], "influence_months": changed["influence_months"],
            "influence_periods": periods(changed["influence_plan"], decided)}
