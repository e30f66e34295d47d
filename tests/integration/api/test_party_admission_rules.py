"""C-C3 … C-C11 through the API: for each, the case that passes and the one just past it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.drivers import admission as adm
from tests.flows import Flow
from tests.flows import at
from tests.helpers import meeting
from workflows.engine.clock import frozen_at

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.clock("2020-02-22 09:00")]


def test_c_c3_eight_months_inside_the_overlay_window_is_the_fast_track(flow: Flow) -> None:
    case = adm.start(flow)
    assert (case["data"]["track"], case["data"]["cultivation_months"]) == ("fast_a", 8)
    assert case["data"]["overlay_window"] == {"pack": "covid-2020", "valid_from": "2020-01-20",
                                              "valid_to": "2023-01-08", "source": "pack"}


def test_c_c3_the_same_case_dated_outside_the_window_is_refused(flow: Flow) -> None:
    with frozen_at(at("2023-03-01 09:00")):
        body = flow.refused_start(adm.PROCESS, adm.SECRETARY, adm.application(
            application_date="2022-03-01", activist_since="2022-07-01", proposed_on=None), "C-C3")
        assert "培养考察期为 8 个月" in body["message"] and "2023-03-01 不在 covid-2020" in body["message"]
        body = flow.refused_start(adm.PROCESS, adm.SECRETARY, adm.application(
            application_date="2022-03-01", activist_since="2022-07-01", proposed_on="2023-01-09"), "C-C3")
        ok = adm.start(flow, application_date="2022-03-01", activist_since="2022-07-01", proposed_on="2023-01-08")
        assert ok["data"]["track"] == "fast_a"


def test_c_c3_a_full_year_of_cultivation_is_the_regular_track_in_any_year(flow: Flow) -> None:
    with frozen_at(at("2026-03-02 09:00")):
        regular = adm.start(flow, application_date="2024-09-01", activist_since="2025-03-02", frontline=False,
                            proposed_on=None)
        assert (regular["data"]["track"], regular["data"]["waivers"]) == ("regular", [])
        flow.refused_start(adm.PROCESS, adm.SECRETARY, adm.application(
            application_date="2024-09-01", activist_since="2025-03-03", frontline=False, proposed_on=None), "C-C3")


def test_c_c3_case_b_an_applicant_on_the_front_line_skips_the_stages_not_the_steps(flow: Flow) -> None:
    case = adm.start(flow, applicant="s3b1_14", status="applicant", application_date="2020-01-28", activist_since=None)
    assert case["data"]["track"] == "fast_b"
    assert case["data"]["waivers"] == ["activist_stage", "development_target_stage", "cultivation_period",
                                       "annual_plan_quota"]
    flow.refused_start(adm.PROCESS, adm.SECRETARY, adm.application(
        applicant="s3b1_04", status="applicant", activist_since=None, frontline=False), "C-C3")
    flow.refused_start(adm.PROCESS, adm.SECRETARY, adm.application(applicant="s3b1_04", deeds=""), "C-C3")


def _put_window(flow: Flow, username: str, body: dict[str, Any]) -> Any:
    client = flow.api(username)
    return client.client.put("/api/v1/rule-packs/covid-2020/window", json=body,
                             headers={"Authorization": f"Bearer {client.token}"})


def test_an_admin_edits_the_overlay_window_and_the_track_follows(flow: Flow) -> None:
    response = _put_window(flow, "admin", {"valid_from": "2020-01-20", "valid_to": "2020-02-19", "note": "试点期"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["source"] == "admin"
    flow.refused_start(adm.PROCESS, adm.SECRETARY, adm.application(), "C-C3")
    assert _put_window(flow, "s3b1_01", {"valid_from": "2020-01-20", "valid_to": None}).status_code == 403
    assert _put_window(flow, "admin", {"valid_from": "2020-02-20", "valid_to": "2020-01-01"}).status_code == 422
    result = flow.runner.invoke(args=["rules", "window", "covid-2020", "--from", "2020-01-20", "--to", "2023-01-08"])
    assert result.exit_code == 0, result.output
    assert adm.start(flow)["data"]["track"] == "fast_a"
    events = flow.api("zhengyun").get("/rule-packs/covid-2020/window").get_json()
    assert events["valid_to"] == "2023-01-08"


def test_c_c4_a_failed_political_review_ends_the_case_on_every_track(flow: Flow) -> None:
    case = adm.start(flow)
    assert "political_review" in case["data"]["never_waived"]
    flow.step(adm.SECRETARY, case["id"], "branch_review", {"decision": "agree"})
    body = flow.step(adm.SECRETARY, case["id"], "vetting", {"introducers": adm.INTRODUCERS, "political_review": "fail"},
                     comment="函调发现问题")
    assert body["instance"]["status"] == "rejected"


@pytest.mark.parametrize(("introducers", "field"), [
    (["s3b1_02"], "introducers"),
    (["s3b1_02", "s3b1_03"], "introducers.1"),       # 梁军 is a 预备党员
    (["s3b1_15", "s3b1_02"], "introducers.0"),       # the applicant himself
    (["s3b1_02", "s3b1_05", "s3b1_06"], "introducers"),
])
def test_c_c5_exactly_two_full_members_introduce(flow: Flow, introducers: list[str], field: str) -> None:
    case = adm.start(flow)
    flow.step(adm.SECRETARY, case["id"], "branch_review", {"decision": "agree"})
    body = flow.refused(adm.SECRETARY, case["id"], "vetting", {"introducers": introducers, "political_review": "pass"},
                        "C-C5")
    assert field in body["fields"]
    flow.step(adm.SECRETARY, case["id"], "vetting", {"introducers": adm.INTRODUCERS, "political_review": "pass"})


def _at_branch_meeting(flow: Flow) -> int:
    case = adm.start(flow)
    adm.to_branch_meeting(flow, case["id"])
    return int(case["id"])


def test_c_c6_written_opinions_count_and_five_alone_is_not_adopted(flow: Flow) -> None:
    adopted = _at_branch_meeting(flow)
    body = flow.step(adm.SECRETARY, adopted, "branch_meeting", {"meeting": adm.BRANCH_MEETING})
    assert body["instance"]["data"]["meeting_outcome"] == "adopted"
    rejected = _at_branch_meeting(flow)
    alone = {**adm.BRANCH_MEETING, "written_opinions_for": 0}
    body = flow.step(adm.SECRETARY, rejected, "branch_meeting", {"meeting": alone})
    assert body["instance"]["data"]["meeting_outcome"] == "rejected"
    assert body["instance"]["status"] == "rejected"


def test_c_c6_quorum_is_more_than_half_of_the_voting_members(flow: Flow) -> None:
    case_id = _at_branch_meeting(flow)
    away = {**adm.ON_DUTY, "s3b1_10": "值班"}  # 5 of the 10 full members present: not more than half
    five = meeting(adm.FULL_MEMBERS, {"for": 5, "against": 0}, absent=away, body="支部大会", date="2020-02-21")
    flow.refused(adm.SECRETARY, case_id, "branch_meeting", {"meeting": five}, "C-C6")
    flow.step(adm.SECRETARY, case_id, "branch_meeting", {"meeting": adm.BRANCH_MEETING})


def test_c_c6_probationary_members_are_not_voting_members_due(flow: Flow) -> None:
    case_id = _at_branch_meeting(flow)
    with_probationary = meeting([*adm.FULL_MEMBERS, "s3b1_03", "s3b1_13"], {"for": 7, "against": 1},
                                absent=adm.ON_DUTY, body="支部大会", date="2020-02-21")
    body = flow.refused(adm.SECRETARY, case_id, "branch_meeting", {"meeting": with_probationary}, "C-C6")
    assert "梁军是预备党员，可以列席但没有表决权" in body["message"]
    body = flow.step(adm.SECRETARY, case_id, "branch_meeting", {"meeting": adm.BRANCH_MEETING})
    assert (body["instance"]["data"]["meeting"]["members_due"], body["instance"]["data"]["meeting"]["present"]) == (10, 6)


def test_c_c7_the_talk_is_held_by_a_committee_member_or_organizer(flow: Flow) -> None:
    case_id = _at_branch_meeting(flow)
    flow.step(adm.SECRETARY, case_id, "branch_meeting", {"meeting": adm.BRANCH_MEETING})
    with frozen_at(at("2020-02-22 10:00")):
        flow.refused(adm.OFFICER, case_id, "approval_talk", {"talk_by": "s3b1_02", "talk_date": "2020-02-22"}, "C-C7")
        flow.step(adm.OFFICER, case_id, "approval_talk", {"talk_by": "s3_03", "talk_date": "2020-02-22"})


def _at_approval(flow: Flow) -> int:
    case = adm.start(flow)
    with frozen_at(at("2020-02-22 10:00")):
        adm.to_approval(flow, case["id"])
    return int(case["id"])


def test_c_c8_approval_due_three_months_after_the_branch_meeting(flow: Flow) -> None:
    case_id = _at_approval(flow)
    with frozen_at(at("2020-05-21 16:00")):  # the last day
        body = adm.approve(flow, case_id, {**adm.COMMITTEE, "date": "2020-05-21"})
        assert body["instance"]["data"]["approval_extended"] is False


def test_c_c8_a_later_approval_needs_a_recorded_extension_and_never_past_six_months(flow: Flow) -> None:
    case_id = _at_approval(flow)
    item = flow.item("s3_01", case_id, "committee_approval")
    assert item["due_at"] == "2020-05-22T00:00:00+08:00"  # three months: 2020-05-21 is the last day
    assert flow.case("s3_01", case_id)["timers"] == []
    with frozen_at(at("2020-05-08 08:59")):
        assert flow.worker() == 0
    with frozen_at(at("2020-05-08 09:00")):  # 10 working days before the last day (Sat 9 May was one)
        assert flow.worker() == 1
    with frozen_at(at("2020-05-22 00:00:01")):
        assert flow.worker() == 1  # due: escalated
    assert flow.notices(case_id) == [
        ("due_soon", "committee_approval", "s3_01", "2020-05-08 09:00"),
        ("overdue", "committee_approval", "s3_01", "2020-05-22 00:00"),
        ("escalation", "committee_approval", "s3_02", "2020-05-22 00:00"),  # 督办: 医院党委's 组织部长
    ]
    with frozen_at(at("2020-08-22 16:00")):
        flow.refused("s3_01", case_id, "committee_approval", {"meeting": {**adm.COMMITTEE, "date": "2020-05-22"}},
                     "C-C8")
        flow.refused("s3_01", case_id, "committee_approval", {"meeting": {**adm.COMMITTEE, "date": "2020-08-22"},
                                                              "extension_reason": "x"}, "C-C8")
        body = adm.approve(flow, case_id, {**adm.COMMITTEE, "date": "2020-08-21"}, extension_reason="本人援鄂，待返岗考察")
        assert body["instance"]["data"]["approval_extended"] is True


def test_c_c9_the_oath_follows_the_approval_with_the_new_member(flow: Flow) -> None:
    case_id = _at_approval(flow)
    with frozen_at(at("2020-02-25 10:00")):
        adm.approve(flow, case_id)
        flow.step("zhaomin", case_id, "filing", {"filed_on": "2020-02-25"})
        oath = {"oath_date": "2020-02-23", "mode": "onsite", "led_by": "s3b1_01", "participants": ["s3b1_15"]}
        flow.refused(adm.SECRETARY, case_id, "oath", oath, "C-C9")
        flow.refused(adm.SECRETARY, case_id, "oath", {**oath, "oath_date": "2020-02-24", "participants": ["s3b1_02"]},
                     "C-C9")
        flow.step(adm.SECRETARY, case_id, "oath", {**oath, "oath_date": "2020-02-24"})


def test_c_c10_the_probation_runs_a_year_from_the_branch_meeting(flow: Flow) -> None:
    case_id = _at_approval(flow)
    data = flow.case(adm.SECRETARY, case_id)["data"]
    assert (data["branch_meeting_on"], data["probation_ends_on"]) == ("2020-02-21", "2021-02-21")
    with frozen_at(at("2020-03-02 10:00")):
        adm.approve(flow, case_id, {**adm.COMMITTEE, "date": "2020-03-02"})
        flow.step("zhaomin", case_id, "filing", {"filed_on": "2020-03-02"})
        body = flow.step(adm.SECRETARY, case_id, "oath", {"oath_date": "2020-03-02", "mode": "onsite",
                                                           "led_by": "s3b1_01", "participants": ["s3b1_15"]})
        assert body["instance"]["timers"] == [{"task": "probation_timer", "due_at": "2021-02-22T00:00:00+08:00"}]


@pytest.mark.parametrize("training", [
    {"completed": True, "hours": 23, "special_case": False},
    {"completed": False, "special_case": False},
    {"completed": False, "special_case": True},
])
def test_c_c11_training_or_a_recorded_special_case(flow: Flow, training: dict[str, Any]) -> None:
    case = adm.start(flow)
    flow.step(adm.SECRETARY, case["id"], "branch_review", {"decision": "agree"})
    flow.step(adm.SECRETARY, case["id"], "vetting", {"introducers": adm.INTRODUCERS, "political_review": "pass"})
    flow.refused(adm.OFFICER, case["id"], "training", training, "C-C11")
    body = flow.step(adm.OFFICER, case["id"], "training", {"completed": True, "hours": 24, "special_case": False})
    assert body["instance"]["data"]["training_waived"] is False


def test_c_c11_the_make_up_training_falls_inside_the_probation(flow: Flow) -> None:
    case = adm.start(flow)
    with frozen_at(at("2020-02-24 10:00")):
        adm.to_approval(flow, case["id"], completed=False, special_case=True, special_reason="一线值守")
        adm.approve(flow, case["id"])
        flow.step("zhaomin", case["id"], "filing", {"filed_on": "2020-02-24"})
        flow.step(adm.SECRETARY, case["id"], "oath", {"oath_date": "2020-02-24", "mode": "video", "led_by": "s3b1_01",
                                                       "participants": ["s3b1_15"]})
    with frozen_at(at("2021-02-22 10:00")):  # the 预备期 ended on 2021-02-21
        flow.refused(adm.OFFICER, case["id"], "makeup_training", {"completed_on": "2021-02-22", "hours": 24}, "C-C11")
        flow.refused(adm.OFFICER, case["id"], "makeup_training", {"completed_on": "2021-02-21", "hours": 20}, "C-C11")
        body = flow.step(adm.OFFICER, case["id"], "makeup_training", {"completed_on": "2021-02-21", "hours": 24})
        assert body["instance"]["status"] == "completed"  # the 预备期 is already over: the case closes at once


def test_only_the_applicants_own_branch_secretary_starts_the_case(flow: Flow) -> None:
    response = flow.api("s1b1_01").post(f"/processes/{adm.PROCESS}/instances", {"data": adm.application()})
    assert response.status_code == 403
    flow.start(adm.PROCESS, "s3b1_01", {**adm.application(), "applicant": "s3b1_14", "status": "applicant"})


def test_c_c3_a_stale_proposal_date_does_not_reopen_the_covid_window(flow: Flow) -> None:
    """In 2026 a proposal typed as 2022-12-01 no longer buys the fast track; 60 days back is the bound."""
    with frozen_at(at("2026-03-02 09:00")):
        stale = adm.application(application_date="2022-03-01", activist_since="2022-07-01", proposed_on="2022-12-01")
        body = flow.refused_start(adm.PROCESS, adm.SECRETARY, stale, "C-C3")
        assert body["fields"] == {"proposed_on": [body["message"]]} and "60 天以上" in body["message"]
        flow.refused_start(adm.PROCESS, adm.SECRETARY, {**stale, "proposed_on": "2025-12-31"}, "C-C3")  # 61 days
        regular = adm.start(flow, application_date="2024-09-01", activist_since="2025-01-01", proposed_on="2026-01-01",
                            frontline=False)  # 60 days ago: accepted (and a full year of cultivation)
        assert regular["data"]["track"] == "regular"


def test_c_c3_the_fast_track_branch_meeting_falls_inside_the_window(flow: Flow) -> None:
    response = _put_window(flow, "admin", {"valid_from": "2020-01-20", "valid_to": "2020-02-20", "note": "试点期"})
    assert response.status_code == 200
    with frozen_at(at(ADMISSION_DAY)):
        case = adm.start(flow)  # proposed 2020-02-20, the window's last day: fast track
        assert case["data"]["track"] == "fast_a"
        adm.to_branch_meeting(flow, case["id"])
        body = flow.refused(adm.SECRETARY, case["id"], "branch_meeting", {"meeting": adm.BRANCH_MEETING}, "C-C3")
        assert body["fields"] == {"meeting.date": [body["message"]]} and "2020-02-21" in body["message"]
        flow.step(adm.SECRETARY, case["id"], "branch_meeting", {"meeting": {**adm.BRANCH_MEETING, "date": "2020-02-20"}})


ADMISSION_DAY = "2020-02-22 09:00"
