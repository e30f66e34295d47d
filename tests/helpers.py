"""Drivers shared by the API tests: start a cadre case and push it through its steps."""

from __future__ import annotations

from typing import Any

from workflows.demo.samples import COMMITTEES
from workflows.demo.samples import FOUR_MUSTS_DONE
from workflows.demo.samples import MEETING_OK
from workflows.demo.samples import meeting
from workflows.demo.samples import proposal

__all__ = ["COMMITTEES", "FOUR_MUSTS_DONE", "MEETING_OK", "complete", "instance", "meeting", "open_item", "proposal",
           "start", "through_inspection", "to_committee"]


def start(api: Any, initiator: str = "s1_03", **overrides: Any) -> dict[str, Any]:
    response = api(initiator).post("/processes/cadre_promotion/instances", {"data": proposal(**overrides)})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def open_item(api: Any, username: str, instance_id: int, task: str) -> dict[str, Any]:
    """The open work item of `task` on this case in `username`'s 待办 (fails if absent)."""
    items = api(username).get("/tasks?view=todo&limit=100").get_json()["items"]
    found = [i for i in items if i["instance_id"] == instance_id and i["task"] == task]
    assert found, f"{task} not in {username}'s 待办: {[(i['instance_id'], i['task']) for i in items]}"
    return found[0]


def complete(api: Any, username: str, instance_id: int, task: str, data: dict[str, Any],
             comment: str | None = None, expect: int = 200) -> dict[str, Any]:
    item = open_item(api, username, instance_id, task)
    response = api(username).post(f"/tasks/{item['id']}/complete", {"data": data, "comment": comment})
    assert response.status_code == expect, response.get_json()
    answer: dict[str, Any] = response.get_json()
    if response.status_code == 200:  # built from what the completion loaded: the same as a fresh read
        fresh = api(username).get(f"/instances/{instance_id}")
        if fresh.status_code == 200:
            assert answer["instance"] == fresh.get_json(), "the completion's answer differs from the case read again"
    return answer


def instance(api: Any, username: str, instance_id: int) -> dict[str, Any]:
    response = api(username).get(f"/instances/{instance_id}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def through_inspection(api: Any, case_id: int) -> None:
    """From 酝酿 to 部务会研究 of a regular S1 case: 考察 by 宋佳 (s1_07), 纪委意见 by s1_04."""
    complete(api, "s1_01", case_id, "deliberation", {"decision": "agree"})
    complete(api, "s1_03", case_id, "recommendation",
             {"method": "meeting", "results": "得票集中", "inspection_team": ["s1_07", "s1_08"]})
    complete(api, "s1_03", case_id, "inspection_targets", {"decision": "proceed"})
    complete(api, "s1_07", case_id, "inspection", {"report": "德能勤绩廉表现突出", "four_musts": FOUR_MUSTS_DONE})
    complete(api, "s1_04", case_id, "discipline_opinion", {"decision": "no_objection"})


def to_committee(api: Any, case_id: int) -> None:
    """From 酝酿 to the 党委会 step of a regular (non-破格) subsidiary case."""
    through_inspection(api, case_id)
    complete(api, "s1_02", case_id, "department_review", {"decision": "submit"})
