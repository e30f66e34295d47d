"""Checks of `reserve_nomination` (纳入后备干部库的提名: A-R1, A-R2, B-C8), values from `reserve-2018.toml`.

A nomination is refused at 提名 and again before it is decided (部务会, 党委会, 备案) when the
candidate's own records put them on the reserve pool's negative list: the last annual rating
is 基本称职 or 不称职 (A-R1), or an influence period of an `accountability` decision is running
(B-C8). The records may change while the case runs (an `accountability` decision in between).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from models import AnnualRating
from models import InfluencePeriod
from models import ProcessDefinition
from models import ProcessInstance
from models import ProcessStatus
from models import ReservePoolEntry
from models import Role
from models import RoleAssignment
from models import User
from workflows.errors import NotAllowed
from workflows.errors import ValidationFailed
from workflows.labels import RESTRICTIONS
from workflows.labels import form_title
from workflows.routing.assignment import unit_at_level
from workflows.rules.base import RuleContext
from workflows.rules.base import check
from workflows.rules.base import violation
from workflows.rules.packs import load_packs
from workflows.rules.packs import rule

PROCESS = "reserve_nomination"
PACK = "reserve-2018"
CATEGORIES = {"young_outstanding": "优秀年轻干部", "long_term": "中长期培养对象"}


def routes() -> dict[str, str]:
    """Category → who decides (A-R2): `committee` (党委会) or `filing` (部务会, then 备案)."""
    return dict(load_packs()[PACK].settings["routes"])


def findings_for(ctx: RuleContext, user: User) -> list[dict[str, str]]:
    """The candidate's entries on the reserve pool's negative list, from OrgFlow's own records."""
    found = []
    last = ctx.session.scalars(select(AnnualRating).where(AnnualRating.user_id == user.id)
                               .order_by(AnnualRating.year.desc()).limit(1)).first()
    if last is not None and last.rating in rule("A-R1")["blocking_ratings"]:
        found.append({"rule": "A-R1", "finding": f"最近一次年度考核（{last.year} 年）等次为“{last.rating}”"})
    periods = ctx.session.scalars(select(InfluencePeriod).where(
        InfluencePeriod.user_id == user.id, InfluencePeriod.starts_on <= ctx.today,
        InfluencePeriod.ends_on >= ctx.today).order_by(InfluencePeriod.ends_on.desc())).all()
    for period in periods:
        found.append({"rule": "B-C8", "finding": f"处于{form_title(period.kind)}影响期（{period.starts_on.isoformat()} 至 "
                                                 f"{period.ends_on.isoformat()}，"
                                                 f"{RESTRICTIONS.get(period.restriction, period.restriction)}）"})
    return found


def active_entry(session: Any, user: User) -> ReservePoolEntry | None:
    found: ReservePoolEntry | None = session.scalars(select(ReservePoolEntry).where(
        ReservePoolEntry.user_id == user.id, ReservePoolEntry.removed_on.is_(None)).limit(1)).first()
    return found


def _open_nomination(ctx: RuleContext, user: User) -> ProcessInstance | None:
    query = (select(ProcessInstance).join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
             .where(ProcessDefinition.key == PROCESS, ProcessInstance.subject_user_id == user.id,
                    ProcessInstance.status == ProcessStatus.RUNNING))
    if ctx.instance is not None and ctx.instance.id is not None:
        query = query.where(ProcessInstance.id != ctx.instance.id)
    return ctx.session.scalars(query.limit(1)).first()


def _may_nominate(ctx: RuleContext, user: User, level: str) -> None:
    """The 组织部 (组织部门干部, 组织部长) of the unit that will manage the entry, or of a unit above it."""
    home = ctx.home_unit()
    deciding = unit_at_level(ctx.session, home, level) if home is not None else None
    if ctx.actor is None or deciding is None:
        return
    if ctx.session.scalar(select(RoleAssignment.id).where(
            RoleAssignment.user_id == ctx.actor.id, RoleAssignment.unit_id.in_(deciding.ancestor_ids()),
            RoleAssignment.role.in_([Role.ORG_OFFICER.value, Role.ORG_HEAD.value])).limit(1)) is None:
        raise NotAllowed(f"只有{deciding.name}或上级党委的组织部门可以提名{user.name}")


@check("reserve_nomination")
def check_nomination(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """提名: a serving person, not in the pool yet, not nominated twice, not on the negative list;
    the pack says who decides (A-R2)."""
    user = ctx.user(form["candidate"])
    if user is None or not user.is_active:
        raise ValidationFailed("人员不存在", {"candidate": [f"找不到在职人员“{form['candidate']}”"]})
    _may_nominate(ctx, user, form["management_level"])
    if active_entry(ctx.session, user) is not None:
        raise ValidationFailed("已在后备干部库中", {"candidate": [f"{user.name}已在后备干部库中，调整类别或培养方向请在年度调整中办理"]})
    if _open_nomination(ctx, user) is not None:
        raise ValidationFailed("已有进行中的提名", {"candidate": [f"{user.name}的后备干部提名已在办理中"]})
    findings = findings_for(ctx, user)
    if findings:
        raise violation(findings[0]["rule"], f"{user.name}{findings[0]['finding']}，不得提名纳入后备干部库", "candidate")
    return {"route": routes()[form["category"]], "negative_findings": []}


def _prepare_findings(ctx: RuleContext, arg: str | None) -> dict[str, Any]:
    user = ctx.user(ctx.data.get("candidate"))
    return {"negative_findings": findings_for(ctx, user) if user is not None else []}


@check("reserve_recheck", prepare=_prepare_findings)
def check_recheck(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """A-R1 / B-C8 again before the pool is entered: a rating or an influence period written since
    the 提名 stops it (a 部务会 or 党委会 that does not agree is not refused; `:always` — the 备案,
    which enters the pool whatever it says — is)."""
    user = ctx.user(ctx.data.get("candidate"))
    findings = findings_for(ctx, user) if user is not None else []
    agrees = arg == "always" or form.get("decision") == "agree" or form.get("meeting_outcome") == "adopted"
    if agrees and findings:
        field = "meeting" if "meeting" in form else "decision"
        raise violation(findings[0]["rule"], f"{findings[0]['finding']}，不得纳入后备干部库", field)
    return {"negative_findings": findings}
