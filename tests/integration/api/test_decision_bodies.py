"""The probed holes of issue 12, closed through the API: each decision is taken by the body the
regulation names and the case ends in its real outcome.

- B-C9: failing the "两个确保" rates the year 不称职 whatever the 问责 outcome; only a group 党委会
  (a meeting record, not one person's tick) changes it.
- B-C10: a 纪律处分 is transferred to the 纪委, never voted inside the 问责 case.
- B-C7: the 申诉 is decided by the body that decided: the secretary, or the 党委会.
- A-C6: 不胜任 goes to a 党委会 (免去试任职务) and ends as such, not as 办结.
- A-C15: a subsidiary decision on a post the group files goes up for 备案/审批 before the 公示.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from models import AnnualRating
from models import InfluencePeriod
from models import User
from tests.drivers import accountability as acc
from tests.flows import Flow
from tests.flows import at
from tests.helpers import COMMITTEES
from tests.helpers import MEETING_OK
from tests.helpers import meeting
from tests.helpers import start
from tests.helpers import to_committee
from workflows.engine.clock import frozen_at

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.clock("2026-03-02 09:00")]


def _rating(flow: Flow, year: int = 2025) -> tuple[str, bool] | None:
    from webapp.extensions import db

    with flow.app.app_context():
        row = db.session.scalars(select(AnnualRating).join(User, User.id == AnnualRating.user_id).where(
            User.username == "s1_06", AnnualRating.year == year)).first()
        return (row.rating, row.locked) if row else None


def _closed_without_decision(flow: Flow, how: str) -> int:
    """A two-ensures lead that ends without a 问责 decision, in one of the four ways."""
    case = acc.start(flow, two_ensures_failed=True, year=2025)
    if how in ("no_accountability", "transfer_discipline"):
        flow.step("s1_01", case["id"], "start_approval", {"decision": how}, comment="依规处理")
        return int(case["id"])
    acc.to_proposal(flow, case["id"])
    if how == "dropped":
        flow.step("s1_03", case["id"], "decision_proposal", {"decision": "drop"}, comment="情节轻微，免予问责")
    else:
        flow.step("s1_03", case["id"], "decision_proposal", {"decision": "propose", "forms": ["discipline"]})
        flow.step("s1_04", case["id"], "discipline_transfer", {"transferred_on": "2026-03-02", "transfer_no": "纪移〔2026〕1号"})
    return int(case["id"])


@pytest.mark.parametrize(("how", "outcome", "status"), [
    ("no_accountability", "不予问责", "rejected"),
    ("transfer_discipline", "转纪律审查", "completed"),
    ("dropped", "免予问责", "rejected"),
    ("discipline_only", "移送纪委给予纪律处分", "completed"),
])
def test_b_c9_the_forced_rating_stands_on_every_end_until_a_group_committee_changes_it(
        flow: Flow, how: str, outcome: str, status: str) -> None:
    case_id = _closed_without_decision(flow, how)
    assert _rating(flow) == ("不称职", True)  # written although no 问责 decision was taken
    item = flow.item(acc.GROUP_OFFICER, case_id, "rating_override")
    assert item["candidates"] == ["zhaomin", "sunli"]
    one_person = {"override": True, "rating": "称职", "reason": "已尽职"}
    flow.refused(acc.GROUP_OFFICER, case_id, "rating_override", one_person, "B-C9")  # no meeting: refused
    five = meeting(COMMITTEES["G"], {"for": 5, "against": 0}, absent=dict.fromkeys(COMMITTEES["G"][5:], "出差"),
                   body="集团党委会")
    flow.refused(acc.GROUP_OFFICER, case_id, "rating_override", {**one_person, "meeting": five}, "A-C1")  # not quorate
    body = acc.override(flow, case_id)
    assert (body["instance"]["status"], body["instance"]["data"]["outcome_text"]) == (status, outcome)
    assert _rating(flow) == ("称职", False)


def test_b_c9_a_group_committee_that_does_not_adopt_the_change_leaves_the_rating(flow: Flow) -> None:
    case_id = _closed_without_decision(flow, "no_accountability")
    body = acc.override(flow, case_id, votes={"for": 4, "against": 3, "abstain": 0, "defer": 0})
    assert body["instance"]["data"]["override_adopted"] is False
    assert _rating(flow) == ("不称职", True)


def test_b_c9_revoking_the_accountability_on_appeal_does_not_lift_the_assessment(flow: Flow) -> None:
    case = acc.start(flow, two_ensures_failed=True, year=2025)
    acc.to_proposal(flow, case["id"])
    acc.decide(flow, case["id"], ["admonish"])
    flow.step(acc.GROUP_OFFICER, case["id"], "rating_override", {"override": False})
    acc.announce(flow, case["id"], "2026-03-02")
    flow.step("s1_06", case["id"], "appeal", {"grounds": "不服"})
    flow.step("s1_01", case["id"], "appeal_decision", {"decision": "revoke"}, comment="撤销问责决定")
    assert _periods(flow, open_on="2026-03-02") == []  # the 诫勉's 影响期 is lifted …
    assert _rating(flow) == ("不称职", True)           # … the 不称职 of the failed "两个确保" is not


def test_b_c9_no_rating_step_without_the_two_ensures(flow: Flow) -> None:
    before = _rating(flow)  # the org's own 2025 rating
    case = acc.start(flow)
    body = flow.step("s1_01", case["id"], "start_approval", {"decision": "no_accountability"}, comment="证据不足")
    assert (body["instance"]["status"], body["instance"]["data"]["outcome_text"]) == ("rejected", "不予问责")
    assert _rating(flow) == before


def _periods(flow: Flow, open_on: str | None = None) -> list[str]:
    """The kinds of the 影响期 on record (those still running on `open_on`, if given)."""
    from datetime import date

    from webapp.extensions import db

    query = select(InfluencePeriod)
    if open_on:
        query = query.where(InfluencePeriod.ends_on >= date.fromisoformat(open_on))
    with flow.app.app_context():
        return sorted(p.kind for p in db.session.scalars(query))


def test_b_c10_a_discipline_is_transferred_to_the_discipline_commission_not_voted(flow: Flow) -> None:
    case = acc.start(flow)
    acc.to_proposal(flow, case["id"])
    body = flow.step("s1_03", case["id"], "decision_proposal", {"decision": "propose", "forms": ["dismiss", "discipline"],
                                                                 "discipline_measure": "warning"})
    assert body["instance"]["data"]["route"] == "committee" and body["instance"]["data"]["transfers_discipline"]
    item = flow.item("s1_04", case["id"], "discipline_transfer")  # the 纪委 of S1
    assert item["candidates"] == ["s1_04"]
    transfer = {"transferred_on": "2026-03-01", "transfer_no": "纪移〔2026〕2号"}
    flow.refused("s1_04", case["id"], "discipline_transfer", transfer, "T-B2")  # before the report (2026-03-02)
    body = flow.step("s1_04", case["id"], "discipline_transfer", {**transfer, "transferred_on": "2026-03-02"})
    assert [w["task"] for w in body["instance"]["work_items"]] == ["committee_decision"]  # 免职 by the 党委会
    flow.step("s1_03", case["id"], "committee_decision", {"meeting": acc.COMMITTEE})
    assert _periods(flow) == ["dismiss", "dismiss"]  # no 影响期 of a 处分 the 纪委 has not decided


def test_b_c10_only_a_discipline_ends_the_case_at_the_transfer(flow: Flow) -> None:
    case = acc.start(flow)
    acc.to_proposal(flow, case["id"])
    flow.step("s1_03", case["id"], "decision_proposal", {"decision": "propose", "forms": ["discipline"]})
    body = flow.step("s1_04", case["id"], "discipline_transfer",
                     {"transferred_on": "2026-03-02", "transfer_no": "纪移〔2026〕3号"})
    assert (body["instance"]["status"], body["instance"]["data"]["outcome_text"]) == ("completed", "移送纪委给予纪律处分")
    assert _periods(flow) == []


def test_b_c7_an_appeal_against_a_committee_decision_goes_to_the_committee(flow: Flow) -> None:
    case = acc.start(flow)
    acc.to_proposal(flow, case["id"])
    acc.decide(flow, case["id"], ["dismiss"])
    acc.announce(flow, case["id"], "2026-03-02")
    with frozen_at(at("2026-03-10 09:00")):
        flow.step("s1_06", case["id"], "appeal", {"grounds": "处理过重"})
        assert "appeal_decision" not in [i["task"] for i in flow.todo("s1_01")]  # not the secretary alone
        item = flow.item("s1_03", case["id"], "appeal_committee")
        assert item["due_at"] == "2026-04-11T00:00:00+08:00"
        handling = {"decision": "maintain", "meeting": {**acc.COMMITTEE, "date": "2026-03-09"}}
        flow.refused("s1_03", case["id"], "appeal_committee", handling, "B-C7", comment="维持")  # before the appeal
        deferred = {**acc.COMMITTEE, "date": "2026-03-10", "votes": {"for": 1, "against": 0, "defer": 2}}
        body = flow.step("s1_03", case["id"], "appeal_committee", {**handling, "meeting": deferred}, comment="维持")
        assert sorted(w["task"] for w in body["instance"]["work_items"]) == ["appeal_committee", "handling"]
        flow.step("s1_03", case["id"], "appeal_committee", {**handling, "meeting": {**acc.COMMITTEE, "date": "2026-03-10"}},
                  comment="维持原决定")
        data = flow.case("s1_03", case["id"])["data"]
        assert data["appeal_decided_on"] == "2026-03-10" and data["appeal_decided_late"] is False


def test_b_c7_an_appeal_against_a_secretarys_decision_stays_with_the_secretary(flow: Flow) -> None:
    case = acc.start(flow)
    acc.to_proposal(flow, case["id"])
    acc.decide(flow, case["id"], ["admonish"])
    acc.announce(flow, case["id"], "2026-03-02")
    flow.step("s1_06", case["id"], "appeal", {"grounds": "不服"})
    assert flow.item("s1_01", case["id"], "appeal_decision")["candidates"] == ["s1_01"]


# ---------------------------------------------------------------- cadre_promotion

def _in_probation(flow: Flow, **overrides: Any) -> int:
    """A promotion appointed on 2026-03-09 (试用期 until 2027-03-08)."""
    case = start(flow.api, **overrides)
    to_committee(flow.api, case["id"])
    flow.step("s1_03", case["id"], "committee_decision", {"meeting": MEETING_OK})
    flow.step("s1_03", case["id"], "publicity", {"start_date": "2026-03-02"})
    with frozen_at(at("2026-03-09 09:00")):
        assert flow.worker() == 1
        flow.step("s1_03", case["id"], "publicity_review", {"objections": False, "finding": "none", "decision": "continue"})
        flow.step("s1_03", case["id"], "appointment", {"notice_no": "钢股党〔2026〕31号", "appointed_on": "2026-03-09",
                                                        "talk_date": "2026-03-09", "talk_by": "s1_01"})
    return int(case["id"])


def test_a_c6_incompetent_goes_to_the_committee_and_ends_as_a_revoked_appointment(flow: Flow, web: Any) -> None:
    case_id = _in_probation(flow)
    with frozen_at(at("2027-03-09 09:00")):
        assert flow.worker() == 1
        body = flow.step("s1_03", case_id, "probation_review", {"result": "incompetent"}, comment="考核不胜任")
        assert [w["task"] for w in body["instance"]["work_items"]] == ["probation_committee"]
        assert body["instance"]["status"] == "running"  # one 组织部干部 does not end it
        meeting = {**MEETING_OK, "date": "2027-03-08"}
        flow.refused("s1_03", case_id, "probation_committee", {"meeting": meeting}, "A-C6")  # inside the 试用期
        rejected = {**MEETING_OK, "date": "2027-03-09", "votes": {"for": 2, "against": 1, "defer": 0}}
        body = flow.step("s1_03", case_id, "probation_committee", {"meeting": rejected})
        assert [w["task"] for w in body["instance"]["work_items"]] == ["probation_review"]  # back to the review
        flow.step("s1_03", case_id, "probation_review", {"result": "incompetent"}, comment="复核仍不胜任")
        body = flow.step("s1_03", case_id, "probation_committee", {"meeting": {**MEETING_OK, "date": "2027-03-09"}})
    instance = body["instance"]
    assert (instance["status"], instance["data"]["outcome_text"]) == ("rejected", "试用期不胜任·免去试任职务")
    page = web("s1_03").page(f"/cases/{case_id}")
    assert "试用期不胜任·免去试任职务" in page and "已通过" not in page


def test_a_c6_competent_ends_as_confirmed(flow: Flow) -> None:
    case_id = _in_probation(flow)
    with frozen_at(at("2027-03-09 09:00")):
        assert flow.worker() == 1
        body = flow.step("s1_03", case_id, "probation_review", {"result": "competent"})
    assert (body["instance"]["status"], body["instance"]["data"]["outcome_text"]) == ("completed", "试用期满胜任·正式任职")


def test_a_c15_a_post_filed_with_the_group_goes_up_before_the_publicity(flow: Flow) -> None:
    body = flow.api("s1_03").post("/processes/cadre_promotion/instances", {"data": {
        **_proposal(), "management_level": "group", "upward_filing": "record"}})
    assert body.status_code == 422 and "upward_filing" in body.get_json()["fields"]
    case = start(flow.api, upward_filing="approval")
    to_committee(flow.api, case["id"])
    body = flow.step("s1_03", case["id"], "committee_decision", {"meeting": MEETING_OK})
    assert [(w["task"], w["candidates"]) for w in body["instance"]["work_items"]] == [("upper_filing", ["zhaomin", "sunli"])]
    filing = {"decision": "approved", "filed_on": "2026-03-01", "reply_no": "集团组干〔2026〕9号"}
    flow.refused("zhaomin", case["id"], "upper_filing", filing, "T-A2")  # before the 党委会
    body = flow.step("zhaomin", case["id"], "upper_filing", {**filing, "filed_on": "2026-03-02"})
    assert [w["task"] for w in body["instance"]["work_items"]] == ["publicity"]


def test_a_c15_the_group_may_refuse_and_the_case_ends_so(flow: Flow) -> None:
    case = start(flow.api, upward_filing="record")
    to_committee(flow.api, case["id"])
    flow.step("s1_03", case["id"], "committee_decision", {"meeting": MEETING_OK})
    body = flow.step("zhaomin", case["id"], "upper_filing",
                     {"decision": "rejected", "filed_on": "2026-03-02", "reply_no": "集团组干〔2026〕10号"},
                     comment="该职务任职资格不符")
    assert (body["instance"]["status"], body["instance"]["data"]["outcome_text"]) == ("rejected", "集团不同意")


def test_a_subsidiary_post_not_filed_upward_goes_straight_to_the_publicity(flow: Flow) -> None:
    case = start(flow.api)
    to_committee(flow.api, case["id"])
    body = flow.step("s1_03", case["id"], "committee_decision", {"meeting": MEETING_OK})
    assert [w["task"] for w in body["instance"]["work_items"]] == ["publicity"]


def _proposal() -> dict[str, Any]:
    from tests.helpers import proposal

    return proposal()
