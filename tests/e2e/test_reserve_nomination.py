"""纳入后备干部库 on the real server: an 优秀年轻干部 nominated on `flask serve`, restarted onto gunicorn
before S1's 党委会 (roster quorum), a 中长期培养对象 filed after another restart; then the managing
组织部 records a 培养措施 and this year's review, and the pool, the audit chain and the stall check
agree after the last restart."""

from __future__ import annotations

from tests.drivers import reserve as rsv
from tests.e2e.support import GUNICORN
from tests.e2e.support import SERVE
from tests.e2e.support import Live
from tests.e2e.support import LiveFlow
from tests.e2e.support import day

FIRST_SERVER = SERVE


def test_two_nominations_reach_the_pool_across_restarts(live: Live, flow: LiveFlow) -> None:
    young = rsv.start(flow)["id"]
    later = rsv.start(flow, candidate="s1b1_02", current_post="组织委员", category="long_term",
                      target_post="热轧厂副厂长")["id"]
    flow.step(rsv.HEAD, young, "department_review", {"decision": "agree"})
    flow.step(rsv.HEAD, later, "department_review", {"decision": "agree"})

    live.restart(GUNICORN)
    assert flow.tasks(rsv.OFFICER, young) == ["committee_decision"]
    flow.refused(rsv.OFFICER, young, "committee_decision",
                 rsv.committee(day(0), {"for": 2, "against": 0},
                               absent={"s1_06": "出差", "s1_07": "出差", "s1_08": "出差"}), "A-C1")
    body = flow.step(rsv.OFFICER, young, "committee_decision", rsv.committee(day(0)))
    assert body["instance"]["status"] == "completed"

    live.restart(SERVE)
    body = flow.step(rsv.OFFICER, later, "filing", {"filed_on": day(0), "filed_with": "钢铁股份公司党委"})
    assert body["instance"]["status"] == "completed"
    pool = {r["username"]: r for r in flow.api(rsv.OFFICER).get("/reserve-pool").get_json()["items"]}
    assert {u: (r["category"], r["target_post"]) for u, r in pool.items()} == {
        rsv.CANDIDATE: ("young_outstanding", "组织部副部长"), "s1b1_02": ("long_term", "热轧厂副厂长")}
    entry = pool[rsv.CANDIDATE]["id"]
    measure = flow.api(rsv.OFFICER).post(f"/reserve-pool/{entry}/measures", {
        "kind": "frontline", "title": "选派到疫情防控一线吃劲岗位", "starts_on": day(0)})
    assert measure.status_code == 201, measure.get_json()
    review = flow.api(rsv.OFFICER).post(f"/reserve-pool/{entry}/reviews", {"decision": "keep"})
    assert review.status_code == 201, review.get_json()

    live.restart(GUNICORN)
    detail = flow.api("s1_01").get(f"/reserve-pool/{entry}").get_json()
    assert [m["title"] for m in detail["measures"]] == ["选派到疫情防控一线吃劲岗位"]
    assert [r["decision"] for r in detail["reviews"]] == ["keep"] and detail["reviewed_this_year"] is True
    assert "停滞的流程：0 个" in live.check()
    assert live.verify().startswith("OK ")
