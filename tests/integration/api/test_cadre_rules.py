"""Each cadre_promotion rule accepts its boundary case and refuses the one just past it."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete

from models import AnnualRating
from tests.factories import AnnualRatingFactory
from tests.factories import InfluencePeriodFactory
from tests.factories import shanghai_today
from tests.helpers import COMMITTEES
from tests.helpers import FOUR_MUSTS_DONE
from tests.helpers import MEETING_OK
from tests.helpers import complete
from tests.helpers import instance
from tests.helpers import meeting
from tests.helpers import open_item
from tests.helpers import proposal
from tests.helpers import start
from tests.helpers import to_committee
from webapp.extensions import db
from workflows import accounts
from workflows.engine import clock


def refused(api: Any, rule: str, **overrides: Any) -> dict[str, Any]:
    response = api("s1_03").post("/processes/cadre_promotion/instances", {"data": proposal(**overrides)})
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["rule"] == rule and rule in body["message"] and body["source"] in body["message"]
    return body


def test_a_c10_breakthrough_needs_a_full_year_in_post(api: Any) -> None:
    refused(api, "A-C10", breakthrough_type="qualification", years_in_post=0.9)
    assert start(api, breakthrough_type="qualification", years_in_post=1)["status"] == "running"


def test_a_c10_no_breakthrough_during_probation(api: Any) -> None:
    body = refused(api, "A-C10", breakthrough_type="qualification", in_probation=True)
    assert body["fields"] == {"in_probation": [body["message"]]}


def test_a_c10_never_skip_two_grades(api: Any) -> None:
    refused(api, "A-C10", breakthrough_type="skip_grade", grades_skipped=2)
    assert start(api, breakthrough_type="skip_grade", grades_skipped=1)["status"] == "running"


def test_a_c11_skipping_a_grade_must_be_declared_as_breakthrough(api: Any) -> None:
    refused(api, "A-C11", breakthrough_type="none", grades_skipped=1)


def test_a_c7_inspection_team_of_two(api: Any) -> None:
    case = start(api)
    complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"})
    one = {"method": "meeting", "results": "集中", "inspection_team": ["s1_07"]}
    assert complete(api, "s1_03", case["id"], "recommendation", one, expect=422)["rule"] == "A-C7"
    complete(api, "s1_03", case["id"], "recommendation", {**one, "inspection_team": ["s1_07", "s1_08"]})


def test_a_c11_skipping_democratic_recommendation_is_only_for_a_declared_breakthrough(api: Any) -> None:
    case = start(api)
    complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"})
    skipped = {"method": "skipped", "skip_reason": "情况紧急", "inspection_team": ["s1_07", "s1_08"]}
    assert complete(api, "s1_03", case["id"], "recommendation", skipped, expect=422)["rule"] == "A-C11"


def test_skip_grade_goes_to_upper_approval_before_inspection(api: Any) -> None:
    case = start(api, breakthrough_type="skip_grade", grades_skipped=1)
    complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"})
    item = open_item(api, "zhaomin", case["id"], "upper_approval")
    assert set(item["candidates"]) == {"zhaomin", "sunli"}  # recorded by the group organization department
    complete(api, "zhaomin", case["id"], "upper_approval", {"decision": "approved", "reply_no": "集团组织〔2026〕5号"})
    assert [w["task"] for w in instance(api, "s1_03", case["id"])["work_items"]] == ["recommendation"]


def test_an_upper_refusal_before_inspection_ends_the_case(api: Any) -> None:
    case = start(api, breakthrough_type="no_recommendation")
    complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"})
    done = complete(api, "sunli", case["id"], "upper_approval", {"decision": "rejected", "reply_no": "复函1号"},
                    comment="不符合破格条件")
    assert done["instance"]["status"] == "rejected"


def test_a_qualification_breakthrough_needs_upper_consent_before_the_committee(api: Any) -> None:
    case = start(api, breakthrough_type="qualification", years_in_post=2)
    to_committee(api, case["id"])
    after = instance(api, "s1_03", case["id"])
    assert [w["task"] for w in after["work_items"]] == ["upper_consent"]
    complete(api, "zhaomin", case["id"], "upper_consent", {"decision": "consent", "reply_no": "函2号"})
    done = complete(api, "s1_03", case["id"], "committee_decision", {"meeting": MEETING_OK})
    assert done["instance"]["data"]["meeting_outcome"] == "adopted"


def at_targets(api: Any) -> dict[str, Any]:
    case = start(api)
    complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"})
    complete(api, "s1_03", case["id"], "recommendation",
             {"method": "meeting", "results": "集中", "inspection_team": ["s1_07", "s1_08"]})
    return case


def candidate_id(app: Any) -> int:
    with app.app_context():
        return accounts.find_user(db.session, "s1_06").id


def test_a_c9_last_rating_basic_competent_blocks_and_is_shown_before_deciding(api: Any, app: Any) -> None:
    with app.app_context():
        AnnualRatingFactory(user_id=candidate_id(app), year=2026, rating="基本称职")
        db.session.remove()
    case = at_targets(api)
    item = open_item(api, "s1_03", case["id"], "inspection_targets")
    shown = api("s1_03").get(f"/tasks/{item['id']}").get_json()["data"]["negative_findings"]
    since = shanghai_today().year - 3
    assert shown == [{"rule": "A-C9", "finding": f"2026 年度考核等次为“基本称职”（近3年内，{since} 年起）"}]
    body = complete(api, "s1_03", case["id"], "inspection_targets", {"decision": "proceed"}, expect=422)
    assert body["rule"] == "A-C9"
    stopped = complete(api, "s1_03", case["id"], "inspection_targets", {"decision": "stop"}, comment="负面清单")
    assert stopped["instance"]["status"] == "rejected"


@pytest.mark.parametrize(("kind", "rule"), [("admonish", "A-C9"), ("ordered_resign", "A-C14")])
def test_an_open_influence_period_blocks_the_candidate(api: Any, app: Any, kind: str, rule: str) -> None:
    with app.app_context():
        InfluencePeriodFactory(user_id=candidate_id(app), kind=kind, ends_on=shanghai_today())
        db.session.remove()
    case = at_targets(api)
    assert complete(api, "s1_03", case["id"], "inspection_targets", {"decision": "proceed"}, expect=422)["rule"] == rule


def test_an_influence_period_that_ended_yesterday_no_longer_blocks(api: Any, app: Any) -> None:
    with app.app_context():
        InfluencePeriodFactory(user_id=candidate_id(app), ends_on=shanghai_today() - timedelta(days=1))
        db.session.remove()
    case = at_targets(api)
    complete(api, "s1_03", case["id"], "inspection_targets", {"decision": "proceed"})


def test_a_c12_all_four_checks_before_the_committee(api: Any) -> None:
    case = at_targets(api)
    complete(api, "s1_03", case["id"], "inspection_targets", {"decision": "proceed"})
    partial = {"report": "材料", "four_musts": {**FOUR_MUSTS_DONE, "petitions_checked": False}}
    body = complete(api, "s1_07", case["id"], "inspection", partial, expect=422)
    assert body["rule"] == "A-C12" and "four_musts.petitions_checked" in body["fields"]
    complete(api, "s1_08", case["id"], "inspection", {"report": "材料", "four_musts": FOUR_MUSTS_DONE})
    complete(api, "s1_04", case["id"], "discipline_opinion", {"decision": "objection"}, comment="有信访线索待查")
    body = complete(api, "s1_02", case["id"], "department_review", {"decision": "submit"}, expect=422)
    assert body["rule"] == "A-C12"


CANDIDATE_RECUSES = {"s1_06": "本人为拟任人选"}  # 梁晨 sits on S1's 党委会 (5 members): 4 are due


def committee(api: Any, absent: dict[str, str], votes_for: int, expect: int = 200) -> dict[str, Any]:
    case = start(api)
    to_committee(api, case["id"])
    present = 4 - len(absent)
    record = meeting(COMMITTEES["S1"], {"for": votes_for, "against": present - votes_for, "defer": 0},
                     absent=absent, recused=CANDIDATE_RECUSES)
    body = complete(api, "s1_03", case["id"], "committee_decision", {"meeting": record}, expect=expect)
    return {"case": case, "body": body}


def test_a_c1_a_c2_four_due_three_present_three_for_is_adopted(api: Any) -> None:
    result = committee(api, {"s1_08": "出差"}, 3)["body"]["instance"]
    assert result["data"]["meeting_outcome"] == "adopted"
    assert [w["task"] for w in result["work_items"]] == ["publicity"]
    stored = result["data"]["meeting"]
    assert (stored["members_total"], stored["members_due"], stored["present"]) == (5, 4, 3)
    assert stored["absent"] == [{"username": "s1_08", "name": "唐磊", "reason": "出差"}]
    assert stored["recusals"] == [{"username": "s1_06", "name": "梁晨", "reason": "本人为拟任人选", "rule": "R-C1"}]


def test_a_c2_four_due_three_present_two_for_is_not_adopted(api: Any) -> None:
    result = committee(api, {"s1_08": "出差"}, 2)["body"]["instance"]  # 2 of 3 present, not more than half of 4 due
    assert result["data"]["meeting_outcome"] == "rejected" and result["status"] == "rejected"


def test_a_c1_four_due_two_present_is_invalid_and_the_step_stays_open(api: Any) -> None:
    outcome = committee(api, {"s1_07": "出差", "s1_08": "病假"}, 2, expect=422)
    assert outcome["body"]["rule"] == "A-C1"
    after = instance(api, "s1_03", outcome["case"]["id"])
    assert [(w["task"], w["status"]) for w in after["work_items"]] == [("committee_decision", "open")]
    assert "meeting_outcome" not in after["data"]


def test_a_c4_a_deferred_matter_returns_to_the_committee(api: Any) -> None:
    case = start(api)
    to_committee(api, case["id"])
    deferred = {**MEETING_OK, "votes": {"for": 2, "against": 0, "defer": 1}}
    body = complete(api, "s1_03", case["id"], "committee_decision", {"meeting": deferred})
    assert body["instance"]["data"]["meeting_outcome"] == "deferred"
    assert [w["task"] for w in body["instance"]["work_items"]] == ["committee_decision"]
    again = complete(api, "s1_03", case["id"], "committee_decision", {"meeting": MEETING_OK})
    assert [w["task"] for w in again["instance"]["work_items"]] == ["publicity"]


def test_a_c4_cadre_votes_have_no_abstention(api: Any) -> None:
    case = start(api)
    to_committee(api, case["id"])
    abstained = {**MEETING_OK, "votes": {"for": 2, "against": 0, "abstain": 1}}
    body = complete(api, "s1_03", case["id"], "committee_decision", {"meeting": abstained}, expect=422)
    assert body["rule"] == "A-C4" and "meeting.votes.abstain" in body["fields"]
    assert "同意、不同意、缓议" in body["message"]
    complete(api, "s1_03", case["id"], "committee_decision", {"meeting": MEETING_OK})


def test_a_c5_a_finding_that_affects_the_appointment_cannot_continue(api: Any, runner: Any) -> None:
    case = start(api)
    to_committee(api, case["id"])
    complete(api, "s1_03", case["id"], "committee_decision", {"meeting": MEETING_OK})
    complete(api, "s1_03", case["id"], "publicity", {"start_date": shanghai_today().isoformat()})
    with clock.frozen_at(clock.now() + timedelta(days=30)):
        assert "fired 1" in runner.invoke(args=["workflows", "worker", "--once"]).output
        affecting = {"objections": True, "finding": "affecting", "decision": "continue"}
        assert complete(api, "s1_03", case["id"], "publicity_review", affecting, expect=422)["rule"] == "A-C5"
        done = complete(api, "s1_03", case["id"], "publicity_review", {**affecting, "decision": "stop"},
                        comment="反映问题属实")
        assert done["instance"]["status"] == "rejected"


@pytest.mark.parametrize(("ratings", "blocked"), [
    ({2024: "不称职", 2025: "称职"}, True),                   # a later 称职 does not clear it: 近三年
    ({2023: "基本称职", 2024: "称职", 2025: "优秀"}, True),    # the oldest of the three years still counts
    ({2022: "不称职", 2023: "称职", 2024: "称职", 2025: "称职"}, False),  # four years back: no longer
])
def test_a_c9_any_basic_competent_or_lower_rating_of_the_last_three_years_blocks(
        api: Any, app: Any, ratings: dict[int, str], blocked: bool) -> None:
    with app.app_context():
        db.session.execute(delete(AnnualRating).where(AnnualRating.user_id == candidate_id(app)))  # the org's own
        for year, rating in ratings.items():
            AnnualRatingFactory(user_id=candidate_id(app), year=year, rating=rating)
        db.session.commit()
        db.session.remove()
    with clock.frozen_at(datetime(2026, 3, 2, 9, tzinfo=clock.SHANGHAI)):
        case = at_targets(api)
        body = complete(api, "s1_03", case["id"], "inspection_targets", {"decision": "proceed"},
                        expect=422 if blocked else 200)
    if blocked:
        assert body["rule"] == "A-C9" and "（近3年内，2023 年起）" in body["message"]
    else:
        assert body["instance"]["data"]["negative_findings"] == []
