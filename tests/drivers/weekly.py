"""Drivers for 周报 (weekly_report): the group's schedule, the worker's opening pass, and each unit's
report filled, confirmed and reviewed through the API, in the week of Monday 2026-11-30."""

from __future__ import annotations

from typing import Any

from tests.flows import Flow

GROUP = "zhaomin"  # 集团组织部干部: reviews, sees the matrix, opens 督导
GROUP_HEAD = "lihua"  # 集团组织部部长: sets the schedule
OFFICERS = {"S1": "s1_03", "S2": "s2_03", "S3": "s3_03"}  # each unit's 组织部干部 fills its report
SECRETARIES = {"S1": "s1_01", "S2": "s2_01", "S3": "s3_01"}
WEEK = "2026-W49"
SCHEDULE = {"active": True, "open_weekday": 0, "due_weekday": 4, "due_hour": 18}  # Monday; Friday 18:00


def set_schedule(flow: Flow, **changes: Any) -> dict[str, Any]:
    response = flow.api(GROUP_HEAD).put("/weekly-schedule", {**SCHEDULE, **changes})
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def matrix(flow: Flow, weeks: int = 1, by: str = GROUP) -> dict[str, Any]:
    response = flow.api(by).get(f"/weekly-reports?weeks={weeks}")
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def statuses(flow: Flow) -> dict[str, str]:
    """This week's status per unit code."""
    return {row["unit"]: row["cells"][0]["status"] for row in matrix(flow)["items"]}


def cell(flow: Flow, unit: str) -> dict[str, Any]:
    return next(row["cells"][0] for row in matrix(flow)["items"] if row["unit"] == unit)


def case_of(flow: Flow, unit: str) -> int:
    found = cell(flow, unit)["instance_id"]
    assert found, f"no report opened for {unit}"
    return int(found)


def lines(flow: Flow, unit: str, marks: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The case's prefilled lines (one per 班子成员) with what each did; `marks` by username."""
    data = flow.case(OFFICERS[unit], case_of(flow, unit))["data"]
    return [{**line, "baobao": "包保炼钢厂复工复产", "production": "生产经营稳定顺行", "role_played": "靠前指挥",
             "mark": (marks or {}).get(line["member"], "neutral")} for line in data["lines"]]


def fill(flow: Flow, unit: str, marks: dict[str, str] | None = None) -> None:
    flow.step(OFFICERS[unit], case_of(flow, unit), "fill", {"lines": lines(flow, unit, marks), "summary": "本周平稳"})


def confirm(flow: Flow, unit: str) -> None:
    flow.step(SECRETARIES[unit], case_of(flow, unit), "confirm", {"decision": "confirm"})


def report(flow: Flow, unit: str, marks: dict[str, str] | None = None) -> None:
    fill(flow, unit, marks)
    confirm(flow, unit)
