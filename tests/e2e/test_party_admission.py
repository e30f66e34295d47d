"""party_admission on the real server: the fast track and the regular track to admission, and a
支部大会 that does not adopt. Starts on `flask serve`; restarted onto gunicorn (2 workers × 4 threads)
between the two 入党介绍人 opinions (the 会签 of `introducers`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from models import User
from tests.drivers import admission as adm
from tests.e2e.support import GUNICORN
from tests.e2e.support import SERVE
from tests.e2e.support import Live
from tests.e2e.support import LiveFlow
from tests.e2e.support import day
from webapp.extensions import db

FIRST_SERVER = SERVE
APPLICANTS = {"fast": "s3b1_15", "regular": "s3b1_04", "not_adopted": "s3b1_14"}


def applications() -> dict[str, dict[str, Any]]:
    """贺鹏 8 months an activist on the front line (fast track A); 一 regular year of cultivation;
    and an applicant on the front line (fast track B) whose 支部大会 does not adopt."""
    return {
        "fast": adm.application(application_date=day(-400), activist_since=day(-250), proposed_on=day(-2)),
        "regular": adm.application(applicant=APPLICANTS["regular"], application_date=day(-800),
                                   activist_since=day(-400), proposed_on=day(-2), frontline=False),
        "not_adopted": adm.application(applicant=APPLICANTS["not_adopted"], status="applicant",
                                       application_date=day(-30), activist_since=None, proposed_on=day(-2)),
    }


def member_status(live: Live) -> dict[str, str]:
    with live.app.app_context():
        rows = db.session.execute(select(User.username, User.member_status).where(
            User.username.in_(APPLICANTS.values()))).all()
        db.session.remove()
    return {username: str(status) for username, status in rows}


def test_party_admission_reaches_each_of_its_ends(live: Live, flow: LiveFlow) -> None:
    # The COVID-19 overlay (fast tracks) is in force now: an administrator sets its window.
    window = live.api("admin").put("/rule-packs/covid-2020/window",
                                   {"valid_from": day(-500), "valid_to": day(30), "note": "端到端测试"})
    assert window.status_code == 200, window.get_json()
    cases = {end: flow.start(adm.PROCESS, adm.SECRETARY, data)["id"] for end, data in applications().items()}
    tracks = {end: flow.case(adm.SECRETARY, case_id)["data"]["track"] for end, case_id in cases.items()}
    assert tracks == {"fast": "fast_a", "regular": "regular", "not_adopted": "fast_b"}

    for end, case_id in cases.items():
        adm.vet(flow, case_id)
        flow.step(adm.OFFICER, case_id, "pre_review", {"decision": "agree"})
        flow.step(APPLICANTS[end], case_id, "volunteer_form", {"form_text": "我志愿加入中国共产党……", "filled_on": day(-1)})
        assert flow.tasks(adm.SECRETARY, case_id) == ["introducer_opinion", "introducer_opinion"]
        flow.step(adm.INTRODUCERS[0], case_id, "introducer_opinion", {"opinion": "该同志一贯表现好，同意介绍"})
    live.restart(GUNICORN)
    for case_id in cases.values():
        flow.step(adm.INTRODUCERS[1], case_id, "introducer_opinion", {"opinion": "同意介绍"})
        after = flow.case(adm.SECRETARY, case_id)
        assert [w["task"] for w in after["work_items"]] == ["branch_meeting"], (
            f"{after['number']} after both 入党介绍人 opinions: {after['status']}, "
            f"open steps {[w['task'] for w in after['work_items']]}, timers {after['timers']}")
        assert [o["by"] for o in after["data"]["introducer_opinions"]] == adm.INTRODUCERS, after["data"]

    adopted = {**adm.BRANCH_MEETING, "date": day(0)}
    body = flow.step(adm.SECRETARY, cases["not_adopted"], "branch_meeting",
                     {"meeting": {**adopted, "written_opinions_for": 0}})  # 5 for of 10 due: not more than half
    assert (body["instance"]["status"], body["instance"]["data"]["meeting_outcome"]) == ("rejected", "rejected")

    probation = set()
    for end in ("fast", "regular"):
        case_id = cases[end]
        assert flow.step(adm.SECRETARY, case_id, "branch_meeting", {"meeting": adopted})["instance"]["data"][
            "meeting_outcome"] == "adopted"
        flow.step(adm.OFFICER, case_id, "approval_talk", {"talk_by": "s3_06", "talk_date": day(0)})
        adm.approve(flow, case_id, {**adm.COMMITTEE, "date": day(0)})
        flow.step("sunli", case_id, "filing", {"filed_on": day(0)})
        oath = {"oath_date": day(0), "mode": "onsite", "led_by": APPLICANTS[end], "participants": [APPLICANTS[end]]}
        flow.refused(adm.SECRETARY, case_id, "oath", oath, "R-C1")  # 回避: he takes the oath, he does not lead it
        body = flow.step(adm.SECRETARY, case_id, "oath", {**oath, "led_by": "s3b1_01"})
        [timer] = body["instance"]["timers"]
        assert timer["task"] == "probation_timer"
        probation.add(timer["due_at"])
    [probation_ends] = probation
    assert live.fire(probation_ends) >= 2  # a year on, at the instant the 预备期 ends

    ends = {end: flow.case(adm.SECRETARY, case_id) for end, case_id in cases.items()}
    summary = {end: (c["status"], c["data"].get("outcome_text"), c["data"]["meeting_outcome"]) for end, c in ends.items()}
    assert summary == {
        "fast": ("completed", "预备期满，转入转正程序", "adopted"),
        "regular": ("completed", "预备期满，转入转正程序", "adopted"),
        "not_adopted": ("rejected", "支部大会未通过", "rejected"),
    }
    assert all(c["work_items"] == [] and c["timers"] == [] for c in ends.values()), ends
    assert ends["fast"]["data"]["probation_starts_on"] == day(0)
    assert member_status(live) == {"s3b1_15": "probationary", "s3b1_04": "probationary", "s3b1_14": "none"}  # as before
    assert "停滞的流程：0 个" in live.check()
    assert live.verify().startswith("OK ")
