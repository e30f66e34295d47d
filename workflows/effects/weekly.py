"""Effects of `weekly_report`: the report leaves the unit when its secretary confirms it (已报 or
迟报 against the deadline), and when the group's 组织部 accepts it each line marked 先进 or 问题
goes on that 班子成员's 现实表现纪实 (source 周报, linked to the case)."""

from __future__ import annotations

from sqlalchemy import select

from models import User
from models import WeeklyReport
from models import WeeklyStatus
from workflows import audit
from workflows.effects.base import EffectContext
from workflows.effects.base import effect
from workflows.engine import clock
from workflows.records.conduct import EventInput
from workflows.records.conduct import record_event

LINE_PARTS = (("baobao", "包保"), ("production", "生产经营稳定运行"), ("role_played", "作用发挥"))


def _report(ctx: EffectContext) -> WeeklyReport | None:
    return ctx.session.scalars(select(WeeklyReport).where(WeeklyReport.instance_id == ctx.instance.id)).first()


@effect("weekly_submitted")
def submitted(ctx: EffectContext) -> None:
    """On the secretary's 确认上报: the first time, the report is 已报 (by the deadline) or 迟报 (after
    it, also when it was marked 漏报); a report sent back and confirmed again keeps its first time."""
    report = _report(ctx)
    if report is None or ctx.data.get("decision") != "confirm" or report.submitted_at is not None:
        return
    now = clock.now()
    report.submitted_at = now
    report.status = WeeklyStatus.ON_TIME if now <= report.due_at else WeeklyStatus.LATE
    audit.record(ctx.session, "weekly.submitted", instance=ctx.instance, payload={
        "status": report.status, "due_at": report.due_at.isoformat(), "submitted_at": now.isoformat()})


def line_text(week_label: str, line: dict[str, str]) -> str:
    said = "；".join(f"{title}：{line[key].strip()}" for key, title in LINE_PARTS if (line.get(key) or "").strip())
    return f"{week_label}周报 · {said}"


@effect("weekly_accepted")
def accepted(ctx: EffectContext) -> None:
    """The group's 组织部 accepted the report: lines marked 先进 or 问题 become events of the person."""
    report = _report(ctx)
    if report is not None:
        report.accepted_at = clock.now()
    today = clock.today_local().date()
    for line in ctx.data.get("lines") or []:
        if line.get("mark") not in ("merit", "issue"):
            continue
        person = ctx.session.scalars(select(User).where(User.username == line.get("member"))).first()
        if person is not None:
            record_event(ctx.session, person.id, EventInput(today, line_text(str(ctx.data.get("week_label", "")), line),
                                                             "weekly", line["mark"]), instance=ctx.instance)
