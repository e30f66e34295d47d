"""Drivers for party_admission cases in 发热门诊党支部 (S3B1: 10 full members, 2 probationary)."""

from __future__ import annotations

from typing import Any

from tests.flows import Flow
from tests.helpers import COMMITTEES
from tests.helpers import meeting

PROCESS = "party_admission"
SECRETARY = "s3b1_01"          # 党支部书记
OFFICER = "s3_03"              # 医院党委组织部干部（组织员）
INTRODUCERS = ["s3b1_02", "s3b1_05"]
# The branch's 10 full members (s3b1_03 and s3b1_13 are probationary: no vote).
FULL_MEMBERS = ["s3b1_01", "s3b1_02", *(f"s3b1_{n:02d}" for n in range(5, 13))]
ON_DUTY = {u: "一线值班" for u in ("s3b1_06", "s3b1_07", "s3b1_08", "s3b1_09")}  # 孔明, 石磊, 钱丽, 邱实
# The example of the issue: 10 due, 6 present, 5 for + 1 written for.
BRANCH_MEETING = meeting(FULL_MEMBERS, {"for": 5, "against": 1, "abstain": 0}, absent=ON_DUTY,
                         body="支部大会", date="2020-02-21", written_opinions_for=1)
COMMITTEE = meeting(COMMITTEES["S3"], {"for": 4, "against": 0}, absent={"s3_08": "援鄂"},
                    body="医院党委会", date="2020-02-24")


def application(**overrides: Any) -> dict[str, Any]:
    """贺鹏 (s3b1_15), an activist since 2019-06-20, on the fever-clinic front line."""
    data = {"applicant": "s3b1_15", "status": "activist", "application_date": "2019-03-01",
            "activist_since": "2019-06-20", "proposed_on": "2020-02-20", "frontline": True, "frontline_post": "发热门诊接诊",
            "deeds": "春节期间主动请战，连续值守发热门诊 30 天"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def start(flow: Flow, **overrides: Any) -> dict[str, Any]:
    return flow.start(PROCESS, SECRETARY, application(**overrides))


def vet(flow: Flow, case_id: int, training: dict[str, Any] | None = None) -> None:
    """支委会审查 → 政审与介绍人 → 培训."""
    flow.step(SECRETARY, case_id, "branch_review", {"decision": "agree"})
    flow.step(SECRETARY, case_id, "vetting", {"introducers": INTRODUCERS, "political_review": "pass"})
    flow.step(OFFICER, case_id, "training", training or {"completed": True, "hours": 24, "special_case": False})


def to_branch_meeting(flow: Flow, case_id: int, applicant: str = "s3b1_15", **training: Any) -> None:
    vet(flow, case_id, training or None)
    flow.step(OFFICER, case_id, "pre_review", {"decision": "agree"})
    flow.step(applicant, case_id, "volunteer_form", {"form_text": "我志愿加入中国共产党……", "filled_on": "2020-02-20"})
    for introducer in INTRODUCERS:
        flow.step(introducer, case_id, "introducer_opinion", {"opinion": "该同志一贯表现好，同意介绍"})


def to_approval(flow: Flow, case_id: int, **training: Any) -> None:
    to_branch_meeting(flow, case_id, **training)
    flow.step(SECRETARY, case_id, "branch_meeting", {"meeting": BRANCH_MEETING})
    flow.step(OFFICER, case_id, "approval_talk", {"talk_by": "s3_06", "talk_date": "2020-02-22"})


def approve(flow: Flow, case_id: int, meeting: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return flow.step("s3_01", case_id, "committee_approval", {"meeting": meeting or COMMITTEE, **extra})
