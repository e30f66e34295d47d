"""预备党员转正 (party_probation) through the API: started by the timer when the 预备期 of an
admission ends, 按期转正 makes a full member whom rosters and the 介绍人 check then count; an
extension once, the second refused (C-C15), then 取消预备党员资格; the register and its CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from models import User
from tests.drivers import admission as adm
from tests.drivers import probation as pro
from tests.flows import Flow
from tests.flows import at
from tests.integration.documents.conftest import download
from tests.integration.documents.conftest import flat
from tests.integration.documents.conftest import pdf_text
from workflows.engine.clock import frozen_at


def _status(flow: Flow, username: str) -> str:
    from webapp.extensions import db

    with flow.app.app_context():
        status = db.session.scalars(select(User.member_status).where(User.username == username)).one()
        db.session.remove()
        return status


def _register(flow: Flow, username: str = "zhengyun") -> dict[str, dict[str, Any]]:
    body = flow.api(username).get("/probation-register").get_json()
    assert body["total"] == len(body["items"])
    return {row["username"]: row for row in body["items"]}


def _admit_he_peng(flow: Flow) -> int:
    """贺鹏 (s3b1_15) admitted on the fast track: 支部大会 2020-02-21, approved 2020-02-24, sworn in."""
    with frozen_at(at("2020-02-20 09:00")):
        case = adm.start(flow)["id"]
        adm.to_branch_meeting(flow, case)
    with frozen_at(at("2020-02-21 20:00")):
        flow.step(adm.SECRETARY, case, "branch_meeting", {"meeting": adm.BRANCH_MEETING})
    with frozen_at(at("2020-02-24 15:00")):
        flow.step(adm.OFFICER, case, "approval_talk", {"talk_by": "s3_06", "talk_date": "2020-02-22"})
        adm.approve(flow, case)
        flow.step("sunli", case, "filing", {"filed_on": "2020-02-24"})
        flow.step(adm.SECRETARY, case, "oath",
                  {"oath_date": "2020-02-24", "mode": "video", "led_by": "s3b1_01", "participants": ["s3b1_15"]})
    return case


def test_the_timer_starts_the_confirmation_and_the_new_full_member_counts_everywhere(flow: Flow, web: Any) -> None:
    admission = _admit_he_peng(flow)
    row = _register(flow)["s3b1_15"]
    assert (row["track"], row["admitted_on"], row["approved_on"], row["oath_on"]) == (
        "fast_a", "2020-02-21", "2020-02-24", "2020-02-24")
    assert (row["probation_ends_on"], row["outcome"], row["member_status"]) == ("2021-02-21", "pending", "probationary")
    with frozen_at(at("2021-02-21 23:00")):  # the last day of the 预备期: nothing yet
        assert flow.worker() == 0
        assert not [i for i in flow.todo("s3b1_15") if i["task"] == "application"]
    with frozen_at(at("2021-02-22 00:00:01")):
        assert flow.worker() == 1  # the admission's 预备期 timer; then the 转正 case is started
        assert flow.case(adm.SECRETARY, admission)["status"] == "completed"
        [application] = [i for i in flow.todo("s3b1_15") if i["task"] == "application"]
        case = application["instance_id"]
        started = flow.case(pro.SECRETARY, case)
        assert (started["title"], started["number"][:8]) == ("贺鹏预备党员转正", "ZZ-2021-")
        data = started["data"]
        assert (data["admitted_on"], data["probation_until"], data["track"], data["oath_on"]) == (
            "2020-02-21", "2021-02-21", "fast_a", "2020-02-24")
        assert data["started_by_timer"] is True and data["extended"] is False
        assert flow.worker() == 0 and len([i for i in flow.todo("s3b1_15") if i["task"] == "application"]) == 1
        # 白洁 (s3b1_14) is proposed; 贺鹏 is still a 预备党员 and may not introduce her (C-C5)
        other = adm.start(flow, applicant="s3b1_14", activist_since="2020-06-01", application_date="2020-03-01",
                          proposed_on="2021-02-22")["id"]
        flow.step(adm.SECRETARY, other, "branch_review", {"decision": "agree"})
        vetting = {"introducers": ["s3b1_02", "s3b1_15"], "political_review": "pass"}
        body = flow.refused(adm.SECRETARY, other, "vetting", vetting, "C-C5")
        assert "贺鹏不是正式党员" in body["message"]
        pro.apply(flow, case, "2021-02-22", member="s3b1_15")
    with frozen_at(at("2021-02-23 19:00")):
        roster = flow.case(pro.SECRETARY, case)["data"]["meeting_roster"]
        assert (roster["full"], roster["probationary"]) == (10, 3)  # 贺鹏 attends without a vote
        body = flow.step(pro.SECRETARY, case, "branch_meeting", pro.branch_meeting("2021-02-23"))
        assert body["instance"]["data"]["meeting_outcome"] == "adopted"
        assert [w["task"] for w in body["instance"]["work_items"]] == ["committee_approval"]
    with frozen_at(at("2021-02-25 10:00")):
        body = pro.approve(flow, case, "2021-02-25")
        done = body["instance"]
        assert (done["status"], done["data"]["outcome_text"]) == ("completed", "按期转正")
        assert (done["data"]["confirmed_on"], done["data"]["member_status"]) == ("2021-02-21", "full")
        assert _status(flow, "s3b1_15") == "full"
        # now a full member: he may introduce 白洁 …
        flow.step(adm.SECRETARY, other, "vetting", vetting)
    with frozen_at(at("2021-02-26 10:00")):
        # … and he votes: the next 支部大会 of the branch counts 11 full members
        later = pro.start(flow, admitted_on="2020-02-10")["id"]
        pro.apply(flow, later, "2021-02-26")
        roster = flow.case(pro.SECRETARY, later)["data"]["meeting_roster"]
        assert (roster["full"], roster["probationary"]) == (11, 2)
        assert "s3b1_15" in [m["username"] for m in roster["members"]]
    row = _register(flow)["s3b1_15"]
    assert (row["outcome"], row["confirmed_on"], row["decided_on"], row["member_status"]) == (
        "confirmed", "2021-02-21", "2021-02-25", "full")
    assert row["probation_instance_id"] == case and row["admission_instance_id"] == admission


def test_an_extension_is_granted_once_then_the_membership_is_cancelled(flow: Flow, web: Any) -> None:
    with frozen_at(at("2026-03-02 09:00")):
        case = pro.start(flow, admitted_on="2025-02-20")
        assert (case["data"]["probation_until"], case["data"]["track"]) == ("2026-02-20", "unknown")
        case = case["id"]
        assert [w["candidates"] for w in flow.case(pro.SECRETARY, case)["work_items"]] == [[pro.MEMBER]]
        pro.apply(flow, case, "2026-02-25")
        for months in (5, 13):
            body = flow.refused(pro.SECRETARY, case, "branch_meeting",
                                pro.branch_meeting("2026-03-02", "extend", extension_months=months, reason="需继续考察"),
                                "C-C15")
            assert body["fields"] == {"extension_months": [body["message"]]} or "extension_months" in body["fields"]
        flow.refused(pro.SECRETARY, case, "branch_meeting",
                     pro.branch_meeting("2026-03-02", "extend", extension_months=6), "C-C15")  # no reason
        flow.step(pro.SECRETARY, case, "branch_meeting",
                  pro.branch_meeting("2026-03-02", "extend", extension_months=6, reason="理论学习不够扎实，需继续考察"))
        body = pro.approve(flow, case, "2026-03-02")
        running = body["instance"]
        assert running["status"] == "running" and running["work_items"] == []
        assert running["timers"] == [{"task": "extension_timer", "due_at": "2026-08-21T00:00:00+08:00"}]
        assert (running["data"]["probation_until"], running["data"]["extended"]) == ("2026-08-20", True)
        assert _status(flow, pro.MEMBER) == "probationary"
        row = _register(flow)[pro.MEMBER]
        assert (row["outcome"], row["extended_months"], row["probation_ends_on"], row["track"]) == (
            "extended", 6, "2026-08-20", "unknown")
    with frozen_at(at("2026-08-21 00:00:01")):
        assert flow.worker() == 1  # the extended 预备期 is over: the member applies again
        assert flow.tasks(pro.SECRETARY, case) == ["application"]
        pro.apply(flow, case, "2026-08-21")
        meeting_item = flow.item(pro.SECRETARY, case, "branch_meeting")
        assert meeting_item["due_at"] == "2026-11-21T00:00:00+08:00"  # C-C14: three months after 2026-08-20
        body = flow.refused(pro.SECRETARY, case, "branch_meeting",
                            pro.branch_meeting("2026-08-21", "extend", extension_months=6, reason="再考察"), "C-C15")
        assert "已延长过一次" in body["message"]
        flow.step(pro.SECRETARY, case, "branch_meeting", pro.branch_meeting("2026-08-21", "cancel"), expect=422)
        flow.step(pro.SECRETARY, case, "branch_meeting",
                  pro.branch_meeting("2026-08-21", "cancel", reason="延长预备期内仍不履行党员义务"))
        done = pro.approve(flow, case, "2026-08-21")["instance"]
        assert (done["status"], done["data"]["outcome_text"], done["data"]["member_status"]) == (
            "completed", "取消预备党员资格", "none")
    assert _status(flow, pro.MEMBER) == "none"
    assert _register(flow)[pro.MEMBER]["outcome"] == "cancelled"
    page = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", web(pro.UPPER).page(f"/cases/{case}"),
                                          flags=re.S))
    page = " ".join(page.split())
    assert "办理结果：取消预备党员资格" in page and "支部大会 延长预备期" in page and "预备期满日 2026-08-20" in page
    pdf = flat(pdf_text(download(web(pro.UPPER), f"/cases/{case}/documents/approval.pdf")))
    assert "流程状态已办结：取消预备党员资格" in pdf and "已通过" not in pdf
    assert not re.findall(r"(?<![A-Za-z_])(confirm|extend|cancel|probationary|unknown|adopted)(?![A-Za-z_])", page)


@pytest.mark.usefixtures("frozen_clock")
def test_after_an_extension_the_confirmation_reads_as_such(flow: Flow) -> None:
    case = pro.start(flow, admitted_on="2024-09-01")["id"]
    pro.apply(flow, case, "2025-09-01")
    flow.step(pro.SECRETARY, case, "branch_meeting",
              pro.branch_meeting("2025-09-02", "extend", extension_months=6, reason="需继续考察"))
    body = pro.approve(flow, case, "2025-09-03")  # entered late: the extended 预备期 (to 2026-03-01) is over
    assert [w["task"] for w in body["instance"]["work_items"]] == ["application"]
    pro.apply(flow, case, "2026-03-02")
    flow.step(pro.SECRETARY, case, "branch_meeting", pro.branch_meeting("2026-03-02"))
    done = pro.approve(flow, case, "2026-03-02")["instance"]
    assert (done["data"]["outcome_text"], done["data"]["confirmed_on"]) == ("延长预备期后转正", "2026-03-01")
    assert _status(flow, pro.MEMBER) == "full"


@pytest.mark.usefixtures("frozen_clock")
def test_who_may_start_and_about_whom(flow: Flow, web: Any) -> None:
    form = web(pro.SECRETARY).page("/start/party_probation")
    assert "预备党员转正" in form and 'name="member"' in form and 'name="admitted_on"' in form
    assert flow.start(pro.PROCESS, "s1b1_01", {"member": pro.MEMBER, "admitted_on": "2025-02-20"}, expect=403)
    body = pro.start(flow, member="s3b1_02", admitted_on="2025-02-20", expect=422)
    assert "不是预备党员" in str(body["fields"]["member"])
    body = pro.start(flow, expect=422)  # an imported member: the branch enters the 支部大会 date
    assert "admitted_on" in body["fields"]
    pro.start(flow, by="s3_03", admitted_on="2025-02-20")  # the 医院党委 组织员 may start it too
    body = pro.start(flow, admitted_on="2025-02-20", expect=422)
    assert "已在办理中" in str(body["fields"]["member"])
    # the branch starts one from the 发起 page; the member then finds her 转正申请 in 待办
    sent = web(pro.SECRETARY).post("/start/party_probation",
                                   {"member": "s1b1_03", "admitted_on": "2025-01-10", "intent": "submit"})
    assert sent.status_code == 403  # 李强 is in 炼钢厂党支部: not this secretary's member
    sent = web("s1b1_01").post("/start/party_probation",
                               {"member": "s1b1_03", "admitted_on": "2025-01-10", "intent": "submit"})
    assert sent.status_code == 302, sent.get_data(as_text=True)[:2000]
    assert [i["task"] for i in flow.todo("s1b1_03")] == ["application"]


def test_the_register_page_and_csv(flow: Flow, web: Any) -> None:
    _admit_he_peng(flow)
    admin = web("admin")
    page = admin.page("/admin/probation")
    assert "预备党员名册" in page and "贺鹏" in page and "2020-02-21" in page and "一线快速通道" in page
    response = admin.get("/admin/probation.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["姓名", "用户名", "所在党支部", "发展方式"]
    assert rows[1][:2] == ["贺鹏", "s3b1_15"] and "2020-02-24" in rows[1] and "预备期中" in rows[1]
    admin.post("/locale", {"locale": "en"})
    english = admin.page("/admin/probation")
    assert "Probationary members" in english and "Front-line fast track (activists, development targets)" in english
    assert "In probation" in english and "Export CSV" in english
    assert web("s1_03").get("/admin/probation").status_code == 403
    # the API gives each overseer the members of their own units
    assert "s3b1_15" in _register(flow, "s3_03") and _register(flow, "s1_03") == {}
    assert flow.api("s1b1_02").get("/probation-register").status_code == 403


def test_the_due_job_starts_each_confirmation_once(flow: Flow, api: Any) -> None:
    """`flask workflows probation-due` (the worker runs the same job on every pass): 常青's 预备期,
    on the register as `flask demo load` puts it, ends on 2026-02-20."""
    from models import ProbationRecord
    from webapp.extensions import db
    from workflows import accounts

    with flow.app.app_context():
        user = accounts.find_user(db.session, pro.MEMBER)
        db.session.add(ProbationRecord(user_id=user.id, track="fast_b", frontline=True, admitted_on=date(2025, 2, 20),
                                       probation_ends_on=date(2026, 2, 20)))
        db.session.commit()
        db.session.remove()
    on_the_last_day = flow.runner.invoke(args=["workflows", "probation-due", "--at", "2026-02-20T23:00"])
    assert on_the_last_day.exit_code == 0 and on_the_last_day.output.endswith("已发起转正：0 件\n")
    result = flow.runner.invoke(args=["workflows", "probation-due", "--at", "2026-02-21T08:00"])
    assert result.exit_code == 0 and "常青预备党员转正" in result.output and "已发起转正：1 件" in result.output
    [item] = [i for i in flow.todo(pro.MEMBER) if i["task"] == "application"]
    case = flow.case(pro.SECRETARY, item["instance_id"])
    assert (case["data"]["track"], case["data"]["started_by_timer"], case["initiator"]) == ("fast_b", True, pro.SECRETARY)
    with frozen_at(at("2026-02-21 09:00")):
        response = api(pro.SECRETARY).post(f"/instances/{case['id']}/withdraw", {"reason": "名册日期有误，核实后重新发起"})
        assert response.status_code == 200, response.get_json()
    again = flow.runner.invoke(args=["workflows", "probation-due", "--at", "2026-02-22T08:00"])
    assert again.output.endswith("已发起转正：0 件\n")  # withdrawn by the branch: the branch starts it again
