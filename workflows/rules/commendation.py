"""Checks of `commendation` (表彰: H-C1 … H-C12), values from `commendation-*.toml`.

The group 组织部 sets the quotas per unit and honour at the start; each unit with a quota
nominates persons or 党组织 with their 事迹 (within its quota, H-C5; its own people, H-C6; the
kind's conditions, H-C10 … H-C12); the 资格审核 cannot pass a nominee on the negative list
(H-C1 … H-C4, `commendation_list`); the 公示 lasts the kind's working days (H-C7); the 党委会
decides (H-C8, nominees on the roster recused) and the list is checked again there.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from models import OrgUnit
from models import UnitLevel
from models import User
from workflows.errors import ValidationFailed
from workflows.rules import recusal
from workflows.rules.base import RuleContext
from workflows.rules.base import check
from workflows.rules.base import violation
from workflows.rules.commendation_list import Honour
from workflows.rules.commendation_list import findings
from workflows.rules.commendation_list import honours
from workflows.rules.commendation_list import kind_pack
from workflows.rules.commendation_list import nominations
from workflows.rules.packs import rule

MAX_QUOTA = 100


def _unit(ctx: RuleContext, code: str | None) -> OrgUnit | None:
    return ctx.session.scalars(select(OrgUnit).where(OrgUnit.code == (code or ""))).first() if code else None


def _quota_row(ctx: RuleContext, index: int, row: dict[str, Any], known: dict[str, Honour]) -> OrgUnit:
    at = f"quotas.{index}"
    unit = _unit(ctx, row["unit"])
    if unit is None or unit.level != UnitLevel.SUBSIDIARY:
        raise ValidationFailed("单位有误", {f"{at}.unit": [f"“{row['unit']}”不是子分公司党委（名额下达到子分公司党委，由其组织部门汇总本单位及所属党支部的推荐）"]})
    if row["honour"] not in known:
        raise ValidationFailed("奖项有误", {f"{at}.honour": ["该奖项不属于所选的表彰类别"]})
    if not 1 <= row["quota"] <= MAX_QUOTA:
        raise ValidationFailed("名额有误", {f"{at}.quota": [f"名额须在 1 至 {MAX_QUOTA} 之间"]})
    return unit


@check("commendation_start")
def check_start(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """The quotas: 子分公司党委 (each nominates for itself and its 党支部), honours of the kind, one
    row per unit and honour. Derives the units that nominate (`nominating_units`, one 推荐 step each)."""
    known = honours(form["kind"])
    seen: set[tuple[str, str]] = set()
    units: list[str] = []
    quotas = []
    for index, row in enumerate(form["quotas"]):
        unit = _quota_row(ctx, index, row, known)
        if (unit.code, row["honour"]) in seen:
            raise ValidationFailed("名额重复", {f"quotas.{index}.honour": ["同一单位的同一奖项只能分配一次名额"]})
        seen.add((unit.code, row["honour"]))
        units += [] if unit.code in units else [unit.code]
        quotas.append({**row, "unit_name": unit.name, "honour_title": known[row["honour"]].title})
    pack = kind_pack(form["kind"])
    return {"kind_title": pack.settings["kind_title"], "ruleset_kind": pack.id, "quotas": quotas,
            "nominating_units": units}


def _quota(ctx: RuleContext, unit: str, honour: str) -> int:
    return next((q["quota"] for q in ctx.data.get("quotas") or [] if q["unit"] == unit and q["honour"] == honour), 0)


def _person(ctx: RuleContext, at: str, row: dict[str, Any], honour: Honour, home: OrgUnit) -> dict[str, Any]:
    user = ctx.user(row.get("person"))
    if user is None or not user.is_active:
        raise ValidationFailed("人员不存在", {f"{at}.person": [f"{honour.title}须填写被推荐的在职人员"]})
    if home.id not in (user.unit.ancestor_ids() if user.unit else []):
        raise violation("H-C6", f"{user.name}不属于{home.name}，不能由该单位推荐", f"{at}.person")
    if honour.member_status and user.member_status not in honour.member_status:
        rule_id = kind_pack(ctx.data["kind"]).settings["rule"]
        raise violation(rule_id, f"{user.name}不符合“{honour.title}”的身份条件（{rule(rule_id).text}）", f"{at}.person")
    return {"person": user.username, "name": user.name, "post": user.post or ""}


def _organization(ctx: RuleContext, at: str, row: dict[str, Any], honour: Honour, home: OrgUnit) -> dict[str, Any]:
    unit = _unit(ctx, row.get("organization"))
    if unit is None:
        raise ValidationFailed("党组织不存在", {f"{at}.organization": [f"{honour.title}须填写被推荐的党组织"]})
    if home.id not in unit.ancestor_ids():
        raise violation("H-C6", f"{unit.name}不属于{home.name}，不能由该单位推荐", f"{at}.organization")
    if unit.level not in honour.levels:
        rule_id = kind_pack(ctx.data["kind"]).settings["rule"]
        raise violation(rule_id, f"{unit.name}不符合“{honour.title}”的条件（{rule(rule_id).text}）", f"{at}.organization")
    return {"organization": unit.code, "name": unit.name, "post": ""}


def _nominee(ctx: RuleContext, index: int, row: dict[str, Any], home: OrgUnit) -> dict[str, Any]:
    at = f"nominees.{index}"
    known = honours(ctx.data["kind"])
    honour = known.get(row["honour"])
    if honour is None:
        raise ValidationFailed("奖项有误", {f"{at}.honour": ["该奖项不属于本次表彰"]})
    who = (_person if honour.nominee == "person" else _organization)(ctx, at, row, honour, home)
    key = f"person:{who['person']}" if "person" in who else f"org:{who['organization']}"
    return {"key": key, "honour": honour.code, "honour_title": honour.title, "nominee": honour.nominee, **who,
            "unit": home.code, "unit_name": home.name, "deeds": row["deeds"].strip()}


@check("commendation_nomination")
def check_nomination(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """One unit's 推荐: honours it has a quota for, within the quota (H-C5), its own people or
    党组织 (H-C6), the kind's conditions (H-C10 … H-C12), each nominee once, with 事迹."""
    home = _unit(ctx, ctx.data.get("unit"))
    if home is None:
        raise ValidationFailed("推荐单位有误", {"nominees": ["找不到推荐单位"]})
    rows = [_nominee(ctx, index, row, home) for index, row in enumerate(form["nominees"])]
    keys = [r["key"] for r in rows]
    for index, row in enumerate(rows):
        if keys.index(row["key"]) != index:
            raise violation("H-C6", f"{row['name']}在本单位的推荐中重复出现", f"nominees.{index}")
        used = sum(1 for r in rows[: index + 1] if r["honour"] == row["honour"])
        quota = _quota(ctx, home.code, row["honour"])
        if used > quota:
            raise violation("H-C5", f"{home.name}“{row['honour_title']}”的名额为 {quota} 名，推荐超出名额", f"nominees.{index}")
    return {"unit": home.code, "unit_name": home.name, "nominees": rows}


def _prepare_eligibility(ctx: RuleContext, arg: str | None) -> dict[str, Any]:
    rows = nominations(ctx.session, ctx.instance)
    return {"eligibility": [{"key": r["key"], "name": r["name"], "honour_title": r["honour_title"],
                             "findings": findings(ctx, r)} for r in rows]}


def match(rows: list[dict[str, Any]], text: str) -> str | None:
    """The key of the row `text` names: its key (`person:s1_05`, `org:S1B1`), username, unit code
    or name (when only one row has it); None when none or several do."""
    text = text.strip()
    found = {r["key"] for r in rows if text in (r["key"], r.get("person"), r.get("organization"), r["name"])}
    return found.pop() if len(found) == 1 else None


def _chosen(rows: list[dict[str, Any]], entries: list[dict[str, Any]], field: str, what: str) -> dict[str, str]:
    """Key → reason of the rows the entries name; a name that matches no row (or several) is refused."""
    chosen: dict[str, str] = {}
    for index, entry in enumerate(entries):
        key = match(rows, entry["nominee"])
        if key is None:
            raise ValidationFailed("对象有误", {f"{field}.{index}.nominee": [f"“{entry['nominee']}”不是{what}（或重名，请填写用户名）"]})
        chosen[key] = entry["reason"].strip()
    return chosen


def _quota_check(ctx: RuleContext, kept: list[dict[str, Any]], field: str) -> None:
    counts: dict[tuple[str, str], int] = {}
    for row in kept:
        counts[(row["unit"], row["honour"])] = counts.get((row["unit"], row["honour"]), 0) + 1
    for (unit, honour), count in counts.items():
        quota = _quota(ctx, unit, honour)
        if count > quota:
            name = next(r["unit_name"] for r in kept if r["unit"] == unit)
            title = next(r["honour_title"] for r in kept if r["honour"] == honour)
            raise violation("H-C5", f"{name}“{title}”的名额为 {quota} 名，拟表彰 {count} 名，超出名额", field)


@check("commendation_review", prepare=_prepare_eligibility)
def check_review(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """资格审核: a nominee on the negative list (H-C1 … H-C4) must be excluded — passing them is
    refused, citing the rule; the rest, within the quotas (H-C5), become the `honourees`."""
    rows = nominations(ctx.session, ctx.instance)
    chosen = _chosen(rows, form.get("excluded") or [], "excluded", "本次表彰的推荐对象")
    kept, exclusions, eligibility = [], [], []
    for row in rows:
        found = findings(ctx, row)
        eligibility.append({"key": row["key"], "name": row["name"], "honour_title": row["honour_title"], "findings": found})
        if row["key"] in chosen:
            cited = found[0]["rule"] if found else None
            exclusions.append({"key": row["key"], "name": row["name"], "reason": chosen[row["key"]],
                               "rule": cited, "source": rule(cited).source if cited else None})
        elif found and form["decision"] == "proceed":
            raise violation(found[0]["rule"], f"{row['name']}{found[0]['finding']}，不得作为表彰对象，请列入不予通过", "excluded")
        else:
            kept.append(row)
    if form["decision"] == "proceed":
        _quota_check(ctx, kept, "excluded")
        if not kept:
            raise ValidationFailed("没有表彰对象", {"decision": ["资格审核后没有可表彰的对象，请选择终止"]})
    return {"honourees": kept, "exclusions": exclusions, "eligibility": eligibility}


@check("commendation_publicity")
def check_publicity(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """H-C7: the 公示 lasts the kind's working days; the server computes its last day and the
    timer's due time from the calendar (an unofficial year is refused, as A-C5 does)."""
    start = date.fromisoformat(form["start_date"])
    if start > ctx.today:
        raise ValidationFailed("日期有误", {"start_date": ["公示开始日期不能晚于今天"]})
    days = int(kind_pack(ctx.data["kind"]).settings["publicity_working_days"])
    last, due = ctx.calendar.window(start, days)
    basis = ctx.calendar.basis(start, last)
    if not basis.official:
        years = "、".join(str(y) for y in basis.fallback_years)
        raise violation("H-C7", f"公示期涉及 {years} 年，该年尚无官方节假日安排，无法确认 {days} 个工作日；"
                                "请系统管理员先导入该年的放假和调休安排（flask calendar import）", "start_date")
    return {"publicity_days": days, "publicity_end": last.isoformat(), "publicity_due_at": due.isoformat(),
            "publicity_calendar": basis.text}


@check("commendation_publicity_review")
def check_publicity_review(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """公示结果: objections verified may take nominees off the list (with a reason); at least one
    stays for the 党委会."""
    current = list(ctx.data.get("honourees") or [])
    withdrawn = form.get("withdrawn") or []
    if withdrawn and not form["objections"]:
        raise ValidationFailed("公示结果不一致", {"withdrawn": ["未收到反映的，不能撤下拟表彰对象"]})
    gone = _chosen(current, withdrawn, "withdrawn", "本次公示的拟表彰对象")
    kept = [r for r in current if r["key"] not in gone]
    if form["decision"] == "continue" and not kept:
        raise ValidationFailed("没有表彰对象", {"decision": ["撤下后没有拟表彰对象，请选择终止"]})
    names = {r["key"]: r["name"] for r in current}
    return {"honourees": kept, "publicity_withdrawn": [{"key": k, "name": names[k], "reason": reason}
                                                       for k, reason in gone.items()]}


def _honoured_people(ctx: RuleContext) -> dict[str, str]:
    return {r["person"]: r["name"] for r in ctx.data.get("honourees") or [] if r.get("person")}


@check("commendation_recusal")
def check_recusal(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> None:
    """H-C8 with R-C1: a 党委委员 who is to be honoured is recorded as recused, not present."""
    people = _honoured_people(ctx)
    for index, row in enumerate((form.get("meeting") or {}).get("attendance") or []):
        if row.get("member") in people and row.get("status") != "recused":
            raise violation(recusal.RULE, f"{people[row['member']]}是本次表彰的拟表彰对象，须回避，不能参加表决，应记为回避",
                            f"meeting.attendance.{index}.status")


def _prepare_recheck(ctx: RuleContext, arg: str | None) -> dict[str, Any]:
    return {"negative_findings": [{"name": r["name"], **f} for r in ctx.data.get("honourees") or []
                                  for f in findings(ctx, r)]}


@check("commendation_recheck", prepare=_prepare_recheck)
def check_recheck(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """H-C1 … H-C4 again at the 党委会: a record written since the 资格审核 (a 问责 decision, a new
    rating, an opened case) stops the adoption."""
    found = _prepare_recheck(ctx, arg)["negative_findings"]
    if form.get("meeting_outcome") == "adopted" and found:
        first = found[0]
        raise violation(first["rule"], f"{first['name']}{first['finding']}，不得表彰；请退回资格审核", "meeting")
    return {"negative_findings": found}


@check("commendation_decision")
def check_decision(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """表彰决定: issued on or after the 党委会 and not ahead of today; the list is the adopted one."""
    issued = date.fromisoformat(form["issued_on"])
    held = (ctx.data.get("meeting") or {}).get("date")
    if issued > ctx.today:
        raise ValidationFailed("日期有误", {"issued_on": ["印发日期不能晚于今天"]})
    if held and issued < date.fromisoformat(held):
        raise ValidationFailed("日期有误", {"issued_on": [f"表彰决定须在党委会（{held}）之后印发"]})
    return {"honourees": list(ctx.data.get("honourees") or []), "decided_on": held or issued.isoformat()}


def honoured_users(session: Any, honourees: list[dict[str, Any]]) -> dict[str, User]:
    """The users among the honourees, by username."""
    names = [r["person"] for r in honourees if r.get("person")]
    return {u.username: u for u in session.scalars(select(User).where(User.username.in_(names)))} if names else {}
