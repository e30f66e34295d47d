"""dues_allocation (集团 → S1 and S3, each recipient's own sub-flow) and dues_topup on the real server.
Starts on gunicorn (2 workers × 4 threads); restarted onto `flask serve` between the two recipients'
accepted reports (the multi-instance step `recipients`) and inside the top-up.

No 回避 attempt here: a dues case concerns no person (R-C1 names 拟任人选、被问责人、入党申请人)."""

from __future__ import annotations

from tests.drivers import dues
from tests.e2e.support import GUNICORN
from tests.e2e.support import SERVE
from tests.e2e.support import Live
from tests.e2e.support import LiveFlow
from tests.e2e.support import day

FIRST_SERVER = GUNICORN


def test_dues_allocation_and_topup_reach_their_ends(live: Live, flow: LiveFlow) -> None:
    case = dues.start(flow, deadline=day(60))["id"]
    topup = flow.start("dues_topup", "s1b1_01", {"amount": "5000.00", "reason": "慰问隔离观察党员", "requested_from": "S1"})["id"]

    dues.allocate(flow, case)
    flow.step("zhaomin", case, "committee_decision", {"meeting": {**dues.GROUP_MEETING, "date": day(0)}})
    flow.step("wuxia", case, "transfer", {"transfers": [{"unit": "S1", "ref": "党费拨〔2020〕1号"},
                                                        {"unit": "S3", "ref": "党费拨〔2020〕2号"}]})
    assert flow.tasks("zhaomin", case) == ["receive_plan", "receive_plan"]
    dues.receive(flow, case, "S1", on=day(0))
    dues.receive(flow, case, "S3", matching="0.00", on=day(0))
    flow.step("s1_03", case, "ledger", {"expenditures": [dues.spend(date=day(0))]})
    flow.step("s1_03", case, "usage_report", {"summary": "慰问一线医护", "people_helped": 30})
    flow.step("sunli", case, "report_review", {"decision": "accept"})
    flow.step("s3_03", case, "ledger", {"expenditures": [
        dues.spend(date=day(0), amount="150000.00"),
        dues.spend(date=day(0), purpose="hardship", beneficiary="患病党员张某", beneficiary_type="member",
                   amount="50000.00", invoice_no="SJ-0002")]})
    flow.step("s3_03", case, "usage_report", {"summary": "全部用于一线慰问和困难补助", "people_helped": 80})

    body = flow.step("s1_03", topup, "committee_decision",
                     {"meeting": dues.sub_meeting("S1", day(0)), "approved_amount": "4000.00"})
    assert [(w["task"], w["candidates"]) for w in body["instance"]["work_items"]] == [("transfer", ["s1_05"])]

    live.restart(SERVE)
    assert flow.case("zhaomin", case)["status"] == "running"  # S3's report is not accepted yet
    body = flow.step("zhaomin", case, "report_review", {"decision": "accept"})
    done = body["instance"]
    assert done["status"] == "completed", (
        f"{done['number']} after both recipients' reports were accepted: {done['status']}, "
        f"open steps {[w['task'] for w in done['work_items']]}, timers {done['timers']}")
    body = flow.step("s1_05", topup, "transfer", {"ref": "钢股党费拨〔2020〕9号", "transferred_on": day(0)})
    assert body["instance"]["status"] == "completed", body["instance"]

    allocation, top = flow.case("zhaomin", case), flow.case("s1_03", topup)
    assert allocation["data"]["usage_totals"] == {"received": "320000.00", "matched": "10000.00", "spent": "230000.00",
                                                  "balance": "100000.00"}
    assert allocation["data"]["usage_by_unit"]["S3"]["balance"] == "0.00"
    assert top["data"]["approved_amount"] == "4000.00"
    assert all(c["work_items"] == [] and c["timers"] == [] for c in (allocation, top))
    assert "停滞的流程：0 个" in live.check()
    assert live.verify().startswith("OK ")
