"""Checks of `annual_assessment` (年度综合考核: B-A1 … B-A5, B-C9), values from `assessment-2020.toml`.

A case rates one unit's 领导班子 for one year: the 组织部 of the unit that manages it (or a unit
above) starts it, records the 述职, the 民主测评 / 民主评议 counts and the 考核谈话, and proposes each
班子成员's 等次 and the 班子's; the 党委会 of the managing unit decides (roster quorum, R-C1 for
each rated member and their relatives). B-C9 is applied here by reading OrgFlow's own records:
a closed `accountability` case about that person and year with `two_ensures_failed` (unless its
group 党委会 already changed the rating), a locked 不称职 the 问责 side wrote, or a 防控不力 the
proposal records, each forces 不称职; only a group 党委会 may decide otherwise, with its reason.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from models import AnnualRating
from models import OrgUnit
from models import ProcessDefinition
from models import ProcessInstance
from models import ProcessStatus
from models import Role
from models import RoleAssignment
from models import UnitLevel
from models import User
from workflows.errors import NotAllowed
from workflows.errors import ValidationFailed
from workflows.routing.assignment import unit_at_level
from workflows.rules import recusal
from workflows.rules.base import RuleContext
from workflows.rules.base import check
from workflows.rules.base import violation
from workflows.rules.packs import rule

PROCESS = "annual_assessment"
PACK = "assessment-2020"
VOTES = {"excellent": "优秀", "competent": "称职", "basic": "基本称职", "incompetent": "不称职"}
TEAM_VOTES = {"team_good": "好", "team_fairly_good": "较好", "team_average": "一般", "team_poor": "较差"}
CLOSED = (ProcessStatus.COMPLETED, ProcessStatus.REJECTED)


def forced_rating() -> str:
    return str(rule("B-C9")["rating"])


def _unit(ctx: RuleContext, code: str | None) -> OrgUnit | None:
    return ctx.session.scalars(select(OrgUnit).where(OrgUnit.code == code)).first() if code else None


def _may_start(ctx: RuleContext, unit: OrgUnit, deciding: OrgUnit) -> None:
    """The 组织部 (组织部门干部, 组织部长) of the unit itself, of the managing unit or of one above."""
    if ctx.actor is None:
        return
    if ctx.session.scalar(select(RoleAssignment.id).where(
            RoleAssignment.user_id == ctx.actor.id, RoleAssignment.unit_id.in_(unit.ancestor_ids()),
            RoleAssignment.role.in_([Role.ORG_OFFICER.value, Role.ORG_HEAD.value])).limit(1)) is None:
        raise NotAllowed(f"只有{unit.name}、{deciding.name}或上级党委的组织部门可以发起{unit.name}领导班子的年度综合考核")


def _same_year_case(ctx: RuleContext, unit: OrgUnit, year: int) -> ProcessInstance | None:
    query = (select(ProcessInstance).join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
             .where(ProcessDefinition.key == PROCESS, ProcessInstance.owning_unit_id == unit.id,
                    ProcessInstance.status.in_([ProcessStatus.RUNNING, ProcessStatus.COMPLETED])))
    return next((c for c in ctx.session.scalars(query) if (c.data or {}).get("year") == year), None)


def _members(ctx: RuleContext, unit: OrgUnit, usernames: list[str]) -> dict[str, str]:
    if len(set(usernames)) != len(usernames):
        raise ValidationFailed("班子成员重复", {"members": ["同一人只能填写一次"]})
    found: dict[str, str] = {}
    for index, username in enumerate(usernames):
        user = ctx.user(username)
        if user is None or not user.is_active:
            raise ValidationFailed("人员不存在", {f"members.{index}": [f"找不到在职人员“{username}”"]})
        home = ctx.session.get(OrgUnit, user.unit_id) if user.unit_id else None
        if home is None or unit.id not in home.ancestor_ids():
            raise ValidationFailed("不是本单位人员", {f"members.{index}": [f"{user.name}不是{unit.name}的人员"]})
        found[username] = user.name
    return found


@check("assessment_start")
def check_start(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """B-A1: the unit is rated by the 党委 that manages it (above it), started by the 组织部 of the
    unit or of a 党委 above it; one case per unit and year; the 班子成员 are serving people of the unit."""
    unit = _unit(ctx, form["unit"])
    if unit is None:
        raise ValidationFailed("单位不存在", {"unit": [f"找不到单位“{form['unit']}”"]})
    deciding = unit_at_level(ctx.session, unit, form["management_level"])
    if deciding is None or deciding.id == unit.id:
        raise violation("B-A1", f"{unit.name}领导班子的年度综合考核应由管理它的上级党委确定等次，请选择正确的干部管理权限",
                        "management_level")
    _may_start(ctx, unit, deciding)
    if form["year"] > ctx.today.year:
        raise ValidationFailed("考核年度有误", {"year": [f"{form['year']} 年尚未开始，不能考核"]})
    earlier = _same_year_case(ctx, unit, form["year"])
    if earlier is not None:
        raise ValidationFailed("已有该年度的考核", {"year": [f"{unit.name}{form['year']} 年度综合考核已在 {earlier.number} 办理"]})
    return {"unit_name": unit.name, "deciding_unit": deciding.code, "deciding_unit_name": deciding.name,
            "member_names": _members(ctx, unit, form["members"])}


def _member_rows(ctx: RuleContext, rows: list[dict[str, Any]], field: str, rule_id: str) -> None:
    """Every rated member exactly once, nobody else."""
    names: dict[str, str] = ctx.data.get("member_names") or {}
    seen: set[str] = set()
    for index, row in enumerate(rows):
        if row["member"] not in names:
            raise ValidationFailed("不是本次考核的班子成员", {f"{field}.{index}.member": [f"“{row['member']}”不在考核名单上"]})
        if row["member"] in seen:
            raise ValidationFailed("同一人只能填写一次", {f"{field}.{index}.member": ["同一人只能填写一次"]})
        seen.add(row["member"])
    missing = [name for username, name in names.items() if username not in seen]
    if missing:
        raise violation(rule_id, f"尚未填写{'、'.join(missing)}", field)


@check("assessment_evaluation")
def check_evaluation(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """B-A2: counts per option for every member and for the 班子, none above the participants."""
    _member_rows(ctx, form["member_votes"], "member_votes", "B-A2")
    total = form["participants"]
    names = ctx.data["member_names"]
    summary = {}
    for index, row in enumerate(form["member_votes"]):
        cast = sum(row[k] for k in VOTES)
        if cast > total:
            raise violation("B-A2", f"{names[row['member']]}的测评票数（{cast}）多于参加测评人数（{total}）",
                            f"member_votes.{index}")
        summary[row["member"]] = {VOTES[k]: row[k] for k in VOTES}
    team = sum(form[k] for k in TEAM_VOTES)
    if team > total:
        raise violation("B-A2", f"领导班子的评议票数（{team}）多于参加测评人数（{total}）", "team_good")
    return {"evaluation_summary": summary, "team_evaluation": {TEAM_VOTES[k]: form[k] for k in TEAM_VOTES}}


@check("assessment_talk")
def check_talk(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> None:
    """B-A3: the 考核谈话 heard the 职工群众's 民主评议; R-C1: no rated member (nor a relative of
    one) is on the 考核组."""
    if not form["masses_heard"]:
        raise violation("B-A3", "考核谈话须充分听取职工群众的民主评议", "masses_heard")
    team = {u.id: index for index, name in enumerate(form["talk_by"]) if (u := ctx.user(name)) is not None}
    for username in ctx.data.get("member_names") or {}:
        conflicts = recusal.conflicts_of(ctx.session, ctx.user(username))
        for other in ctx.session.scalars(select(User).where(User.id.in_(conflicts.ids & set(team)))):
            raise recusal.refusal(conflicts, other, "担任考核组成员", f"talk_by.{team[other.id]}")


def _accountability_findings(ctx: RuleContext, user: User, year: int) -> list[str]:
    cases = ctx.session.scalars(
        select(ProcessInstance).join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(ProcessDefinition.key == "accountability", ProcessInstance.subject_user_id == user.id,
               ProcessInstance.status.in_(CLOSED)).order_by(ProcessInstance.id))
    return [f"{c.number} 认定未完成“两个确保”考核指标" for c in cases
            if (c.data or {}).get("two_ensures_failed") and (c.data or {}).get("year") == year
            and not (c.data or {}).get("override_adopted")]


def findings_for(ctx: RuleContext, year: int) -> dict[str, str]:
    """Member → why B-C9 forces 不称职, from OrgFlow's records: closed 问责 cases (two_ensures_failed,
    that year, not changed by the group 党委会) and a locked 不称职 the 问责 side wrote."""
    found: dict[str, str] = {}
    for username in ctx.data.get("member_names") or {}:
        user = ctx.user(username)
        if user is None:
            continue
        why = _accountability_findings(ctx, user, year)
        row = ctx.session.scalars(select(AnnualRating).where(
            AnnualRating.user_id == user.id, AnnualRating.year == year, AnnualRating.locked.is_(True))).first()
        if row is not None and row.rating == forced_rating() and not why:
            why.append(row.reason or f"{year} 年度已锁定为“{row.rating}”")
        if why:
            found[username] = "；".join(why)
    return found


def _prepare_findings(ctx: RuleContext, arg: str | None) -> dict[str, Any]:
    return {"forced_ratings": findings_for(ctx, int(ctx.data.get("year") or 0))}


@check("assessment_proposal", prepare=_prepare_findings)
def check_proposal(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """B-A4: a 等次 for every member and the 班子, with the “两个确保” and the 疫情防控现实表现;
    B-C9: a failed “两个确保” or 防控不力 (recorded here or by a 问责 case) is proposed 不称职."""
    _member_rows(ctx, form["ratings"], "ratings", "B-A4")
    names = ctx.data["member_names"]
    forced = findings_for(ctx, int(ctx.data["year"]))
    for index, row in enumerate(form["ratings"]):
        if not (row.get("performance") or "").strip():
            raise violation("B-A4", f"请写明{names[row['member']]}的疫情防控现实表现", f"ratings.{index}.performance")
        if row["two_ensures"] == "failed" or row["prevention_weak"]:
            reason = "防控不力" if row["prevention_weak"] else "本次考核认定未完成“两个确保”考核指标"
            forced[row["member"]] = "；".join(filter(None, [forced.get(row["member"]), reason]))
        if row["member"] in forced and row["rating"] != forced_rating():
            raise violation("B-C9", f"{names[row['member']]}：{forced[row['member']]}，须直接评定为“{forced_rating()}”；"
                                    "只有集团党委会可以改变该认定", f"ratings.{index}.rating")
    return {"forced_ratings": forced,
            "proposed_ratings": {row["member"]: row["rating"] for row in form["ratings"]}}


def _check_recusals(ctx: RuleContext, rows: list[dict[str, Any]]) -> None:
    """R-C1 for every rated member: they and their declared relatives are recorded as recused."""
    status = {row["member"]: (index, row["status"]) for index, row in enumerate(rows)}
    for username in ctx.data.get("member_names") or {}:
        member = ctx.user(username)
        conflicts = recusal.conflicts_of(ctx.session, member)
        for other in ctx.session.scalars(select(User).where(User.id.in_(conflicts.ids))):
            index, state = status.get(other.username, (None, "recused"))
            if state != "recused":
                raise recusal.refusal(conflicts, other, "参加本次年度综合考核等次的表决，应记为回避",
                                      f"meeting.attendance.{index}.status")


def _overrides(ctx: RuleContext, rows: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """B-C9: only the group 党委会 changes a forced 不称职, with a reason and the new 等次."""
    forced = ctx.data.get("forced_ratings") or {}
    names = ctx.data["member_names"]
    deciding = _unit(ctx, ctx.data.get("deciding_unit"))
    changed: dict[str, dict[str, str]] = {}
    for index, row in enumerate(rows):
        at = f"overrides.{index}"
        if row["member"] not in forced:
            raise ValidationFailed("该成员没有“不称职”认定", {f"{at}.member": [f"{names.get(row['member'], row['member'])}"
                                                                           "的等次不是按 B-C9 直接评定的，无需改变"]})
        if deciding is None or deciding.level != UnitLevel.GROUP:
            raise violation("B-C9", f"只有集团党委会可以改变“{forced_rating()}”认定，{deciding.name if deciding else ''}"
                                    "党委会不能改变", f"{at}.rating")
        if not (row.get("reason") or "").strip():
            raise violation("B-C9", f"改变{names[row['member']]}的“{forced_rating()}”认定须写明理由", f"{at}.reason")
        if row["rating"] == forced_rating():
            raise ValidationFailed("请选择改定后的等次", {f"{at}.rating": ["改变认定的，须选择改定后的考核等次"]})
        changed[row["member"]] = {"rating": row["rating"], "reason": row["reason"].strip()}
    return changed


@check("assessment_decision")
def check_decision(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """After `meeting:cadre_committee`: R-C1 for the rated members, the B-C9 overrides, and on an
    adoption the final 等次 and whether they are published (B-A5)."""
    _check_recusals(ctx, form["meeting"]["attendance"])
    changed = _overrides(ctx, form.get("overrides") or [])
    if form.get("meeting_outcome") != "adopted":
        return {}
    proposal = ctx.submission("proposal")
    forced = ctx.data.get("forced_ratings") or {}
    final = []
    for row in proposal.get("ratings", []):
        over = changed.get(row["member"])
        final.append({"member": row["member"], "name": ctx.data["member_names"][row["member"]],
                      "rating": over["rating"] if over else row["rating"],
                      "forced": row["member"] in forced and not over, "override_reason": over["reason"] if over else None})
    published = sorted({r["rating"] for r in final} & set(rule("B-A5")["when"]))
    return {"final_ratings": final, "team_final_rating": proposal.get("team_rating"),
            "decided_on": form["meeting"]["date"], "needs_publicity": bool(published)}


@check("assessment_publicity")
def check_publicity(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """B-A5: 公示 of N working days, recorded once it is over."""
    start = date.fromisoformat(form["start_date"])
    days = rule("B-A5")["working_days"]
    last, due = ctx.calendar.window(start, days)
    if ctx.today <= last:
        raise violation("B-A5", f"公示期（{days} 个工作日）至 {last.isoformat()} 结束，期满后方可记录公示结果", "start_date")
    if form["finding"] == "none" and (form.get("objections") or "").strip():
        raise ValidationFailed("请填写核查结论", {"finding": ["收到反映的，须核查并填写结论"]})
    return {"publicity_end": last.isoformat(), "publicity_due_at": due.isoformat()}
