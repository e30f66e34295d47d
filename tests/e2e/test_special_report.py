"""重要情况专报 on the real server: S1 files a 重大事项 and a 典型案例 on `flask serve`; restarted onto
gunicorn, the timer worker (a process of its own) fires the acknowledgement deadline and the group
书记 gets the 督办; after another restart the 组织部部长 acknowledges, the group's 组织部 receives
and assigns, the follow-up closes both, and the 典型案例 is on 罗兰's 现实表现纪实. The audit chain and
the stall check agree after the last restart."""

from __future__ import annotations

from tests.drivers import special_report as sr
from tests.e2e.support import GUNICORN
from tests.e2e.support import SERVE
from tests.e2e.support import Live
from tests.e2e.support import LiveFlow
from tests.e2e.support import day

FIRST_SERVER = SERVE


def test_a_major_matter_is_escalated_acknowledged_and_closed_across_restarts(live: Live, flow: LiveFlow) -> None:
    major = sr.file(flow, occurred_on=day(0))["id"]
    typical = sr.file(flow, kind="case_positive", headline="一线卡口连续值守", persons=[sr.PERSON],
                      occurred_on=day(0))["id"]
    due_at = flow.item(sr.HEAD, major, "acknowledge")["due_at"]
    assert flow.tasks(sr.OFFICER, typical) == ["receive"]

    live.restart(GUNICORN)
    assert live.fire(due_at) >= 1  # the deadline passes unacknowledged
    notices = flow.api(sr.SECRETARY).get("/notifications?limit=50").get_json()["items"]
    assert [n["kind"] for n in notices if n["instance_id"] == major] == ["escalation"]
    assert live.fire(due_at) == 0  # once only
    flow.step(sr.HEAD, major, "acknowledge", {"instructions": "按预案处置，随时报告"})

    live.restart(SERVE)
    for case in (major, typical):
        flow.step(sr.GROUP_OFFICER, case, "receive", sr.assignment(follow_up_due=day(3)))
        body = flow.step(sr.FOLLOWER, case, "follow_up", {"result": "已跟进办结", "done_on": day(0)})
        assert body["instance"]["status"] == "completed"
    events = flow.api(sr.OFFICER).get(f"/cadres/{sr.PERSON}/events").get_json()["items"]
    assert [(e["source"], e["mark"], e["instance_id"]) for e in events if e["source"] == "special"] == [
        ("special", "merit", typical)]

    live.restart(GUNICORN)
    assert flow.case(sr.OFFICER, major)["data"]["acknowledged_at"]
    assert "停滞的流程：0 个" in live.check()
    assert live.verify().startswith("OK ")
