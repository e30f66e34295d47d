"""The 党费下拨通知 and the expenditure ledger (台账) of a `dues_allocation`, from the steps'
own submissions: the adopted 分配方案 and 党委会 decision, the 拨付 references, and each
recipient's 接收与本级方案, 本级党委会 and 使用台账 (work items scoped to that unit). Amounts stay
decimal strings; sums are `Decimal` (workflows.money)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import OrgUnit
from models import ProcessInstance
from models import WorkItem
from webapp.pages.documents.common import Printing
from webapp.pages.documents.common import day_text
from webapp.pages.documents.common import latest
from webapp.pages.documents.common import submissions
from webapp.pages.documents.common import unit_names
from webapp.pages.documents.common import yuan
from workflows import money
from workflows.labels import option_title

FUND_STEPS = ("allocation_plan", "committee_decision", "transfer")
RECIPIENT_STEPS = ("receive_plan", "sub_committee_decision", "ledger", "usage_report", "report_review")


def _prop(instance: ProcessInstance, form: str, *path: str) -> dict[str, Any]:
    schema: dict[str, Any] = instance.definition.assets["forms"][form]
    for name in path:
        schema = schema["items"] if name == "[]" else schema["properties"][name]
    return schema


def _title(instance: ProcessInstance, form: str, value: Any, *path: str) -> str:
    return option_title(_prop(instance, form, *path), value) or str(value or "")


def _adopted(found: dict[str, list[WorkItem]]) -> bool:
    return latest(found, "committee_decision").get("meeting_outcome") == "adopted"


def notice_applies(session: Session, instance: ProcessInstance) -> bool:
    """The 下拨通知 exists once the 党委会 adopted the plan."""
    return instance.definition.key == "dues_allocation" and _adopted(submissions(session, instance, *FUND_STEPS))


def ledger_applies(session: Session, instance: ProcessInstance) -> bool:
    """The 台账 exists once the money went out (拨付 done)."""
    return instance.definition.key == "dues_allocation" and bool(
        latest(submissions(session, instance, "transfer"), "transfer").get("transferred"))


def _meeting_text(meeting: dict[str, Any]) -> str:
    votes = meeting.get("votes") or {}
    ref = f"（{meeting['minutes_no']}）" if meeting.get("minutes_no") else ""
    return (f"{meeting.get('body', '')}{day_text(meeting.get('date'))}集体研究决定{ref}：应到 {meeting.get('members_due')} 人，"
            f"实到 {meeting.get('present')} 人，同意 {votes.get('for', 0)} 票，不同意 {votes.get('against', 0)} 票")


def build_notice(session: Session, instance: ProcessInstance, printing: Printing) -> dict[str, Any]:
    data, found = instance.data, submissions(session, instance, *FUND_STEPS)
    plan, decision, transfer = (latest(found, s) for s in FUND_STEPS)
    units = unit_names(session, list(plan.get("allocation_by_unit") or {}) + [data.get("fund_unit") or ""])
    lines = [{"unit": units.get(line["unit"], line["unit"]), "tier": line.get("tier") or "",
              "purpose": _title(instance, "dues_allocation_plan.json", line["purpose"], "lines", "[]", "purpose"),
              "amount": yuan(line["amount"])} for line in plan.get("lines", [])]
    sent = {t["unit"]: t for t in transfer.get("transferred") or []}
    by_unit = [{"unit": units.get(code, code), "amount": yuan(amount), "ref": sent.get(code, {}).get("ref", "")}
               for code, amount in (plan.get("allocation_by_unit") or {}).items()]
    return {
        "title": "专项党费下拨通知", "print": printing, "issuer": units.get(data.get("fund_unit") or "", ""),
        "recipients": "、".join(u["unit"] for u in by_unit), "source": data.get("source", ""),
        "source_no": data.get("notice_no") or "", "fund_type": _title(instance, "dues_start.json", data.get("fund_type"), "fund_type"),
        "amount": yuan(data.get("amount")), "matching": yuan(plan.get("matching_amount")),
        "allocated": yuan(plan.get("allocated_total")), "unallocated": yuan(plan.get("unallocated")),
        "basis": plan.get("basis") or "", "lines": lines, "by_unit": by_unit,
        "decision": _meeting_text(decision.get("meeting") or {}),
        "purposes": "、".join(_title(instance, "dues_start.json", p, "allowed_purposes", "[]")
                             for p in data.get("allowed_purposes") or []),
        "deadline": day_text(data.get("deadline")), "issued_on": day_text(transfer.get("transferred_on")),
    }


def _recipient_items(session: Session, instance: ProcessInstance) -> dict[int, dict[str, list[WorkItem]]]:
    """Per recipient unit id: its completed sub-flow items by step."""
    found = submissions(session, instance, *RECIPIENT_STEPS)
    per_unit: dict[int, dict[str, list[WorkItem]]] = {}
    for step, items in found.items():
        for item in items:
            per_unit.setdefault(item.scope_unit_id or 0, {s: [] for s in RECIPIENT_STEPS})[step].append(item)
    return per_unit


def _expenditure(instance: ProcessInstance, line: dict[str, Any]) -> dict[str, str]:
    form = "dues_ledger.json"
    path = ("expenditures", "[]")
    return {
        "date": line["date"], "purpose": _title(instance, form, line["purpose"], *path, "purpose"),
        "beneficiary": line.get("beneficiary", ""),
        "type": _title(instance, form, line.get("beneficiary_type"), *path, "beneficiary_type"),
        "item": _title(instance, form, line.get("item"), *path, "item") if line.get("item") else "",
        "amount": yuan(line["amount"]), "invoice": line.get("invoice_no", ""), "meeting": line.get("meeting_ref", ""),
    }


def _account(instance: ProcessInstance, unit: OrgUnit, allocated: str, steps: dict[str, list[WorkItem]]) -> dict[str, Any]:
    receipt, sub, ledger = (latest(steps, s) for s in ("receive_plan", "sub_committee_decision", "ledger"))
    lines = ledger.get("expenditures") or []
    received, matched = money.parse(receipt.get("received") or allocated), money.parse(receipt.get("matching_amount"))
    spent = money.total(line["amount"] for line in lines)
    review = latest(steps, "report_review").get("decision")
    return {
        "unit": unit.name, "received_on": day_text(receipt.get("received_on")), "allocated": yuan(allocated),
        "matched": yuan(money.fmt(matched)), "budget": yuan(money.fmt(received + matched)),
        "decision": sub.get("sub_decision_ref") or "", "rows": [_expenditure(instance, line) for line in lines],
        "spent": yuan(money.fmt(spent)), "balance": yuan(money.fmt(received + matched - spent)),
        "report": "已审核通过" if review == "accept" else ("已报告" if steps["usage_report"] else "未报告"),
        "totals": (received, matched, spent),
    }


def build_ledger(session: Session, instance: ProcessInstance, printing: Printing) -> dict[str, Any]:
    allocation: dict[str, str] = latest(submissions(session, instance, "allocation_plan"), "allocation_plan").get(
        "allocation_by_unit") or {}
    units = {u.code: u for u in session.scalars(select(OrgUnit).where(OrgUnit.code.in_(list(allocation))))}
    per_unit = _recipient_items(session, instance)
    empty: dict[str, list[WorkItem]] = {s: [] for s in RECIPIENT_STEPS}
    accounts = [_account(instance, units[code], amount, per_unit.get(units[code].id, empty))
                for code, amount in allocation.items() if code in units]
    received, matched, spent = (sum((a["totals"][i] for a in accounts), money.ZERO) for i in range(3))
    return {
        "title": "专项党费使用台账", "print": printing, "source": instance.data.get("source", ""),
        "amount": yuan(instance.data.get("amount")), "accounts": accounts,
        "total": {"received": yuan(money.fmt(received)), "matched": yuan(money.fmt(matched)),
                  "spent": yuan(money.fmt(spent)), "balance": yuan(money.fmt(received + matched - spent))},
    }
