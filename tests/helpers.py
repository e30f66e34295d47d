"""Drivers shared by the API tests: start a cadre case and push it through its steps."""

from __future__ import annotations

from typing import Any

# The 党委委员 of the demo organization (role `committee`, workflows/demo/__init__.py): the rosters of
# their 党委会, the 书记 first. S1's 梁晨 (s1_06) is the candidate of the cadre cases below.
COMMITTEES = {
    "G": ["wangjianguo", "lihua", "zhouqiang", "chenzhi", "liugang", "yangfan", "huangwei", "xuming", "hejing"],
    "S1": ["s1_01", "s1_02", "s1_06", "s1_07", "s1_08"],
    "S2": ["s2_01", "s2_02", "s2_06", "s2_07", "s2_08"],
    "S3": ["s3_01", "s3_02", "s3_06", "s3_07", "s3_08"],
}


def meeting(members: list[str], votes: dict[str, int], absent: dict[str, str] | None = None,
            recused: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    """A meeting record naming every member of a roster: present, unless listed as absent or
    recused (username → reason). `members_due` and `present` are the server's to compute."""
    absent, recused = absent or {}, recused or {}
    rows = []
    for member in members:
        if member in recused:
            rows.append({"member": member, "status": "recused", "reason": recused[member]})
        elif member in absent:
            rows.append({"member": member, "status": "absent", "reason": absent[member]})
        else:
            rows.append({"member": member, "status": "present"})
    return {"body": "党委会", "date": "2026-03-02", "attendance": rows, "votes": votes, **extra}


# S1's 党委会 on 梁晨's promotion: he recuses (R-C1), so 4 are due; 3 present, 3 for: adopted.
MEETING_OK = meeting(COMMITTEES["S1"], {"for": 3, "against": 0, "defer": 0},
                     absent={"s1_08": "出差"}, recused={"s1_06": "本人为拟任人选"})
FOUR_MUSTS_DONE = {"file_reviewed": True, "personal_matters_checked": True, "discipline_opinion_heard": True,
                   "petitions_checked": True}


def proposal(**overrides: Any) -> dict[str, Any]:
    """A valid 动议 for s1_06 (梁晨), a subsidiary-managed cadre of S1."""
    data = {
        "candidate": "s1_06", "current_post": "炼钢厂副厂长", "proposed_post": "炼钢厂厂长",
        "management_level": "subsidiary", "purpose": "promotion", "breakthrough_type": "none",
        "years_in_post": 3, "in_probation": False, "grades_skipped": 0,
        "reasons": "疫情防控期间坚守一线，表现突出",
    }
    data.update(overrides)
    return data


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
