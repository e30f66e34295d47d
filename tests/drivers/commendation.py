"""Drivers for 表彰 (`commendation`): a 七一 表彰 started by the group 组织部 with quotas for
钢铁股份公司 (S1, also for its 炼钢厂党支部) and the 医院党委 (S3); the nominations of S1 and S3;
and records written as other processes would (影响期, ratings, a 党委 seat) for the negative list."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from sqlalchemy import delete
from sqlalchemy import select

from models import AnnualRating
from models import InfluencePeriod
from models import OrgUnit
from models import RoleAssignment
from tests.flows import Flow
from tests.helpers import COMMITTEES
from tests.helpers import meeting

PROCESS = "commendation"
OFFICER = "zhaomin"   # 集团组织部干部: starts, reviews, 公示, records the 党委会 and the decision
S1_OFFICER = "s1_03"  # S1 组织部干部: nominates for S1 and S1B1
S3_OFFICER = "s3_03"  # S3 组织部干部: nominates for S3
S1_PEOPLE = {"s1_05": "罗兰", "s1b1_01": "张伟"}  # 优秀共产党员 nominated by S1
S3_WORKER = ("s3b1_01", "何医生")                 # 优秀党务工作者 nominated by S3
BRANCH = ("S1B1", "炼钢厂党支部")                # 先进基层党组织


def quotas() -> list[dict[str, Any]]:
    return [{"unit": "S1", "honour": "excellent_member", "quota": 2},
            {"unit": "S1", "honour": "advanced_org", "quota": 1},
            {"unit": "S3", "honour": "party_worker", "quota": 1}]


def launch(**overrides: Any) -> dict[str, Any]:
    data = {"kind": "qiyi", "title": "2026年“七一”表彰", "issuer": "集团党委",
            "basis": "对在疫情防控工作中充分发挥战斗堡垒作用和先锋模范作用的基层党组织和党员进行表彰（集团组织〔2020〕2号 第10条）",
            "deadline": "2026-03-20", "quotas": quotas()}
    data.update(overrides)
    return data


def start(flow: Flow, by: str = OFFICER, expect: int = 201, **overrides: Any) -> dict[str, Any]:
    return flow.start(PROCESS, by, launch(**overrides), expect=expect)


def person(username: str, honour: str = "excellent_member", deeds: str = "疫情期间坚守一线卡口，连续值守四十天") -> dict[str, Any]:
    return {"honour": honour, "person": username, "deeds": deeds}


def organization(code: str, deeds: str = "组织党员突击队，实现厂区零感染、生产不停") -> dict[str, Any]:
    return {"honour": "advanced_org", "organization": code, "deeds": deeds}


def s1_nominees() -> dict[str, Any]:
    return {"nominees": [person(u) for u in S1_PEOPLE] + [organization(BRANCH[0])]}


def s3_nominees() -> dict[str, Any]:
    return {"nominees": [person(S3_WORKER[0], "party_worker", "统筹发热门诊党员先锋岗排班，组织党员志愿服务")]}


def nominate(flow: Flow, case_id: int, unit: str, data: dict[str, Any], expect: int = 200,
             by: str | None = None) -> dict[str, Any]:
    """The 推荐 of `unit` (S1 or S3, or another by `by`), by its 组织部."""
    by = by or (S3_OFFICER if unit == "S3" else S1_OFFICER)
    item = flow.item(by, case_id, "nomination")
    response = flow.api(by).post(f"/tasks/{item['id']}/complete", {"data": data})
    assert response.status_code == expect, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def nominate_all(flow: Flow, case_id: int) -> None:
    nominate(flow, case_id, "S1", s1_nominees())
    nominate(flow, case_id, "S3", s3_nominees())


def committee(on: str = "2026-03-09", recused: dict[str, str] | None = None, absent: dict[str, str] | None = None,
              members: list[str] | None = None, votes: dict[str, int] | None = None) -> dict[str, Any]:
    """The group's 党委会 (9 党委委员): one away, the rest for."""
    members = members or COMMITTEES["G"]
    absent = {"hejing": "出差"} if absent is None else absent
    present = len(members) - len(absent) - len(recused or {})
    return {"meeting": meeting(members, votes or {"for": present, "against": 0}, absent=absent, recused=recused,
                               date=on)}


AFTER = "2026-03-09 10:00"  # the Monday after the 公示 (2026-03-02 … 03-06): 党委会 and decision


def later() -> Any:
    """Travel to AFTER (a context manager)."""
    from tests.flows import at
    from workflows.engine.clock import frozen_at

    return frozen_at(at(AFTER))


def publicity_timer(flow: Flow) -> None:
    """The 公示 timer fires at 00:00 on 03-07 (after 2026-03-02 … 03-06)."""
    from tests.flows import at
    from workflows.engine.clock import frozen_at

    with frozen_at(at("2026-03-07 00:00:01")):
        assert flow.worker() >= 1


def publicity(flow: Flow, case_id: int) -> None:
    """公示 from 2026-03-02 for 5 working days, to its end."""
    flow.step(OFFICER, case_id, "publicity", {"start_date": "2026-03-02", "scope": "集团各单位"})
    publicity_timer(flow)


def to_committee(flow: Flow, case_id: int, review: dict[str, Any] | None = None) -> None:
    """Review (nobody excluded unless said), the 公示, no objections (at AFTER)."""
    flow.step(OFFICER, case_id, "review", review or {"decision": "proceed"})
    publicity(flow, case_id)
    with later():
        flow.step(OFFICER, case_id, "publicity_review", {"objections": False, "decision": "continue"})


def decide(flow: Flow, case_id: int) -> None:
    """The 党委会 adopts and the decision is issued (at AFTER)."""
    with later():
        flow.step(OFFICER, case_id, "committee_decision", committee())
        flow.step(OFFICER, case_id, "decision", {"decision_no": DECISION_NO, "issued_on": "2026-03-09"})


DECISION_NO = "集团党字〔2026〕12号"


def _with_user(app: Flask, username: str, write: Any) -> None:
    from webapp.extensions import db
    from workflows import accounts

    with app.app_context():
        write(db.session, accounts.find_user(db.session, username))
        db.session.commit()
        db.session.remove()


def influence_period(app: Flask, username: str, kind: str = "admonish", starts: str = "2026-01-10",
                     ends: str = "2026-07-09") -> None:
    """An 影响期 as an `accountability` decision (or, kind `discipline`, a 纪律处分) writes it."""
    _with_user(app, username, lambda s, u: s.add(InfluencePeriod(
        user_id=u.id, kind=kind, restriction="no_promotion", starts_on=date.fromisoformat(starts),
        ends_on=date.fromisoformat(ends))))


def rate(app: Flask, username: str, year: int, rating: str) -> None:
    def write(session: Any, user: Any) -> None:
        session.execute(delete(AnnualRating).where(AnnualRating.user_id == user.id, AnnualRating.year == year))
        session.add(AnnualRating(user_id=user.id, year=year, rating=rating))

    _with_user(app, username, write)


def seat_on_group_committee(app: Flask, username: str) -> None:
    """`username` also sits on the group 党委 (a 党委委员 of G)."""
    def write(session: Any, user: Any) -> None:
        group = session.scalars(select(OrgUnit).where(OrgUnit.code == "G")).one()
        session.add(RoleAssignment(user_id=user.id, role="committee", unit_id=group.id))

    _with_user(app, username, write)


def open_lead(flow: Flow, subject_user: str | None = None, subject_unit: str | None = None) -> int:
    """An `accountability` lead (H-C4: an open case) about a person or a 党组织 of S1."""
    data: dict[str, Any] = {"level": "subsidiary", "category": "epidemic_prevention", "source": "weekly_report",
                            "evidence": "周报反映卡口值守不到位", "two_ensures_failed": False}
    data.update({"subject_user": subject_user} if subject_user else {"subject_unit": subject_unit})
    case_id: int = flow.start("accountability", "s1_03", data)["id"]
    return case_id
