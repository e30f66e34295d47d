"""Sample forms of the demo organization: the 党委会 rosters, a meeting record, a valid 动议
for S1's 梁晨 and a finished 考察. The tests and the benchmarks (`bench/`) drive cases with them;
they name demo users, so they hold only on the demo organization (`flask demo load`)."""

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
