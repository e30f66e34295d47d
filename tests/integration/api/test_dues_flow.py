"""A special-dues fund from 登记 to every recipient's accepted usage report, and a top-up."""

from __future__ import annotations

import pytest

from tests.drivers import dues
from tests.flows import Flow
from tests.flows import at
from workflows.engine.clock import frozen_at

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.clock("2020-02-14 09:00")]


def test_a_special_fund_is_allocated_used_and_reported_per_recipient(flow: Flow) -> None:
    case = dues.start(flow)
    assert case["number"].startswith("DF-2020-") and case["data"]["fund_unit"] == "G"
    assert [(w["task"], sorted(w["candidates"])) for w in case["work_items"]] == [("allocation_plan", ["sunli", "zhaomin"])]
    body = dues.allocate(flow, case["id"])
    data = body["instance"]["data"]
    assert data["recipients"] == ["S1", "S3"]
    assert data["allocation_by_unit"] == {"S1": "120000.00", "S3": "200000.00"}
    assert (data["allocated_total"], data["unallocated"]) == ("320000.00", "0.00")
    flow.step("zhaomin", case["id"], "committee_decision", {"meeting": dues.GROUP_MEETING})
    body = flow.step("wuxia", case["id"], "transfer", {"transfers": [{"unit": "S1", "ref": "党费拨〔2020〕1号"},
                                                                     {"unit": "S3", "ref": "党费拨〔2020〕2号"}]})
    items = body["instance"]["work_items"]
    assert sorted((w["task"], w["candidates"][0]) for w in items) == [("receive_plan", "s1_03"), ("receive_plan", "s3_03")]
    dues.receive(flow, case["id"], "S1")
    body = flow.step("s1_03", case["id"], "ledger", {"expenditures": [
        dues.spend(),
        dues.spend(purpose="supplies", beneficiary="炼钢厂党支部（口罩 2000 只）", beneficiary_type="organization",
                   amount="19999.99", item="goods", invoice_no="FP-2020-77"),
    ]})
    assert (body["item"]["task"], body["instance"]["data"]["balance"]) == ("ledger", "80000.01")
    body = flow.step("s1_03", case["id"], "usage_report", {"summary": "慰问一线医护，采购口罩", "people_helped": 30})
    assert {k: body["instance"]["data"][k] for k in ("received", "matched", "spent", "balance")} == {
        "received": "120000.00", "matched": "10000.00", "spent": "49999.99", "balance": "80000.01"}
    flow.step("zhaomin", case["id"], "report_review", {"decision": "return"}, comment="请补充签收单")
    flow.step("s1_03", case["id"], "ledger", {"expenditures": [dues.spend()]})
    flow.step("s1_03", case["id"], "usage_report", {"summary": "慰问一线医护", "people_helped": 30})
    flow.step("sunli", case["id"], "report_review", {"decision": "accept"})
    assert flow.case("zhaomin", case["id"])["status"] == "running"  # S3 has not reported yet
    dues.receive(flow, case["id"], "S3", matching="0.00")
    flow.step("s3_03", case["id"], "ledger", {"expenditures": [
        dues.spend(amount="150000.00"),
        dues.spend(purpose="hardship", beneficiary="患病党员张某", beneficiary_type="member", amount="50000.00",
                   invoice_no="SJ-0002")]})
    body = flow.step("s3_03", case["id"], "usage_report", {"summary": "全部用于一线慰问和困难补助", "people_helped": 80})
    data = body["instance"]["data"]
    assert data["usage_by_unit"]["S1"]["spent"] == "30000.00" and data["usage_by_unit"]["S3"]["balance"] == "0.00"
    assert data["usage_totals"] == {"received": "320000.00", "matched": "10000.00", "spent": "230000.00",
                                    "balance": "100000.00"}
    body = flow.step("zhaomin", case["id"], "report_review", {"decision": "accept"})
    assert body["instance"]["status"] == "completed"


def test_a_branch_asks_its_own_party_committee_for_a_top_up(flow: Flow) -> None:
    case = flow.start("dues_topup", "s1b1_01", {"amount": "5000.00", "reason": "慰问隔离观察党员", "requested_from": "S1"})
    assert case["title"] == "炼钢厂党支部追加专项党费"
    assert [(w["task"], w["candidates"]) for w in case["work_items"]] == [("committee_decision", ["s1_03"])]
    body = flow.step("s1_03", case["id"], "committee_decision",
                     {"meeting": dues.SUB_MEETING, "approved_amount": "4000.00"})
    assert [(w["task"], w["candidates"]) for w in body["instance"]["work_items"]] == [("transfer", ["s1_05"])]
    body = flow.step("s1_05", case["id"], "transfer", {"ref": "钢股党费拨〔2020〕9号", "transferred_on": "2020-02-14"})
    assert body["instance"]["status"] == "completed"
    assert body["instance"]["data"]["approved_amount"] == "4000.00"


def test_the_usage_report_deadline_reminds_then_escalates(flow: Flow) -> None:
    case = dues.start(flow, deadline="2020-03-31")
    dues.to_recipients(flow, case["id"])
    dues.receive(flow, case["id"], "S1")
    body = flow.step("s1_03", case["id"], "ledger", {"expenditures": [dues.spend()]})
    report = [w for w in body["instance"]["work_items"] if w["task"] == "usage_report"][0]
    assert report["due_at"] == "2020-04-01T00:00:00+08:00"
    assert body["instance"]["timers"] == []
    with frozen_at(at("2020-03-24 08:59")):
        assert flow.worker() == 0
    with frozen_at(at("2020-03-24 09:00")):  # 5 working days before the last day
        assert flow.worker() == 1
    with frozen_at(at("2020-04-01 00:00:01")):
        assert flow.worker() == 1
    with frozen_at(at("2020-12-31 00:00")):
        assert flow.worker() == 0
    assert flow.notices(case["id"]) == [
        ("due_soon", "usage_report", "s1_03", "2020-03-24 09:00"),
        ("overdue", "usage_report", "s1_03", "2020-04-01 00:00"),
        ("escalation", "usage_report", "s1_02", "2020-04-01 00:00"),  # 督办: the recipient's 组织部长
    ]
