"""B-C8: what an `accountability` decision writes gates `cadre_promotion` (A-C9, A-C14) and the
reserve pool, from the decision on, and lifts when the period ends or the decision is revoked."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from models import ReservePoolEntry
from tests.drivers import accountability as acc
from tests.flows import Flow
from tests.flows import at
from tests.helpers import FOUR_MUSTS_DONE
from tests.helpers import MEETING_OK
from tests.helpers import proposal
from workflows.engine.clock import frozen_at

pytestmark = pytest.mark.usefixtures("frozen_clock")


def decided(flow: Flow, forms: list[str], **lead: Any) -> int:
    """An accountability case about s1_06, decided (and announced) on 2026-03-02."""
    case = acc.start(flow, **lead)
    acc.to_proposal(flow, case["id"])
    acc.decide(flow, case["id"], forms)
    if lead.get("two_ensures_failed"):
        return case["id"]
    acc.announce(flow, case["id"], "2026-03-02")
    return int(case["id"])


def cadre_to_targets(flow: Flow, **overrides: Any) -> int:
    """A cadre case about s1_06 up to 确定考察对象."""
    case = flow.start("cadre_promotion", "s1_03", proposal(**overrides))
    flow.step("s1_01", case["id"], "deliberation", {"decision": "agree"})
    flow.step("s1_03", case["id"], "recommendation",
              {"method": "meeting", "results": "得票集中", "inspection_team": ["s1_07", "s1_08"]})
    return int(case["id"])


def cadre_to_committee(flow: Flow, case_id: int) -> None:
    flow.step("s1_03", case_id, "inspection_targets", {"decision": "proceed"})
    flow.step("s1_07", case_id, "inspection", {"report": "表现突出", "four_musts": FOUR_MUSTS_DONE})
    flow.step("s1_04", case_id, "discipline_opinion", {"decision": "no_objection"})
    flow.step("s1_02", case_id, "department_review", {"decision": "submit"})


def test_an_admonishment_blocks_the_candidate_until_its_period_ends(flow: Flow) -> None:
    decided(flow, ["admonish"])  # 影响期 2026-03-02 … 2026-09-01
    with frozen_at(at("2026-03-10 09:00")):
        case_id = cadre_to_targets(flow)
        shown = flow.case("s1_03", case_id)["data"]["negative_findings"]
        assert shown == [{"rule": "A-C9", "finding": "处于诫勉影响期（2026-03-02 至 2026-09-01，不得提拔或重用）"}]
        flow.refused("s1_03", case_id, "inspection_targets", {"decision": "proceed"}, "A-C9")
    with frozen_at(at("2026-09-01 17:00")):
        flow.refused("s1_03", case_id, "inspection_targets", {"decision": "proceed"}, "A-C9")
    with frozen_at(at("2026-09-02 09:00")):
        body = flow.step("s1_03", case_id, "inspection_targets", {"decision": "proceed"})
        assert body["instance"]["data"]["negative_findings"] == []


def test_a_dismissal_bars_a_higher_post_for_two_years(flow: Flow) -> None:
    decided(flow, ["dismiss"])
    case_id = cadre_to_targets(flow)
    body = flow.refused("s1_03", case_id, "inspection_targets", {"decision": "proceed"}, "A-C14")
    assert "免职影响期" in body["message"] and not {"no_higher_post", "dismiss"} & set(body["message"].split("，"))
    with frozen_at(at("2027-03-02 09:00")):  # no leading post for 1 year: over; no higher post: 2 years
        flow.refused("s1_03", case_id, "inspection_targets", {"decision": "proceed"}, "A-C14")
    with frozen_at(at("2028-03-02 09:00")):
        flow.step("s1_03", case_id, "inspection_targets", {"decision": "proceed"})


def test_the_forced_rating_blocks_until_the_group_committee_changes_it(flow: Flow) -> None:
    acc_id = decided(flow, ["circular"], two_ensures_failed=True, year=2025)
    case_id = cadre_to_targets(flow)
    body = flow.refused("s1_03", case_id, "inspection_targets", {"decision": "proceed"}, "A-C9")
    assert "2025 年度考核等次为“不称职”" in body["message"]
    acc.override(flow, acc_id)
    flow.step("s1_03", case_id, "inspection_targets", {"decision": "proceed"})


def test_a_decision_during_the_promotion_stops_it_at_the_committee(flow: Flow) -> None:
    case_id = cadre_to_targets(flow)
    cadre_to_committee(flow, case_id)  # 考察对象 while nothing was on record
    decided(flow, ["admonish"])
    body = flow.refused("s1_03", case_id, "committee_decision", {"meeting": MEETING_OK}, "A-C9")
    assert "不得提拔任用" in body["message"]


def _pool(flow: Flow) -> list[tuple[Any, Any, Any]]:
    from webapp.extensions import db

    with flow.app.app_context():
        return [(e.removed_on, e.removed_reason, e.removed_by_instance_id)
                for e in db.session.scalars(select(ReservePoolEntry))]


def test_the_reserve_pool_is_gated_and_left(flow: Flow) -> None:
    pool_case = cadre_to_targets(flow, purpose="reserve_pool")
    cadre_to_committee(flow, pool_case)
    assert flow.step("s1_03", pool_case, "committee_decision", {"meeting": MEETING_OK})["instance"]["status"] == "completed"
    assert _pool(flow) == [(None, None, None)]
    acc_id = decided(flow, ["admonish"])
    [(removed_on, reason, by)] = _pool(flow)
    assert (str(removed_on), by) == ("2026-03-02", acc_id) and "B-C8" in reason
    again = cadre_to_targets(flow, purpose="reserve_pool")
    flow.refused("s1_03", again, "inspection_targets", {"decision": "proceed"}, "A-C9")


def test_an_appeal_does_not_suspend_the_decision_but_a_revocation_lifts_it(flow: Flow) -> None:
    acc_id = decided(flow, ["admonish"])
    flow.step("s1_06", acc_id, "appeal", {"grounds": "卡口缺位系排班调整所致"})
    case_id = cadre_to_targets(flow)
    flow.refused("s1_03", case_id, "inspection_targets", {"decision": "proceed"}, "A-C9")  # appeal pending
    with frozen_at(at("2026-03-20 09:00")):
        body = flow.step("s1_01", acc_id, "appeal_decision", {"decision": "revoke"}, comment="事实认定有误，撤销")
        assert body["instance"]["status"] == "completed"
        flow.step("s1_03", case_id, "inspection_targets", {"decision": "proceed"})


def test_a_changed_decision_replaces_the_period(flow: Flow) -> None:
    acc_id = decided(flow, ["dismiss"])
    flow.step("s1_06", acc_id, "appeal", {"grounds": "处理过重"})
    with frozen_at(at("2026-03-20 09:00")):  # a 党委会 免职 is reconsidered by the 党委会 (B-C7)
        flow.step("s1_03", acc_id, "appeal_committee", {"decision": "change", "changed_forms": ["admonish"],
                                                         "meeting": {**acc.COMMITTEE, "date": "2026-03-20"}},
                  comment="改为诫勉")
        case_id = cadre_to_targets(flow)
        body = flow.refused("s1_03", case_id, "inspection_targets", {"decision": "proceed"}, "A-C9")
        assert "诫勉影响期（2026-03-20 至 2026-09-01，不得提拔或重用）" in body["message"]
