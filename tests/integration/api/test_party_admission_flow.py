"""A front-line admission (fast track, case A) from 发起 to the end of the 预备期, through the API."""

from __future__ import annotations

from sqlalchemy import select

from models import User
from tests.drivers import admission as adm
from tests.flows import Flow
from tests.flows import at
from workflows.engine.clock import frozen_at


def _status(flow: Flow, username: str) -> str:
    from webapp.extensions import db

    with flow.app.app_context():
        return db.session.scalars(select(User.member_status).where(User.username == username)).one()


def test_a_front_line_activist_is_admitted_on_the_fast_track(flow: Flow) -> None:
    with frozen_at(at("2020-02-20 09:00")):
        case = adm.start(flow)
        data = case["data"]
        assert case["number"].startswith("FZ-2020-") and case["title"] == "发展贺鹏入党"
        assert (data["track"], data["cultivation_months"], data["proposed_on"]) == ("fast_a", 8, "2020-02-20")
        assert data["waivers"] == ["cultivation_period", "annual_plan_quota"]
        assert {"political_review", "introducers", "branch_meeting", "approval_talk", "upper_approval",
                "oath"} <= set(data["never_waived"])
        assert [(w["task"], w["candidates"]) for w in case["work_items"]] == [("branch_review", ["s3b1_01"])]
        adm.to_branch_meeting(flow, case["id"], completed=False, special_case=True,
                              special_reason="连续在发热门诊值守，无法脱岗参训")
        meeting_item = flow.case(adm.SECRETARY, case["id"])
        roster = meeting_item["data"]["meeting_roster"]
        assert (roster["full"], roster["probationary"], roster["unit"]) == (10, 2, "S3B1")
        assert [m["username"] for m in roster["members"]] == adm.FULL_MEMBERS
        assert [o["by"] for o in meeting_item["data"]["introducer_opinions"]] == adm.INTRODUCERS
    with frozen_at(at("2020-02-21 20:00")):
        body = flow.step(adm.SECRETARY, case["id"], "branch_meeting", {"meeting": adm.BRANCH_MEETING})
        data = body["instance"]["data"]
        assert data["meeting_outcome"] == "adopted"
        assert (data["probation_starts_on"], data["probation_ends_on"]) == ("2020-02-21", "2021-02-21")
        assert data["approval_due_on"] == "2020-05-21"
    with frozen_at(at("2020-02-24 15:00")):
        flow.step(adm.OFFICER, case["id"], "approval_talk", {"talk_by": "s3_06", "talk_date": "2020-02-22"})
        approval = flow.case("s3_01", case["id"])["work_items"][0]
        assert (approval["task"], approval["due_at"]) == ("committee_approval", "2020-05-22T00:00:00+08:00")
        body = adm.approve(flow, case["id"])
        assert body["instance"]["data"]["approved_on"] == "2020-02-24"
        assert _status(flow, "s3b1_15") == "probationary"
        assert [w["candidates"] for w in body["instance"]["work_items"]] == [["zhaomin", "sunli"]]
        flow.step("sunli", case["id"], "filing", {"filed_on": "2020-02-24"})
        flow.step(adm.SECRETARY, case["id"], "oath",
                  {"oath_date": "2020-02-24", "mode": "video", "led_by": "s3b1_01", "participants": ["s3b1_15"]})
        makeup = flow.case(adm.OFFICER, case["id"])["work_items"]
        assert [(w["task"], w["due_at"]) for w in makeup] == [("makeup_training", "2021-02-22T00:00:00+08:00")]
    with frozen_at(at("2020-06-30 10:00")):
        body = flow.step(adm.OFFICER, case["id"], "makeup_training", {"completed_on": "2020-06-30", "hours": 24})
        assert body["instance"]["timers"] == [{"task": "probation_timer", "due_at": "2021-02-22T00:00:00+08:00"}]
    with frozen_at(at("2021-02-22 00:00:01")):
        assert flow.worker() == 1
        assert flow.case(adm.SECRETARY, case["id"])["status"] == "completed"
