"""Bounded input (issue 12 §6): an opinion (审批意见) of a step, of a 加签 signature and of a
resubmission is at most 2,000 characters, enforced by the server with a 422 naming the
field; 2,000 is accepted. Reasons keep their own limits (2,000; 委托事由 200, its column)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.helpers import open_item
from tests.helpers import start
from workflows.engine import clock

LIMIT = 2000


def post(api: Any, username: str, path: str, body: dict[str, Any]) -> Any:
    return api(username).post(path, body)


def test_a_step_opinion_over_2000_characters_is_refused_and_2000_is_accepted(api: Any) -> None:
    case = start(api)
    item = open_item(api, "s1_01", case["id"], "deliberation")
    refused = post(api, "s1_01", f"/tasks/{item['id']}/complete",
                   {"data": {"decision": "agree"}, "comment": "意" * (LIMIT + 1)})
    assert refused.status_code == 422
    body = refused.get_json()
    assert body["error"] == "validation_failed"
    assert body["fields"] == {"comment": ["审批意见不能超过 2000 字（现为 2001 字）"]}
    assert open_item(api, "s1_01", case["id"], "deliberation")["id"] == item["id"]  # nothing happened

    accepted = post(api, "s1_01", f"/tasks/{item['id']}/complete", {"data": {"decision": "agree"}, "comment": "意" * LIMIT})
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["item"]["comment"] == "意" * LIMIT


def test_an_opinion_must_be_text(api: Any) -> None:
    case = start(api)
    item = open_item(api, "s1_01", case["id"], "deliberation")
    refused = post(api, "s1_01", f"/tasks/{item['id']}/complete", {"data": {"decision": "agree"}, "comment": ["x"]})
    assert refused.status_code in (400, 422)


def test_a_signer_opinion_is_bounded_the_same_way(api: Any) -> None:
    case = start(api)
    item = open_item(api, "s1_01", case["id"], "deliberation")
    added = post(api, "s1_01", f"/tasks/{item['id']}/add-signer", {"user": "s1_02", "position": "before"})
    assert added.status_code == 200, added.get_json()
    signer = added.get_json()["item"]["id"]
    refused = post(api, "s1_02", f"/tasks/{signer}/complete", {"data": {"decision": "agree"}, "comment": "签" * (LIMIT + 1)})
    assert refused.status_code == 422 and list(refused.get_json()["fields"]) == ["comment"]
    accepted = post(api, "s1_02", f"/tasks/{signer}/complete", {"data": {"decision": "agree"}, "comment": "签" * LIMIT})
    assert accepted.status_code == 200, accepted.get_json()


def test_a_resubmission_opinion_is_bounded(api: Any) -> None:
    case = start(api)
    item = open_item(api, "s1_01", case["id"], "deliberation")
    back = post(api, "s1_01", f"/tasks/{item['id']}/return", {"to": "initiator", "reason": "请补充动议理由"})
    assert back.status_code == 200, back.get_json()
    resubmit = open_item(api, "s1_03", case["id"], "start")
    data = api("s1_03").get(f"/instances/{case['id']}").get_json()["data"]
    form = {k: data[k] for k in ("candidate", "current_post", "proposed_post", "management_level", "purpose",
                                 "breakthrough_type", "years_in_post", "in_probation", "grades_skipped", "reasons")}
    refused = post(api, "s1_03", f"/tasks/{resubmit['id']}/complete", {"data": form, "comment": "补" * (LIMIT + 1)})
    assert refused.status_code == 422 and list(refused.get_json()["fields"]) == ["comment"]
    accepted = post(api, "s1_03", f"/tasks/{resubmit['id']}/complete", {"data": form, "comment": "补" * LIMIT})
    assert accepted.status_code == 200, accepted.get_json()


def test_a_reason_over_its_limit_is_refused_naming_the_field(api: Any) -> None:
    case = start(api)
    item = open_item(api, "s1_01", case["id"], "deliberation")
    refused = post(api, "s1_01", f"/tasks/{item['id']}/transfer", {"to": "s1_02", "reason": "转" * (LIMIT + 1)})
    assert refused.status_code == 422 and list(refused.get_json()["fields"]) == ["reason"]
    accepted = post(api, "s1_01", f"/tasks/{item['id']}/transfer", {"to": "s1_02", "reason": "转" * LIMIT})
    assert accepted.status_code == 200, accepted.get_json()

    today = clock.now().astimezone(clock.SHANGHAI).date()
    long_reason = {"deputy": "s1_02", "starts_at": today.isoformat(), "ends_at": (today + timedelta(days=7)).isoformat(),
                   "reason": "差" * 201}
    refused = post(api, "s1_01", "/delegations", long_reason)
    assert refused.status_code == 422 and list(refused.get_json()["fields"]) == ["reason"]
    assert post(api, "s1_01", "/delegations", {**long_reason, "reason": "差" * 200}).status_code == 201
