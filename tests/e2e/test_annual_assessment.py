"""年度综合考核 on the real server: S1's 2025 assessment started on `flask serve`, restarted onto
gunicorn before the 考核谈话 and the 等次建议 (B-C9 refuses a 称职 for a 防控不力 member), restarted
again before the group 党委会 (roster quorum, A-C1) and the 公示 of an 优秀 (B-A5); the ratings are on
the cadre records, and the audit chain and the stall check agree after the last restart."""

from __future__ import annotations

from tests.drivers import assessment as ka
from tests.e2e.support import GUNICORN
from tests.e2e.support import SERVE
from tests.e2e.support import Live
from tests.e2e.support import LiveFlow
from tests.e2e.support import day

FIRST_SERVER = SERVE


def test_s1s_assessment_reaches_the_records_across_restarts(live: Live, flow: LiveFlow) -> None:
    case = ka.start(flow)["id"]
    flow.step(ka.OFFICER, case, "report", {"held_on": day(-30), "reports": "班子和班子成员分别述职述廉"})
    flow.step(ka.OFFICER, case, "evaluation", ka.evaluation(evaluated_on=day(-29)))

    live.restart(GUNICORN)
    assert flow.tasks(ka.OFFICER, case) == ["talk"]
    flow.step(ka.OFFICER, case, "talk", ka.talk(talked_on=day(-28)))
    weak = ka.proposal({"s1_07": "优秀"}, weak=("s1_08",))
    assert "防控不力" in flow.refused(ka.OFFICER, case, "proposal", weak, "B-C9")["message"]
    flow.step(ka.OFFICER, case, "proposal", ka.proposal({"s1_07": "优秀", "s1_08": "不称职"}, weak=("s1_08",)))

    live.restart(SERVE)
    thin = ka.group_committee(on=day(-21), absent=dict.fromkeys(["chenzhi", "liugang", "yangfan", "huangwei",
                                                                  "xuming"], "出差"))
    flow.refused(ka.OFFICER, case, "committee_decision", thin, "A-C1")
    body = flow.step(ka.OFFICER, case, "committee_decision", ka.group_committee(on=day(-21)))
    assert body["instance"]["data"]["needs_publicity"] is True

    live.restart(GUNICORN)
    done = flow.step(ka.OFFICER, case, "publicity", ka.publicity(start_date=day(-20)))["instance"]
    assert done["status"] == "completed"
    ratings = {u: {(r["year"], r["rating"]) for r in flow.api(ka.OFFICER).get(f"/cadres/{u}").get_json()["ratings"]}
               for u in ("s1_06", "s1_07", "s1_08")}  # imported for 2025: 优秀, 称职, 称职
    assert (2025, "称职") in ratings["s1_06"] and (2025, "优秀") not in ratings["s1_06"]
    assert (2025, "优秀") in ratings["s1_07"] and (2025, "不称职") in ratings["s1_08"]
    assert "停滞的流程：0 个" in live.check()
    assert live.verify().startswith("OK ")
