"""Drivers for `annual_assessment`: the 年度综合考核 of 钢铁股份公司 (S1)'s 领导班子 for 2025, run by
the group 组织部 and decided by the group 党委会; and of 炼钢厂党支部 (S1B1), decided by S1's 党委会."""

from __future__ import annotations

from typing import Any

from tests.flows import Flow
from tests.helpers import COMMITTEES
from tests.helpers import meeting

PROCESS = "annual_assessment"
OFFICER = "zhaomin"  # 集团组织部干部: starts, records every step and the 党委会
S1_OFFICER = "s1_03"  # S1 组织部干部: may start S1's case; records S1's 党委会 on a branch
MEMBERS = list(COMMITTEES["S1"])  # S1's 班子: 马立新 (书记), the 组织部部长 and three 党委委员
BRANCH_MEMBERS = ["s1b1_01", "s1b1_02"]


def plan(**overrides: Any) -> dict[str, Any]:
    data = {"unit": "S1", "year": 2025, "management_level": "group", "members": MEMBERS,
            "plan": "指标体系含“两个确保”（确保单位不出现疫情、确保生产经营稳定顺行）和疫情防控现实表现"}
    data.update(overrides)
    return data


def start(flow: Flow, by: str = OFFICER, expect: int = 201, **overrides: Any) -> dict[str, Any]:
    return flow.start(PROCESS, by, plan(**overrides), expect=expect)


def evaluation(members: list[str] | None = None, participants: int = 60, **overrides: Any) -> dict[str, Any]:
    rows = [{"member": m, "excellent": 30, "competent": 25, "basic": 3, "incompetent": 1} for m in members or MEMBERS]
    data = {"evaluated_on": "2026-02-12", "participants": participants, "member_votes": rows,
            "team_good": 40, "team_fairly_good": 15, "team_average": 4, "team_poor": 1}
    data.update(overrides)
    return data


def talk(**overrides: Any) -> dict[str, Any]:
    data = {"talked_on": "2026-02-13", "talk_by": ["sunli"], "interviewees": 24, "masses_heard": True,
            "summary": "职工群众评议：班子团结，复工复产组织有力"}
    data.update(overrides)
    return data


def to_proposal(flow: Flow, case_id: int, by: str = OFFICER, members: list[str] | None = None,
                days: tuple[str, str, str] = ("2026-02-12", "2026-02-12", "2026-02-13")) -> None:
    """述职 → 民主测评 → 考核谈话, on `days`."""
    flow.step(by, case_id, "report", {"held_on": days[0], "reports": "班子和班子成员分别述职述廉"})
    flow.step(by, case_id, "evaluation", evaluation(members, evaluated_on=days[1]))
    flow.step(by, case_id, "talk", talk(talked_on=days[2], talk_by=["sunli"] if by == OFFICER else ["s1_04"]))


def proposal(ratings: dict[str, str] | None = None, failed: tuple[str, ...] = (), weak: tuple[str, ...] = (),
             members: list[str] | None = None, team: str = "较好") -> dict[str, Any]:
    """Everyone 称职 unless `ratings` says otherwise; `failed` did not meet the “两个确保”."""
    chosen = ratings or {}
    rows = [{"member": m, "rating": chosen.get(m, "称职"), "two_ensures": "failed" if m in failed else "met",
             "prevention_weak": m in weak, "performance": "包保炼钢厂卡口，复工复产有序"} for m in members or MEMBERS]
    return {"ratings": rows, "team_rating": team, "team_two_ensures": "met",
            "team_performance": "班子分工包保，疫情期间生产稳定顺行"}


def group_committee(on: str = "2026-02-20", votes: dict[str, int] | None = None,
                    absent: dict[str, str] | None = None, recused: dict[str, str] | None = None,
                    overrides: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """The group 党委会 (9 党委委员): two away, the others for."""
    away = {"yangfan": "出差", "huangwei": "病假"} if absent is None else absent
    present = 9 - len(away) - len(recused or {})
    record = meeting(COMMITTEES["G"], votes or {"for": present, "against": 0}, absent=away, recused=recused,
                     body="集团党委会", date=on)
    return {"meeting": record, **({"overrides": overrides} if overrides is not None else {})}


def s1_committee(on: str = "2026-02-20", overrides: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """S1's 党委会 (5 党委委员): one away, four for."""
    record = meeting(COMMITTEES["S1"], {"for": 4, "against": 0}, absent={"s1_08": "出差"}, date=on)
    return {"meeting": record, **({"overrides": overrides} if overrides is not None else {})}


def publicity(start_date: str = "2026-02-23", finding: str = "none", objections: str = "") -> dict[str, Any]:
    return {"start_date": start_date, "scope": "钢铁股份公司", "objections": objections, "finding": finding}


def ratings(flow: Flow, username: str) -> dict[int, tuple[str, bool, str]]:
    """The 年度考核 results of the cadre records (`annual_rating`, what the 干部信息 page, the 任免表,
    A-C9 and the 后备干部库 read): year → (rating, locked, source)."""
    from sqlalchemy import select

    from models import AnnualRating
    from models import User
    from webapp.extensions import db

    with flow.app.app_context():
        rows = db.session.execute(select(AnnualRating.year, AnnualRating.rating, AnnualRating.locked, AnnualRating.source)
                                  .join(User, User.id == AnnualRating.user_id).where(User.username == username)).all()
        db.session.remove()
    return {year: (rating, locked, source) for year, rating, locked, source in rows}
