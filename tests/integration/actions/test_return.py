"""退回 through the API: to an earlier step (back to whoever handled it), to the initiator and
back again by 重新提交, across a parallel join, its refusals, and a bounded task tree after
hundreds of returns (reference/spiffworkflow.md G1)."""

from __future__ import annotations

from typing import Any

from tests.helpers import FOUR_MUSTS_DONE
from tests.helpers import complete
from tests.helpers import instance
from tests.helpers import proposal
from tests.helpers import start
from tests.helpers import through_inspection
from tests.integration.actions.support import act
from tests.integration.actions.support import actions_of
from tests.integration.actions.support import events
from tests.integration.actions.support import item_of
from tests.integration.actions.support import ready_task_data
from tests.integration.actions.support import todo
from tests.integration.actions.support import tree

TEAM = {"method": "meeting", "results": "得票集中", "inspection_team": ["zhaomin", "sunli"]}


def test_a_returned_step_goes_back_to_the_officer_who_handled_it(api: Any) -> None:
    case = start(api, management_level="group")
    complete(api, "wangjianguo", case["id"], "deliberation", {"decision": "agree"})
    shared = item_of(api, "zhaomin", case["id"], "recommendation")
    act(api, "zhaomin", shared, "claim")
    complete(api, "zhaomin", case["id"], "recommendation", TEAM)
    assert "inspection_team" in instance(api, "sunli", case["id"])["data"]
    targets = item_of(api, "sunli", case["id"], "inspection_targets")
    body = act(api, "sunli", targets, "return", {"to": "recommendation", "reason": "推荐范围不够，请补充谈话推荐"})

    assert body["item"]["action"] == "return" and body["item"]["completed_by"] == "sunli"
    reopened = body["instance"]["work_items"]
    assert [(w["task"], w["candidates"], w["assignee"]) for w in reopened] == [("recommendation", ["zhaomin"], "zhaomin")]
    assert "inspection_team" not in body["instance"]["data"]  # the undone step's submission is gone
    assert (case["id"], "recommendation") not in todo(api, "sunli")
    done = api("sunli").get("/tasks?view=done").get_json()["items"]
    assert [(d["task"], d["action"], d["comment"]) for d in done] == [("inspection_targets", "return", "推荐范围不够，请补充谈话推荐")]
    last = events(api, case["id"])[-1]
    assert (last["action"], last["actor"], last["data"]["to"], last["data"]["reason"]) == (
        "task.return", "sunli", "recommendation", "推荐范围不够，请补充谈话推荐")
    notes = api("zhaomin").get("/notifications").get_json()["items"]
    assert notes[0]["kind"] == "returned" and "推荐范围不够" in notes[0]["body"]

    complete(api, "zhaomin", case["id"], "recommendation", TEAM)  # and the case runs on from there
    assert [w["task"] for w in instance(api, "zhaomin", case["id"])["work_items"]] == ["inspection_targets"]


def test_a_returned_step_forgets_its_previous_answers(api: Any, app: Any) -> None:
    case = start(api)
    complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"})
    assert instance(api, "s1_03", case["id"])["data"]["decision"] == "agree"
    act(api, "s1_03", item_of(api, "s1_03", case["id"], "recommendation"), "return",
        {"to": "deliberation", "reason": "请重新酝酿"})
    assert "decision" not in ready_task_data(app, case["id"], "deliberation")  # G6: no stale 同意 to reuse
    assert "decision" not in instance(api, "s1_01", case["id"])["data"]


def test_return_to_the_initiator_and_resubmission_restart_the_case(api: Any) -> None:
    case = start(api)
    complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"})
    item = item_of(api, "s1_03", case["id"], "recommendation")
    options = api("s1_03").get(f"/tasks/{item}/actions").get_json()["items"]
    to = next(a for a in options if a["name"] == "return")["params"][0]["options"]
    assert [(o["value"], o["label"], o["handler"]) for o in to] == [
        ("initiator", "发起人（动议）", "s1_03"), ("deliberation", "酝酿", "s1_01")]

    body = act(api, "s1_03", item, "return", {"to": "initiator", "reason": "请补充关键事件材料"})
    waiting = body["instance"]["work_items"]
    assert [(w["task"], w["kind"], w["candidates"], w["title"]) for w in waiting] == [
        ("start", "resubmit", ["s1_03"], "动议（退回修改）")]
    resubmit = waiting[0]["id"]
    form = api("s1_03").get(f"/tasks/{resubmit}").get_json()["form"]["schema"]
    assert form["title"] == "干部提拔任用动议"

    changed = act(api, "s1_03", resubmit, "complete", {"data": proposal(candidate="s1_07")}, expect=422)
    assert "candidate" in changed["fields"]
    again = act(api, "s1_03", resubmit, "complete", {"data": proposal(proposed_post="炼钢厂厂长（主持工作）")})
    assert again["instance"]["title"] == "梁晨：炼钢厂厂长（主持工作）"
    assert [(w["task"], w["candidates"]) for w in again["instance"]["work_items"]] == [("deliberation", ["s1_01"])]
    assert actions_of(api, case["id"]) == ["instance.start", "task.complete", "task.return", "instance.resubmit"]


def test_return_across_a_parallel_join_redoes_only_that_branch(api: Any) -> None:
    case = start(api)
    through_inspection(api, case["id"])
    review = item_of(api, "s1_02", case["id"], "department_review")
    options = api("s1_02").get(f"/tasks/{review}/actions").get_json()["items"]
    to = {o["value"]: o["handler"] for o in next(a for a in options if a["name"] == "return")["params"][0]["options"]}
    assert to == {"initiator": "s1_03", "discipline_opinion": "s1_04", "inspection_targets": "s1_03",
                  "recommendation": "s1_03", "deliberation": "s1_01", "inspection": "s1_07"}

    body = act(api, "s1_02", review, "return", {"to": "inspection", "reason": "考察报告缺少近三年实绩"})
    assert [(w["task"], w["candidates"]) for w in body["instance"]["work_items"]] == [("inspection", ["s1_07"])]
    complete(api, "s1_07", case["id"], "inspection", {"report": "补充了近三年实绩", "four_musts": FOUR_MUSTS_DONE})
    after = instance(api, "s1_02", case["id"])
    assert [w["task"] for w in after["work_items"]] == ["department_review"]  # 纪委意见 stands, not redone
    assert after["data"]["report"] == "补充了近三年实绩"
    complete(api, "s1_02", case["id"], "department_review", {"decision": "submit"})  # four musts still closed
    assert [w["task"] for w in instance(api, "s1_03", case["id"])["work_items"]] == ["committee_decision"]


def test_refusals_leave_nothing_behind(api: Any) -> None:
    case = start(api)
    complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"})
    item = item_of(api, "s1_03", case["id"], "recommendation")
    before = actions_of(api, case["id"])

    assert act(api, "s1_07", item, "return", {"to": "deliberation", "reason": "x"}, expect=403)["error"] == "forbidden"
    missing = act(api, "s1_03", item, "return", {"to": "deliberation", "reason": "  "}, expect=422)
    assert missing["fields"] == {"reason": ["请填写退回理由"]}
    unknown = act(api, "s1_03", item, "return", {"to": "publicity", "reason": "x"}, expect=422)
    assert "publicity" in unknown["fields"]["to"][0]
    assert act(api, "s1_03", item, "return", {"to": ["deliberation"], "reason": "x"}, expect=400)["error"] == "bad_request"
    assert act(api, "s1_03", 99999, "return", {"to": "deliberation", "reason": "x"}, expect=404)["error"] == "not_found"
    assert actions_of(api, case["id"]) == before
    assert [w["task"] for w in instance(api, "s1_03", case["id"])["work_items"]] == ["recommendation"]

    act(api, "s1_03", item, "return", {"to": "deliberation", "reason": "请重新酝酿"})
    closed = act(api, "s1_03", item, "return", {"to": "deliberation", "reason": "again"}, expect=409)
    assert closed["error"] == "already_handled"
    assert actions_of(api, case["id"]) == [*before, "task.return"]


def _open(body: dict[str, Any], task: str) -> int:
    return int(next(w["id"] for w in body["instance"]["work_items"] if w["task"] == task))


def test_hundreds_of_returns_keep_the_task_tree_bounded(api: Any, app: Any) -> None:
    rounds = 300
    case = start(api)
    body = complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"})
    first, sizes = tree(app, case["id"]), []
    for n in range(rounds):
        to = "initiator" if n % 50 == 49 else "deliberation"
        body = act(api, "s1_03", _open(body, "recommendation"), "return", {"to": to, "reason": f"第{n + 1}次退回"})
        if to == "initiator":
            body = act(api, "s1_03", _open(body, "start"), "complete", {"data": proposal()})
        body = act(api, "s1_01", _open(body, "deliberation"), "complete", {"data": {"decision": "agree"}})
        if n in (0, 9, 99, rounds - 1):
            sizes.append(tree(app, case["id"]))
    print(f"task tree after 1 / 10 / 100 / {rounds} returns: {first} -> {sizes}")
    assert all(s["tasks"] == first["tasks"] and s["depth"] == first["depth"] for s in sizes)
    assert max(s["bytes"] for s in sizes) <= first["bytes"] * 1.1
    assert actions_of(api, case["id"]).count("task.return") == rounds
