"""Chinese names of the codes diagrams and records use (roles, levels, lanes, form options).

These are domain vocabulary (DOMAIN §1), printed in diagrams and documents as they are; the
web UI's own chrome is translated in the templates.
"""

from __future__ import annotations

from typing import Any

ROLE_TITLES = {
    "secretary": "党组织书记",
    "org_head": "组织部长",
    "org_officer": "组织部门干部",
    "committee": "党委委员",
    "discipline": "纪委",
    "finance": "党费管理",
    "auditor": "审计",
    "admin": "系统管理员",
}
LEVEL_TITLES = {"group": "集团", "subsidiary": "子分公司", "branch": "党支部", "decider": "决策层级"}
SPECIAL_LANES = {"initiator": "发起人", "subject": "当事人", "assignees": "指定人员"}


def role_title(code: str) -> str:
    return ROLE_TITLES.get(code, code)


def lane_title(name: str) -> str:
    """`secretary@decider` → 党组织书记（决策层级）; unknown names are returned unchanged."""
    if name in SPECIAL_LANES:
        return SPECIAL_LANES[name]
    role, _, level = name.partition("@")
    if role not in ROLE_TITLES:
        return name
    return ROLE_TITLES[role] + (f"（{LEVEL_TITLES.get(level, level)}）" if level else "")


def option_title(schema: dict[str, Any] | None, value: Any) -> str | None:
    """The `title` of a `oneOf` option whose `const` is `value`, if the schema has one."""
    for option in (schema or {}).get("oneOf", []) or []:
        if isinstance(option, dict) and option.get("const") == value:
            return str(option.get("title", value))
    return None


# 问责方式 (DOMAIN §5 `forms`) and the 影响期 restrictions they carry (research §3 B.3).
ACCOUNTABILITY_FORMS = {
    "check": "检查", "circular": "通报", "admonish": "诫勉", "suspend": "停职检查", "reassign": "调整职务",
    "ordered_resign": "责令辞职", "demote": "降职", "dismiss": "免职", "discipline": "纪律处分",
}
RESTRICTIONS = {"no_promotion": "不得提拔或重用", "no_leading_post": "不得担任领导职务",
                "no_higher_post": "不得担任高于原任职务层次的职务"}


def form_title(code: str) -> str:
    return ACCOUNTABILITY_FORMS.get(code, code)


# Values the server adds to a case (`x-server-fields`), and how their codes read.
SERVER_FIELD_TITLES = {
    "meeting_outcome": "表决结果",
    "negative_findings": "负面清单核查",
    "publicity_end": "公示截止日",
    "publicity_due_at": "公示期满时间",
    "publicity_calendar": "公示期计算依据",
    "defence_last_day": "申辩期最后一日",
    "defence_due_at": "申辩期满时间",
    "defence_calendar": "申辩期计算依据",
    "defence_calendar_unofficial": "申辩期按周一至周五推算（该年无官方节假日安排，请人工核对）",
    "probation_ends_on": "试用期满日",
    "probation_due_at": "期满考核时间",
    "track": "发展通道",
    "waivers": "适用的放宽条件",
}
VALUE_TITLES = {
    "meeting_outcome": {"adopted": "通过", "rejected": "未通过", "deferred": "缓议"},
}


def server_value_text(name: str, value: Any) -> str:
    """A server-computed value as text: codes by their titles, lists of findings one per line."""
    if value is None or value == "" or value == []:
        return "无"
    if isinstance(value, str):
        return VALUE_TITLES.get(name, {}).get(value, value)
    if isinstance(value, list):
        return "\n".join(server_value_text(name, v) for v in value)
    if isinstance(value, dict):
        return "：".join(str(v) for v in value.values())
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)
