"""The demo's 重要情况专报: S1's 组织部 reported a 重大事项 this morning and the group's 组织部部长
(李华) has not acknowledged it yet, so a newcomer can take it to its end: 李华 确认, 赵敏 接收并
交办 to 孙丽, 孙丽 跟进办结 (or wait past the deadline and see the 书记's 督办)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workflows.demo.cases import Seeder


def special_reports(s: Seeder) -> None:
    """A 重大事项 waiting for the group 组织部部长's acknowledgement (SR-1)."""
    s.start("special_report", "s1_03", {
        "kind": "major", "headline": "炼钢厂一名职工核酸检测阳性", "occurred_on": s.day(),
        "content": "炼钢厂二车间一名职工今晨核酸检测阳性，已按预案封闭车间、开展流调，密接人员已集中隔离。",
        "persons": ["s1b1_01"]})
