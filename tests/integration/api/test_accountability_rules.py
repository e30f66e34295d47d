"""B-C1 … B-C7 and B-C9 through the API: for each, the case that passes and the one just past it.

B-C8 (influence periods gate promotion and the reserve pool) is in test_cross_process_gate.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from models import AnnualRating
from models import User
from tests.drivers import accountability as acc
from tests.flows import Flow
from tests.flows import at
from tests.helpers import COMMITTEES
from tests.helpers import meeting
from workflows.engine.clock import frozen_at

pytestmark = pytest.mark.usefixtures("frozen_clock")


def test_b_c1_the_subject_units_own_secretary_never_approves_the_start(flow: Flow) -> None:
    flow.refused_start(acc.PROCESS, "s1_03", acc.lead(subject_user="s1_01"), "B-C1")
    case = flow.start(acc.PROCESS, "zhaomin", acc.lead(subject_user="s1_01", level="group"))
    assert [w["candidates"] for w in case["work_items"]] == [["wangjianguo"]]
    flow.refused_start(acc.PROCESS, "s1_03", acc.lead(subject_user=None, subject_unit="S1"), "B-C1")
    branch = flow.start(acc.PROCESS, "s1_03", acc.lead(subject_user=None, subject_unit="S1B1"))
    assert branch["title"] == "炼钢厂党支部：问责线索"
    assert [w["candidates"] for w in branch["work_items"]] == [["s1_01"]]


def test_b_c1_only_the_secretary_can_start_the_investigation(flow: Flow) -> None:
    case = acc.start(flow)
    item = flow.case("s1_03", case["id"])["work_items"][0]
    response = flow.api("s1_03").post(f"/tasks/{item['id']}/complete",
                                      {"data": {"decision": "investigate", "investigation_team": ["s1_04", "s1_07"]}})
    assert response.status_code == 403
    flow.step("s1_01", case["id"], "start_approval", {"decision": "no_accountability"}, comment="证据不足")
    assert flow.case("s1_03", case["id"])["status"] == "rejected"


@pytest.mark.parametrize("team", [["s1_04"], ["s1_04", "s1_04"], ["s1_04", "s1_06"]])
def test_b_c2_a_team_of_one_or_with_the_subject_is_refused(flow: Flow, team: list[str]) -> None:
    case = acc.start(flow)
    flow.refused("s1_01", case["id"], "start_approval", {"decision": "investigate", "investigation_team": team},
                 "B-C2")
    flow.step("s1_01", case["id"], "start_approval", {"decision": "investigate", "investigation_team": ["s1_04", "s1_07"]})
    assert flow.tasks("s1_04", case["id"]) == ["investigation"]


def test_b_c3_the_defence_deadline_records_a_refusal_when_it_passes(flow: Flow) -> None:
    with frozen_at(at("2026-03-02 09:00")):
        case = acc.start(flow)
        acc.investigate(flow, case["id"], shown_on="2026-03-02")
    with frozen_at(at("2026-03-09 09:00")):  # the 5th working day: the subject is reminded
        assert flow.worker() == 1
        assert flow.notices(case["id"]) == [("due_soon", "defence", "s1_06", "2026-03-09 09:00")]
    with frozen_at(at("2026-03-09 23:59")):  # still open: the 申辩 timer has not fired
        assert flow.worker() == 0
        assert flow.tasks("s1_06", case["id"]) == ["defence"]
        assert flow.case("s1_03", case["id"])["timers"] == [{"task": "defence_timer",
                                                            "due_at": "2026-03-10T00:00:00+08:00"}]
    with frozen_at(at("2026-03-10 00:00:01")):
        assert flow.worker() == 1  # the timer; the step it ends is never overdue
        after = flow.case("s1_03", case["id"])
        assert after["data"]["defence_refused"] is True and after["timers"] == []
        assert sorted(w["task"] for w in after["work_items"]) == ["report", "report"]
        assert flow.notices(case["id"]) == [("due_soon", "defence", "s1_06", "2026-03-09 09:00")]
        acc.sign_report(flow, case["id"])
        assert flow.tasks("s1_03", case["id"]) == ["decision_proposal"]


def test_b_c3_a_defence_period_already_over_when_the_facts_are_recorded_counts_as_refused(flow: Flow) -> None:
    with frozen_at(at("2026-03-20 09:00")):
        case = acc.start(flow)
        acc.investigate(flow, case["id"], shown_on="2026-03-02")  # the 5 working days ended on 03-09
        after = flow.case("s1_03", case["id"])
        assert after["data"]["defence_refused"] is True
        assert sorted(w["task"] for w in after["work_items"]) == ["report", "report"]
        assert after["timers"] == []


def test_b_c3_an_unsigned_statement_needs_the_refusal_noted(flow: Flow) -> None:
    case = acc.start(flow)
    acc.investigate(flow, case["id"], shown_on="2026-03-02")
    flow.refused("s1_06", case["id"], "defence", {"statement": "不同意事实认定", "signed": False}, "B-C3")
    body = flow.step("s1_06", case["id"], "defence",
                     {"statement": "不同意事实认定", "signed": False, "refusal_note": "本人拒绝签字，调查组两人在场"})
    assert body["instance"]["data"]["defence_refused"] is False


def test_b_c4_every_team_member_signs_before_the_proposal(flow: Flow) -> None:
    case = acc.start(flow)
    acc.investigate(flow, case["id"])
    flow.step("s1_06", case["id"], "defence", {"statement": "无异议", "signed": True})
    report = {"report": "调查报告", "discussed_on": "2026-03-02", "signed": False}
    flow.refused("s1_04", case["id"], "report", report, "B-C4")
    flow.step("s1_04", case["id"], "report", {**report, "signed": True})
    assert flow.tasks("s1_03", case["id"]) == ["report"]  # s1_07 has not signed yet
    flow.step("s1_07", case["id"], "report", {**report, "signed": True, "reservation": "建议从轻"})
    proposal = flow.case("s1_03", case["id"])
    assert proposal["data"]["report_signed_by"] == ["s1_04", "s1_07"]
    assert [w["task"] for w in proposal["work_items"]] == ["decision_proposal"]


@pytest.mark.parametrize(("forms", "route", "task", "who"), [
    (["circular", "admonish"], "secretary", "secretary_approval", "s1_01"),
    (["admonish", "demote"], "committee", "committee_decision", "s1_03"),
    (["dismiss"], "committee", "committee_decision", "s1_03"),
])
def test_b_c5_organizational_forms_go_to_the_committee(flow: Flow, forms: list[str], route: str, task: str,
                                                       who: str) -> None:
    case = acc.start(flow)
    acc.to_proposal(flow, case["id"])
    body = flow.step("s1_03", case["id"], "decision_proposal", {"decision": "propose", "forms": forms})
    assert body["instance"]["data"]["route"] == route
    assert [(w["task"], w["candidates"]) for w in body["instance"]["work_items"]] == [(task, [who])]


def test_b_c5_the_committee_decision_needs_its_quorum(flow: Flow) -> None:
    case = acc.start(flow)
    acc.to_proposal(flow, case["id"])
    flow.step("s1_03", case["id"], "decision_proposal", {"decision": "propose", "forms": ["dismiss"]})
    # S1 has 5 党委委员; the subject (s1_06) recuses, so 4 are due and 3 must attend (A-C1).
    away = {"s1_07": "出差", "s1_08": "病假"}
    two = meeting(COMMITTEES["S1"], {"for": 2, "against": 0}, absent=away, recused={"s1_06": "本人为被问责人"})
    body = flow.refused("s1_03", case["id"], "committee_decision", {"meeting": two}, "A-C1")
    assert "应到 4 人（名册 5 人，回避 1 人），须至少 3 人到会，实到 2 人" in body["message"]
    with frozen_at(at("2026-03-02 18:00")):
        body = flow.step("s1_03", case["id"], "committee_decision", {"meeting": acc.COMMITTEE})
    data = body["instance"]["data"]
    assert data["meeting_outcome"] == "adopted" and data["decided_on"] == "2026-03-02"
    assert data["handling_due_on"] == "2026-04-02"


def test_b_c5_forms_must_fit_the_target(flow: Flow) -> None:
    case = acc.start(flow, subject_user=None, subject_unit="S1B1")
    acc.investigate(flow, case["id"])
    flow.step("s1b1_01", case["id"], "defence", {"statement": "支部班子认领责任", "signed": True})
    acc.sign_report(flow, case["id"])
    response = flow.step("s1_03", case["id"], "decision_proposal", {"decision": "propose", "forms": ["dismiss"]},
                         expect=422)
    assert "forms" in response["fields"]
    flow.step("s1_03", case["id"], "decision_proposal", {"decision": "propose", "forms": ["check"]})


def _decided(flow: Flow, forms: list[str], **lead: Any) -> dict[str, Any]:
    case = acc.start(flow, **lead)
    acc.to_proposal(flow, case["id"])
    acc.decide(flow, case["id"], forms)
    return case


def test_b_c6_announcement_is_archived_and_filed(flow: Flow) -> None:
    with frozen_at(at("2026-03-02 09:00")):
        case = _decided(flow, ["admonish"])
        flow.refused("s1_03", case["id"], "announce_archive",
                     {"announced_on": "2026-03-02", "archived": True, "filed_upward": False}, "B-C6")
        flow.refused("s1_03", case["id"], "announce_archive",
                     {"announced_on": "2026-03-02", "archived": False, "filed_upward": True}, "B-C6")
        acc.announce(flow, case["id"], "2026-03-02")


def _overdue_events(flow: Flow, case_id: int) -> list[tuple[str, list[str]]]:
    events = flow.api("zhengyun").get(f"/instances/{case_id}/events").get_json()["items"]
    return [(e["data"]["task"], e["data"]["escalated_to"]) for e in events if e["action"] == "task.overdue"]


def _cc(flow: Flow, username: str) -> list[int]:
    return [c["id"] for c in flow.api(username).get("/tasks?view=cc").get_json()["items"]]


def test_b_c6_organizational_handling_has_a_month_with_reminder_and_escalation(flow: Flow) -> None:
    with frozen_at(at("2026-03-02 09:00")):
        case = _decided(flow, ["dismiss"])
        body = acc.announce(flow, case["id"], "2026-03-02")
        handling = [w for w in body["instance"]["work_items"] if w["task"] == "handling"][0]
        assert handling["due_at"] == "2026-04-03T00:00:00+08:00"  # the month ends with 2026-04-02
        assert body["instance"]["timers"] == [{"task": "appeal_window_timer", "due_at": "2026-04-03T00:00:00+08:00"}]
    with frozen_at(at("2026-03-26 08:59")):
        assert flow.worker() == 0
    with frozen_at(at("2026-03-26 09:00")):  # 5 working days before the last day
        assert flow.worker() == 1
    with frozen_at(at("2026-04-02 09:00")):  # the last day of the parallel 申诉 window
        assert flow.worker() == 1
    with frozen_at(at("2026-04-03 00:00:01")):
        assert flow.worker() == 2  # the 申诉 window closes; 组织处理 is overdue
        assert flow.notices(case["id"]) == [
            ("due_soon", "handling", "s1_03", "2026-03-26 09:00"),
            ("due_soon", "appeal", "s1_06", "2026-04-02 09:00"),
            ("overdue", "handling", "s1_03", "2026-04-03 00:00"),
            ("escalation", "handling", "s1_02", "2026-04-03 00:00"),  # 督办: S1's 组织部长
        ]
        assert _overdue_events(flow, case["id"]) == [("handling", ["s1_02"])]
        assert _cc(flow, "s1_02") == [case["id"]]
        late = {"handled_on": "2026-04-03", "document_no": "钢股党任〔2026〕5号"}
        flow.refused("s1_03", case["id"], "handling", late, "B-C6")
        body = flow.step("s1_03", case["id"], "handling", {**late, "late_reason": "待上级批复"})
        assert body["instance"]["data"]["handled_late"] is True
    with frozen_at(at("2026-12-31 00:00")):
        assert flow.worker() == 0  # each notice was sent once


def test_b_c6_handling_on_the_last_day_is_on_time(flow: Flow) -> None:
    with frozen_at(at("2026-03-02 09:00")):
        case = _decided(flow, ["dismiss"])
        acc.announce(flow, case["id"], "2026-03-02")
    with frozen_at(at("2026-04-02 17:00")):
        body = flow.step("s1_03", case["id"], "handling", {"handled_on": "2026-04-02", "document_no": "钢股党任〔2026〕5号"})
        assert body["instance"]["data"]["handled_late"] is False


def test_b_c7_the_appeal_window_closes_a_month_after_receipt(flow: Flow) -> None:
    with frozen_at(at("2026-03-02 09:00")):
        case = _decided(flow, ["admonish"])
        acc.announce(flow, case["id"], "2026-03-02")
    with frozen_at(at("2026-04-03 08:00")):  # window ended on 04-02; the worker has not run yet
        flow.refused("s1_06", case["id"], "appeal", {"grounds": "事实认定有误"}, "B-C7")
    with frozen_at(at("2026-04-02 23:00")):
        body = flow.step("s1_06", case["id"], "appeal", {"grounds": "事实认定有误"})
        assert body["instance"]["data"]["appeal_decision_due_on"] == "2026-05-02"
        assert [(w["task"], w["candidates"]) for w in body["instance"]["work_items"]] == [("appeal_decision", ["s1_01"])]


def test_b_c7_a_late_appeal_decision_needs_its_reason(flow: Flow) -> None:
    with frozen_at(at("2026-03-02 09:00")):
        case = _decided(flow, ["admonish"])
        acc.announce(flow, case["id"], "2026-03-02")
        body = flow.step("s1_06", case["id"], "appeal", {"grounds": "事实认定有误"})
        assert [(w["task"], w["due_at"]) for w in body["instance"]["work_items"]] == [
            ("appeal_decision", "2026-04-03T00:00:00+08:00")]
        assert body["instance"]["timers"] == []
    with frozen_at(at("2026-04-02 09:00")):  # the last day of the 1-month decision deadline
        assert flow.worker() == 1
    with frozen_at(at("2026-04-03 00:00:01")):
        assert flow.worker() == 1  # overdue: escalated
        assert flow.notices(case["id"]) == [
            ("due_soon", "appeal_decision", "s1_01", "2026-04-02 09:00"),
            ("overdue", "appeal_decision", "s1_01", "2026-04-03 00:00"),
            ("escalation", "appeal_decision", "s1_02", "2026-04-03 00:00"),
        ]
        assert _overdue_events(flow, case["id"]) == [("appeal_decision", ["s1_02"])]
    with frozen_at(at("2026-04-03 09:00")):
        flow.refused("s1_01", case["id"], "appeal_decision", {"decision": "maintain"}, "B-C7", comment="维持")
        body = flow.step("s1_01", case["id"], "appeal_decision", {"decision": "maintain", "late_reason": "补充调查"},
                         comment="维持原决定")
        assert body["instance"]["status"] == "completed"


def _rating(flow: Flow, username: str, year: int) -> tuple[str, bool, str | None]:
    from webapp.extensions import db

    with flow.app.app_context():
        row = db.session.scalars(select(AnnualRating).join(User, User.id == AnnualRating.user_id).where(
            User.username == username, AnnualRating.year == year)).one()
        return row.rating, row.locked, row.reason


def test_b_c9_the_forced_rating_changes_only_with_the_group_committees_reason(flow: Flow) -> None:
    case = _decided(flow, ["admonish"], two_ensures_failed=True, year=2025)
    assert _rating(flow, "s1_06", 2025)[:2] == ("不称职", True)
    item = flow.case(acc.GROUP_OFFICER, case["id"])["work_items"][0]
    assert (item["task"], item["candidates"]) == ("rating_override", ["zhaomin", "sunli"])  # the group 组织部 records
    flow.refused(acc.GROUP_OFFICER, case["id"], "rating_override", {"override": True, "rating": "基本称职"}, "B-C9")
    acc.override(flow, case["id"], rating="基本称职", reason="疫情系外部输入，已尽职")
    rating, locked, reason = _rating(flow, "s1_06", 2025)
    assert (rating, locked) == ("基本称职", False) and "疫情系外部输入" in (reason or "")
    assert "集团党委会（2026-03-02）" in (reason or "")
