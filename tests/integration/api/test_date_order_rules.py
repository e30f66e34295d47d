"""Business dates in order (T-A*, T-B*, T-C*, T-D* and the order parts of A-C6, B-C3, B-C6, C-C7 …
C-C9, D-C1), through the API: the probes of issue 12 are refused, the date just inside accepted.

Every order lives in the process's rule pack (`[dates.<process>]`) and is checked by one helper,
`workflows/rules/dates.py`.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.drivers import accountability as acc
from tests.drivers import admission as adm
from tests.drivers import dues
from tests.flows import Flow
from tests.flows import at
from tests.helpers import MEETING_OK
from tests.helpers import proposal
from tests.helpers import start
from tests.helpers import to_committee
from workflows.engine.clock import frozen_at

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.clock("2026-03-02 09:00")]  # a Monday

APPOINTMENT = {"notice_no": "钢股党〔2026〕31号", "talk_by": "s1_01"}


def _decided(flow: Flow) -> int:
    case = start(flow.api)
    to_committee(flow.api, case["id"])
    flow.step("s1_03", case["id"], "committee_decision", {"meeting": MEETING_OK})  # 2026-03-02, today
    return int(case["id"])


def test_t_a1_a_committee_meeting_dated_ahead_is_refused(flow: Flow) -> None:
    case = start(flow.api)
    to_committee(flow.api, case["id"])
    body = flow.refused("s1_03", case["id"], "committee_decision", {"meeting": {**MEETING_OK, "date": "2031-03-02"}},
                        "T-A1")
    assert body["fields"] == {"meeting.date": [body["message"]]}
    flow.refused("s1_03", case["id"], "committee_decision", {"meeting": {**MEETING_OK, "date": "2026-03-03"}}, "T-A1")
    flow.step("s1_03", case["id"], "committee_decision", {"meeting": MEETING_OK})


def test_t_a1_key_events_of_the_proposal_have_happened(flow: Flow) -> None:
    event = {"event": "连续值守卡口", "source": "inspection"}
    response = flow.api("s1_03").post("/processes/cadre_promotion/instances", {"data": {
        **proposal(), "key_events": [{**event, "date": "2026-03-03"}]}})
    assert response.status_code == 422 and response.get_json()["rule"] == "T-A1"
    assert "key_events.0.date" in response.get_json()["fields"]
    start(flow.api, key_events=[{**event, "date": "2026-03-02"}])


def test_t_a2_the_publicity_starts_after_the_committee_and_at_most_a_week_ahead(flow: Flow) -> None:
    case_id = _decided(flow)
    body = flow.refused("s1_03", case_id, "publicity", {"start_date": "2026-03-01"}, "T-A2")
    assert "公示开始日期（2026-03-01）不能早于党委会决定日期（2026-03-02）" in body["message"]
    flow.refused("s1_03", case_id, "publicity", {"start_date": "2026-03-10"}, "T-A1")  # 8 days ahead
    body = flow.step("s1_03", case_id, "publicity", {"start_date": "2026-03-09"})   # 7 days ahead: the pack allows it
    assert body["instance"]["data"]["publicity_end"] == "2026-03-13"


def test_t_a2_a_stale_publicity_start_is_refused(flow: Flow) -> None:
    case_id = _decided(flow)
    with frozen_at(at("2026-04-02 09:00")):
        flow.refused("s1_03", case_id, "publicity", {"start_date": "2026-03-02"}, "T-A2")  # 31 days ago
        flow.step("s1_03", case_id, "publicity", {"start_date": "2026-03-03"})


def _at_appointment(flow: Flow) -> int:
    case_id = _decided(flow)
    flow.step("s1_03", case_id, "publicity", {"start_date": "2026-03-02"})  # Mon … Fri 2026-03-06
    with frozen_at(at("2026-03-07 00:00:01")):
        assert flow.worker() == 1
        flow.step("s1_03", case_id, "publicity_review", {"objections": False, "finding": "none", "decision": "continue"})
    return case_id


def test_t_a3_the_appointment_follows_the_end_of_the_publicity(flow: Flow) -> None:
    case_id = _at_appointment(flow)
    with frozen_at(at("2026-03-09 09:00")):
        body = flow.refused("s1_03", case_id, "appointment",
                            {**APPOINTMENT, "appointed_on": "2026-03-06", "talk_date": "2026-03-06"}, "T-A3")
        assert "任职日期（2026-03-06）须晚于公示期最后一日（2026-03-06）" in body["message"]
        assert list(body["fields"]) == ["appointed_on"]
        flow.step("s1_03", case_id, "appointment", {**APPOINTMENT, "appointed_on": "2026-03-07", "talk_date": "2026-03-06"})


def test_t_a4_the_appointment_talk_is_held_after_the_decision_and_before_taking_office(flow: Flow) -> None:
    case_id = _at_appointment(flow)
    with frozen_at(at("2026-06-10 09:00")):
        late = {**APPOINTMENT, "appointed_on": "2026-03-09", "talk_date": "2026-06-09"}  # three months after
        body = flow.refused("s1_03", case_id, "appointment", late, "T-A4")
        assert list(body["fields"]) == ["talk_date"]
        flow.refused("s1_03", case_id, "appointment", {**late, "talk_date": "2026-03-01"}, "T-A4")  # before the 党委会
        flow.refused("s1_03", case_id, "appointment", {**late, "talk_date": "2026-03-10"}, "T-A4")  # a day after
        flow.step("s1_03", case_id, "appointment", {**late, "talk_date": "2026-03-09"})


# ---------------------------------------------------------------- party_admission

ADMISSION_CLOCK = "2020-02-22 10:00"


def test_t_c2_the_stages_follow_each_other_at_the_start(flow: Flow) -> None:
    with frozen_at(at(ADMISSION_CLOCK)):
        body = flow.refused_start(adm.PROCESS, adm.SECRETARY, adm.application(activist_since="2019-02-28"), "T-C2")
        assert body["fields"] == {"activist_since": [body["message"]]}
        target = adm.application(status="development_target", development_target_since="2019-06-19")
        flow.refused_start(adm.PROCESS, adm.SECRETARY, target, "T-C2")
        flow.refused_start(adm.PROCESS, adm.SECRETARY, {**target, "development_target_since": "2020-02-21"}, "T-C2")
        flow.refused_start(adm.PROCESS, adm.SECRETARY, adm.application(application_date="2020-02-23"), "T-C1")
        case = flow.start(adm.PROCESS, adm.SECRETARY, {**target, "development_target_since": "2020-02-20"})
        assert case["data"]["track"] == "fast_a"


def test_t_c3_a_branch_meeting_before_the_application_or_the_volunteer_form_is_refused(flow: Flow) -> None:
    with frozen_at(at(ADMISSION_CLOCK)):
        case = adm.start(flow)
        adm.to_branch_meeting(flow, case["id"])  # 志愿书 filled 2020-02-20
        before_application = {**adm.BRANCH_MEETING, "date": "2019-02-28"}
        body = flow.refused(adm.SECRETARY, case["id"], "branch_meeting", {"meeting": before_application}, "T-C3")
        assert body["fields"] == {"meeting.date": [body["message"]]}
        flow.refused(adm.SECRETARY, case["id"], "branch_meeting",
                     {"meeting": {**adm.BRANCH_MEETING, "date": "2020-02-19"}}, "T-C3")
        flow.step(adm.SECRETARY, case["id"], "branch_meeting", {"meeting": {**adm.BRANCH_MEETING, "date": "2020-02-20"}})


def test_c_c7_c_c8_the_upper_approval_follows_the_talk_and_the_branch_meeting(flow: Flow) -> None:
    with frozen_at(at("2020-02-25 10:00")):
        case = adm.start(flow)
        adm.to_approval(flow, case["id"])  # 支部大会 2020-02-21, talk 2020-02-22
        flow.refused("s3_01", case["id"], "committee_approval", {"meeting": {**adm.COMMITTEE, "date": "2020-02-21"}},
                     "C-C7")  # before the talk
        flow.refused("s3_01", case["id"], "committee_approval", {"meeting": {**adm.COMMITTEE, "date": "2020-02-20"}},
                     "C-C8")  # before the talk and the 支部大会: the meeting comes first in the order
        flow.refused("s3_01", case["id"], "committee_approval", {"meeting": {**adm.COMMITTEE, "date": "2020-02-26"}},
                     "T-C1")
        adm.approve(flow, case["id"], {**adm.COMMITTEE, "date": "2020-02-22"})


def test_c_c7_the_talk_follows_the_branch_meeting(flow: Flow) -> None:
    with frozen_at(at(ADMISSION_CLOCK)):
        case = adm.start(flow)
        adm.to_branch_meeting(flow, case["id"])
        flow.step(adm.SECRETARY, case["id"], "branch_meeting", {"meeting": adm.BRANCH_MEETING})  # 2020-02-21
        flow.refused(adm.OFFICER, case["id"], "approval_talk", {"talk_by": "s3_06", "talk_date": "2020-02-20"}, "C-C7")
        flow.step(adm.OFFICER, case["id"], "approval_talk", {"talk_by": "s3_06", "talk_date": "2020-02-21"})


# ---------------------------------------------------------------- accountability

def test_b_c3_the_report_is_discussed_after_the_facts_were_shown(flow: Flow) -> None:
    case = acc.start(flow)
    acc.investigate(flow, case["id"], shown_on="2026-03-02")
    flow.step("s1_06", case["id"], "defence", {"statement": "对事实无异议", "signed": True})
    report = {"report": "调查报告：事实清楚", "signed": True}
    flow.refused("s1_04", case["id"], "report", {**report, "discussed_on": "2026-03-01"}, "B-C3")
    flow.refused("s1_04", case["id"], "report", {**report, "discussed_on": "2026-03-03"}, "T-B1")
    flow.step("s1_04", case["id"], "report", {**report, "discussed_on": "2026-03-02"})


def test_t_b2_b_c6_the_decision_follows_the_report_and_the_announcement_the_decision(flow: Flow) -> None:
    with frozen_at(at("2026-03-12 09:00")):
        case = acc.start(flow)
        acc.investigate(flow, case["id"], shown_on="2026-03-09")
        flow.step("s1_06", case["id"], "defence", {"statement": "对事实无异议", "signed": True})
        acc.sign_report(flow, case["id"], on="2026-03-10")
        flow.step("s1_03", case["id"], "decision_proposal", {"decision": "propose", "forms": ["dismiss"]})
        flow.refused("s1_03", case["id"], "committee_decision", {"meeting": {**acc.COMMITTEE, "date": "2026-03-09"}},
                     "T-B2")
        flow.step("s1_03", case["id"], "committee_decision", {"meeting": {**acc.COMMITTEE, "date": "2026-03-10"}})
        announce: dict[str, Any] = {"archived": True, "filed_upward": True, "document_no": "钢股党问〔2026〕1号"}
        flow.refused("s1_03", case["id"], "announce_archive", {**announce, "announced_on": "2026-03-09"}, "B-C6")
        flow.refused("s1_03", case["id"], "announce_archive", {**announce, "announced_on": "2026-03-13"}, "T-B1")
        flow.step("s1_03", case["id"], "announce_archive", {**announce, "announced_on": "2026-03-10"})


# ---------------------------------------------------------------- dues

@pytest.mark.clock("2020-02-14 09:00")
def test_d_c1_money_is_received_after_the_decision_that_allocated_it(flow: Flow) -> None:
    case = dues.start(flow)
    dues.to_recipients(flow, case["id"])  # the group 党委会 on 2020-02-10
    plan = {"matching_amount": "10000.00", "plan": "慰问发热门诊一线人员"}
    body = flow.refused("s1_03", case["id"], "receive_plan", {**plan, "received_on": "2020-02-09"}, "D-C1")
    assert "收到拨款日期（2020-02-09）不能早于上级党委会决定日期（2020-02-10）" in body["message"]
    flow.step("s1_03", case["id"], "receive_plan", {**plan, "received_on": "2020-02-10"})
    flow.refused("s1_03", case["id"], "sub_committee_decision",
                 {"meeting": {**dues.SUB_MEETING, "date": "2020-02-09"}}, "D-C1")
    flow.step("s1_03", case["id"], "sub_committee_decision", {"meeting": {**dues.SUB_MEETING, "date": "2020-02-10"}})
