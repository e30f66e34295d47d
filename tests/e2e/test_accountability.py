"""accountability on the real server to each of its ends: dropped, the secretary's route, the
党委会 route, a 申辩 that lapses, and an appeal. Starts on gunicorn (2 workers × 4 threads); the
server is restarted, onto `flask serve`, between the two signatures of every 调查报告（会签）."""

from __future__ import annotations

from tests.drivers import accountability as acc
from tests.e2e.support import GUNICORN
from tests.e2e.support import SERVE
from tests.e2e.support import Live
from tests.e2e.support import LiveFlow
from tests.e2e.support import day

FIRST_SERVER = GUNICORN
ENDS = ("dropped", "secretary", "committee", "lapsed", "appeal")
REPORT = {"report": "调查报告：事实清楚", "signed": True}


def test_accountability_reaches_each_of_its_ends(live: Live, flow: LiveFlow) -> None:
    cases = {end: acc.start(flow)["id"] for end in ENDS}

    # 回避: the subject may not take over the 启动审批 of his own case (R-C1).
    item = flow.item("s1_01", cases["dropped"], "start_approval")
    transfer = live.api("s1_01").post(f"/tasks/{item['id']}/transfer", {"to": "s1_06", "reason": "出差"})
    assert transfer.status_code == 422 and transfer.get_json()["rule"] == "R-C1", transfer.get_json()

    for case_id in cases.values():
        acc.investigate(flow, case_id, shown_on=day(0))
    for end in ENDS:
        if end != "lapsed":
            flow.step("s1_06", cases[end], "defence", {"statement": "对事实无异议", "signed": True})

    # Nobody signs the 申辩: five working days on, its timer records the refusal (fired at the due instant).
    [timer] = flow.case("s1_03", cases["lapsed"])["timers"]
    assert timer["task"] == "defence_timer"
    assert live.fire(timer["due_at"]) >= 1
    lapsed = flow.case("s1_03", cases["lapsed"])
    assert (lapsed["data"].get("defence_refused"), lapsed["timers"]) == (True, []), (
        f"{lapsed['number']} after its 申辩 timer fired: {lapsed['status']}, "
        f"open steps {[w['task'] for w in lapsed['work_items']]}, timers {lapsed['timers']}")

    # 调查报告（会签）: one signature on gunicorn, the other after a restart onto flask serve.
    for case_id in cases.values():
        assert flow.tasks("s1_03", case_id) == ["report", "report"]
        flow.step("s1_04", case_id, "report", {**REPORT, "discussed_on": day(0)})
    live.restart(SERVE)
    for case_id in cases.values():
        flow.step("s1_07", case_id, "report", {**REPORT, "discussed_on": day(0)})
        after = flow.case("s1_03", case_id)
        assert [w["task"] for w in after["work_items"]] == ["decision_proposal"], (
            f"{after['number']} after both signatures of the 调查报告（会签）: {after['status']}, "
            f"open steps {[w['task'] for w in after['work_items']]}, timers {after['timers']}")
        assert after["data"]["report_signed_by"] == ["s1_04", "s1_07"], after["data"]

    body = flow.step("s1_03", cases["dropped"], "decision_proposal", {"decision": "drop"}, comment="情节轻微，免予问责")
    assert body["instance"]["status"] == "rejected"

    assert acc.decide(flow, cases["secretary"], ["admonish"])["instance"]["data"]["route"] == "secretary"
    assert acc.decide(flow, cases["committee"], ["dismiss"], on=day(0))["instance"]["data"]["route"] == "committee"
    acc.decide(flow, cases["lapsed"], ["circular"])
    acc.decide(flow, cases["appeal"], ["admonish"])
    windows = set()
    for end in ("secretary", "committee", "lapsed", "appeal"):
        body = acc.announce(flow, cases[end], on=day(0))
        [window] = body["instance"]["timers"]
        assert window["task"] == "appeal_window_timer"
        windows.add(window["due_at"])
    [window_closes] = windows

    flow.step("s1_03", cases["committee"], "handling", {"handled_on": day(0), "document_no": "钢股党任〔2026〕5号"})
    flow.step("s1_06", cases["appeal"], "appeal", {"grounds": "处理过重"})
    body = flow.step("s1_01", cases["appeal"], "appeal_decision", {"decision": "maintain"}, comment="维持原决定")
    assert body["instance"]["status"] == "completed"

    assert live.fire(window_closes) >= 3  # a month on, at the instant the 申诉 windows close
    ends = {end: flow.case("s1_03", case_id) for end, case_id in cases.items()}
    summary = {end: (c["status"], c["data"].get("outcome_text"), c["data"].get("route"), c["data"]["defence_refused"])
               for end, c in ends.items()}
    assert summary == {
        "dropped": ("rejected", "免予问责", None, False),
        "secretary": ("completed", "作出问责决定并执行", "secretary", False),
        "committee": ("completed", "作出问责决定并执行", "committee", False),
        "lapsed": ("completed", "作出问责决定并执行", "secretary", True),
        "appeal": ("completed", "作出问责决定并执行", "secretary", False),
    }
    assert ends["committee"]["data"]["handled_late"] is False
    assert ends["appeal"]["data"]["appeal_decided_on"] == day(0) and ends["appeal"]["data"]["appeal_decided_late"] is False
    assert all(c["work_items"] == [] and c["timers"] == [] for c in ends.values()), ends
    assert "停滞的流程：0 个" in live.check()
    assert live.verify().startswith("OK ")
