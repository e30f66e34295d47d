"""纳入后备干部库 (reserve_nomination) through the API: 提名 → 部务会 → 党委会 (优秀年轻干部, roster
quorum A-C1) or 备案 (中长期培养对象), as the pack says (A-R2); the end enters the pool. Refused:
a last rating of 基本称职 (A-R1), a running 影响期 at 提名 and again at the 部务会 (B-C8), a second
nomination, a 党委会 without its quorum."""

from __future__ import annotations

from typing import Any

import pytest

from tests.drivers import reserve as rsv
from tests.flows import Flow

pytestmark = pytest.mark.usefixtures("frozen_clock")


def _pool(flow: Flow, username: str = rsv.OFFICER, **params: str) -> dict[str, dict[str, Any]]:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    body = flow.api(username).get(f"/reserve-pool?{query}").get_json()
    return {row["username"]: row for row in body["items"]}


def test_an_outstanding_young_cadre_enters_the_pool_by_the_committee(flow: Flow) -> None:
    case = rsv.start(flow)
    assert case["number"].startswith("HB-") and case["title"] == "罗兰：纳入后备干部库"
    assert flow.case(rsv.OFFICER, case["id"])["data"]["route"] == "committee"
    assert rsv.CANDIDATE not in _pool(flow)
    flow.step(rsv.HEAD, case["id"], "department_review", {"decision": "agree"})
    item = flow.item(rsv.OFFICER, case["id"], "committee_decision")
    roster = flow.api(rsv.OFFICER).get(f"/tasks/{item['id']}").get_json()["meeting_roster"]
    assert [m["username"] for m in roster["members"]] == ["s1_01", "s1_02", "s1_06", "s1_07", "s1_08"]
    # two of five present: no quorum (A-C1), the step stays open
    thin = rsv.committee(votes={"for": 2, "against": 0}, absent={"s1_06": "出差", "s1_07": "出差", "s1_08": "出差"})
    flow.refused(rsv.OFFICER, case["id"], "committee_decision", thin, "A-C1")
    flow.step(rsv.OFFICER, case["id"], "committee_decision", rsv.committee())
    done = flow.case(rsv.OFFICER, case["id"])
    assert done["status"] == "completed" and done["data"]["meeting_outcome"] == "adopted"
    row = _pool(flow)[rsv.CANDIDATE]
    assert (row["category"], row["target_post"], row["level"], row["managing_unit"], row["source_instance_id"]) == (
        "young_outstanding", "组织部副部长", "subsidiary", "钢铁股份公司党委", case["id"])
    assert row["entered_on"] == "2026-03-02" and row["status"] == "active"
    # in the pool now: a second nomination is refused
    again = rsv.start(flow, expect=422)
    assert "已在后备干部库中" in again["fields"]["candidate"][0]


def test_a_long_term_candidate_is_decided_by_the_department_and_filed(flow: Flow) -> None:
    case = rsv.start(flow, category="long_term", target_post="炼钢厂副厂长")["id"]
    assert flow.case(rsv.OFFICER, case)["data"]["route"] == "filing"
    assert rsv.start(flow, category="long_term", expect=422)["fields"]["candidate"] == ["罗兰的后备干部提名已在办理中"]
    flow.step(rsv.HEAD, case, "department_review", {"decision": "agree"})
    assert flow.tasks(rsv.OFFICER, case) == ["filing"]
    flow.step(rsv.OFFICER, case, "filing", {"filed_on": "2026-03-02", "filed_with": "钢铁股份公司党委"})
    assert flow.case(rsv.OFFICER, case)["status"] == "completed"
    assert _pool(flow, category="long_term")[rsv.CANDIDATE]["target_post"] == "炼钢厂副厂长"


def test_the_department_may_decline_with_a_reason(flow: Flow) -> None:
    case = rsv.start(flow)["id"]
    flow.step(rsv.HEAD, case, "department_review", {"decision": "reject"}, expect=422)  # 不同意 needs 审批意见
    flow.step(rsv.HEAD, case, "department_review", {"decision": "reject"}, comment="培养方向待进一步研究")
    assert flow.case(rsv.OFFICER, case)["status"] == "rejected"
    assert rsv.CANDIDATE not in _pool(flow, status="all")


def test_a_last_rating_of_basically_competent_refuses_the_nomination(flow: Flow) -> None:
    body = flow.refused_start(rsv.PROCESS, "s2_03", rsv.nomination(candidate="s2_07", target_post="运输部部长"), "A-R1")
    assert "2025 年" in body["message"] and "基本称职" in body["message"]


def test_an_influence_period_refuses_the_nomination_at_start_and_at_the_department(flow: Flow) -> None:
    rsv.influence_period(flow.app, "s1_04", "2026-01-10", "2026-07-09")
    body = flow.refused_start(rsv.PROCESS, rsv.OFFICER, rsv.nomination(candidate="s1_04"), "B-C8")
    assert "诫勉影响期（2026-01-10 至 2026-07-09" in body["message"]
    case = rsv.start(flow)["id"]
    rsv.influence_period(flow.app, rsv.CANDIDATE, "2026-03-01", "2026-08-31")  # written while the case runs
    flow.refused(rsv.HEAD, case, "department_review", {"decision": "agree"}, "B-C8")
    flow.step(rsv.HEAD, case, "department_review", {"decision": "reject"}, comment="处于诫勉影响期")
    assert flow.case(rsv.OFFICER, case)["status"] == "rejected"


def test_an_unknown_candidate_and_a_non_officer_are_refused(flow: Flow) -> None:
    assert rsv.start(flow, candidate="nobody", expect=422)["fields"]["candidate"] == ["找不到人员“nobody”"]
    assert rsv.start(flow, by="s1b1_02", expect=403)
    assert "钢铁股份公司党委或上级党委的组织部门" in rsv.start(flow, by="s2_03", expect=403)["message"]
    assert rsv.start(flow, by="zhaomin")["id"]  # the group's 组织部 may nominate a subsidiary's cadre
