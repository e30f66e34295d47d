"""Drivers for 重要情况专报 (`special_report`): S1's 组织部 files, the group's 组织部 receives."""

from __future__ import annotations

from typing import Any

from tests.flows import Flow

PROCESS = "special_report"
OFFICER = "s1_03"        # S1 组织部干部: files
HEAD = "lihua"           # 集团党委组织部部长: acknowledges a 重大事项 (SR-1)
SECRETARY = "wangjianguo"  # 集团党委书记: gets the 督办 when it is late
GROUP_OFFICER = "zhaomin"  # 集团组织部干部: receives and assigns the follow-up
FOLLOWER = "sunli"        # 集团组织部组织处处长: follows up
PERSON = "s1_05"          # 罗兰


def report(**overrides: Any) -> dict[str, Any]:
    data = {"kind": "major", "headline": "炼钢厂发生一例确诊病例", "occurred_on": "2026-03-02",
            "content": "炼钢厂一名职工确诊，已按预案封闭车间并开展流调。"}
    data.update(overrides)
    return data


def file(flow: Flow, by: str = OFFICER, expect: int = 201, **overrides: Any) -> dict[str, Any]:
    return flow.start(PROCESS, by, report(**overrides), expect=expect)


def assignment(**overrides: Any) -> dict[str, Any]:
    data = {"follow_up_by": FOLLOWER, "follow_up_task": "跟踪处置进展，三日内报告", "follow_up_due": "2026-03-06"}
    data.update(overrides)
    return data
