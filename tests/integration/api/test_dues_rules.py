"""D-C1 … D-C7 through the API: for each, the case that passes and the one just past it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.drivers import dues
from tests.flows import Flow
from tests.helpers import COMMITTEES
from tests.helpers import meeting

pytestmark = [pytest.mark.usefixtures("frozen_clock"), pytest.mark.clock("2020-02-14 09:00")]


def _at_ledger(flow: Flow) -> int:
    case = dues.start(flow)
    dues.to_recipients(flow, case["id"])
    dues.receive(flow, case["id"], "S1")   # S1: 120000.00 received + 10000.00 配套, condolence and supplies
    return int(case["id"])


def test_d_c1_the_allocation_needs_a_quorate_committee(flow: Flow) -> None:
    case = dues.start(flow)
    dues.allocate(flow, case["id"])
    away = {m: "出差" for m in COMMITTEES["G"][4:]}  # the group's 9 党委委员: 4 present, 5 away
    four = meeting(COMMITTEES["G"], {"for": 4, "against": 0}, absent=away, date="2020-02-14")
    flow.refused("zhaomin", case["id"], "committee_decision", {"meeting": four}, "D-C1")
    away.pop(COMMITTEES["G"][4])
    five = meeting(COMMITTEES["G"], {"for": 4, "against": 1}, absent=away, date="2020-02-14")  # quorate, but 4 of 9 is not a majority
    body = flow.step("zhaomin", case["id"], "committee_decision", {"meeting": five})
    assert body["instance"]["data"]["meeting_outcome"] == "rejected"
    assert [w["task"] for w in body["instance"]["work_items"]] == ["allocation_plan"]  # back to the plan
    dues.allocate(flow, case["id"])
    body = flow.step("zhaomin", case["id"], "committee_decision",
                     {"meeting": {**five, "votes": {"for": 5, "against": 0}}})
    assert [w["task"] for w in body["instance"]["work_items"]] == ["transfer"]


@pytest.mark.parametrize(("change", "field"), [
    ({"meeting_ref": ""}, "meeting_ref"),
    ({"date": "2020-02-11"}, "date"),        # before the recipient's own 党委会 (2020-02-12)
])
def test_d_c1_every_expenditure_follows_a_collective_decision(flow: Flow, change: dict[str, Any], field: str) -> None:
    case_id = _at_ledger(flow)
    body = flow.refused("s1_03", case_id, "ledger", {"expenditures": [dues.spend(**change)]}, "D-C1")
    assert f"expenditures.0.{field}" in body["fields"]
    flow.step("s1_03", case_id, "ledger", {"expenditures": [dues.spend(date="2020-02-12")]})


def test_d_c2_allocation_goes_to_the_next_level_only(flow: Flow) -> None:
    case = dues.start(flow)
    lines = [*dues.LINES[:3], {"unit": "S3B1", "amount": "50000.00", "purpose": "hardship"}]
    body = flow.refused("zhaomin", case["id"], "allocation_plan", {"lines": lines, "matching_amount": "20000.00"},
                        "D-C2")
    assert "lines.3.unit" in body["fields"]
    dues.allocate(flow, case["id"])


def test_d_c2_a_top_up_goes_to_the_parent_not_the_grandparent(flow: Flow) -> None:
    request = {"amount": "5000.00", "reason": "慰问隔离观察党员", "requested_from": "G"}
    flow.refused_start("dues_topup", "s1b1_01", request, "D-C2")
    flow.start("dues_topup", "s1b1_01", {**request, "requested_from": "S1"})
    subsidiary = flow.start("dues_topup", "s1_01", {**request, "requested_from": "G"})
    assert [w["candidates"] for w in subsidiary["work_items"]] == [["zhaomin", "sunli"]]
    assert flow.api("s1b1_02").post("/processes/dues_topup/instances",
                                    {"data": {**request, "requested_from": "S1"}}).status_code == 403


def test_d_c3_the_fund_purposes_fit_its_type(flow: Flow) -> None:
    flow.refused_start(dues.PROCESS, "zhaomin", dues.fund(allowed_purposes=["condolence", "training"]), "D-C3")
    retained = dues.start(flow, fund_type="retained_dues", allowed_purposes=["training", "hardship_members"])
    assert retained["status"] == "running"


def test_d_c3_an_allocation_line_outside_the_fund_purposes_is_refused(flow: Flow) -> None:
    case = dues.start(flow, allowed_purposes=["condolence", "supplies"])
    flow.refused("zhaomin", case["id"], "allocation_plan", {"lines": dues.LINES, "matching_amount": "20000.00"}, "D-C3")


@pytest.mark.parametrize(("change", "field"), [
    ({"purpose": "hardship", "beneficiary_type": "member"}, "purpose"),   # S1 was given condolence and supplies
    ({"purpose": "training", "beneficiary_type": "member"}, "purpose"),   # not a use of this fund at all
    ({"beneficiary_type": "non_member"}, "beneficiary_type"),             # 慰问 goes to front-line staff and cadres
])
def test_d_c3_each_expenditure_keeps_to_its_earmarked_use(flow: Flow, change: dict[str, Any], field: str) -> None:
    case_id = _at_ledger(flow)
    body = flow.refused("s1_03", case_id, "ledger", {"expenditures": [dues.spend(**change)]}, "D-C3")
    assert f"expenditures.0.{field}" in body["fields"]
    flow.step("s1_03", case_id, "ledger", {"expenditures": [dues.spend(beneficiary_type="grassroots_cadre")]})


def test_d_c4_donations_are_never_spent_only_remitted_in_full(flow: Flow) -> None:
    donation = {"source": "党员自愿捐款（2020年3月）", "amount": "210560.19", "fund_type": "donation",
                "deadline": "2020-03-31"}
    flow.refused_start(dues.PROCESS, "zhaomin", {**donation, "allowed_purposes": ["condolence"]}, "D-C4")
    case = flow.start(dues.PROCESS, "zhaomin", donation)
    assert [(w["task"], w["candidates"]) for w in case["work_items"]] == [("remittance", ["wuxia"])]
    remit = {"remitted_amount": "210560.18", "remitted_to": "省委组织部", "remit_ref": "HK-001", "remitted_on": "2020-02-14"}
    flow.refused("wuxia", case["id"], "remittance", remit, "D-C4")
    body = flow.step("wuxia", case["id"], "remittance", {**remit, "remitted_amount": "210560.19"})
    assert body["instance"]["status"] == "completed"


@pytest.mark.parametrize("missing", ["invoice_no", "beneficiary"])
def test_d_c6_every_line_has_its_receipt_and_beneficiary(flow: Flow, missing: str) -> None:
    case_id = _at_ledger(flow)
    body = flow.refused("s1_03", case_id, "ledger", {"expenditures": [dues.spend(**{missing: "  "})]}, "D-C6")
    assert f"expenditures.0.{missing}" in body["fields"]


def test_d_c7_allocation_up_to_fund_plus_matching_to_the_fen(flow: Flow) -> None:
    case = dues.start(flow)
    over = [*dues.LINES[:3], {**dues.LINES[3], "amount": "50000.01"}]
    body = flow.refused("zhaomin", case["id"], "allocation_plan", {"lines": over, "matching_amount": "20000.00"}, "D-C7")
    assert "320000.01" in body["message"] and "320000.00" in body["message"]
    dues.allocate(flow, case["id"])


def test_d_c7_spending_up_to_received_plus_matching_to_the_fen(flow: Flow) -> None:
    case_id = _at_ledger(flow)
    lines = [dues.spend(amount="100000.00"), dues.spend(purpose="supplies", beneficiary_type="organization",
                                                        beneficiary="物资", amount="30000.01", invoice_no="FP-1")]
    flow.refused("s1_03", case_id, "ledger", {"expenditures": lines}, "D-C7")
    body = flow.step("s1_03", case_id, "ledger", {"expenditures": [lines[0], {**lines[1], "amount": "30000.00"}]})
    assert body["instance"]["data"]["balance"] == "0.00"


def test_d_c7_money_is_exact_decimal_text(flow: Flow) -> None:
    response = flow.start(dues.PROCESS, "zhaomin", dues.fund(amount="300000.005"), expect=422)  # below the fen
    assert "amount" in response["fields"]
    response = flow.start(dues.PROCESS, "zhaomin", dues.fund(amount=300000.0), expect=422)  # a float, not text
    assert "amount" in response["fields"]
    assert flow.start(dues.PROCESS, "zhaomin", dues.fund(amount="300000.5"))["data"]["amount"] == "300000.50"


def test_d_c7_a_top_up_grants_at_most_what_was_asked(flow: Flow) -> None:
    case = flow.start("dues_topup", "s1b1_01", {"amount": "5000.00", "reason": "慰问", "requested_from": "S1"})
    flow.refused("s1_03", case["id"], "committee_decision", {"meeting": dues.SUB_MEETING, "approved_amount": "5000.01"},
                 "D-C7")
    flow.step("s1_03", case["id"], "committee_decision", {"meeting": dues.SUB_MEETING, "approved_amount": "5000.00"})


def test_money_is_taken_as_people_type_it_and_refused_in_words(flow: Flow) -> None:
    """“300,000”, “10万”, “￥150,000”, “5万元” are amounts, stored the API's way ("100000.00");
    three decimal places or words are refused next to the field, in Chinese, without a regex."""
    case = dues.start(flow, amount="300,000")
    assert case["data"]["amount"] == "300000.00"
    bad = [{**dues.LINES[0], "amount": "12.345"}, {**dues.LINES[1], "amount": "一百"}, *dues.LINES[2:]]
    refused = flow.step("zhaomin", case["id"], "allocation_plan", {"lines": bad, "matching_amount": "20000.00"},
                        expect=422)
    hint = "金额请填写数字，可写 500000、500,000.00 或 50万，最多两位小数"
    assert refused["fields"] == {"lines.0.amount": [hint], "lines.1.amount": [hint]}
    typed = [{**dues.LINES[0], "amount": "10万"}, {**dues.LINES[1], "amount": "20,000.00"},
             {**dues.LINES[2], "amount": "￥150,000"}, {**dues.LINES[3], "amount": "5万元"}]
    body = dues.allocate(flow, case["id"], typed, matching="2万")
    data = body["instance"]["data"]
    assert [line["amount"] for line in data["lines"]] == ["100000.00", "20000.00", "150000.00", "50000.00"]
    assert data["matching_amount"] == "20000.00"  # and D-C2's sum (fund + 配套) checked the normalized amounts
