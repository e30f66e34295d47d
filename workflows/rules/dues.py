"""Checks of dues_allocation and dues_topup (D-C1 … D-C7), values from `party-dues-2008.toml`
and the `covid-2020` overlay's special-dues purposes.

Amounts are decimal strings; every sum is a `Decimal` (workflows.money). Inside the
per-recipient sub-flow, `ctx.data` is that recipient's data (its `recipient`, its own
`matching_amount`), so the same checks serve every recipient.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from models import OrgUnit
from models import RoleAssignment
from models import UnitLevel
from workflows import money
from workflows.errors import NotAllowed
from workflows.errors import ValidationFailed
from workflows.routing.assignment import unit_at_level
from workflows.rules.base import RuleContext
from workflows.rules.base import check
from workflows.rules.base import violation
from workflows.rules.packs import load_packs


def purposes_for(fund_type: str) -> list[str]:
    """The uses a fund of this type may have (D-C3); none for donations (D-C4)."""
    if fund_type == "special_dues":
        return list(load_packs()["covid-2020"].settings["special_dues"]["purposes"])
    if fund_type == "retained_dues":
        return list(load_packs()["party-dues-2008"].settings["retained_dues"]["purposes"])
    return []


def beneficiary_types(purpose: str) -> list[str]:
    return list(load_packs()["party-dues-2008"].settings["beneficiaries"].get(purpose, []))


def _unit(ctx: RuleContext, code: str) -> OrgUnit | None:
    return ctx.session.scalars(select(OrgUnit).where(OrgUnit.code == code)).first()


@check("dues_fund")
def check_fund(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """D-C3 / D-C4: the fund's purposes fit its type; donations have none (they are remitted)."""
    purposes = form.get("allowed_purposes") or []
    if form["fund_type"] == "donation" and purposes:
        raise violation("D-C4", "党员自愿捐款不得在本级使用，不能设定使用用途", "allowed_purposes")
    if form["fund_type"] != "donation" and not purposes:
        raise ValidationFailed("请选择用途", {"allowed_purposes": ["请选择该项资金的使用用途"]})
    wrong = [p for p in purposes if p not in purposes_for(form["fund_type"])]
    if wrong:
        raise violation("D-C3", f"该类资金不能用于：{'、'.join(wrong)}", "allowed_purposes")
    if money.parse(form["amount"]) <= 0:
        raise ValidationFailed("金额有误", {"amount": ["金额须大于 0"]})
    if date.fromisoformat(form["deadline"]) < ctx.today:
        raise ValidationFailed("日期有误", {"deadline": ["报告期限不能早于今天"]})
    home = ctx.home_unit()
    group = unit_at_level(ctx.session, home, UnitLevel.GROUP) if home else None
    return {"fund_unit": group.code if group else None, "amount": money.fmt(money.parse(form["amount"]))}


@check("donation_remittance")
def check_remittance(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> None:
    """D-C4: donations are remitted upward in full, to the fen."""
    expected, remitted = money.parse(ctx.data["amount"]), money.parse(form["remitted_amount"])
    if remitted != expected:
        raise violation("D-C4", f"党员自愿捐款须全额上缴：应缴 {money.fmt(expected)} 元，填写 {money.fmt(remitted)} 元",
                        "remitted_amount")


def _check_line(ctx: RuleContext, line: dict[str, Any], index: int, fund_unit: OrgUnit) -> None:
    unit = _unit(ctx, line["unit"])
    if unit is None:
        raise ValidationFailed("单位不存在", {f"lines.{index}.unit": [f"找不到党组织“{line['unit']}”"]})
    if unit.parent_id != fund_unit.id:
        raise violation("D-C2", f"{unit.name}不是{fund_unit.name}的直属下一级党组织，党费只能逐级下拨", f"lines.{index}.unit")
    if line["purpose"] not in (ctx.data.get("allowed_purposes") or []):
        raise violation("D-C3", f"用途“{line['purpose']}”不在该项资金规定的用途之内", f"lines.{index}.purpose")
    if money.parse(line["amount"]) <= 0:
        raise ValidationFailed("金额有误", {f"lines.{index}.amount": ["金额须大于 0"]})


def by_unit(lines: list[dict[str, Any]]) -> dict[str, str]:
    """Allocated amount per recipient unit, in the order the units first appear."""
    sums: dict[str, Any] = {}
    for line in lines:
        sums[line["unit"]] = sums.get(line["unit"], money.ZERO) + money.parse(line["amount"])
    return {unit: money.fmt(amount) for unit, amount in sums.items()}


@check("allocation_plan")
def check_allocation(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """D-C2 (next level down only), D-C3 (purposes), D-C4 (no donations), D-C7 (lines ≤ fund + 配套)."""
    if ctx.data.get("fund_type") == "donation":
        raise violation("D-C4", "党员自愿捐款不得分配使用，只能全额上缴")
    fund_unit = _unit(ctx, ctx.data.get("fund_unit") or "")
    if fund_unit is None:
        raise ValidationFailed("资金归属有误", {"lines": ["找不到管理该项资金的党组织"]})
    for index, line in enumerate(form["lines"]):
        _check_line(ctx, line, index, fund_unit)
    fund, matching = money.parse(ctx.data["amount"]), money.parse(form["matching_amount"])
    allocated = money.total(line["amount"] for line in form["lines"])
    if allocated > fund + matching:
        raise violation("D-C7", f"分配合计 {money.fmt(allocated)} 元，超过资金 {money.fmt(fund)} 元与本级配套 "
                                f"{money.fmt(matching)} 元之和 {money.fmt(fund + matching)} 元", "lines")
    allocation = by_unit(form["lines"])
    return {"recipients": list(allocation), "allocation_by_unit": allocation, "allocated_total": money.fmt(allocated),
            "unallocated": money.fmt(fund + matching - allocated)}


@check("transfers")
def check_transfers(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """D-C1: the transfer carries out the adopted plan: one reference per recipient, amounts from the plan."""
    units = [t["unit"] for t in form["transfers"]]
    expected = ctx.data.get("recipients") or []
    if sorted(units) != sorted(expected):
        raise ValidationFailed("拨付单位与分配方案不符", {"transfers": [f"须按党委会通过的方案向 {'、'.join(expected)} 各拨付一笔"]})
    allocation = ctx.data["allocation_by_unit"]
    return {"transferred": [{**t, "amount": allocation[t["unit"]]} for t in form["transfers"]],
            "transferred_on": ctx.today.isoformat()}


def recipient_purposes(ctx: RuleContext) -> list[str]:
    """The uses the adopted plan earmarked for this recipient (D-C3)."""
    return sorted({line["purpose"] for line in ctx.data.get("lines", []) if line["unit"] == ctx.data.get("recipient")})


@check("recipient_plan")
def check_recipient_plan(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """D-C7: the recipient's budget is what it received plus its own 配套."""
    received = money.parse(ctx.data["allocation_by_unit"][ctx.data["recipient"]])
    matching = money.parse(form["matching_amount"])
    return {"received": money.fmt(received), "recipient_purposes": recipient_purposes(ctx),
            "budget": money.fmt(received + matching)}


@check("sub_decision")
def check_sub_decision(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """D-C1: the recipient's own 党委会 decided its plan; spending may only follow that decision."""
    if form.get("meeting_outcome") != "adopted":
        return {}
    meeting = form["meeting"]
    return {"sub_decision_on": meeting["date"],
            "sub_decision_ref": meeting.get("minutes_no") or f"{meeting['body']} {meeting['date']}"}


def _check_expenditure(ctx: RuleContext, line: dict[str, Any], index: int) -> None:
    at = f"expenditures.{index}"
    if line["purpose"] not in (ctx.data.get("recipient_purposes") or recipient_purposes(ctx)):
        raise violation("D-C3", f"用途“{line['purpose']}”不在下拨时规定的用途之内（专款专用）", f"{at}.purpose")
    if line["beneficiary_type"] not in beneficiary_types(line["purpose"]):
        raise violation("D-C3", f"该用途的受益对象不能是“{line['beneficiary_type']}”", f"{at}.beneficiary_type")
    for key, what in (("invoice_no", "发票或收据号"), ("beneficiary", "受益人")):
        if not (line.get(key) or "").strip():
            raise violation("D-C6", f"第 {index + 1} 笔支出缺少{what}", f"{at}.{key}")
    if not (line.get("meeting_ref") or "").strip():
        raise violation("D-C1", f"第 {index + 1} 笔支出未写明批准支出的集体决定（会议）", f"{at}.meeting_ref")
    if money.parse(line["amount"]) <= 0:
        raise ValidationFailed("金额有误", {f"{at}.amount": ["金额须大于 0"]})


@check("ledger")
def check_ledger(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """D-C1, D-C3, D-C6 for every line; D-C7: spending ≤ received + 配套."""
    if ctx.data.get("fund_type") == "donation":
        raise violation("D-C4", "党员自愿捐款不得在本级使用")
    for index, line in enumerate(form["expenditures"]):
        _check_expenditure(ctx, line, index)
    spent, budget = money.total(e["amount"] for e in form["expenditures"]), money.parse(ctx.data["budget"])
    if spent > budget:
        raise violation("D-C7", f"支出合计 {money.fmt(spent)} 元，超过收到额与本级配套之和 {money.fmt(budget)} 元",
                        "expenditures")
    return {"spent": money.fmt(spent), "balance": money.fmt(budget - spent)}


@check("usage_report")
def check_usage_report(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """The report's totals come from the ledger, never typed; the case keeps one line per recipient."""
    received, matched = money.parse(ctx.data["received"]), money.parse(ctx.data["matching_amount"])
    spent = money.total(e["amount"] for e in ctx.data.get("expenditures", []))
    totals = {"received": money.fmt(received), "matched": money.fmt(matched), "spent": money.fmt(spent),
              "balance": money.fmt(received + matched - spent)}
    # Read the case as stored (not this recipient's copy): other recipients may have reported since.
    usage = {**((ctx.instance.data if ctx.instance else {}).get("usage_by_unit") or {}), ctx.data["recipient"]: totals}
    overall = {key: money.fmt(money.total(u[key] for u in usage.values())) for key in totals}
    return {**totals, "usage_by_unit": usage, "usage_totals": overall}


@check("topup_request")
def check_topup(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """D-C2: a top-up is requested by a unit's 书记 or 组织干部 from its own parent only."""
    home = ctx.home_unit()
    if home is None or ctx.actor is None:
        raise NotAllowed("无法确定申请单位")
    if ctx.session.scalar(select(RoleAssignment.id).where(
            RoleAssignment.user_id == ctx.actor.id, RoleAssignment.role.in_(("secretary", "org_officer")),
            RoleAssignment.unit_id == home.id).limit(1)) is None:
        raise NotAllowed(f"只有{home.name}的书记或组织干部可以提出追加申请")
    target = _unit(ctx, form["requested_from"])
    if target is None or home.parent_id != target.id:
        parent = ctx.session.get(OrgUnit, home.parent_id) if home.parent_id else None
        raise violation("D-C2", f"追加申请只能向上一级党组织（{parent.name if parent else '无'}）提出，不得越级",
                        "requested_from")
    if money.parse(form["amount"]) <= 0:
        raise ValidationFailed("金额有误", {"amount": ["金额须大于 0"]})
    return {"requesting_unit": home.code, "requesting_unit_name": home.name, "amount": money.fmt(money.parse(form["amount"]))}


@check("topup_decision")
def check_topup_decision(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """D-C1 / D-C7: an adopted top-up states the amount granted, at most the amount requested."""
    if form.get("meeting_outcome") != "adopted":
        return {}
    if not form.get("approved_amount"):
        raise ValidationFailed("请填写批准金额", {"approved_amount": ["党委会同意追加的，须填写批准金额"]})
    approved, requested = money.parse(form["approved_amount"]), money.parse(ctx.data["amount"])
    if approved > requested or approved <= 0:
        raise violation("D-C7", f"批准金额须大于 0 且不超过申请金额 {money.fmt(requested)} 元", "approved_amount")
    return {"approved_amount": money.fmt(approved)}
