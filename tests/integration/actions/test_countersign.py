"""会签 (everyone signs), 或签 (the first one decides) and 票签 (a vote threshold) on
multi-instance steps, with the counters the diagram's completionCondition uses."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import instance
from tests.integration.actions.support import act
from tests.integration.actions.support import actions_of
from tests.integration.actions.support import item_of

MEMBERS = ["s1_01", "s1_02", "s1_04"]
AGREE = {"data": {"decision": "agree"}}
DISAGREE = {"data": {"decision": "disagree"}, "comment": "人选条件尚需斟酌"}


def start(api: Any, mode: str) -> int:
    response = api("s1_03").post("/processes/countersign/instances",
                                 {"data": {"topic": "推荐表彰名单", "mode": mode, "members": MEMBERS}})
    assert response.status_code == 201, response.get_json()
    return int(response.get_json()["id"])


def steps(api: Any, case_id: int) -> list[tuple[str, list[str]]]:
    return [(w["task"], w["candidates"]) for w in instance(api, "s1_03", case_id)["work_items"]]


def sign(api: Any, username: str, case_id: int, task: str, body: dict[str, Any], expect: int = 200) -> None:
    act(api, username, item_of(api, username, case_id, task), "complete", body, expect=expect)


@pytest.mark.usefixtures("test_processes")
def test_countersign_waits_for_everyone(api: Any) -> None:
    case = start(api, "all")
    assert steps(api, case) == [("sign_all", [m]) for m in MEMBERS]
    sign(api, "s1_01", case, "sign_all", AGREE)
    sign(api, "s1_04", case, "sign_all", DISAGREE)
    assert steps(api, case) == [("sign_all", ["s1_02"])]
    sign(api, "s1_02", case, "sign_all", AGREE)
    assert steps(api, case) == [("archive", ["s1_03"])]
    assert actions_of(api, case).count("task.complete") == 3


@pytest.mark.usefixtures("test_processes")
def test_or_sign_is_decided_by_the_first_signer(api: Any) -> None:
    case = start(api, "any")
    late = item_of(api, "s1_04", case, "sign_any")
    sign(api, "s1_02", case, "sign_any", AGREE)
    assert steps(api, case) == [("archive", ["s1_03"])]
    refused = act(api, "s1_04", late, "complete", AGREE, expect=409)
    assert refused["message"] == "该事项已不在办理中（流程已流转或已撤销）"
    assert actions_of(api, case) == ["instance.start", "task.complete"]


@pytest.mark.usefixtures("test_processes")
def test_a_two_thirds_vote_ends_as_soon_as_it_is_reached(api: Any) -> None:
    case = start(api, "vote")
    sign(api, "s1_01", case, "sign_vote", AGREE)
    sign(api, "s1_02", case, "sign_vote", DISAGREE)
    assert steps(api, case) == [("sign_vote", ["s1_04"])]  # 1 of 3 agree: not yet
    sign(api, "s1_04", case, "sign_vote", AGREE)
    assert steps(api, case) == [("archive", ["s1_03"])]

    early = start(api, "vote")
    sign(api, "s1_04", early, "sign_vote", AGREE)
    sign(api, "s1_01", early, "sign_vote", AGREE)  # 2 of 3 agree: the third need not sign
    assert steps(api, early) == [("archive", ["s1_03"])]


@pytest.mark.usefixtures("test_processes")
def test_returning_to_a_countersign_step_asks_everyone_again(api: Any) -> None:
    case = start(api, "all")
    for member in MEMBERS:
        sign(api, member, case, "sign_all", AGREE)
    archive = item_of(api, "s1_03", case, "archive")
    options = api("s1_03").get(f"/tasks/{archive}/actions").get_json()["items"]
    to = next(a for a in options if a["name"] == "return")["params"][0]["options"]
    assert [o["value"] for o in to] == ["initiator", "sign_all"]
    act(api, "s1_03", archive, "return", {"to": "sign_all", "reason": "名单有调整，请重新会签"})
    assert steps(api, case) == [("sign_all", [m]) for m in MEMBERS]
    for member in MEMBERS:
        sign(api, member, case, "sign_all", AGREE)
    assert steps(api, case) == [("archive", ["s1_03"])]


@pytest.mark.usefixtures("test_processes")
def test_an_added_signer_does_not_count_in_the_vote(api: Any) -> None:
    case = start(api, "any")
    mine = item_of(api, "s1_01", case, "sign_any")
    act(api, "s1_01", mine, "add-signer", {"user": "s1_08", "position": "after"})
    held = act(api, "s1_01", mine, "complete", AGREE)
    assert held["item"]["on_hold"]
    assert ("sign_any", ["s1_02"]) in steps(api, case)  # held: the 或签 is not decided yet
    sign(api, "s1_02", case, "sign_any", AGREE)  # s1_02 decides first; the held item and its signer close
    assert steps(api, case) == [("archive", ["s1_03"])]
