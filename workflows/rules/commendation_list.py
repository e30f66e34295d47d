"""What `commendation` reads from its packs and from OrgFlow's own records: the kinds and their
honours (`commendation-*.toml`), the negative list of a nominee (H-C1 … H-C4) and the nominations
the units made (the completed `nomination` steps, the latest per unit).

The negative list reads the records as A-C9/A-C14 (`rules.cadre`) and A-R1 (`rules.reserve`) do:
an influence period runs while `starts_on <= today <= ends_on`; a 纪律处分 is an influence period
of kind `discipline` (H-C3), any other is a 问责 one (H-C1); ratings of the last `years` years
(H-C2); an open case is a running `accountability` about the person or the 党组织 (H-C4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AnnualRating
from models import InfluencePeriod
from models import OrgUnit
from models import ProcessDefinition
from models import ProcessInstance
from models import ProcessStatus
from models import User
from models import WorkItem
from models import WorkItemKind
from models import WorkItemStatus
from workflows.labels import RESTRICTIONS
from workflows.labels import form_title
from workflows.rules.base import RuleContext
from workflows.rules.packs import RulePack
from workflows.rules.packs import load_packs
from workflows.rules.packs import rule

PROCESS = "commendation"
COMMON = "commendation-common"
DISCIPLINE = "discipline"


@dataclass(frozen=True)
class Honour:
    """One honour of a kind: 优秀共产党员, 先进基层党组织 …"""

    code: str
    title: str
    nominee: str  # person | organization
    levels: tuple[str, ...] = ()
    member_status: tuple[str, ...] = ()


def kind_pack(kind: str) -> RulePack:
    """The pack of a kind of 表彰 (`qiyi`, `circular`, `campaign`); KeyError for another."""
    return load_packs()[load_packs()[COMMON].settings["kinds"][kind]]


def kinds() -> dict[str, str]:
    """Kind → its title, in the order of the common pack."""
    return {kind: kind_pack(kind).settings["kind_title"] for kind in load_packs()[COMMON].settings["kinds"]}


def honours(kind: str) -> dict[str, Honour]:
    """The honours of a kind, by code."""
    return {h["code"]: Honour(h["code"], h["title"], h["nominee"], tuple(h.get("levels", ())),
                              tuple(h.get("member_status", ()))) for h in kind_pack(kind).settings["honours"]}


def _periods(ctx: RuleContext, user: User) -> list[InfluencePeriod]:
    return list(ctx.session.scalars(select(InfluencePeriod).where(
        InfluencePeriod.user_id == user.id, InfluencePeriod.starts_on <= ctx.today,
        InfluencePeriod.ends_on >= ctx.today).order_by(InfluencePeriod.ends_on.desc())))


def _period_text(period: InfluencePeriod) -> str:
    return (f"处于{form_title(period.kind)}影响期（{period.starts_on.isoformat()} 至 {period.ends_on.isoformat()}，"
            f"{RESTRICTIONS.get(period.restriction, period.restriction)}）")


def _open_cases(ctx: RuleContext, *, user: User | None = None, unit: OrgUnit | None = None) -> list[ProcessInstance]:
    query = (select(ProcessInstance).join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
             .where(ProcessDefinition.key == "accountability", ProcessInstance.status == ProcessStatus.RUNNING))
    if user is not None:
        query = query.where(ProcessInstance.subject_user_id == user.id)
    else:
        assert unit is not None
        query = query.where(ProcessInstance.subject_user_id.is_(None), ProcessInstance.owning_unit_id == unit.id)
    return list(ctx.session.scalars(query.order_by(ProcessInstance.id)))


def person_findings(ctx: RuleContext, user: User) -> list[dict[str, str]]:
    """A person's entries on the negative list (H-C1 … H-C4), each with its rule."""
    found = []
    for period in _periods(ctx, user):
        found.append({"rule": "H-C3" if period.kind == DISCIPLINE else "H-C1", "finding": _period_text(period)})
    h_c2 = rule("H-C2")
    ratings = ctx.session.scalars(select(AnnualRating).where(
        AnnualRating.user_id == user.id, AnnualRating.year >= ctx.today.year - h_c2["years"],
        AnnualRating.rating.in_(h_c2["blocking_ratings"])).order_by(AnnualRating.year.desc())).all()
    for rating in ratings:
        found.append({"rule": "H-C2", "finding": f"{rating.year} 年度考核等次为“{rating.rating}”"})
    for case in _open_cases(ctx, user=user):
        found.append({"rule": "H-C4", "finding": f"有未办结的问责案件（{case.number}）"})
    return sorted(found, key=lambda f: f["rule"])


def unit_findings(ctx: RuleContext, unit: OrgUnit) -> list[dict[str, str]]:
    """A 党组织's entries on the negative list: an open 问责 case about it (H-C4)."""
    return [{"rule": "H-C4", "finding": f"有未办结的问责案件（{case.number}）"} for case in _open_cases(ctx, unit=unit)]


def findings(ctx: RuleContext, nominee: dict[str, Any]) -> list[dict[str, str]]:
    """The negative list of a nominee as `nomination` stored it (`person` or `organization`)."""
    if nominee.get("person"):
        user = ctx.user(nominee["person"])
        return person_findings(ctx, user) if user is not None else []
    unit = ctx.session.scalars(select(OrgUnit).where(OrgUnit.code == nominee.get("organization"))).first()
    return unit_findings(ctx, unit) if unit is not None else []


def nominations(session: Session, instance: ProcessInstance | None) -> list[dict[str, Any]]:
    """The nominees of every unit, from the completed `nomination` steps (the latest per unit),
    in the order of the quotas' units."""
    if instance is None or instance.id is None:
        return []
    items = session.scalars(select(WorkItem).where(
        WorkItem.instance_id == instance.id, WorkItem.task_name == "nomination", WorkItem.kind == WorkItemKind.TASK,
        WorkItem.status == WorkItemStatus.COMPLETED, WorkItem.action == "complete")
        .order_by(WorkItem.completed_at, WorkItem.id)).all()
    latest: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        data = item.data or {}
        latest[data.get("unit", "")] = list(data.get("nominees") or [])
    order = list((instance.data or {}).get("nominating_units") or [])
    units = sorted(latest, key=lambda code: order.index(code) if code in order else len(order))
    return [nominee for code in units for nominee in latest[code]]
