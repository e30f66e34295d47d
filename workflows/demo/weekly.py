"""The demo's 周报: the group's schedule (open Monday, due Sunday 23:00, every subsidiary — so
this week's reports are 待报 whichever day the demo is loaded) and two
weeks of reports in every state — last week 钢铁 已报 and accepted (a 先进 and a 问题 line on the
members' 现实表现纪实), 矿业 迟报 waiting for the group's review (`zhaomin`), 医院 漏报 still to fill;
this week every unit 待报 (opened as the timer worker does), 钢铁's filled and waiting for its 书记.
Last week is played at its own times with the injectable clock, through the same services."""

from __future__ import annotations

from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from models import WeeklyReport
from workflows import accounts
from workflows.engine import clock
from workflows.weekly import opening
from workflows.weekly import schedule

WORK = {"baobao": "包保分管单位复工复产和疫情防控", "production": "生产经营稳定运行，重点项目按计划推进",
        "role_played": "靠前指挥，深入一线解决实际问题"}
MARKS = {"s1_06": "merit", "s1_07": "issue"}


def _at(day: Any, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), clock.SHANGHAI)


def _case(s: Any, unit: str, monday: Any) -> Any:
    from models import OrgUnit
    from models import ProcessInstance

    unit_id = s.session.scalars(select(OrgUnit.id).where(OrgUnit.code == unit)).one()
    report = s.session.scalars(select(WeeklyReport).where(WeeklyReport.unit_id == unit_id,
                                                          WeeklyReport.week_start == monday)).one()
    return s.session.get(ProcessInstance, report.instance_id)


def _fill(s: Any, case: Any, officer: str, marks: dict[str, str] | None = None) -> None:
    lines = [{**line, **WORK, "mark": (marks or {}).get(line["member"], "neutral")} for line in case.data["lines"]]
    s.step(case, officer, "fill", {"lines": lines, "summary": "本周班子成员履职正常"})


def weekly(s: Any) -> None:
    """See the module docstring; `s` is the demo's Seeder."""
    head = accounts.find_user(s.session, "lihua")
    schedule.update(s.session, head, {"active": True, "open_weekday": 0, "due_weekday": 6, "due_hour": 23})
    monday = schedule.week_start(s.today)
    last = monday - timedelta(days=7)
    with clock.frozen_at(_at(last, 9)):
        opening.open_due(s.session)
    with clock.frozen_at(_at(last + timedelta(days=2), 10)):
        steel = _case(s, "S1", last)
        _fill(s, steel, "s1_03", MARKS)
        s.step(steel, "s1_01", "confirm", {"decision": "confirm"})
        s.step(steel, "zhaomin", "review", {"decision": "accept"})
    with clock.frozen_at(_at(last + timedelta(days=6), 23) + timedelta(minutes=10)):
        opening.mark_missing(s.session)
    with clock.frozen_at(_at(last + timedelta(days=6), 23) + timedelta(minutes=40)):
        mining = _case(s, "S2", last)
        _fill(s, mining, "s2_03")
        s.step(mining, "s2_01", "confirm", {"decision": "confirm"}, "周日晚加班，未能按时上报")
    opening.open_due(s.session)
    _fill(s, _case(s, "S1", monday), "s1_03")
