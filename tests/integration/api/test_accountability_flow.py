"""An accountability case from 线索登记 to 办结 through the API, as the right users each step."""

from __future__ import annotations

from tests.drivers import accountability as acc
from tests.flows import Flow
from tests.flows import at
from workflows.engine.clock import frozen_at


def test_admonishment_runs_from_lead_to_the_end_of_the_appeal_window(flow: Flow) -> None:
    with frozen_at(at("2026-03-02 09:00")):
        case = acc.start(flow, two_ensures_failed=True, year=2025)
        assert case["number"].startswith("WZ-2026-")
        assert case["title"] == "梁晨：问责线索"
        assert [(w["task"], w["candidates"]) for w in case["work_items"]] == [("start_approval", ["s1_01"])]
        acc.investigate(flow, case["id"])
        after = flow.case("s1_06", case["id"])
        assert [(w["task"], w["candidates"]) for w in after["work_items"]] == [("defence", ["s1_06"])]
        assert after["timers"] == [{"task": "defence_timer", "due_at": "2026-03-10T00:00:00+08:00"}]
        assert after["work_items"][0]["due_at"] == "2026-03-10T00:00:00+08:00"
    with frozen_at(at("2026-03-05 10:00")):
        flow.step("s1_06", case["id"], "defence", {"statement": "对事实无异议", "signed": True})
        assert flow.tasks("s1_03", case["id"]) == ["report", "report"]
        acc.sign_report(flow, case["id"])
        body = acc.decide(flow, case["id"], ["admonish"])
        data = body["instance"]["data"]
        assert data["route"] == "secretary" and data["influence_months"] == 6
        assert data["influence_periods"] == [{"form": "admonish", "restriction": "no_promotion", "months": 6,
                                              "starts_on": "2026-03-05", "ends_on": "2026-09-04"}]
        assert data["forced_rating"] == {"year": 2025, "rating": "不称职"}
        assert [w["candidates"] for w in body["instance"]["work_items"]] == [["zhaomin", "sunli"]]  # group 组织部
        flow.step("zhaomin", case["id"], "rating_override", {"override": False})
        body = acc.announce(flow, case["id"], "2026-03-05")
        assert body["instance"]["data"]["appeal_window_ends_on"] == "2026-04-05"
        assert body["instance"]["timers"] == [{"task": "appeal_window_timer", "due_at": "2026-04-06T00:00:00+08:00"}]
        assert flow.tasks("s1_06", case["id"]) == ["appeal"]
    with frozen_at(at("2026-04-05 09:00")):  # the window's last day: the subject is reminded
        assert flow.worker() == 1
        assert flow.tasks("s1_06", case["id"]) == ["appeal"]
    with frozen_at(at("2026-04-06 00:00:01")):
        assert flow.worker() == 1  # the window closes; the 申诉 is never overdue
        done = flow.case("s1_03", case["id"])
        assert done["status"] == "completed" and done["work_items"] == [] and done["timers"] == []
    assert flow.notices(case["id"]) == [("due_soon", "appeal", "s1_06", "2026-04-05 09:00")]
