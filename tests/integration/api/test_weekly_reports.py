"""周报 (weekly_report) through the API: the group sets the schedule, the timer worker opens one
report per subsidiary and week listing its 班子成员, the unit's 组织部 fills it, its 书记 confirms,
the group's 组织部 reviews; 已报 / 迟报 / 漏报 / 待报 by the deadline (injected clock), the 漏报
reminder and escalation, 督导 records, and the accepted 先进 / 问题 lines on the 现实表现纪实."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlalchemy import select

from models import AuditEvent
from models import Notification
from models import User
from models import WeeklyReport
from tests.drivers import weekly as wk
from tests.flows import Flow
from tests.flows import at
from webapp.extensions import db
from workflows.engine.clock import frozen_at

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.clock("2026-11-30 09:00")]


def _count(flow: Flow, query: object) -> int:
    with flow.app.app_context():
        value = db.session.scalar(query)  # type: ignore[call-overload]
        db.session.remove()
        return int(value or 0)


def test_nothing_opens_until_the_group_sets_a_schedule(flow: Flow) -> None:
    flow.worker()
    assert _count(flow, select(func.count()).select_from(WeeklyReport)) == 0
    assert flow.api(wk.GROUP).get("/weekly-schedule").get_json()["active"] is False


def test_only_the_group_organization_department_sets_the_schedule(flow: Flow) -> None:
    assert flow.api("s1_03").put("/weekly-schedule", wk.SCHEDULE).status_code == 403
    bad = flow.api(wk.GROUP_HEAD).put("/weekly-schedule", {**wk.SCHEDULE, "due_weekday": 9})
    assert bad.status_code in (400, 422)
    wrong = flow.api(wk.GROUP_HEAD).put("/weekly-schedule", {**wk.SCHEDULE, "units": ["S1B1"]})
    assert wrong.status_code == 422 and "S1B1" in wrong.get_json()["fields"]["units"][0]
    assert wk.set_schedule(flow, units=["S1", "S2"])["units"] == ["S1", "S2"]
    with flow.app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "weekly.schedule")).one()
        assert event.payload["after"]["units"] == ["S1", "S2"] and event.payload["before"]["active"] is False
        db.session.remove()
    flow.worker()
    assert sorted(wk.statuses(flow)) == ["S1", "S2"]


def test_the_worker_opens_one_report_per_unit_listing_its_leadership_team(flow: Flow) -> None:
    wk.set_schedule(flow)
    flow.worker()
    flow.worker()  # a second pass (or a restarted worker) opens nothing more
    assert wk.statuses(flow) == {"S1": "pending", "S2": "pending", "S3": "pending"}
    assert _count(flow, select(func.count()).select_from(WeeklyReport)) == 3
    case = flow.case(wk.OFFICERS["S1"], wk.case_of(flow, "S1"))
    assert case["title"] == "钢铁股份公司党委2026年第49周（11月30日—12月6日）班子成员周报"
    assert [line["member"] for line in case["data"]["lines"]] == ["s1_01", "s1_02", "s1_06", "s1_07", "s1_08"]
    assert case["data"]["due_at"] == "2026-12-04 18:00+08:00"
    assert [(w["task"], w["assignee"]) for w in case["work_items"]] == [("fill", "s1_03")]
    assert case["work_items"][0]["due_at"].startswith("2026-12-04T18:00:00+08:00")


def test_a_report_cannot_be_started_by_hand(flow: Flow) -> None:
    wk.set_schedule(flow)
    body = flow.start("weekly_report", "s1_03", {"unit": "S1", "week": wk.WEEK, "lines": [{"member": "s1_06"}]},
                      expect=403)
    assert "不能手工发起" in body["message"]
    flow.worker()
    again = flow.start("weekly_report", "s1_03", {"unit": "S1", "week": wk.WEEK, "lines": [{"member": "s1_06"}]},
                       expect=403)
    assert "不能手工发起" in again["message"]


def test_reports_are_on_time_late_missing_or_pending_by_the_deadline(flow: Flow) -> None:
    wk.set_schedule(flow)
    flow.worker()
    with frozen_at(at("2026-12-02 10:00")):
        wk.report(flow, "S1")
        assert wk.statuses(flow) == {"S1": "on_time", "S2": "pending", "S3": "pending"}
    with frozen_at(at("2026-12-04 18:30")):
        assert wk.statuses(flow) == {"S1": "on_time", "S2": "missing", "S3": "missing"}
        flow.worker()
        flow.worker()
        with flow.app.app_context():
            missing = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "weekly.missing")
                                         .order_by(AuditEvent.id)).all()
            assert sorted(e.payload["unit"] for e in missing) == ["S2", "S3"]  # each once
            assert set(missing[0].payload["escalated_to"]) == {"lihua", "zhaomin", "sunli"}
            told = set(db.session.scalars(select(User.username).join(Notification, Notification.user_id == User.id)
                                          .where(Notification.title.startswith("漏报提醒"))))
            assert told == {"s2_01", "s2_03", "s3_01", "s3_03"}
            db.session.remove()
    with frozen_at(at("2026-12-05 09:00")):
        wk.report(flow, "S2")
        assert wk.statuses(flow) == {"S1": "on_time", "S2": "late", "S3": "missing"}
    # the deadline machinery reminded S3's 组织部 on the last day and escalated to the group at 18:00
    kinds = {(kind, user) for kind, _, user, _ in flow.notices(wk.case_of(flow, "S3"))}
    assert {("due_soon", "s3_03"), ("overdue", "s3_03"), ("escalation", "zhaomin")} <= kinds


def test_the_deadline_moves_off_a_holiday_to_the_last_working_day_before_it(flow: Flow) -> None:
    # 2026-10-01…07 国庆 holidays; the week of Monday 2026-09-28 falls due on Wednesday 09-30
    wk.set_schedule(flow)
    with frozen_at(at("2026-09-28 09:00")):
        flow.worker()
        case = flow.case(wk.OFFICERS["S1"], wk.case_of(flow, "S1"))
    assert case["data"]["due_at"] == "2026-09-30 18:00+08:00"


def test_accepted_lines_marked_merit_or_issue_go_on_the_members_records(flow: Flow) -> None:
    wk.set_schedule(flow)
    flow.worker()
    wk.report(flow, "S1", {"s1_06": "merit", "s1_07": "issue"})
    case = wk.case_of(flow, "S1")
    assert flow.api("s1_07").get("/cadres/s1_07/events").status_code in (403, 404)
    flow.step(wk.GROUP, case, "review", {"decision": "accept"})
    assert flow.case(wk.GROUP, case)["status"] == "completed"
    events = [e for e in flow.api("s1_03").get("/cadres/s1_07/events").get_json()["items"] if e["instance_id"] == case]
    assert [(e["source"], e["mark"], e["by_process"]) for e in events] == [("weekly", "issue", True)]
    assert "2026年第49周" in events[0]["text"] and "包保炼钢厂复工复产" in events[0]["text"]
    merit = flow.api("s1_03").get("/cadres/s1_06/events").get_json()["items"]
    assert [(e["mark"], e["instance_id"]) for e in merit if e["source"] == "weekly"] == [("merit", case)]
    neutral = flow.api("s1_03").get("/cadres/s1_08/events").get_json()["items"]
    assert [e for e in neutral if e["instance_id"] == case] == []  # 一般: not recorded


def test_the_secretary_or_the_group_may_send_a_report_back(flow: Flow) -> None:
    wk.set_schedule(flow)
    flow.worker()
    case = wk.case_of(flow, "S1")
    wk.fill(flow, "S1")
    flow.step("s1_01", case, "confirm", {"decision": "return"}, comment="请补充包保情况")
    assert flow.tasks("s1_03", case) == ["fill"] and wk.statuses(flow)["S1"] == "pending"
    wk.report(flow, "S1")
    flow.step(wk.GROUP, case, "review", {"decision": "return"}, comment="作用发挥写具体")
    assert flow.tasks("s1_03", case) == ["fill"]
    filled = wk.lines(flow, "S1")
    with frozen_at(at("2026-12-07 09:00")):  # re-sent after the deadline: it was reported in time
        flow.step("s1_03", case, "fill", {"lines": filled})
        flow.step("s1_01", case, "confirm", {"decision": "confirm"})
        flow.step(wk.GROUP, case, "review", {"decision": "accept"})
    assert wk.statuses(flow)["S1"] == "on_time"


def test_the_group_opens_a_supervision_on_a_late_or_missing_report(flow: Flow) -> None:
    wk.set_schedule(flow)
    flow.worker()
    wk.report(flow, "S1")
    on_time = wk.cell(flow, "S1")["report_id"]
    missing = wk.cell(flow, "S3")["report_id"]
    assert flow.api(wk.GROUP).post(f"/weekly-reports/{missing}/supervisions", {"reason": "未报"}).status_code == 422
    with frozen_at(at("2026-12-05 09:00")):
        assert flow.api("s3_03").post(f"/weekly-reports/{missing}/supervisions", {"reason": "x"}).status_code == 403
        refused = flow.api(wk.GROUP).post(f"/weekly-reports/{on_time}/supervisions", {"reason": "抽查"})
        assert refused.status_code == 422
        made = flow.api(wk.GROUP).post(f"/weekly-reports/{missing}/supervisions", {"reason": "第49周漏报，请说明原因"})
        assert made.status_code == 201
        shown = flow.api(wk.GROUP).get(f"/weekly-reports/{missing}").get_json()
        assert shown["status"] == "missing" and [s["reason"] for s in shown["supervisions"]] == ["第49周漏报，请说明原因"]
    with flow.app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "weekly.supervision")).one()
        assert event.payload["unit"] == "S3" and event.payload["status"] == "missing"
        db.session.remove()


def test_the_matrix_is_for_the_group_organization_department(flow: Flow) -> None:
    wk.set_schedule(flow)
    flow.worker()
    for username in ("s1_03", "s1_01", "wangjianguo"):
        assert flow.api(username).get("/weekly-reports").status_code == 403
    assert flow.api("zhengyun").get("/weekly-reports").status_code == 200  # 审计
    report = wk.cell(flow, "S1")["report_id"]
    assert flow.api("s1_03").get(f"/weekly-reports/{report}").status_code == 200  # its own unit's
    assert flow.api("s2_03").get(f"/weekly-reports/{report}").status_code == 403
    body = wk.matrix(flow, weeks=3)
    assert body["weeks"] == ["2026-W49", "2026-W48", "2026-W47"]
    assert [c["status"] for c in body["items"][0]["cells"]] == ["pending", "none", "none"]


def test_the_demo_has_reports_in_every_state(flow: Flow) -> None:
    from workflows.demo import cases as demo_cases

    with flow.app.app_context():
        demo_cases.seed(db.session, demo_cases.DEMO_SCENES)
        db.session.commit()
        db.session.remove()
    body = wk.matrix(flow, weeks=2)
    assert {row["unit"]: [c["status"] for c in row["cells"]] for row in body["items"]} == {
        "S1": ["pending", "on_time"], "S2": ["pending", "late"], "S3": ["pending", "missing"]}
    assert [i["task"] for i in flow.todo(wk.GROUP) if i["title"] == "集团组织部审核"] == ["review"]  # 矿业's late one
    assert flow.tasks("s1_01", wk.case_of(flow, "S1")) == ["confirm"]
