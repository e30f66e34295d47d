"""Cases for the demo: each process started by the right person and taken to a different step,
through the same services as the web UI and the API, so a new user finds real work in 待办.

Dates are relative to today, so the cases look current whenever `flask demo load` runs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from models import OrgUnit
from models import ProbationRecord
from models import ProcessInstance
from models import ReserveMeasure
from models import ReservePoolEntry
from models import WorkItem
from models import WorkItemStatus
from workflows import accounts
from workflows import cases
from workflows.calendar import add_months
from workflows.cases import tasks
from workflows.demo import weekly as demo_weekly
from workflows.demo.commendation import commendation
from workflows.demo.special_reports import special_reports
from workflows.engine import clock
from workflows.records import probation as probation_mod


class Seeder:
    """Starts cases and completes their steps as named demo users."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.today: date = clock.today_local().date()

    def day(self, offset: int = 0) -> str:
        return (self.today + timedelta(days=offset)).isoformat()

    def start(self, key: str, username: str, data: dict[str, Any]) -> ProcessInstance:
        return cases.start(self.session, key, data, accounts.find_user(self.session, username))

    def item(self, instance: ProcessInstance, task: str) -> WorkItem:
        item: WorkItem | None = self.session.scalars(select(WorkItem).where(
            WorkItem.instance_id == instance.id, WorkItem.task_name == task,
            WorkItem.status == WorkItemStatus.OPEN).order_by(WorkItem.id)).first()
        if item is None:
            raise LookupError(f"{instance.number}: no open {task}")
        return item

    def step(self, instance: ProcessInstance, username: str, task: str, data: dict[str, Any],
             comment: str | None = None) -> None:
        item = self.item(instance, task)
        tasks.complete(self.session, accounts.find_user(self.session, username), item.id, data, comment)

    def meeting(self, instance: ProcessInstance, task: str, body: str, absent: int, against: int = 0) -> dict[str, Any]:
        """A meeting of the step's roster: the last `absent` members away, those bound to recuse
        recused, everyone else present; all present vote for but `against`."""
        roster = tasks.meeting_roster(self.session, self.item(instance, task)) or {"members": []}
        rows: list[dict[str, str]] = []
        for index, member in enumerate(roster["members"]):
            if member.get("must_recuse"):
                rows.append({"member": member["username"], "status": "recused", "reason": member["must_recuse"]})
            elif index >= len(roster["members"]) - absent:
                rows.append({"member": member["username"], "status": "absent", "reason": "公出"})
            else:
                rows.append({"member": member["username"], "status": "present"})
        present = sum(r["status"] == "present" for r in rows)
        return {"body": body, "date": self.day(), "attendance": rows,
                "votes": {"for": present - against, "against": against}}


def cadre(s: Seeder) -> None:
    """A promotion waiting for 酝酿 by the S1 党委书记."""
    s.start("cadre_promotion", "s1_03", {
        "candidate": "s1_07", "current_post": "热轧厂副厂长", "proposed_post": "热轧厂厂长",
        "management_level": "subsidiary", "purpose": "promotion", "breakthrough_type": "none", "years_in_post": 4,
        "in_probation": False, "grades_skipped": 0, "reasons": "疫情期间组织复工复产，生产经营稳定顺行"})


def accountability(s: Seeder) -> None:
    """One lead waiting for the 启动审批; one whose subject is asked for the 申辩."""
    s.start("accountability", "s2_03", {
        "subject_user": "s2_06", "level": "subsidiary", "category": "epidemic_prevention", "source": "weekly_report",
        "evidence": "周报反映运输部卡口连续两日无人值守", "two_ensures_failed": False})
    case = s.start("accountability", "s1_04", {
        "subject_user": "s1_06", "level": "subsidiary", "category": "two_ensures", "source": "assessment",
        "evidence": "一季度考核：所在单位出现聚集性病例", "two_ensures_failed": True, "year": s.today.year - 1})
    s.step(case, "s1_01", "start_approval", {"decision": "investigate", "investigation_team": ["s1_04", "s1_07"]})
    s.step(case, "s1_04", "investigation", {"facts": "经查，防控措施落实不到位，出现聚集性病例 3 例",
                                            "facts_shown_on": s.day()})


def admission(s: Seeder) -> None:
    """A regular-track activist before the 支部大会; a new proposal waiting for the 支委会."""
    since = add_months(s.today, -14).isoformat()
    case = s.start("party_admission", "s3b1_01", {
        "applicant": "s3b1_15", "status": "development_target", "application_date": add_months(s.today, -20).isoformat(),
        "activist_since": since, "development_target_since": add_months(s.today, -1).isoformat(), "frontline": True,
        "frontline_post": "发热门诊", "deeds": "连续值守发热门诊"})
    s.step(case, "s3b1_01", "branch_review", {"decision": "agree"})
    s.step(case, "s3b1_01", "vetting", {"introducers": ["s3b1_02", "s3b1_05"], "political_review": "pass"})
    s.step(case, "s3_03", "training", {"completed": True, "hours": 24, "special_case": False})
    s.step(case, "s3_03", "pre_review", {"decision": "agree"})
    s.step(case, "s3b1_15", "volunteer_form", {"form_text": "我志愿加入中国共产党……", "filled_on": s.day()})
    for introducer in ("s3b1_02", "s3b1_05"):
        s.step(case, introducer, "introducer_opinion", {"opinion": "该同志一贯表现好，同意介绍其入党"})
    s.start("party_admission", "s1b1_01", {
        "applicant": "s1b1_04", "status": "activist", "application_date": add_months(s.today, -30).isoformat(),
        "activist_since": add_months(s.today, -18).isoformat(), "frontline": False})


def dues(s: Seeder) -> None:
    """A special fund each recipient is now receiving; a branch's top-up request to its 党委."""
    case = s.start("dues_allocation", "zhaomin", {
        "source": "上级下拨专项党费（疫情防控）", "amount": "300000.00", "fund_type": "special_dues",
        "allowed_purposes": ["condolence", "supplies", "hardship"], "deadline": add_months(s.today, 3).isoformat()})
    s.step(case, "zhaomin", "allocation_plan", {"matching_amount": "20000.00", "lines": [
        {"unit": "S1", "amount": "120000.00", "purpose": "condolence"},
        {"unit": "S3", "amount": "200000.00", "purpose": "condolence"}]})
    s.step(case, "zhaomin", "committee_decision", {"meeting": s.meeting(case, "committee_decision", "集团党委会", 2)})
    s.step(case, "wuxia", "transfer", {"transfers": [{"unit": "S1", "ref": "党费拨1号"}, {"unit": "S3", "ref": "党费拨2号"}]})
    s.start("dues_topup", "s1b1_01", {"amount": "5000.00", "reason": "慰问隔离观察党员", "requested_from": "S1"})


def probation(s: Seeder) -> None:
    """Two 预备党员 on the register: 常青 (发热门诊, admitted on the front line a year and ten days
    ago: her 预备期 is over, so her 转正 case is started as the timer worker would) and 李强 (炼钢厂,
    five months into his 预备期)."""
    for username, track, frontline, months, days in (("s3b1_13", "fast_a", True, -12, -10),
                                                      ("s1b1_03", "regular", False, -5, 0)):
        admitted = add_months(s.today, months) + timedelta(days=days)
        user = accounts.find_user(s.session, username)
        s.session.add(ProbationRecord(user_id=user.id, track=track, frontline=frontline, admitted_on=admitted,
                                      approved_on=admitted + timedelta(days=3), oath_on=admitted + timedelta(days=5),
                                      probation_ends_on=add_months(admitted, 12)))
    s.session.flush()
    probation_mod.start_due(s.session, s.today)


# 后备干部库: (username, managing unit, category, target post, months in the pool, 培养措施 (kind, title,
# months after entering, months it lasted or None while it runs, result)).
RESERVE: list[tuple[str, str, str, str, int, list[tuple[str, str, int, int | None, str | None]]]] = [
    ("s1b1_01", "S1", "young_outstanding", "炼钢厂副厂长", 14,
     [("frontline", "选派到疫情防控一线吃劲岗位：厂区卡口防控组组长", 1, 3, "卡口零漏检，复工复产有序"),
      ("training", "集团中青年干部培训班", 6, 1, "结业考核优秀")]),
    ("s3_06", "S3", "young_outstanding", "医务部主任", 10,
     [("frontline", "选派到发热门诊一线吃劲岗位", 1, None, None)]),
    ("s2_08", "S2", "long_term", "矿业公司总经理助理", 20, [("rotation", "到选矿厂轮岗交流", 4, 12, "熟悉选矿生产")]),
]


def reserve(s: Seeder) -> None:
    """A few entries of the 后备干部库 with their 培养措施, and 罗兰's nomination waiting for the 部务会."""
    for username, unit_code, category, target, months, measures in RESERVE:
        unit = s.session.scalars(select(OrgUnit).where(OrgUnit.code == unit_code)).one()
        entered = add_months(s.today, -months)
        entry = ReservePoolEntry(user_id=accounts.find_user(s.session, username).id, level=unit.level,
                                 category=category, target_post=target, entered_on=entered, unit_id=unit.id)
        s.session.add(entry)
        s.session.flush()
        for kind, title, after, lasted, result in measures:
            starts = add_months(entered, after)
            s.session.add(ReserveMeasure(entry_id=entry.id, kind=kind, title=title, starts_on=starts, result=result,
                                         ends_on=add_months(starts, lasted) if lasted else None))
    s.start("reserve_nomination", "s1_03", {
        "candidate": "s1_05", "current_post": "党费管理员", "category": "young_outstanding",
        "target_post": "组织部副部长", "management_level": "subsidiary",
        "reasons": "疫情防控期间在一线卡口连续值守，表现突出", "frontline_performance": "负责复工复产防疫物资调配"})


def assessment(s: Seeder) -> None:
    """钢铁股份公司 (S1)'s 年度综合考核 for last year, run by the group 组织部 (`zhaomin`): 述职,
    民主测评 and 考核谈话 are done; the 等次建议 waits for the 组织部, then the group 党委会 and,
    for an 优秀, the 公示; the end writes the ratings to the cadre records."""
    members = ["s1_01", "s1_02", "s1_06", "s1_07", "s1_08"]
    case = s.start("annual_assessment", "zhaomin", {
        "unit": "S1", "year": s.today.year - 1, "management_level": "group", "members": members,
        "plan": "指标体系含“两个确保”（确保单位不出现疫情、确保生产经营稳定顺行）和疫情防控现实表现"})
    s.step(case, "zhaomin", "report", {"held_on": s.day(-30), "reports": "班子和班子成员分别述职述廉，报告疫情防控包保情况"})
    s.step(case, "zhaomin", "evaluation", {
        "evaluated_on": s.day(-29), "participants": 62,
        "member_votes": [{"member": m, "excellent": 34 - 3 * i, "competent": 25 + 3 * i, "basic": 2, "incompetent": 1}
                         for i, m in enumerate(members)],
        "team_good": 41, "team_fairly_good": 17, "team_average": 3, "team_poor": 1})
    s.step(case, "zhaomin", "talk", {"talked_on": s.day(-28), "talk_by": ["sunli"], "interviewees": 26,
                                     "masses_heard": True, "summary": "职工群众评议：班子团结，复工复产组织有力"})


SCENES: tuple[Callable[[Seeder], None], ...] = (cadre, accountability, admission, dues)
# `flask demo load` adds the 预备党员 register, the 后备干部库, the 周报 of last week and this, S1's
# 年度综合考核, a 七一 表彰 and a 重要情况专报 (tests that seed a fixed set of cases use SCENES).
DEMO_SCENES: tuple[Callable[[Seeder], None], ...] = (*SCENES, probation, reserve, demo_weekly.weekly, assessment,
                                                     commendation, special_reports)


def seed(session: Any, scenes: tuple[Callable[[Seeder], None], ...] = SCENES) -> list[ProcessInstance]:
    """Create the demo cases (in the caller's transaction); returns them, newest last."""
    seeder = Seeder(session)
    for scene in scenes:
        scene(seeder)
    return list(session.scalars(select(ProcessInstance).order_by(ProcessInstance.id)))
