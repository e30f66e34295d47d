"""Checks of the cadre_promotion process (A-C5 … A-C14), values from `cadre-2019.toml`."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from models import AnnualRating
from models import InfluencePeriod
from models import User
from workflows.calendar import add_months
from workflows.calendar import midnight_after
from workflows.errors import ValidationFailed
from workflows.labels import RESTRICTIONS
from workflows.labels import form_title
from workflows.rules.base import RuleContext
from workflows.rules.base import check
from workflows.rules.base import violation
from workflows.rules.packs import rule

# Influence-period kinds written by `accountability` that fall under A-C14 rather than A-C9.
RESIGN_OR_DISMISS = {"ordered_resign", "dismiss"}


def _require_user(ctx: RuleContext, username: str, field: str) -> None:
    user = ctx.user(username)
    if user is None or not user.is_active:
        raise ValidationFailed("人员不存在", {field: [f"找不到在职人员“{username}”"]})


@check("breakthrough_limits")
def check_breakthrough(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> None:
    """A-C10 limits of 破格, and A-C11: 越级 is always declared as 破格."""
    if "candidate" in form:
        _require_user(ctx, form["candidate"], "candidate")
    limits = rule("A-C10")
    kind, skipped = form["breakthrough_type"], form["grades_skipped"]
    if skipped > limits["max_grades_skipped"]:
        raise violation("A-C10", f"拟越 {skipped} 级提拔，不得越两级提拔", "grades_skipped")
    if skipped and kind != "skip_grade":
        raise violation("A-C11", "越级提拔属于破格提拔，破格情形须选“越级提拔”", "breakthrough_type")
    if kind == "skip_grade" and not skipped:
        raise ValidationFailed("越级级数不一致", {"grades_skipped": ["越级提拔须填写越级级数（1）"]})
    if kind == "none":
        return
    if form["in_probation"]:
        raise violation("A-C10", "试用期未满的干部不得破格提拔", "in_probation")
    if form["years_in_post"] < limits["min_years_in_post"]:
        raise violation("A-C10", "任现职不满一年的干部不得破格提拔", "years_in_post")


@check("upward_filing")
def check_upward_filing(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """A-C15: whether the subsidiary's decision goes up to the group for 备案 or 审批 (chosen at 动议:
    the organization department knows which posts the group files); a group cadre is decided above."""
    filing = form.get("upward_filing") or "none"
    if filing != "none" and form["management_level"] == "group":
        raise ValidationFailed("报集团选项有误", {"upward_filing": ["集团管理干部由集团党委讨论决定，无需再报集团备案或审批"]})
    return {"upward_filing": filing, "needs_upper_filing": filing != "none"}


@check("upper_filing_done")
def check_upper_filing_done(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> None:
    """A-C15 before the 公示: a post filed with the group has the group's 批复 or 备案 on record."""
    if ctx.data.get("needs_upper_filing") and ctx.submission("upper_filing").get("decision") != "approved":
        raise violation("A-C15", "该职务须报集团党委（组织部）备案或审批，未见集团同意的批复或备案回执，不能公示")


@check("recommendation")
def check_recommendation(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> None:
    """A-C7: an inspection team of two or more; A-C11: skipping 民主推荐 is 破格 and needs a reason."""
    team = form["inspection_team"]
    if len(team) < rule("A-C7")["min_members"]:
        raise violation("A-C7", f"考察组现有 {len(team)} 人，须由两名以上成员组成", "inspection_team")
    for index, username in enumerate(team):
        _require_user(ctx, username, f"inspection_team.{index}")
    if form["method"] != "skipped":
        return
    if not (form.get("skip_reason") or "").strip():
        raise ValidationFailed("请填写理由", {"skip_reason": ["不经民主推荐的，须写明理由"]})
    if ctx.data.get("breakthrough_type") != "no_recommendation":
        raise violation("A-C11", "不经民主推荐列为人选属于破格提拔，须在动议中申报并在考察前报上级批复", "method")


def negative_findings(ctx: RuleContext, username: str) -> list[dict[str, str]]:
    """The candidate's entries on the negative list, from OrgFlow's own records."""
    user = ctx.user(username)
    if user is None:
        return []
    findings = []
    a_c9 = rule("A-C9")
    since = ctx.today.year - a_c9["years"]  # 近三年: the three last assessment years (and this one, if rated)
    ratings = ctx.session.scalars(
        select(AnnualRating).where(AnnualRating.user_id == user.id, AnnualRating.year >= since,
                                   AnnualRating.rating.in_(a_c9["blocking_ratings"]))
        .order_by(AnnualRating.year.desc())
    ).all()
    for rating in ratings:
        findings.append({"rule": "A-C9", "finding": f"{rating.year} 年度考核等次为“{rating.rating}”"
                                                    f"（近{a_c9['years']}年内，{since} 年起）"})
    periods = ctx.session.scalars(
        select(InfluencePeriod).where(
            InfluencePeriod.user_id == user.id,
            InfluencePeriod.starts_on <= ctx.today,
            InfluencePeriod.ends_on >= ctx.today,
        )
    ).all()
    for period in periods:
        rule_id = "A-C14" if period.kind in RESIGN_OR_DISMISS else "A-C9"
        findings.append({
            "rule": rule_id,
            "finding": f"处于{form_title(period.kind)}影响期（{period.starts_on.isoformat()} 至 "
                       f"{period.ends_on.isoformat()}，{RESTRICTIONS.get(period.restriction, period.restriction)}）",
        })
    return findings


def _prepare_negative_list(ctx: RuleContext, arg: str | None) -> dict[str, Any]:
    return {"negative_findings": negative_findings(ctx, ctx.data["candidate"])}


# What `negative_findings` reads: the candidate, their ratings and influence periods.
NEGATIVE_LIST_READS = (User, AnnualRating, InfluencePeriod)


@check("negative_list", prepare=_prepare_negative_list, prepare_reads=NEGATIVE_LIST_READS)
def check_negative_list(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """A-C9 / A-C14 (and B-C8): a candidate on the negative list cannot become an inspection target."""
    findings = negative_findings(ctx, ctx.data["candidate"])
    if form.get("decision") == "proceed" and findings:
        first = findings[0]
        raise violation(first["rule"], f"{first['finding']}，不得列为考察对象", "decision")
    return {"negative_findings": findings}


@check("negative_list_clear", prepare=_prepare_negative_list, prepare_reads=NEGATIVE_LIST_READS)
def check_negative_list_clear(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """B-C8 at the 党委会: a rating or an influence period written since 确定考察对象 (e.g. by an
    `accountability` decision) stops the appointment and the entry into the reserve pool."""
    findings = negative_findings(ctx, ctx.data["candidate"])
    if form.get("meeting_outcome") == "adopted" and findings:
        first = findings[0]
        what = "纳入后备干部库" if ctx.data.get("purpose") == "reserve_pool" else "提拔任用"
        raise violation(first["rule"], f"{first['finding']}，不得{what}", "meeting")
    return {"negative_findings": findings}


FOUR_MUSTS = ("file_reviewed", "personal_matters_checked", "discipline_opinion_heard", "petitions_checked")


@check("four_musts")
def check_four_musts(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> None:
    """A-C12: all four checks of 凡提四必 done in the inspection."""
    missing = [name for name in FOUR_MUSTS if not form["four_musts"].get(name)]
    if missing:
        raise violation("A-C12", f"凡提四必尚有 {len(missing)} 项未办结", f"four_musts.{missing[0]}")


@check("four_musts_closed")
def check_four_musts_closed(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> None:
    """A-C12 before the 党委会: the inspection closed all four and 纪委 raised no objection."""
    if form.get("decision") in ("reject", "refuse"):
        return
    four = ctx.submission("inspection").get("four_musts") or {}
    if not all(four.get(name) for name in FOUR_MUSTS):
        raise violation("A-C12", "考察中的凡提四必未全部办结，不得提交党委会讨论")
    if ctx.submission("discipline_opinion").get("decision") != "no_objection":
        raise violation("A-C12", "纪检监察机关有异议（或未出具意见），不得提交党委会讨论")


@check("breakthrough_approvals")
def check_breakthrough_approvals(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> None:
    """A-C11: the upper approval (before 考察) or consent (before the decision) is on record."""
    kind = ctx.data.get("breakthrough_type")
    if kind in ("skip_grade", "no_recommendation") and ctx.submission("upper_approval").get("decision") != "approved":
        raise violation("A-C11", "越级或不经民主推荐的破格人选，未见考察前的上级批复")
    if kind == "qualification" and ctx.submission("upper_consent").get("decision") != "consent":
        raise violation("A-C11", "破格提拔须在讨论决定前征得上级组织（人事）部门同意")


@check("publicity_window")
def check_publicity(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """A-C5: 公示 of N working days; the server computes its last day and the timer's due time.
    (Where the start date may fall is the pack's date order: `dates:cadre_promotion`.)"""
    start = date.fromisoformat(form["start_date"])
    last, due = ctx.calendar.window(start, rule("A-C5")["working_days"])
    basis = ctx.calendar.basis(start, last)
    if not basis.official:
        years = "、".join(str(y) for y in basis.fallback_years)
        raise violation("A-C5", f"公示期涉及 {years} 年，该年尚无官方节假日安排，无法确认 5 个工作日（按周一至周五计算可能"
                                "把节假日算作工作日）；请系统管理员先导入该年的放假和调休安排（flask calendar import）", "start_date")
    return {"publicity_end": last.isoformat(), "publicity_due_at": due.isoformat(), "publicity_calendar": basis.text}


@check("publicity_finding")
def check_publicity_finding(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> None:
    """A-C5 objection workflow: a finding that affects the appointment cannot continue it."""
    if not form["objections"] and form["finding"] != "none":
        raise ValidationFailed("核查结论与反映情况不一致", {"finding": ["未收到反映的，核查结论应为“无反映”"]})
    if form["objections"] and form["finding"] == "none":
        raise ValidationFailed("请填写核查结论", {"finding": ["收到反映的，须核查并填写结论"]})
    if form["finding"] == "affecting" and form["decision"] == "continue":
        raise violation("A-C5", "经核查影响任职的，不得继续任职程序", "decision")


@check("probation_period")
def check_probation(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """A-C6: a 1-year 试用期 from the appointment date; its review is due when it ends."""
    if ctx.data.get("purpose") == "reserve_pool":
        return {}
    appointed = date.fromisoformat(form["appointed_on"])
    _require_user(ctx, form["talk_by"], "talk_by")
    end = add_months(appointed, rule("A-C6")["months"]) - timedelta(days=1)
    return {"probation_ends_on": end.isoformat(), "probation_due_at": midnight_after(end).isoformat()}
