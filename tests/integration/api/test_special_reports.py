"""重要情况专报 (special_report) through the API and its pages: S1's 组织部 files; a 重大事项 goes
first to the group's 组织部部长, who must acknowledge within the pack's hours (SR-1) or the group
书记 gets a 督办; the group's 组织部 receives it and assigns the follow-up, which closes it. An
accepted 典型案例 goes on the people's 现实表现纪实 (SR-2). The list searches and exports; the
wrong people are refused."""

from __future__ import annotations

import io
import re
from datetime import datetime
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
    assert case["number"].startswith("ZX-") and case["title"] == "【重大事项】炼钢厂发生一例确诊病例"
    data = flow.case(sr.OFFICER, case["id"])["data"]
    assert data["first_report"] is True and data["ack_hours"] == 4 and data["filing_unit"] == "钢铁股份公司党委"
    # the group's 组织部部长 has it at once, due four hours after filing (SR-1)
    item = flow.item(sr.HEAD, case["id"], "acknowledge")
    assert datetime.fromisoformat(item["due_at"]) == at("2026-03-02 13:00")
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


@pytest.mark.clock("2026-03-02 22:00")
def test_a_major_matter_filed_at_night_is_due_before_dawn_and_gets_no_reminder_after_it(flow: Flow) -> None:
    case = sr.file(flow)["id"]
    with frozen_at(at("2026-03-03 02:00")):
        assert flow.worker() == 1
    with frozen_at(at("2026-03-03 09:30")):
        assert flow.worker() == 0
    assert flow.notices(case) == [("overdue", "acknowledge", sr.HEAD, "2026-03-03 02:00"),
                                  ("escalation", "acknowledge", sr.SECRETARY, "2026-03-03 02:00")]


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
    record = login(flow.app, sr.OFFICER).page(f"/cadres/{sr.PERSON}")  # the person's 干部信息 page
    assert "一线卡口连续值守" in record and case["number"] in record
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
    body = flow.refused_start(sr.PROCESS, sr.OFFICER, sr.report(related_cases="ZX-2026-9999"), "SR-3")
    assert "ZX-2026-9999" in body["message"]
    assert sr.file(flow, occurred_on="2026-03-03", expect=422)["fields"]["occurred_on"]
    assert sr.file(flow, by="s1b1_02", expect=403)  # a branch member
    assert sr.file(flow, by=sr.GROUP_OFFICER, expect=403)  # the group itself does not file to itself
    case = sr.file(flow, kind="accountability")["id"]
    flow.refused(sr.GROUP_OFFICER, case, "receive", sr.assignment(follow_up_due="2026-03-01"), "SR-4")
    flow.refused(sr.GROUP_OFFICER, case, "receive", sr.assignment(follow_up_by="nobody"), "SR-4")
    item = flow.item(sr.GROUP_OFFICER, case, "receive")
    wrong = flow.api(sr.OFFICER).post(f"/tasks/{item['id']}/complete", {"data": sr.assignment()})
    assert wrong.status_code in (403, 404)
    major = sr.file(flow)["id"]
    ack = flow.item(sr.HEAD, major, "acknowledge")
    for other in (sr.GROUP_OFFICER, sr.OFFICER, "s1_02"):  # only the group's 组织部部长 acknowledges
        assert flow.api(other).post(f"/tasks/{ack['id']}/complete", {"data": {}}).status_code in (403, 404)
    flow.step(sr.GROUP_OFFICER, case, "receive", sr.assignment())
    flow.refused(sr.FOLLOWER, case, "follow_up", {"result": "完成", "done_on": "2026-03-01"}, "SR-4")


def _three_reports(flow: Flow) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """S1's 重大事项 (waiting), S1's 典型案例 about 罗兰 filed the next day, S2's 问责 (closed)."""
    major = sr.file(flow)
    with frozen_at(at("2026-03-03 09:00")):
        typical = sr.file(flow, kind="case_positive", headline="一线卡口连续值守", persons=[sr.PERSON],
                          related_cases=major["number"], occurred_on="2026-03-03")
        other = sr.file(flow, by="s2_03", kind="accountability", headline="运输部问责情况", occurred_on="2026-03-03",
                        content="运输部两名干部防控履职不力，已予诫勉")
        flow.step(sr.GROUP_OFFICER, other["id"], "receive", sr.assignment())
        flow.step(sr.FOLLOWER, other["id"], "follow_up", {"result": "已约谈", "done_on": "2026-03-03"})
    return major, typical, other


def _numbers(html: str) -> list[str]:
    return re.findall(r'data-report="\d+">\s*<td class="nowrap"><a href="[^"]+">([^<]+)</a>', html)


def test_the_list_searches_by_kind_unit_dates_and_text_and_exports_csv(flow: Flow) -> None:
    major, typical, other = _three_reports(flow)
    group = login(flow.app, sr.GROUP_OFFICER)
    assert _numbers(group.page("/special-reports")) == [other["number"], typical["number"], major["number"]]
    assert _numbers(group.page("/special-reports?kind=major")) == [major["number"]]
    assert _numbers(group.page("/special-reports?unit=S2")) == [other["number"]]
    assert _numbers(group.page("/special-reports?since=2026-03-03&until=2026-03-03")) == [other["number"],
                                                                                         typical["number"]]
    assert _numbers(group.page("/special-reports?until=2026-03-02")) == [major["number"]]
    assert _numbers(group.page("/special-reports?q=罗兰")) == [typical["number"]]
    assert _numbers(group.page("/special-reports?q=履职不力")) == [other["number"]]  # the content
    assert _numbers(group.page(f"/special-reports?q={major['number']}")) == [typical["number"], major["number"]]
    assert _numbers(group.page("/special-reports?status=open")) == [typical["number"], major["number"]]
    assert _numbers(group.page("/special-reports?status=closed&kind=accountability")) == [other["number"]]
    assert group.get("/special-reports?since=2026-13-01").status_code == 422
    csv = group.get("/special-reports/export.csv?unit=S1").get_data(as_text=True)
    lines = csv.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("编号,类别,标题,报送单位") and len(lines) == 3
    assert major["number"] in lines[2] and "是" in lines[2] and "罗兰" in lines[1]
    # the filing unit sees its own only
    s1 = login(flow.app, sr.OFFICER)
    assert _numbers(s1.page("/special-reports")) == [typical["number"], major["number"]]
    assert other["number"] not in s1.get("/special-reports/export.csv").get_data(as_text=True)


def test_a_report_page_links_its_people_and_cases_and_the_dashboard_shows_the_open_ones(flow: Flow) -> None:
    major, typical, other = _three_reports(flow)
    group = login(flow.app, sr.GROUP_OFFICER)
    html = group.page(f"/special-reports/{typical['id']}")
    assert f'href="/cadres/{sr.PERSON}" data-person="{sr.PERSON}">罗兰</a>' in html
    assert f'href="/cases/{major["id"]}" data-case="{major["number"]}"' in html
    assert f'href="/cases/{typical["id"]}"' in html  # the case itself: 待办, audit, attachments
    board = login(flow.app, sr.HEAD).page("/")
    assert 'id="board-special-reports"' in board and "待部长确认 1" in board
    assert major["number"] in board and typical["number"] in board and other["number"] not in board
    assert 'id="board-special-reports"' not in login(flow.app, "s1b1_02").page("/")


def test_the_wrong_people_are_refused_the_pages(flow: Flow) -> None:
    major, _, other = _three_reports(flow)
    member = login(flow.app, "s1b1_02")
    assert member.get("/special-reports").status_code == 403
    assert member.get("/special-reports/export.csv").status_code == 403
    assert member.get(f"/special-reports/{major['id']}").status_code in (403, 404)
    s2 = login(flow.app, "s2_03")
    assert s2.get(f"/special-reports/{major['id']}").status_code in (403, 404)
    assert s2.get(f"/special-reports/{other['id']}").status_code == 200
    assert login(flow.app, sr.GROUP_OFFICER).get("/special-reports/999999").status_code == 404


def test_a_report_is_filed_through_the_start_page_with_an_attachment(flow: Flow) -> None:
    web = login(flow.app, sr.OFFICER)
    assert 'name="kind"' in web.page("/start/special_report")
    response = web.post("/start/special_report", {
        "kind": "major", "headline": "热轧厂停产", "occurred_on": "2026-03-02", "content": "设备故障停产",
        "persons": sr.PERSON, "related_cases": "", "attachments": (io.BytesIO(b"%PDF-1.4 x"), "情况报告.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    case = int(response.headers["Location"].rsplit("/", 1)[1])
    head = login(flow.app, sr.HEAD)
    assert "【重大事项】热轧厂停产" in head.page("/special-reports")
    page = head.page(f"/special-reports/{case}")
    link = re.search(r'href="(/attachments/\d+)">情况报告.pdf</a>', page)
    assert link
    download = head.get(link.group(1))
    assert download.status_code == 200 and download.data == b"%PDF-1.4 x"
    download.close()
    assert flow.item(sr.HEAD, case, "acknowledge")


def _listed(flow: Flow, user: str, query: str = "") -> list[str]:
    response = flow.api(user).get(f"/special-reports{query}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["total"] >= len(body["items"])
    return [row["number"] for row in body["items"]]


def test_the_api_lists_searches_and_shows_the_reports_its_caller_oversees(flow: Flow) -> None:
    major, typical, other = _three_reports(flow)
    assert _listed(flow, sr.GROUP_OFFICER) == [other["number"], typical["number"], major["number"]]
    assert _listed(flow, sr.GROUP_OFFICER, "?kind=major") == [major["number"]]
    assert _listed(flow, sr.GROUP_OFFICER, "?unit=S2") == [other["number"]]
    assert _listed(flow, sr.GROUP_OFFICER, "?since=2026-03-03&until=2026-03-03") == [other["number"], typical["number"]]
    assert _listed(flow, sr.GROUP_OFFICER, "?q=罗兰") == [typical["number"]]
    assert _listed(flow, sr.GROUP_OFFICER, "?status=closed") == [other["number"]]
    assert _listed(flow, sr.OFFICER) == [typical["number"], major["number"]]  # the filing unit: its own
    page = flow.api(sr.GROUP_OFFICER).get("/special-reports?limit=1&offset=1").get_json()
    assert page["total"] == 3 and [r["number"] for r in page["items"]] == [typical["number"]]
    [row] = flow.api(sr.HEAD).get("/special-reports?kind=major").get_json()["items"]
    assert row["awaiting_ack"] is True and row["unit"] == "S1" and row["kind_label"] == "重大事项"
    assert row["title"] == major["title"] and row["status"] == "running"

    shown = flow.api(sr.GROUP_OFFICER).get(f"/special-reports/{typical['id']}").get_json()
    assert shown["report"]["number"] == typical["number"]
    assert shown["persons"] == [{"username": sr.PERSON, "name": "罗兰"}]
    assert [(c["number"], c["id"]) for c in shown["cases"]] == [(major["number"], major["id"])]
    assert shown["data"]["kind"] == "case_positive" and shown["initiator"] and shown["files"] == []


def test_the_api_refuses_bad_searches_and_the_wrong_people(flow: Flow) -> None:
    major, _, other = _three_reports(flow)
    group = flow.api(sr.GROUP_OFFICER)
    for query, field in (("?since=2026-13-01", "since"), ("?kind=nonsense", "kind"), ("?status=x", "status"),
                         ("?until=2026-03-01&since=2026-03-02", "until"), ("?colour=red", "colour"),
                         ("?until=", "until"), ("?kind=", "kind")):
        response = group.get(f"/special-reports{query}")
        assert response.status_code == 422 and field in response.get_json()["fields"], (query, response.get_json())
    assert group.get("/special-reports?limit=0").status_code == 400
    assert group.get("/special-reports?q=" + "长" * 101).status_code == 422
    member = flow.api("s1b1_02")  # oversees no unit
    assert member.get("/special-reports").status_code == 403
    assert member.get(f"/special-reports/{major['id']}").status_code in (403, 404)
    s2 = flow.api("s2_03")
    assert s2.get(f"/special-reports/{major['id']}").status_code in (403, 404)
    assert s2.get(f"/special-reports/{other['id']}").status_code == 200
    assert group.get("/special-reports/999999").status_code == 404
