"""cadre_promotion on the real server to each of its ends: adopted, rejected, deferred then adopted,
and a 公示 with a finding that stops the appointment. Starts on `flask serve`, moves to gunicorn
(2 workers × 4 threads) before the 党委会 and back to `flask serve` after the 公示."""

from __future__ import annotations

from typing import Any

from tests.e2e.support import GUNICORN
from tests.e2e.support import SERVE
from tests.e2e.support import Live
from tests.e2e.support import LiveFlow
from tests.e2e.support import day
from tests.helpers import COMMITTEES
from tests.helpers import complete
from tests.helpers import instance
from tests.helpers import meeting
from tests.helpers import open_item
from tests.helpers import start
from tests.helpers import to_committee

FIRST_SERVER = SERVE
OFFICER = "s1_03"


def committee(votes_for: int, against: int = 0, defer: int = 0) -> dict[str, Any]:
    """S1's 党委会 three weeks ago; 梁晨 (s1_06) is the candidate and recuses (R-C1): 4 due, 3 present."""
    return meeting(COMMITTEES["S1"], {"for": votes_for, "against": against, "defer": defer}, absent={"s1_08": "出差"},
                   recused={"s1_06": "本人为拟任人选"}, date=day(-20))


def refused(body: dict[str, Any], rule: str) -> None:
    assert body.get("rule") == rule and body["message"].startswith(f"{rule}：") and "依据" in body["message"], body


def tasks(live: Live, case_id: int) -> list[str]:
    return sorted(w["task"] for w in instance(live.api, OFFICER, case_id)["work_items"])


def test_cadre_promotion_reaches_each_of_its_ends(live: Live, flow: LiveFlow) -> None:
    api = live.api
    cases = {end: start(api)["id"] for end in ("adopted", "rejected", "deferred", "finding")}

    # 回避: the candidate may not take over the 酝酿 of his own case (R-C1).
    item = open_item(api, "s1_01", cases["adopted"], "deliberation")
    transfer = api("s1_01").post(f"/tasks/{item['id']}/transfer", {"to": "s1_06", "reason": "出差"})
    assert transfer.status_code == 422, transfer.get_json()
    refused(transfer.get_json(), "R-C1")

    for case_id in cases.values():
        to_committee(api, case_id)
    live.restart(GUNICORN)

    body = complete(api, OFFICER, cases["adopted"], "committee_decision", {"meeting": committee(3)})
    assert body["instance"]["data"]["meeting_outcome"] == "adopted"
    body = complete(api, OFFICER, cases["rejected"], "committee_decision", {"meeting": committee(2, against=1)})
    assert (body["instance"]["status"], body["instance"]["data"]["meeting_outcome"]) == ("rejected", "rejected")
    body = complete(api, OFFICER, cases["deferred"], "committee_decision", {"meeting": committee(2, defer=1)})
    assert body["instance"]["data"]["meeting_outcome"] == "deferred"
    assert tasks(live, cases["deferred"]) == ["committee_decision"]
    body = complete(api, OFFICER, cases["deferred"], "committee_decision", {"meeting": committee(3)})
    assert body["instance"]["data"]["meeting_outcome"] == "adopted"
    complete(api, OFFICER, cases["finding"], "committee_decision", {"meeting": committee(3)})

    # A 公示 that began 19 days ago is over when it is recorded: the case goes straight on to its
    # review. One that begins today waits for its timer, which gunicorn never fires itself.
    for case_id in (cases["adopted"], cases["deferred"]):
        body = complete(api, OFFICER, case_id, "publicity", {"start_date": day(-19)})
        assert body["instance"]["timers"] == [] and tasks(live, case_id) == ["publicity_review"], body["instance"]
    body = complete(api, OFFICER, cases["finding"], "publicity", {"start_date": day(0)})
    [timer] = body["instance"]["timers"]
    assert timer["task"] == "publicity_timer" and body["instance"]["work_items"] == []
    assert live.fire(timer["due_at"]) >= 1  # at the very instant the 公示 timer falls due
    assert tasks(live, cases["finding"]) == ["publicity_review"], instance(api, OFFICER, cases["finding"])
    live.restart(SERVE)

    affecting = {"objections": True, "finding": "affecting", "decision": "continue"}
    refused(complete(api, OFFICER, cases["finding"], "publicity_review", affecting, expect=422), "A-C5")
    body = complete(api, OFFICER, cases["finding"], "publicity_review", {**affecting, "decision": "stop"},
                    comment="反映问题属实")
    assert body["instance"]["status"] == "rejected"

    probation = set()
    for case_id in (cases["adopted"], cases["deferred"]):
        complete(api, OFFICER, case_id, "publicity_review", {"objections": False, "finding": "none", "decision": "continue"})
        talk = {"notice_no": "钢股党〔2026〕31号", "appointed_on": day(0), "talk_date": day(0), "talk_by": "s1_06"}
        refused(complete(api, OFFICER, case_id, "appointment", talk, expect=422), "R-C1")  # not his own talk
        body = complete(api, OFFICER, case_id, "appointment", {**talk, "talk_by": "s1_01"})
        [timer] = body["instance"]["timers"]
        assert timer["task"] == "probation_timer"
        probation.add(timer["due_at"])
    [probation_due] = probation
    assert live.fire(probation_due) >= 2  # a year on: the 试用期 ends
    for case_id in (cases["adopted"], cases["deferred"]):
        body = complete(api, OFFICER, case_id, "probation_review", {"result": "competent"})
        assert body["instance"]["status"] == "completed"

    ends = {end: instance(api, OFFICER, case_id) for end, case_id in cases.items()}
    assert {end: (c["status"], c["data"].get("outcome_text")) for end, c in ends.items()} == {
        "adopted": ("completed", "试用期满胜任·正式任职"),
        "rejected": ("rejected", "党委会未通过"),
        "deferred": ("completed", "试用期满胜任·正式任职"),
        "finding": ("rejected", "公示后终止任职"),
    }
    assert all(c["work_items"] == [] and c["timers"] == [] for c in ends.values()), ends
    assert "停滞的流程：0 个" in live.check()
    assert live.verify().startswith("OK ")
