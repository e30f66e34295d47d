"""`flask demo load` creates the organization and a case of every process in a different step."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskCliRunner
from sqlalchemy import func
from sqlalchemy import select

from models import ProcessInstance
from models import ReserveMeasure
from models import ReservePoolEntry
from models import WorkItem
from models import WorkItemStatus
from tests.flows import at
from webapp.extensions import db
from workflows.engine.clock import frozen_at


def test_demo_load_gives_every_process_real_work_in_todo(app: Any, runner: FlaskCliRunner) -> None:
    with frozen_at(at("2026-03-02 09:00")):
        result = runner.invoke(args=["demo", "load", "--password", "demo-pass-123"])
    assert result.exit_code == 0, result.output
    assert "演示案件 18 件" in result.output
    with app.app_context():
        cases = db.session.scalars(select(ProcessInstance)).all()
        assert {c.definition.key for c in cases} == {"cadre_promotion", "accountability", "party_admission",
                                                       "dues_allocation", "dues_topup", "party_probation",
                                                       "reserve_nomination", "weekly_report", "commendation",
                                                       "annual_assessment", "special_report"}
        # the one case done is 钢铁's 周报 of last week, accepted by the group (workflows/demo/weekly.py)
        assert [c.definition.key for c in cases if c.status != "running"] == ["weekly_report"]
        [due] = [c for c in cases if c.definition.key == "party_probation"]  # 常青's 预备期 is over
        assert (due.title, due.data["started_by_timer"], due.data["track"]) == ("常青预备党员转正", True, "fast_a")
        open_tasks = {(i.instance.definition.key, i.task_name) for i in db.session.scalars(
            select(WorkItem).where(WorkItem.status == WorkItemStatus.OPEN))}
    assert open_tasks == {
        ("cadre_promotion", "deliberation"), ("accountability", "start_approval"), ("accountability", "defence"),
        ("party_admission", "branch_meeting"), ("party_admission", "branch_review"),
        ("dues_allocation", "receive_plan"), ("dues_topup", "committee_decision"),
        ("party_probation", "application"), ("reserve_nomination", "department_review"),
        ("weekly_report", "fill"), ("weekly_report", "confirm"), ("weekly_report", "review"),
        ("commendation", "nomination"),
        ("annual_assessment", "proposal"),
        ("special_report", "acknowledge"),  # a 重大事项 waiting for the group 组织部部长
    }
    with app.app_context():  # the 后备干部库: three entries with their 培养措施
        pool = db.session.scalars(select(ReservePoolEntry)).all()
        assert sorted(e.target_post for e in pool) == ["医务部主任", "炼钢厂副厂长", "矿业公司总经理助理"]
        assert db.session.scalar(select(func.count()).select_from(ReserveMeasure)) == 4
    again = runner.invoke(args=["demo", "load", "--once"])
    assert again.exit_code == 0 and "未重复导入" in again.output
