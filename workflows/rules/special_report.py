"""Checks of `special_report` (重要情况专报: SR-1–SR-4), values from `special-report-2020.toml`.

A subsidiary's 组织部 files a 专报 of one kind; a 重大事项 (`major`) gets a deadline for the
group 组织部部长's acknowledgement, `ack_hours` after it is filed (SR-1): the deadline machinery
(`workflows.timers.deadlines`) reminds, marks it overdue and escalates to the group 书记. The
people and cases a 专报 names must exist (SR-3); a 典型案例 names its people (SR-2). The group's
组织部 hands the follow-up to a serving person with a date (SR-4).
"""

from __future__ import annotations

import re
from datetime import date
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from models import ProcessInstance
from workflows.errors import ValidationFailed
from workflows.rules.base import RuleContext
from workflows.rules.base import check
from workflows.rules.base import violation
from workflows.rules.packs import load_packs
from workflows.rules.packs import rule

PROCESS = "special_report"
PACK = "special-report-2020"
MAJOR = "major"
MAX_CASES = 20
_SEPARATORS = re.compile(r"[\s,，、;；]+")


def kinds() -> dict[str, str]:
    """Kind → its title (the pack's settings)."""
    return dict(load_packs()[PACK].settings["kinds"])


def marks() -> dict[str, str]:
    """典型案例 kind → the 现实表现纪实 mark an accepted 专报 writes (SR-2)."""
    return dict(load_packs()[PACK].settings["marks"])


def ack_hours() -> int:
    return int(rule("SR-1")["ack_hours"])


def case_numbers(text: str | None) -> list[str]:
    """The case numbers typed in `related_cases`, in order, each once."""
    found: list[str] = []
    for token in _SEPARATORS.split((text or "").strip().upper()):
        if token and token not in found:
            found.append(token)
    return found


def _check_persons(ctx: RuleContext, form: dict[str, Any]) -> None:
    for index, username in enumerate(form.get("persons") or []):
        user = ctx.user(username)
        if user is None or not user.is_active:
            raise violation("SR-3", f"找不到在职人员“{username}”", f"persons.{index}")
    if form["kind"] in rule("SR-2")["kinds"] and not form.get("persons"):
        raise violation("SR-2", "典型案例专报须写明所涉人员", "persons")


def _check_cases(ctx: RuleContext, numbers: list[str]) -> None:
    if len(numbers) > MAX_CASES:
        raise ValidationFailed("关联案件过多", {"related_cases": [f"最多关联 {MAX_CASES} 个案件"]})
    known = set(ctx.session.scalars(select(ProcessInstance.number).where(ProcessInstance.number.in_(numbers))))
    missing = [n for n in numbers if n not in known]
    if missing:
        raise violation("SR-3", f"案件编号“{'、'.join(missing)}”不存在", "related_cases")


@check("special_report")
def check_filing(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """报送: the people and cases named exist (SR-3), a 典型案例 names its people (SR-2), the date
    is not ahead; a 重大事项 gets its acknowledgement deadline (SR-1)."""
    if date.fromisoformat(form["occurred_on"]) > ctx.today:
        raise ValidationFailed("发生日期有误", {"occurred_on": [f"不能晚于今天（{ctx.today}）"]})
    _check_persons(ctx, form)
    numbers = case_numbers(form.get("related_cases"))
    _check_cases(ctx, numbers)
    first = form["kind"] == MAJOR
    home = ctx.home_unit()
    return {"kind_label": kinds()[form["kind"]], "first_report": first, "ack_hours": ack_hours() if first else None,
            "ack_due_at": (ctx.now + timedelta(hours=ack_hours())).isoformat() if first else None,
            "case_numbers": numbers, "filing_unit": home.name if home is not None else ""}


@check("special_report_ack")
def check_acknowledgement(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """确认: when the 组织部部长 acknowledged (against the SR-1 deadline)."""
    return {"acknowledged_at": ctx.now.isoformat()}


@check("special_report_assign")
def check_assignment(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """接收并交办: the follow-up goes to a serving person, due today or later (SR-4)."""
    user = ctx.user(form["follow_up_by"])
    if user is None or not user.is_active:
        raise violation("SR-4", f"找不到在职人员“{form['follow_up_by']}”", "follow_up_by")
    if date.fromisoformat(form["follow_up_due"]) < ctx.today:
        raise violation("SR-4", f"跟进期限不得早于今天（{ctx.today}）", "follow_up_due")
    return {"received_on": ctx.today.isoformat()}


@check("special_report_done")
def check_done(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> None:
    """跟进办结: the day lies between the reported event and today (SR-4)."""
    done = date.fromisoformat(form["done_on"])
    if done > ctx.today:
        raise violation("SR-4", f"办结日期不得晚于今天（{ctx.today}）", "done_on")
    occurred = ctx.data.get("occurred_on")
    if occurred and done < date.fromisoformat(occurred):
        raise violation("SR-4", f"办结日期不得早于发生日期（{occurred}）", "done_on")
