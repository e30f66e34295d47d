"""撤回 by the initiator, 拿回 by an approver, and the administrator's 终止 and 改派."""

from __future__ import annotations

from typing import Any

from tests.helpers import FOUR_MUSTS_DONE
from tests.helpers import complete
from tests.helpers import instance
from tests.helpers import start
from tests.helpers import through_inspection
from tests.integration.actions.support import act
from tests.integration.actions.support import act_on_case
from tests.integration.actions.support import actions_of
from tests.integration.actions.support import events
from tests.integration.actions.support import item_of
from tests.integration.actions.support import todo


def done_item(api: Any, username: str, case_id: int, task: str) -> int:
    items = api(username).get("/tasks?view=done&limit=100").get_json()["items"]
    return int(next(i["id"] for i in items if i["instance_id"] == case_id and i["task"] == task))


def test_the_initiator_withdraws_before_anyone_acted(api: Any) -> None:
    case = start(api)["id"]
    assert act_on_case(api, "s1_01", case, "withdraw", {"reason": "x"}, expect=403)["error"] == "forbidden"
    assert act_on_case(api, "s1_03", case, "withdraw", {}, expect=422)["fields"] == {"reason": ["请填写撤回理由"]}
    body = act_on_case(api, "s1_03", case, "withdraw", {"reason": "人选需重新酝酿"})
    assert (body["instance"]["status"], body["instance"]["work_items"]) == ("withdrawn", [])
    assert (case, "deliberation") not in todo(api, "s1_01")
    note = api("s1_01").get("/notifications").get_json()["items"][0]
    assert (note["kind"], note["body"]) == ("withdrawn", "林涛撤回：人选需重新酝酿")
    assert act_on_case(api, "s1_03", case, "withdraw", {"reason": "again"}, expect=409)["error"] == "already_handled"
    assert actions_of(api, case) == ["instance.start", "instance.withdraw"]


def test_no_withdrawal_once_an_approver_acted_unless_it_came_back(api: Any) -> None:
    case = start(api)["id"]
    complete(api, "s1_01", case, "deliberation", {"decision": "agree"})
    refused = act_on_case(api, "s1_03", case, "withdraw", {"reason": "不想办了"}, expect=409)
    assert refused["message"].startswith("马立新已办理“酝酿”，不能撤回")
    assert actions_of(api, case) == ["instance.start", "task.complete"]

    recommendation = item_of(api, "s1_03", case, "recommendation")
    act(api, "s1_03", recommendation, "return", {"to": "initiator", "reason": "材料不全"})
    act_on_case(api, "s1_03", case, "withdraw", {"reason": "材料一时无法补齐"})
    assert instance(api, "s1_03", case)["status"] == "withdrawn"


def test_an_approver_takes_back_a_step_nobody_acted_on_since(api: Any) -> None:
    case = start(api)["id"]
    complete(api, "s1_01", case, "deliberation", {"decision": "agree"}, comment="同意")
    mine = done_item(api, "s1_01", case, "deliberation")
    assert act(api, "s1_03", mine, "take-back", expect=403)["error"] == "forbidden"
    body = act(api, "s1_01", mine, "take-back", {"reason": "意见需补充"})
    assert [(w["task"], w["candidates"]) for w in body["instance"]["work_items"]] == [("deliberation", ["s1_01"])]
    assert (case, "recommendation") not in todo(api, "s1_03")
    assert api("s1_03").get("/notifications").get_json()["items"][0]["kind"] == "withdrawn"
    assert events(api, case)[-1]["action"] == "task.take_back"

    complete(api, "s1_01", case, "deliberation", {"decision": "agree"})
    complete(api, "s1_03", case, "recommendation",
             {"method": "meeting", "results": "得票集中", "inspection_team": ["s1_07", "s1_08"]})
    again = done_item(api, "s1_01", case, "deliberation")
    refused = act(api, "s1_01", again, "take-back", expect=409)
    assert refused["message"] == "下一步“民主推荐”已由林涛办理，不能拿回"
    assert actions_of(api, case).count("task.take_back") == 1


def test_taking_back_one_branch_of_a_parallel_join(api: Any) -> None:
    case = start(api)["id"]
    through_inspection(api, case)  # 考察 by s1_07 first, then 纪委意见: 部务会研究 is open
    inspection = done_item(api, "s1_07", case, "inspection")
    actions = [a["name"] for a in api("s1_07").get(f"/tasks/{inspection}/actions").get_json()["items"]]
    assert actions == ["take-back"]
    act(api, "s1_07", inspection, "take-back")
    assert [(w["task"], w["candidates"]) for w in instance(api, "s1_07", case)["work_items"]] == [
        ("inspection", ["s1_07"])]
    complete(api, "s1_07", case, "inspection", {"report": "补充后的考察报告", "four_musts": FOUR_MUSTS_DONE})
    assert [w["task"] for w in instance(api, "s1_07", case)["work_items"]] == ["department_review"]


def test_an_administrator_terminates_a_case(api: Any) -> None:
    case = start(api)["id"]
    assert act_on_case(api, "s1_03", case, "terminate", {"reason": "x"}, expect=403)["error"] == "forbidden"
    assert act_on_case(api, "admin", case, "terminate", {"reason": ""}, expect=422)["fields"] == {
        "reason": ["请填写终止理由"]}
    body = act_on_case(api, "admin", case, "terminate", {"reason": "人选已调离本单位"})
    assert body["instance"]["status"] == "terminated"
    kinds = [n["kind"] for n in api("s1_03").get("/notifications").get_json()["items"]]
    assert kinds[0] == "terminated"
    assert act_on_case(api, "admin", case, "terminate", {"reason": "again"}, expect=409)["error"] == "already_handled"
    assert act_on_case(api, "admin", 4242, "terminate", {"reason": "x"}, expect=404)["error"] == "not_found"
    assert actions_of(api, case) == ["instance.start", "instance.terminate"]


def test_an_administrator_reassigns_an_item(api: Any) -> None:
    case = start(api)["id"]
    item = item_of(api, "s1_01", case, "deliberation")
    assert act(api, "s1_03", item, "reassign", {"to": "s1_02", "reason": "x"}, expect=403)["error"] == "forbidden"
    assert "to" in act(api, "admin", item, "reassign", {"to": "nobody", "reason": "书记出差"}, expect=422)["fields"]
    body = act(api, "admin", item, "reassign", {"to": "s1_02", "reason": "书记长期病休"})
    assert (body["item"]["candidates"], body["item"]["assignee"]) == (["s1_02"], "s1_02")
    assert (case, "deliberation") in todo(api, "s1_02") and (case, "deliberation") not in todo(api, "s1_01")
    last = events(api, case)[-1]
    assert (last["action"], last["data"]["from"], last["data"]["to"]) == ("task.reassign", ["s1_01"], "s1_02")
    complete(api, "s1_02", case, "deliberation", {"decision": "agree"})
    assert act(api, "admin", item, "reassign", {"to": "s1_01", "reason": "回来了"}, expect=409)["error"] == "already_handled"


def test_a_step_returned_over_cannot_be_taken_back_and_says_why(api: Any) -> None:
    case = start(api)["id"]
    complete(api, "s1_01", case, "deliberation", {"decision": "agree"})
    mine = done_item(api, "s1_01", case, "deliberation")
    act(api, "s1_03", item_of(api, "s1_03", case, "recommendation"), "return",
        {"to": "initiator", "reason": "材料不全"})  # the rewind removes 酝酿's task from the tree
    refused = act(api, "s1_01", mine, "take-back", expect=409)
    assert refused["message"] == "该步骤已被退回或重新办理，不能拿回"
    assert "take-back" not in [a["name"] for a in api("s1_01").get(f"/tasks/{mine}/actions").get_json()["items"]]
