"""`flask demo load`: a realistic demo organization (集团, three 子分公司, two 党支部 each).

Every role is filled with Chinese-named people. Passwords are random unless one is given;
the caller prints them once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import OrgUnit
from workflows.admin.org_import import ImportResult
from workflows.admin.org_import import import_org
from workflows.records import demo_records

# The face: what code outside this package (the web layer above all) may use; `make lint`
# (scripts/check_layers.py) refuses anything else from webapp/.
__all__ = [
    "cases",
    "load",
]

UNITS = [
    ("G", "集团党委", "group", None),
    ("S1", "钢铁股份公司党委", "subsidiary", "G"),
    ("S1B1", "炼钢厂党支部", "branch", "S1"),
    ("S1B2", "热轧厂党支部", "branch", "S1"),
    ("S2", "矿业公司党委", "subsidiary", "G"),
    ("S2B1", "选矿厂党支部", "branch", "S2"),
    ("S2B2", "运输部党支部", "branch", "S2"),
    ("S3", "医院党委", "subsidiary", "G"),
    ("S3B1", "发热门诊党支部", "branch", "S3"),
    ("S3B2", "检验科党支部", "branch", "S3"),
]

# (username, name, unit, member_status, post, [(role, unit), ...])
PEOPLE: list[tuple[str, str, str, str, str, list[tuple[str, str]]]] = [
    ("wangjianguo", "王建国", "G", "full", "集团党委书记", [("secretary", "G"), ("committee", "G")]),
    ("lihua", "李华", "G", "full", "集团党委组织部部长", [("org_head", "G"), ("committee", "G")]),
    ("zhaomin", "赵敏", "G", "full", "组织部干部处处长", [("org_officer", "G")]),
    ("sunli", "孙丽", "G", "full", "组织部组织处处长", [("org_officer", "G")]),
    ("zhouqiang", "周强", "G", "full", "集团纪委书记", [("discipline", "G"), ("committee", "G")]),
    ("wuxia", "吴霞", "G", "full", "党费管理员", [("finance", "G")]),
    ("zhengyun", "郑云", "G", "full", "审计部审计员", [("auditor", "G")]),
    ("admin", "系统管理员", "G", "none", "信息中心", [("admin", "G")]),
    ("chenzhi", "陈志", "G", "full", "集团党委副书记", [("committee", "G")]),
    ("liugang", "刘刚", "G", "full", "集团党委委员", [("committee", "G")]),
    ("yangfan", "杨帆", "G", "full", "集团党委委员", [("committee", "G")]),
    ("huangwei", "黄伟", "G", "full", "集团党委委员", [("committee", "G")]),
    ("xuming", "徐明", "G", "full", "集团党委委员", [("committee", "G")]),
    ("hejing", "何静", "G", "full", "集团党委委员", [("committee", "G")]),
]

SUBSIDIARY_PEOPLE = {
    "S1": ["马立新", "高峰", "林涛", "郭勇", "罗兰", "梁晨", "宋佳", "唐磊"],
    "S2": ["韩冬", "冯雪", "曹阳", "彭博", "董亮", "袁媛", "邓超", "许诺"],
    "S3": ["蒋华", "沈洁", "韦东", "崔鹏", "潘婷", "杜鹃", "范伟", "方圆"],
}
SUBSIDIARY_ROLES = [
    ("secretary", "党委书记"), ("org_head", "组织部部长"), ("org_officer", "组织部干部"),
    ("discipline", "纪委书记"), ("finance", "党费管理员"), ("committee", "党委委员"),
    ("committee", "党委委员"), ("committee", "党委委员"),
]
BRANCH_PEOPLE = {
    "S1B1": ["张伟", "王芳", "李强", "刘洋"], "S1B2": ["陈静", "杨磊", "赵刚", "黄丽"],
    "S2B1": ["周杰", "吴敏", "徐峰", "孙斌"], "S2B2": ["胡军", "朱琳", "高翔", "林峰"],
    "S3B1": ["何医生", "罗护士", "梁军", "宋雨"], "S3B2": ["谢婷", "唐诗", "韩梅", "冯涛"],
}

# 发热门诊党支部 is a full-size branch: 10 full members (so a 支部大会 has a real quorum),
# 2 probationary members (who attend without a vote) and front-line people to develop.
EXTRA_BRANCH_PEOPLE = {
    "S3B1": [("田甜", "full", "护士长"), ("孔明", "full", "主治医师"), ("石磊", "full", "主治医师"),
             ("钱丽", "full", "护师"), ("邱实", "full", "住院医师"), ("龚雪", "full", "护师"),
             ("严冬", "full", "副主任医师"), ("毛毅", "full", "护师"), ("常青", "probationary", "护士"),
             ("白洁", "none", "护士（入党申请人）"), ("贺鹏", "none", "住院医师（入党积极分子）")],
}


def _pinyin_username(unit: str, index: int) -> str:
    return f"{unit.lower()}_{index:02d}"


def _subsidiary_people() -> list[tuple[str, str, str, str, str, list[tuple[str, str]]]]:
    people = []
    for unit, names in SUBSIDIARY_PEOPLE.items():
        for index, (name, (role, post)) in enumerate(zip(names, SUBSIDIARY_ROLES, strict=True), start=1):
            grants = [(role, unit)] + ([("committee", unit)] if role in ("secretary", "org_head") else [])
            people.append((_pinyin_username(unit, index), name, unit, "full", post, grants))
    return people


def _branch_people() -> list[tuple[str, str, str, str, str, list[tuple[str, str]]]]:
    people = []
    statuses = [("full", "党支部书记", True), ("full", "组织委员", False), ("probationary", "预备党员", False),
                ("none", "入党积极分子", False)]
    for unit, names in BRANCH_PEOPLE.items():
        for index, (name, (status, post, secretary)) in enumerate(zip(names, statuses, strict=True), start=1):
            people.append((_pinyin_username(unit, index), name, unit, status, post,
                           [("secretary", unit)] if secretary else []))
        extra = EXTRA_BRANCH_PEOPLE.get(unit, [])
        for index, (name, status, post) in enumerate(extra, start=len(names) + 1):
            people.append((_pinyin_username(unit, index), name, unit, status, post, []))
    return people


def organization(password: str | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """The demo import document and the password chosen for each username."""
    people = PEOPLE + _subsidiary_people() + _branch_people()
    passwords = {p[0]: password or secrets.token_urlsafe(9) for p in people}
    users = [
        {"username": u, "name": n, "unit": unit, "member_status": status, "post": post,
         "password": passwords[u], "roles": [{"role": r, "unit": ru} for r, ru in grants]}
        for u, n, unit, status, post, grants in people
    ]
    ratings = [{"username": u, "year": 2025, "rating": "称职"} for u, *_ in people if u != "admin"]
    for row in ratings:
        if row["username"] == "s2_07":  # a middle cadre rated 基本称职 last year: on the negative list
            row["rating"] = "基本称职"
        if row["username"] in ("s1_06", "zhaomin"):
            row["rating"] = "优秀"
    units = [{"code": c, "name": n, "level": lvl, "parent": p} for c, n, lvl, p in UNITS]
    return {"units": units, "users": users, "ratings": ratings}, passwords


@dataclass
class DemoLoad:
    loaded: bool
    passwords: dict[str, str]
    result: ImportResult | None = None


def load(session: Session, password: str | None = None, once: bool = False) -> DemoLoad:
    """Import the demo organization; with `once`, do nothing if it is already there."""
    if once and session.scalars(select(OrgUnit).where(OrgUnit.code == "G")).first() is not None:
        return DemoLoad(False, {})
    document, passwords = organization(password)
    result = import_org(session, document)
    demo_records.fill(session)  # 干部信息 of the demo cadres
    return DemoLoad(True, passwords, result)
