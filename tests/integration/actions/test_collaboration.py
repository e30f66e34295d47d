"""催办, 抄送, 评论, 认领/释放, the notification inbox, and the API's self-description."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.helpers import start
from tests.integration.actions.support import act
from tests.integration.actions.support import act_on_case
from tests.integration.actions.support import actions_of
from tests.integration.actions.support import item_of
from tests.integration.actions.support import todo
from workflows.engine import clock
from workflows.engine.clock import frozen_at


def test_remind_tells_the_handler_at_most_once_an_hour(api: Any) -> None:
    case = start(api)["id"]
    item = item_of(api, "s1_01", case, "deliberation")
    now = clock.now()
    with frozen_at(now):
        assert act(api, "s1_07", item, "remind", expect=403)["error"] == "forbidden"
        act(api, "s1_03", item, "remind", {"note": "党委会下周召开，请于周五前酝酿"})
        note = api("s1_01").get("/notifications").get_json()["items"][0]
        assert (note["kind"], note["body"]) == ("remind", "林涛催办：党委会下周召开，请于周五前酝酿")
    with frozen_at(now + timedelta(minutes=59)):
        again = act(api, "s1_03", item, "remind", expect=429)
        assert again["error"] == "too_soon" and "1分钟后" in again["message"]
    with frozen_at(now + timedelta(minutes=61)):
        act(api, "s1_02", item, "remind")  # 组织部长 oversees the case
    assert actions_of(api, case) == ["instance.start", "task.remind", "task.remind"]
    api("s1_01").post(f"/tasks/{item}/complete", {"data": {"decision": "agree"}})
    assert act(api, "s1_03", item, "remind", expect=409)["error"] == "already_handled"


def test_cc_gives_read_access_and_a_notification(api: Any) -> None:
    case = start(api)["id"]
    assert api("s2_01").get(f"/instances/{case}").status_code == 403
    refused = act_on_case(api, "s1_03", case, "cc", {"users": ["s2_01", "ghost"]}, expect=422)
    assert "users" in refused["fields"]
    act_on_case(api, "s1_03", case, "cc", {"users": ["s2_01", "s2_02"], "note": "请知悉"})
    assert api("s2_01").get(f"/instances/{case}").status_code == 200
    listed = api("s2_01").get("/tasks?view=cc").get_json()
    assert [(i["id"], i["title"]) for i in listed["items"]] == [(case, "梁晨：炼钢厂厂长")]
    note = api("s2_01").get("/notifications").get_json()["items"][0]
    assert (note["kind"], note["instance_id"], note["body"]) == ("cc", case, "林涛抄送：请知悉")

    assert act_on_case(api, "s2_01", case, "cc", {"users": ["s2_03"]}, expect=403)["error"] == "forbidden"
    duplicate = act_on_case(api, "s1_01", case, "cc", {"users": ["s2_01"]}, expect=422)
    assert duplicate["fields"] == {"users": ["所选人员均已抄送过本流程"]}
    assert act_on_case(api, "s1_03", case, "cc", {"users": "s2_03"}, expect=400)["error"] == "bad_request"
    assert actions_of(api, case) == ["instance.start", "instance.cc"]


def test_comments_do_not_move_the_case(api: Any) -> None:
    case = start(api)["id"]
    act_on_case(api, "s1_03", case, "cc", {"users": ["s2_01"]})
    assert act_on_case(api, "s2_02", case, "comments", {"body": "路过"}, expect=403)["error"] == "forbidden"
    assert act_on_case(api, "s2_01", case, "comments", {"body": " "}, expect=422)["fields"] == {
        "body": ["请填写评论内容"]}
    comment = act_on_case(api, "s2_01", case, "comments", {"body": "建议补充基层工作经历"}, expect=201)
    assert (comment["author"], comment["body"]) == ("s2_01", "建议补充基层工作经历")
    listed = api("s1_03").get(f"/instances/{case}/comments").get_json()
    assert [c["body"] for c in listed["items"]] == ["建议补充基层工作经历"]
    for user in ("s1_03", "s1_01"):  # the initiator and the current handler
        assert api(user).get("/notifications").get_json()["items"][0]["kind"] == "comment"
    assert todo(api, "s1_01") == [(case, "deliberation")]
    assert actions_of(api, case)[-1] == "instance.comment"


def test_claim_and_release_a_shared_item(api: Any) -> None:
    case = start(api, management_level="group")["id"]
    api("wangjianguo").post(f"/tasks/{item_of(api, 'wangjianguo', case, 'deliberation')}/complete",
                            {"data": {"decision": "agree"}})
    item = item_of(api, "zhaomin", case, "recommendation")
    assert act(api, "zhaomin", item, "release", expect=409)["message"] == "该事项尚未被认领"
    act(api, "zhaomin", item, "claim")
    assert (case, "recommendation") not in todo(api, "sunli")
    assert act(api, "sunli", item, "release", expect=409)["message"] == "该事项已由赵敏认领"
    body = act(api, "zhaomin", item, "release")
    assert body["item"]["assignee"] is None
    assert (case, "recommendation") in todo(api, "sunli")
    assert actions_of(api, case)[-2:] == ["task.claim", "task.release"]
    single = item_of(api, "wangjianguo", start(api, management_level="group")["id"], "deliberation")
    assert act(api, "wangjianguo", single, "release", expect=409)["message"] == "该事项只有一位办理人，无需释放"


def test_the_notification_inbox(api: Any) -> None:
    start(api)
    start(api)
    inbox = api("s1_01").get("/notifications").get_json()
    assert (inbox["total"], inbox["unread"]) == (2, 2)
    assert [n["kind"] for n in inbox["items"]] == ["task", "task"]
    first = inbox["items"][0]["id"]
    assert api("s1_03").post(f"/notifications/{first}/read").status_code == 404  # not theirs
    assert api("s1_01").post(f"/notifications/{first}/read").get_json()["read_at"] is not None
    assert api("s1_01").get("/notifications/unread-count").get_json() == {"unread": 1}
    assert [n["id"] for n in api("s1_01").get("/notifications?unread=1").get_json()["items"]] != [first]
    assert api("s1_01").post("/notifications/read-all").get_json() == {"unread": 0}


def test_the_api_describes_every_action(api: Any) -> None:
    paths = api("s1_03").get("/openapi.json").get_json()["paths"]
    for path in ("/api/v1/tasks/{item_id}/return", "/api/v1/tasks/{item_id}/transfer",
                 "/api/v1/tasks/{item_id}/add-signer", "/api/v1/tasks/{item_id}/remove-signer",
                 "/api/v1/tasks/{item_id}/remind", "/api/v1/tasks/{item_id}/release",
                 "/api/v1/tasks/{item_id}/take-back", "/api/v1/tasks/{item_id}/reassign",
                 "/api/v1/instances/{instance_id}/withdraw", "/api/v1/instances/{instance_id}/cc",
                 "/api/v1/instances/{instance_id}/comments", "/api/v1/instances/{instance_id}/terminate",
                 "/api/v1/delegations", "/api/v1/notifications", "/api/v1/notifications/unread-count"):
        assert path in paths, path
    body = paths["/api/v1/tasks/{item_id}/return"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["to", "reason"]
    case = start(api)["id"]
    names = [a["name"] for a in api("s1_03").get(f"/instances/{case}/actions").get_json()["items"]]
    assert names == ["withdraw", "cc", "comments"]
