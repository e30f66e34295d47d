"""Complete 干部信息 for the demo cadres (`flask demo load`): the leaders of every 子分公司 (kept by
the 集团 组织部: 书记, 组织部长, 纪委书记) and the others of their 党委 and the 党支部书记 (kept by
their 子分公司's 组织部), so a newcomer finds full records and a filled 干部任免审批表. Invented but
plausible, and deterministic (the same demo every time)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AnnualRating
from models import CadreAward
from models import CadreEvent
from models import CadreFamilyMember
from models import CadreRecord
from models import CadreResumeEntry
from models import User

GROUP_MANAGED = {"01", "02", "04"}  # 书记, 组织部长, 纪委书记 of a 子分公司: 集团党委管理
PLACES = ("河北唐山", "河北邯郸", "河北石家庄", "河北承德", "河北张家口", "河北保定", "河北邢台")
SCHOOLS = ("北京科技大学冶金工程专业", "东北大学材料科学与工程专业", "河北工业大学机械设计制造及其自动化专业",
           "燕山大学自动化专业", "华北理工大学安全工程专业", "河北医科大学临床医学专业")
DEGREES = ("大学本科　工学学士", "大学本科　工学学士", "研究生　工学硕士", "大学本科　工学学士",
           "大学本科　管理学学士", "大学本科　医学学士")
FAMILY_JOBS = ("河钢集团唐钢公司职工", "唐山市第一中学教师", "河北省人民医院医生", "退休")
PREFERRED = {  # the cadre of the demo promotion (demo_cases.cadre) gets a record worth printing
    "s1_07": {"current_post": "热轧厂副厂长", "expertise": "热轧生产组织、设备管理，熟悉安全生产与疫情防控",
              "professional_title": "高级工程师"},
}


EVENTS = {  # 现实表现纪实 of some demo cadres: (day, what, source, mark)
    "s1_07": [(date(2025, 3, 18), "带队完成热轧厂方舱隔离点改造，三天交付使用，集团疫情防控专报予以通报表扬", "special", "merit"),
              (date(2025, 9, 2), "热轧二线设备故障处置及时，当月产量计划完成率 102%", "weekly", "neutral"),
              (date(2025, 12, 20), "被评为集团 2025 年度疫情防控先进个人", "commendation", "merit")],
    "s1_05": [(date(2025, 6, 10), "选派到疫情防控一线吃劲岗位，负责社区核酸检测点组织协调", "supervision", "merit")],
    "s2_07": [(date(2025, 11, 5), "巡察反馈：所在单位疫情防控物资台账不清，督促限期整改", "inspection", "issue")],
}


def _events(session: Session, user: User) -> None:
    for day, text, source, mark in EVENTS.get(user.username, []):
        session.add(CadreEvent(user_id=user.id, occurred_on=day, text=text, source=source, mark=mark))


def _cadres(session: Session) -> list[User]:
    users = session.scalars(select(User).where(User.username.like("s%\\_0%", escape="\\")).order_by(User.id))
    return [u for u in users if u.username.count("_") == 1 and (u.username[2] == "_" or u.username.endswith("_01"))]


def _basic(user: User, index: int) -> dict[str, Any]:
    year = 1968 + index % 17
    level = "group" if user.username[2] == "_" and user.username[-2:] in GROUP_MANAGED else "subsidiary"
    school = index % len(SCHOOLS)
    return {
        "management_level": level, "gender": "女" if user.name in ("罗兰", "宋佳", "冯雪", "袁媛", "沈洁", "潘婷", "杜鹃",
                                                                  "方圆", "王芳", "陈静", "黄丽") else "男",
        "birth_month": f"{year}-{index % 12 + 1:02d}", "ethnicity": "汉族" if index % 9 else "回族",
        "native_place": PLACES[index % len(PLACES)], "birthplace": PLACES[(index + 2) % len(PLACES)],
        "party_joined": f"{year + 22}-07", "work_started": f"{year + 22}-07", "health": "健康",
        "professional_title": "工程师" if index % 3 else "高级工程师", "expertise": "生产管理、党建工作",
        "current_post": user.post, "full_time_degree": DEGREES[school], "full_time_school": SCHOOLS[school],
        "in_service_degree": "在职研究生　管理学硕士" if index % 2 else None,
        "in_service_school": "河北大学工商管理专业" if index % 2 else None,
        **PREFERRED.get(user.username, {}),
    }


def _sections(record: CadreRecord, user: User, basic: dict[str, Any], index: int) -> None:
    start = int(basic["work_started"][:4])
    unit = user.unit.name.removesuffix("党委").removesuffix("党支部") if user.unit else "河钢集团"
    record.resume = [
        CadreResumeEntry(position=0, starts=f"{start - 4}-09", ends=f"{start}-07", text=f"{basic['full_time_school']}学习"),
        CadreResumeEntry(position=1, starts=f"{start}-07", ends=f"{start + 10}-03", text=f"{unit}技术员、工程师"),
        CadreResumeEntry(position=2, starts=f"{start + 10}-03", ends=f"{start + 18}-12", text=f"{unit}副科长、科长"),
        CadreResumeEntry(position=3, starts=f"{start + 18}-12", ends=None, text=f"{unit}{basic['current_post']}"),
    ]
    record.awards = [CadreAward(position=0, month="2020-06", text="2020年被评为集团疫情防控先进个人")] if index % 2 == 0 else []
    year = int(basic["birth_month"][:4])
    spouse = "妻子" if basic["gender"] == "男" else "丈夫"
    record.family = [
        CadreFamilyMember(position=0, relation=spouse, name=f"{'李王张刘陈杨'[index % 6]}{'秀梅桂英淑华'[index % 6]}",
                          birth_month=f"{year + 1}-05", political_status="中共党员", work=FAMILY_JOBS[index % 4]),
        CadreFamilyMember(position=1, relation="儿子" if index % 2 else "女儿", name=f"{user.name[0]}{'晨宇欣悦'[index % 4]}",
                          birth_month=f"{year + 27}-10", political_status="共青团员", work="在读学生"),
    ]


def _ratings(session: Session, user: User, years: tuple[int, ...]) -> None:
    held = set(session.scalars(select(AnnualRating.year).where(AnnualRating.user_id == user.id)))
    for year in years:
        if year not in held:
            session.add(AnnualRating(user_id=user.id, year=year, rating="称职", source="import"))


def fill(session: Session, years: tuple[int, ...] = (2023, 2024, 2025)) -> int:
    """Give every demo cadre without a record a complete one (and 称职 for the `years` they have no
    rating for); returns how many records were created."""
    created = 0
    for index, user in enumerate(_cadres(session)):
        if session.scalars(select(CadreRecord.id).where(CadreRecord.user_id == user.id)).first() is not None:
            continue
        basic = _basic(user, index)
        record = CadreRecord(user_id=user.id, **basic)
        _sections(record, user, basic, index)
        session.add(record)
        _ratings(session, user, years)
        _events(session, user)
        created += 1
    session.flush()
    return created
