"""Drivers for accountability cases in the demo organization (subsidiary S1 unless said)."""

from __future__ import annotations

from typing import Any

from tests.flows import Flow
from tests.helpers import COMMITTEES
from tests.helpers import meeting

PROCESS = "accountability"
# S1's 党委会 deciding on 梁晨 (s1_06), who sits on it and recuses (R-C1): 4 due, 3 present, 3 for.
COMMITTEE = meeting(COMMITTEES["S1"], {"for": 3, "against": 0}, absent={"s1_08": "出差"},
                    recused={"s1_06": "本人为被问责人"})


# The group 党委会 that alone may change a forced 不称职 (B-C9); recorded by the group 组织部.
GROUP_COMMITTEE = meeting(COMMITTEES["G"], {"for": 6, "against": 1}, absent={"yangfan": "出差", "huangwei": "病假"},
                          body="集团党委会")
GROUP_OFFICER = "zhaomin"


def override(flow: Flow, case_id: int, rating: str = "称职", reason: str = "已尽职", on: str | None = None,
             **meeting: Any) -> dict[str, Any]:
    """The group 党委会 changes the forced 不称职 (its record entered by the group 组织部)."""
    record = {**GROUP_COMMITTEE, **({"date": on} if on else {}), **meeting}
    return flow.step(GROUP_OFFICER, case_id, "rating_override",
                     {"override": True, "rating": rating, "reason": reason, "meeting": record})


def lead(**overrides: Any) -> dict[str, Any]:
    """A 线索 about s1_06 (梁晨, a cadre of S1), handled at subsidiary level."""
    data = {"subject_user": "s1_06", "level": "subsidiary", "category": "epidemic_prevention",
            "source": "supervision", "evidence": "督导发现卡口值守缺位两次", "two_ensures_failed": False}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def start(flow: Flow, initiator: str = "s1_03", **overrides: Any) -> dict[str, Any]:
    return flow.start(PROCESS, initiator, lead(**overrides))


def investigate(flow: Flow, case_id: int, team: list[str] | None = None, approver: str = "s1_01",
                shown_on: str = "2026-03-02") -> None:
    """启动审批 → 调查: the facts are shown to the subject on `shown_on`."""
    team = team or ["s1_04", "s1_07"]
    flow.step(approver, case_id, "start_approval", {"decision": "investigate", "investigation_team": team})
    flow.step(team[0], case_id, "investigation", {"facts": "经查，卡口值守两次缺位属实", "facts_shown_on": shown_on})


def sign_report(flow: Flow, case_id: int, team: list[str] | None = None, on: str = "2026-03-02") -> None:
    for member in team or ["s1_04", "s1_07"]:
        flow.step(member, case_id, "report", {"report": "调查报告：事实清楚", "discussed_on": on, "signed": True})


def to_proposal(flow: Flow, case_id: int, subject: str = "s1_06") -> None:
    """From 启动审批 to 问责方式: investigation, a signed 申辩 and the report signed by both members."""
    investigate(flow, case_id)
    flow.step(subject, case_id, "defence", {"statement": "对事实无异议", "signed": True})
    sign_report(flow, case_id)


def decide(flow: Flow, case_id: int, forms: list[str], initiator: str = "s1_03", on: str | None = None,
           **extra: Any) -> dict[str, Any]:
    """问责方式 → 书记批准 or 党委会 (by route, the 党委会 held `on`); returns the decision step's response."""
    body = flow.step(initiator, case_id, "decision_proposal", {"decision": "propose", "forms": forms, **extra})
    if body["instance"]["data"]["route"] == "secretary":
        return flow.step("s1_01", case_id, "secretary_approval", {"decision": "approve"})
    return flow.step("s1_03", case_id, "committee_decision", {"meeting": {**COMMITTEE, **({"date": on} if on else {})}})


def announce(flow: Flow, case_id: int, on: str = "2026-03-10") -> dict[str, Any]:
    return flow.step("s1_03", case_id, "announce_archive",
                     {"announced_on": on, "archived": True, "filed_upward": True, "document_no": "钢股党问〔2026〕1号"})
