"""Drivers for party_probation cases in 发热门诊党支部 (S3B1), approved by 医院党委 (S3)."""

from __future__ import annotations

from typing import Any

from tests.drivers.admission import FULL_MEMBERS
from tests.flows import Flow
from tests.helpers import COMMITTEES
from tests.helpers import meeting

PROCESS = "party_probation"
SECRETARY = "s3b1_01"      # 党支部书记
UPPER = "s3_01"            # 医院党委书记: records the 党委会
MEMBER = "s3b1_13"         # 常青, imported as a 预备党员 (no admission case in OrgFlow)
AWAY = {"s3b1_08": "一线值班", "s3b1_09": "一线值班"}


def start(flow: Flow, member: str = MEMBER, by: str = SECRETARY, expect: int = 201, **extra: Any) -> dict[str, Any]:
    return flow.start(PROCESS, by, {"member": member, **extra}, expect=expect)


def apply(flow: Flow, case_id: int, on: str, member: str = MEMBER, expect: int = 200) -> dict[str, Any]:
    return flow.step(member, case_id, "application",
                     {"applied_on": on, "application_text": "预备期内认真履行党员义务，申请按期转为正式党员。"},
                     expect=expect)


def branch_meeting(on: str, decision: str = "confirm", against: int = 0, members: list[str] | None = None,
                   **extra: Any) -> dict[str, Any]:
    """The 支部大会 of the branch's 10 full members (2 away): 8 present, all but `against` for."""
    block = meeting(members or FULL_MEMBERS, {"for": 8 - against, "against": against, "abstain": 0}, absent=AWAY,
                    body="支部大会", date=on)
    return {"meeting": block, "decision": decision, **extra}


def committee(on: str, votes: dict[str, int] | None = None) -> dict[str, Any]:
    return {"meeting": meeting(COMMITTEES["S3"], votes or {"for": 4, "against": 0}, absent={"s3_08": "援鄂"},
                               body="医院党委会", date=on)}


def approve(flow: Flow, case_id: int, on: str, **extra: Any) -> dict[str, Any]:
    return flow.step(UPPER, case_id, "committee_approval", {**committee(on), **extra})
