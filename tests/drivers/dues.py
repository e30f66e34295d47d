"""Drivers for dues_allocation (集团 → 子分公司) and dues_topup cases in the demo organization."""

from __future__ import annotations

from typing import Any

from tests.flows import Flow
from tests.helpers import COMMITTEES
from tests.helpers import meeting

PROCESS = "dues_allocation"
# The group 党委会: 9 due, 7 present.
GROUP_MEETING = meeting(COMMITTEES["G"], {"for": 6, "against": 1}, absent={"xuming": "出差", "hejing": "病假"},
                        body="集团党委会", date="2020-02-10", minutes_no="集团党委会纪要〔2020〕3号")


def sub_meeting(unit: str = "S1", on: str = "2020-02-12") -> dict[str, Any]:
    """A subsidiary's own 党委会 (5 due, 4 present)."""
    members = COMMITTEES[unit]
    return meeting(members, {"for": 4, "against": 0}, absent={members[-1]: "隔离观察"}, date=on,
                   minutes_no="党委会纪要〔2020〕5号")


SUB_MEETING = sub_meeting("S1")
LINES = [{"unit": "S1", "amount": "100000.00", "purpose": "condolence"},
         {"unit": "S1", "amount": "20000.00", "purpose": "supplies"},
         {"unit": "S3", "amount": "150000.00", "purpose": "condolence"},
         {"unit": "S3", "amount": "50000.00", "purpose": "hardship"}]   # 320000.00 = fund + 配套
OFFICERS = {"S1": "s1_03", "S3": "s3_03"}


def fund(**overrides: Any) -> dict[str, Any]:
    data = {"source": "中组部下拨代中央管理党费（疫情防控）", "notice_no": "冀组通〔2020〕8号", "amount": "300000.00",
            "fund_type": "special_dues", "allowed_purposes": ["condolence", "supplies", "hardship"],
            "deadline": "2020-06-30"}
    data.update(overrides)
    return data


def start(flow: Flow, **overrides: Any) -> dict[str, Any]:
    return flow.start(PROCESS, "zhaomin", fund(**overrides))


def allocate(flow: Flow, case_id: int, lines: list[dict[str, Any]] | None = None,
             matching: str = "20000.00") -> dict[str, Any]:
    return flow.step("zhaomin", case_id, "allocation_plan", {"lines": lines or LINES, "matching_amount": matching})


def to_recipients(flow: Flow, case_id: int) -> None:
    """分配方案 → 党委会 → 拨付: each recipient then has its own 接收与本级方案."""
    allocate(flow, case_id)
    flow.step("zhaomin", case_id, "committee_decision", {"meeting": GROUP_MEETING})
    flow.step("wuxia", case_id, "transfer", {"transfers": [{"unit": "S1", "ref": "党费拨〔2020〕1号"},
                                                             {"unit": "S3", "ref": "党费拨〔2020〕2号"}]})


def receive(flow: Flow, case_id: int, unit: str, matching: str = "10000.00", on: str | None = None) -> None:
    """接收与本级方案 → 本级党委会: received on 2020-02-11 and decided the next day, or both `on` one day."""
    officer = OFFICERS[unit]
    flow.step(officer, case_id, "receive_plan",
              {"received_on": on or "2020-02-11", "matching_amount": matching, "plan": "慰问发热门诊一线人员"})
    flow.step(officer, case_id, "sub_committee_decision", {"meeting": sub_meeting(unit, on or "2020-02-12")})


def spend(**overrides: Any) -> dict[str, Any]:
    line = {"date": "2020-02-13", "purpose": "condolence", "beneficiary": "发热门诊医护人员 30 人",
            "beneficiary_type": "medical_staff", "amount": "30000.00", "item": "cash", "invoice_no": "SJ-0001",
            "meeting_ref": "党委会纪要〔2020〕5号"}
    line.update(overrides)
    return line
