"""转办, 加签 (向前/向后), 减签 and an added signer's 签署, through the API, with their refusals.

The case stands at 部务会研究 (s1_02 高峰, 组织部部长 of S1); 林涛 (s1_03, 组织部门干部) and 马立新
(s1_01, 党委书记) are asked to sign: people who could hold the step themselves (R-C2)."""

from __future__ import annotations

from typing import Any

from tests.helpers import complete
from tests.helpers import instance
from tests.helpers import start
from tests.helpers import through_inspection
from tests.integration.actions.support import act
from tests.integration.actions.support import actions_of
from tests.integration.actions.support import events
from tests.integration.actions.support import item_of
from tests.integration.actions.support import todo

SUBMIT = {"data": {"decision": "submit"}, "comment": "同意提交党委会"}


def at_review(api: Any) -> tuple[int, int]:
    case = start(api)
    through_inspection(api, case["id"])
    return case["id"], item_of(api, "s1_02", case["id"], "department_review")


def open_steps(api: Any, case_id: int) -> list[tuple[str, str, list[str], bool]]:
    return [(w["task"], w["kind"], w["candidates"], w["on_hold"]) for w in instance(api, "s1_03", case_id)["work_items"]]


def test_transfer_hands_the_item_over_and_keeps_a_record(api: Any) -> None:
    case_id, item = at_review(api)
    body = act(api, "s1_02", item, "transfer", {"to": "s1_01", "reason": "本人回避，请书记主持研究"})
    assert (body["item"]["task"], body["item"]["candidates"]) == ("department_review", ["s1_01"])
    assert (case_id, "department_review") not in todo(api, "s1_02")
    done = api("s1_02").get("/tasks?view=done").get_json()["items"]
    assert (done[0]["action"], done[0]["comment"]) == ("transfer", "本人回避，请书记主持研究")
    transfer = events(api, case_id)[-1]
    assert (transfer["action"], transfer["data"]["from"], transfer["data"]["to"]) == ("task.transfer", "s1_02", "s1_01")

    assert act(api, "s1_02", item, "complete", SUBMIT, expect=409)["error"] == "already_handled"
    complete(api, "s1_01", case_id, "department_review", {"decision": "submit"})
    assert [s[0] for s in open_steps(api, case_id)] == ["committee_decision"]
    assert actions_of(api, case_id)[-2:] == ["task.transfer", "task.complete"]


def test_transfer_refusals(api: Any) -> None:
    case_id, item = at_review(api)
    before = actions_of(api, case_id)
    assert act(api, "s1_03", item, "transfer", {"to": "s1_01", "reason": "x"}, expect=403)["error"] == "forbidden"
    assert act(api, "s1_02", item, "transfer", {"to": "s1_01"}, expect=422)["fields"] == {"reason": ["请填写转办理由"]}
    assert "to" in act(api, "s1_02", item, "transfer", {"to": "nobody", "reason": "x"}, expect=422)["fields"]
    assert act(api, "s1_02", item, "transfer", {"to": "s1_02", "reason": "x"}, expect=422)["fields"] == {
        "to": ["不能转办给自己"]}
    assert actions_of(api, case_id) == before


def test_a_signer_before_holds_the_item_until_they_have_signed(api: Any) -> None:
    case_id, item = at_review(api)
    body = act(api, "s1_02", item, "add-signer", {"user": "s1_03", "position": "before", "reason": "请先核实党费情况"})
    signer = body["item"]["id"]
    assert open_steps(api, case_id) == [("department_review", "task", ["s1_02"], True),
                                        ("department_review", "signer", ["s1_03"], False)]
    assert (case_id, "department_review") not in todo(api, "s1_02")
    blocked = act(api, "s1_02", item, "complete", SUBMIT, expect=409)
    assert "林涛" in blocked["message"]
    form = api("s1_03").get(f"/tasks/{signer}").get_json()["form"]["schema"]
    assert form["title"] == "加签意见"

    assert act(api, "s1_03", signer, "complete", {"data": {"decision": "disagree"}}, expect=422)["fields"] == {
        "comment": ["该意见须说明理由，请填写审批意见"]}
    act(api, "s1_03", signer, "complete", {"data": {"decision": "agree"}, "comment": "党费已按期足额交纳"})
    assert (case_id, "department_review") in todo(api, "s1_02")
    assert api("s1_02").get("/notifications").get_json()["items"][0]["kind"] == "sign"
    act(api, "s1_02", item, "complete", SUBMIT)
    assert [s[0] for s in open_steps(api, case_id)] == ["committee_decision"]
    assert actions_of(api, case_id)[-3:] == ["task.add_signer", "task.sign", "task.complete"]


def test_signers_after_must_agree_before_the_step_completes(api: Any) -> None:
    case_id, item = at_review(api)
    act(api, "s1_02", item, "add-signer", {"user": "s1_03", "position": "after"})
    queued = act(api, "s1_02", item, "add-signer", {"user": "s1_01", "position": "after"})["item"]["id"]
    assert (case_id, "department_review") not in todo(api, "s1_03")  # queued until the handler submits
    early = act(api, "s1_01", queued, "complete", {"data": {"decision": "agree"}}, expect=409)
    assert early["message"] == "加签尚未轮到您：原办理人提交后才能签署"
    held = act(api, "s1_02", item, "complete", SUBMIT)
    assert held["item"]["on_hold"] and held["item"]["completed_by"] == "s1_02"
    assert [s[1:] for s in open_steps(api, case_id)] == [("task", ["s1_02"], True), ("signer", ["s1_03"], False),
                                                         ("signer", ["s1_01"], False)]
    assert events(api, case_id)[-1]["data"]["held_for"] == ["s1_03", "s1_01"]

    act(api, "s1_03", item_of(api, "s1_03", case_id, "department_review"), "complete", {"data": {"decision": "agree"}})
    assert [s[0] for s in open_steps(api, case_id)] == ["department_review", "department_review"]
    act(api, "s1_01", item_of(api, "s1_01", case_id, "department_review"), "complete", {"data": {"decision": "agree"}})
    after = instance(api, "s1_03", case_id)
    assert [w["task"] for w in after["work_items"]] == ["committee_decision"]
    assert after["data"]["decision"] == "submit"  # the handler's held submission moved the case
    last = events(api, case_id)[-1]
    assert (last["action"], last["actor"], last["data"]["released"]) == ("task.sign", "s1_01", True)


def test_an_after_signer_who_disagrees_sends_the_item_back_to_its_handler(api: Any) -> None:
    case_id, item = at_review(api)
    act(api, "s1_02", item, "add-signer", {"user": "s1_03", "position": "after"})
    act(api, "s1_02", item, "complete", SUBMIT)
    signer = item_of(api, "s1_03", case_id, "department_review")
    act(api, "s1_03", signer, "complete", {"data": {"decision": "disagree"}, "comment": "该同志党费欠缴三个月"})
    back = instance(api, "s1_03", case_id)["work_items"]
    assert [(w["kind"], w["on_hold"], w["completed_by"]) for w in back] == [("task", False, None)]
    assert api("s1_02").get("/notifications").get_json()["items"][0]["body"] == "加签人不同意：该同志党费欠缴三个月"
    act(api, "s1_02", item, "complete", {"data": {"decision": "reject"}, "comment": "待党费问题核实后再议"})
    assert instance(api, "s1_03", case_id)["status"] == "rejected"


def test_remove_signer_takes_back_an_unsigned_signer(api: Any) -> None:
    case_id, item = at_review(api)
    act(api, "s1_02", item, "add-signer", {"user": "s1_03", "position": "before"})
    assert act(api, "s1_01", item, "remove-signer", {"user": "s1_03"}, expect=403)["error"] == "forbidden"
    assert "user" in act(api, "s1_02", item, "remove-signer", {"user": "s1_01"}, expect=422)["fields"]
    body = act(api, "s1_02", item, "remove-signer", {"user": "s1_03", "reason": "已电话核实"})
    assert not body["item"]["on_hold"]
    assert [s[1] for s in open_steps(api, case_id)] == ["task"]
    assert (case_id, "department_review") not in todo(api, "s1_03")
    assert events(api, case_id)[-1]["action"] == "task.remove_signer"


def test_add_signer_refusals(api: Any) -> None:
    case_id, item = at_review(api)
    before = actions_of(api, case_id)
    assert act(api, "s1_03", item, "add-signer", {"user": "s1_01", "position": "before"}, expect=403)["error"] == "forbidden"
    assert "position" in act(api, "s1_02", item, "add-signer", {"user": "s1_03", "position": "beside"}, expect=422)["fields"]
    assert "user" in act(api, "s1_02", item, "add-signer", {"user": "s1_02", "position": "before"}, expect=422)["fields"]
    assert "user" in act(api, "s1_02", item, "add-signer", {"user": "ghost", "position": "after"}, expect=422)["fields"]
    act(api, "s1_02", item, "add-signer", {"user": "s1_03", "position": "after"})
    again = act(api, "s1_02", item, "add-signer", {"user": "s1_03", "position": "after"}, expect=422)
    assert again["fields"] == {"user": ["该人员已被加签，尚未签署"]}
    assert actions_of(api, case_id) == [*before, "task.add_signer"]


def test_a_held_after_signing_reads_back_as_submitted_and_waiting_on_the_signer(api: Any, web: Any) -> None:
    """后加签 read back: once 高峰 (s1_02) has submitted, the case shows his decision and opinion
    waiting on 林涛 (s1_03), not "等待 高峰 办理"; 林涛 — the initiator, who may otherwise 催办 —
    is not offered 催办 against the step that waits on him, and may not send one."""
    case_id, item = at_review(api)
    act(api, "s1_02", item, "add-signer", {"user": "s1_03", "position": "after"})
    queued = web("s1_03").page(f"/cases/{case_id}")
    assert "原办理人提交后由 林涛 签署" in queued
    assert "remind" in [a["name"] for a in act_get_actions(api, "s1_03", item)]  # not held yet: 高峰 is handling it
    act(api, "s1_02", item, "complete", SUBMIT)

    page = web("s1_03").page(f"/cases/{case_id}")
    assert "同意提交党委会" in page and "已提交，等待加签人（林涛）签署后生效" in page
    assert "等待 高峰 办理" not in page
    assert "remind" not in [a["name"] for a in act_get_actions(api, "s1_03", item)]
    refused = act(api, "s1_03", item, "remind", {}, expect=400)
    assert refused["message"] == "该事项正在等您办理，无需催办"
    assert "remind" in [a["name"] for a in act_get_actions(api, "s1_01", item)]  # the secretary oversees it
    act(api, "s1_01", item, "remind", {})
    assert api("s1_03").get("/notifications").get_json()["items"][0]["kind"] == "remind"


def act_get_actions(api: Any, username: str, item_id: int) -> list[dict[str, Any]]:
    response = api(username).get(f"/tasks/{item_id}/actions")
    assert response.status_code == 200, response.get_json()
    return list(response.get_json()["items"])
