"""The start check of `weekly_report`: a report is opened by the timer worker only (one per unit
and week, `workflows.weekly.opening`), never by hand; it derives the week's dates for the case."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from models import OrgUnit
from models import WeeklyReport
from workflows.engine.clock import SHANGHAI
from workflows.errors import NotAllowed
from workflows.rules.base import RuleContext
from workflows.rules.base import check
from workflows.weekly import schedule


@check("weekly_start")
def check_start(ctx: RuleContext, form: dict[str, Any], arg: str | None) -> dict[str, Any]:
    """The (unit, week) row the opener has just written, with no case yet; NotAllowed otherwise."""
    unit = ctx.session.scalars(select(OrgUnit).where(OrgUnit.code == form["unit"])).first()
    try:
        monday = schedule.monday_of(form["week"])
    except ValueError:
        monday = None
    report = None
    if unit is not None and monday is not None:
        report = ctx.session.scalars(select(WeeklyReport).where(
            WeeklyReport.unit_id == unit.id, WeeklyReport.week_start == monday,
            WeeklyReport.instance_id.is_(None))).first()
    if report is None or unit is None or monday is None:
        raise NotAllowed("周报由系统按集团组织部设定的日程每周为各单位开启一次，不能手工发起")
    return {"week_start": monday.isoformat(), "week_label": schedule.week_label(monday),
            "due_at": report.due_at.astimezone(SHANGHAI).isoformat(sep=" ", timespec="minutes"), "unit_name": unit.name, "report_id": report.id}
