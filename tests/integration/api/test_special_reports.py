"""重要情况专报 (special_report) through the API and its pages: S1's 组织部 files; a 重大事项 goes
first to the group's 组织部部长, who must acknowledge within the pack's hours (SR-1) or the group
书记 gets a 督办; the group's 组织部 receives it and assigns the follow-up, which closes it. An
accepted 典型案例 goes on the people's 现实表现纪实 (SR-2). The list searches and exports; the
wrong people are refused."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tests.drivers import special_report as sr
from tests.flows import Flow
from tests.flows import at
from tests.web import login
from workflows.engine.clock import frozen_at

pytestmark = pytest.mark.usefixtures("frozen_clock")


def _audit(flow: Flow, case_id: int, action: str) -> list[dict[str, Any]]:
    from models import AuditEvent
    from webapp.extensions import db

    with flow.app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.instance_id == case_id,
                                                           AuditEvent.action == action)).all()
        found = [dict(r.payload or {}) for r in rows]
        db.session.remove()
    return found


def _notified(flow: Flow, case_id: int, username: str) -> list[str]:
    from models import Notification
    from models import User
    from webapp.extensions import db

    with flow.app.app_context():
        kinds = db.session.scalars(select(Notification.kind).join(User, User.id == Notification.user_id)
                                   .where(Notification.instance_id == case_id, User.username == username)).all()
        db.session.remove()
    return list(kinds)


def _events(flow: Flow) -> list[dict[str, Any]]:
    """罗兰's 现实表现纪实 events that a 专报 wrote."""
    items = flow.api(sr.OFFICER).get(f"/cadres/{sr.PERSON}/events").get_json()["items"]
    return [e for e in items if e["source"] == "special"]


def test_a_major_matter_is_acknowledged_in_time_received_and_followed_up_to_the_end(flow: Flow) -> None:
    case = sr.file(flow)
    assert case["number"].startswith("ZB-") and case["title"] == "【重大事项】炼钢厂发生一例确诊病例"
    data = flow.case(sr.OFFICER, case["id"])["data"]
    assert data["first_report"] is True and data["ack_hours"] == 4 and data["filing_unit"] == "钢铁股份公司党委"
    # the group's 组织部部长 has it at once, due four hours after filing (SR-1)
    item = flow.item(sr.HEAD, case["id"], "acknowledge")
    assert item["due_at"].startswith("2026-03-02T05:00") or "13:00" in item["due_at"]
    assert "task" in _notified(flow, case["id"], sr.HEAD)
    assert flow.tasks(sr.OFFICER, case["id"]) == ["acknowledge"]
    with frozen_at(at("2026-03-02 10:30")):
        flow.step(sr.HEAD, case["id"], "acknowledge", {"instructions": "立即上报集团防控办"})
        assert flow.worker() == 0
    with frozen_at(at("2026-03-02 14:00")):  # past the deadline: already done, nothing escalates
        flow.worker()
    assert _audit(flow, case["id"], "task.overdue") == []
    flow.step(sr.GROUP_OFFICER, case["id"], "receive", sr.assignment())
    assert flow.tasks(sr.OFFICER, case["id"]) == ["follow_up"]
    flow.step(sr.FOLLOWER, case["id"], "follow_up", {"result": "已完成流调，车间恢复生产", "done_on": "2026-03-02"})
    done = flow.case(sr.OFFICER, case["id"])
    assert done["status"] == "completed" and done["data"]["received_on"] == "2026-03-02"


def test_an_unacknowledged_major_matter_is_escalated_to_the_group_secretary(flow: Flow) -> None:
    case = sr.file(flow)["id"]
    with frozen_at(at("2026-03-02 12:59")):
        flow.worker()
    assert _audit(flow, case, "task.overdue") == [] and "escalation" not in _notified(flow, case, sr.SECRETARY)
    with frozen_at(at("2026-03-02 13:01")):
        assert flow.worker() >= 1
    overdue = _audit(flow, case, "task.overdue")
    assert [(o["task"], o["escalated_to"]) for o in overdue] == [("acknowledge", [sr.SECRETARY])]
    assert "escalation" in _notified(flow, case, sr.SECRETARY) and "overdue" in _notified(flow, case, sr.HEAD)
    assert flow.case(sr.SECRETARY, case)["id"] == case  # 抄送'd: the 书记 may open it
    with frozen_at(at("2026-03-02 13:05")):
        assert flow.worker() == 0  # once only
        flow.step(sr.HEAD, case, "acknowledge", {})
    assert flow.tasks(sr.OFFICER, case) == ["receive"]


def test_other_kinds_go_straight_to_the_group_office(flow: Flow) -> None:
    case = sr.file(flow, kind="cadre_selection", headline="拟提拔炼钢厂厂长人选")
    data = flow.case(sr.OFFICER, case["id"])["data"]
    assert data["first_report"] is False and data["ack_due_at"] is None
    assert flow.tasks(sr.OFFICER, case["id"]) == ["receive"]
    item = flow.item(sr.GROUP_OFFICER, case["id"], "receive")
    assert item["due_at"] is None


def test_an_accepted_typical_case_goes_on_the_persons_conduct_record(flow: Flow) -> None:
    other = sr.file(flow, kind="cadre_selection")["number"]
    case = sr.file(flow, kind="case_positive", headline="一线卡口连续值守", persons=[sr.PERSON],
                   related_cases=f"{other.lower()}，")
    assert flow.case(sr.OFFICER, case["id"])["data"]["case_numbers"] == [other]
    assert _events(flow) == []
    flow.step(sr.GROUP_OFFICER, case["id"], "receive", sr.assignment())
    events = _events(flow)
    assert [(e["source"], e["mark"], e["instance_id"]) for e in events] == [("special", "merit", case["id"])]
    assert case["number"] in events[0]["text"]
    negative = sr.file(flow, kind="case_negative", headline="卡口脱岗", persons=[sr.PERSON])
    flow.step(sr.GROUP_OFFICER, negative["id"], "receive", sr.assignment())
    marks = [e["mark"] for e in _events(flow)]
    assert sorted(marks) == ["issue", "merit"]


def test_the_group_office_may_return_a_report_to_the_filer(flow: Flow) -> None:
    case = sr.file(flow, kind="accountability", headline="问责情况")["id"]
    item = flow.item(sr.GROUP_OFFICER, case, "receive")
    response = flow.api(sr.GROUP_OFFICER).post(f"/tasks/{item['id']}/return",
                                                {"to": "initiator", "reason": "请补充处理依据"})
    assert response.status_code == 200, response.get_json()
    assert [i for i in flow.todo(sr.GROUP_OFFICER) if i["instance_id"] == case] == []
    resubmit = [i for i in flow.todo(sr.OFFICER) if i["instance_id"] == case]
    assert [i["task"] for i in resubmit] == ["start"]
    again = flow.api(sr.OFFICER).post(f"/tasks/{resubmit[0]['id']}/complete",
                                      {"data": sr.report(kind="accountability", headline="问责情况（补充依据）")})
    assert again.status_code == 200, again.get_json()
    assert flow.case(sr.OFFICER, case)["title"] == "【问责】问责情况（补充依据）"
    assert flow.tasks(sr.OFFICER, case) == ["receive"]


def test_filing_refusals(flow: Flow) -> None:
    assert flow.refused_start(sr.PROCESS, sr.OFFICER, sr.report(kind="case_negative"), "SR-2")
    body = flow.refused_start(sr.PROCESS, sr.OFFICER, sr.report(persons=["nobody"]), "SR-3")
    assert "nobody" in body["message"]
    body = flow.refused_start(sr.PROCESS, sr.OFFICER, sr.report(related_cases="ZB-2026-9999"), "SR-3")
    assert "ZB-2026-9999" in body["message"]
    assert sr.file(flow, occurred_on="2026-03-03", expect=422)["fields"]["occurred_on"]
    assert sr.file(flow, by="s1b1_02", expect=403)  # a branch member
    assert sr.file(flow, by=sr.GROUP_OFFICER, expect=403)  # the group itself does not file to itself
    case = sr.file(flow, kind="accountability")["id"]
    flow.refused(sr.GROUP_OFFICER, case, "receive", sr.assignment(follow_up_due="2026-03-01"), "SR-4")
    flow.refused(sr.GROUP_OFFICER, case, "receive", sr.assignment(follow_up_by="nobody"), "SR-4")
    item = flow.item(sr.GROUP_OFFICER, case, "receive")
    wrong = flow.api(sr.OFFICER).post(f"/tasks/{item['id']}/complete", {"data": sr.assignment()})
    assert wrong.status_code in (403, 404)
    flow.step(sr.GROUP_OFFICER, case, "receive", sr.assignment())
    flow.refused(sr.FOLLOWER, case, "follow_up", {"result": "完成", "done_on": "2026-03-01"}, "SR-4")
