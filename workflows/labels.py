"""Chinese names of the codes diagrams and records use (roles, levels, lanes, form options).

These are domain vocabulary (DOMAIN §1), printed in diagrams and documents as they are; the
web UI's own chrome is translated in the templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

from workflows import money
from workflows.engine.clock import SHANGHAI

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


def N_(text: str) -> str:
    """Mark a word for the translation catalog (`make i18n-update` extracts this module); the web
    layer translates it when it shows it."""
    return text


# The one vocabulary of a case's status: pages, documents, CSV, the API's messages (issue 14 §3).
STATUS_TITLES = {"running": N_("审批中"), "completed": N_("已办结"), "rejected": N_("未通过"),
                 "withdrawn": N_("已撤回"), "terminated": N_("已终止"), "error": N_("异常")}


def status_title(code: str) -> str:
    return STATUS_TITLES.get(code, code)


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
    "never_waived": "不得放宽的程序",
    "overlay_window": "疫情规则集有效期",
    "cultivation_months": "培养考察月数",
    "training_waived": "培训按特殊情况免除（预备期内补训）",
    "introducer_opinions": "入党介绍人意见",
    "meeting_roster": "党员名册",
    "probation_starts_on": "预备期起始日",
    "approval_due_on": "审批期限",
    # 预备党员转正 (party_probation)
    "admitted_on": "支部大会通过为预备党员日期",
    "probation_until": "预备期满日",
    "discussion_due_on": "支部大会讨论转正期限",
    "oath_on": "入党宣誓日期",
    "frontline": "疫情防控一线发展",
    "extended": "曾延长预备期",
    "started_by_timer": "预备期满由系统发起",
    "current_applied_on": "本轮转正申请日期",
    "current_meeting_on": "本轮支部大会日期",
    "current_decided_on": "本轮上级党委审批日期",
    "confirmed_on": "转正日期（党龄起算日）",
    "extension_months_granted": "批准延长预备期（月）",
    "extension_due_at": "延长的预备期满时间",
    "member_status": "党员状态",
    "approval_max_on": "最长审批期限",
    "approval_extended": "延长审批",
    "approved_on": "批准日期",
    "subject_label": "问责对象",
    "deciding_unit": "办理党组织",
    "forces_rating": "未完成“两个确保”（直接评定不称职）",
    "route": "决定方式",
    "influence_plan": "影响期",
    "influence_months": "最长影响期（月）",
    "influence_periods": "影响期",
    "report_signed_by": "调查报告签名",
    "decided_on": "决定日期",
    "forced_rating": "直接评定的年度考核等次",
    "handling_due_on": "组织处理手续期限",
    "handled_late": "超期办理",
    "defence_on": "申辩日期",
    "defence_refused": "逾期未申辩",
    "appeal_window_ends_on": "申诉期最后一日",
    "appeal_window_due_at": "申诉期满时间",
    "filed_on": "申诉日期",
    "appeal_decision_due_on": "申诉处理期限",
    "appeal_decided_on": "申诉处理日期",
    "discipline_transferred_on": "移送纪委日期",
    "override_adopted": "集团党委会改变认定",
    "fund_unit": "资金管理党组织",
    "recipients": "接收单位",
    "allocation_by_unit": "各单位分配额",
    "allocated_total": "分配合计",
    "unallocated": "未分配",
    "transferred": "拨付明细",
    "transferred_on": "拨付日期",
    "received": "收到金额",
    "recipient_purposes": "规定用途",
    "budget": "可用金额",
    "sub_decision_on": "本级党委会日期",
    "sub_decision_ref": "本级党委会纪要",
    "spent": "支出合计",
    "balance": "结余",
    "matched": "配套金额",
    "usage_by_unit": "各单位使用情况",
    "usage_totals": "使用合计",
    "requesting_unit": "申请单位",
    "requesting_unit_name": "申请单位名称",
    # 表彰 (commendation)
    "kind_title": "表彰类别",
    "ruleset_kind": "类别规则集",
    "nominating_units": "推荐单位",
    "unit": "推荐单位",
    "eligibility": "资格审核情况（负面清单）",
    "honourees": "拟表彰对象",
    "exclusions": "不予通过",
    "publicity_days": "公示工作日数",
    "publicity_withdrawn": "公示后撤下",
    "awards_written": "记入奖惩情况",
    "events_written": "记入现实表现纪实（人）",
    # 年度综合考核 (annual_assessment)
    "unit_name": "单位名称",  # the 推荐单位 of a 表彰 step, the 考核单位 of an assessment
    "deciding_unit_name": "确定等次的党委",
    "member_names": "班子成员",
    "evaluation_summary": "班子成员民主测评结果",
    "team_evaluation": "领导班子民主评议结果",
    "forced_ratings": "直接评定为“不称职”的班子成员（B-C9）",
    "proposed_ratings": "组织部等次建议",
    "final_ratings": "党委会确定的等次",
    "team_final_rating": "领导班子等次",
    "needs_publicity": "须公示",
    "ratings_before": "记入前的年度考核结果",
}
STEP_WAIVERS = {
    "cultivation_period": "一年培养考察期", "annual_plan_quota": "年度发展计划指标", "activist_stage": "入党积极分子阶段",
    "development_target_stage": "发展对象阶段", "political_review": "政治审查", "introducers": "入党介绍人",
    "volunteer_form": "入党志愿书", "branch_meeting": "支部大会", "approval_talk": "审批前谈话",
    "upper_approval": "上级党委审批", "oath": "入党宣誓", "probation": "预备期",
}
VALUE_TITLES = {
    "meeting_outcome": {"adopted": "通过", "rejected": "未通过", "deferred": "缓议"},
    "route": {"secretary": "书记审批", "committee": "党委会集体决定", "discipline_only": "仅纪律处分，移送纪委",
              "filing": "部务会确定，报党委备案"},
    "track": {"regular": "正常程序", "fast_a": "一线快速通道（积极分子、发展对象）", "fast_b": "一线快速通道（一线入党申请人）",
              "unknown": "未记录"},
    "member_status": {"full": "正式党员", "probationary": "预备党员", "none": "非党员"},
    "waivers": STEP_WAIVERS,
    "never_waived": STEP_WAIVERS,
}


# Server values that hold unit codes (as the value, a key, or a row's `unit`), and those that hold
# the codes of a form option (read through the titles of the property named here).
UNIT_FIELDS = {"recipients", "fund_unit", "requesting_unit", "deciding_unit", "allocation_by_unit", "transferred",
               "usage_by_unit", "nominating_units", "unit"}
OPTION_FIELDS = {"recipient_purposes": "purpose"}
USER_FIELDS = {"report_signed_by", "introducer_opinions"}  # usernames, as the value or a row's `by`
# 年度综合考核: values keyed by the rated member's username (or rows naming them as `member`).
MEMBER_FIELDS = {"member_names", "evaluation_summary", "forced_ratings", "proposed_ratings", "final_ratings",
                 "ratings_before"}
TOTALS = {"received": "收到", "matched": "配套", "spent": "支出", "balance": "结余"}


@dataclass(frozen=True)
class Words:
    """What the codes in a case's values read as: unit code → name, and per form property its
    option code → title (from the process's forms)."""

    units: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    users: Mapping[str, str] = field(default_factory=dict)  # username → name

    def unit(self, code: Any) -> str:
        return self.units.get(str(code), str(code))

    def user(self, username: Any) -> str:
        return self.users.get(str(username), str(username))


def unit_codes(name: str, value: Any) -> set[str]:
    """The unit codes a server value holds (to look their names up at once)."""
    if name not in UNIT_FIELDS or value is None:
        return set()
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return {str(k) for k in value}
    return {str(v.get("unit")) if isinstance(v, dict) else str(v) for v in value}


def usernames(name: str, value: Any) -> set[str]:
    """The usernames a server value holds (to look their names up at once)."""
    if name in MEMBER_FIELDS and isinstance(value, dict):
        return {str(k) for k in value}
    if name in MEMBER_FIELDS and isinstance(value, list):
        return {str(v.get("member")) for v in value if isinstance(v, dict)}
    if name not in USER_FIELDS or not isinstance(value, list):
        return set()
    return {str(v.get("by")) if isinstance(v, dict) else str(v) for v in value}


def option_titles(forms: Mapping[str, Any], prop: str) -> dict[str, str]:
    """code → title of the options of every property named `prop` in `forms` (JSON schemas)."""
    found: dict[str, str] = {}

    def walk(node: Any, name: str = "") -> None:
        if isinstance(node, dict):
            if name == prop:
                for option in (node.get("oneOf") or (node.get("items") or {}).get("oneOf") or []):
                    found.setdefault(str(option.get("const")), str(option.get("title", option.get("const"))))
            for key, child in node.items():
                walk(child, key if isinstance(child, dict) and key not in ("properties", "items") else name)
        elif isinstance(node, list):
            for child in node:
                walk(child, name)

    walk(dict(forms))
    return found


def _yuan(text: Any) -> str:
    return f"{money.parse(str(text)):,.2f} 元"


def _totals(value: Mapping[str, Any]) -> str:
    return "，".join(f"{label} {_yuan(value[key])}" for key, label in TOTALS.items() if key in value)


def _unit_text(name: str, value: Any, words: Words) -> str:
    if isinstance(value, str):
        return words.unit(value)
    if isinstance(value, dict) and name == "usage_by_unit":
        return "\n".join(f"{words.unit(code)}：{_totals(v)}" for code, v in value.items())
    if isinstance(value, dict):
        return "\n".join(f"{words.unit(code)}：{_yuan(amount)}" for code, amount in value.items())
    rows = [f"{words.unit(v.get('unit'))}：{_yuan(v['amount'])}（{v.get('ref', '')}）" if isinstance(v, dict)
            and "amount" in v else words.unit(v.get("unit") if isinstance(v, dict) else v) for v in value]
    return "\n".join(rows)


def _honour_text(value: dict[str, Any]) -> str:
    """A 表彰 row: a nominee with the honour and unit, their negative list, or why they were left out."""
    if "findings" in value:
        found = "；".join(f"{f['rule']} {f['finding']}" for f in value["findings"]) or "未发现负面清单情形"
        return f"{value['name']}（{value['honour_title']}）：{found}"
    if "reason" in value:
        return f"{value.get('name') or value.get('key')}：{value['reason']}" + (f"（{value['rule']}）" if value.get("rule") else "")
    return f"{value['honour_title']}：{value['name']}（{value.get('unit_name', '')}）"


def _dict_text(value: dict[str, Any]) -> str:
    """Structured server values in words: an 影响期, a rating, a roster, a window, totals."""
    if "honour_title" in value or ("key" in value and "reason" in value):
        return _honour_text(value)
    if "form" in value and "restriction" in value:
        span = f"，{value['starts_on']} 至 {value['ends_on']}" if value.get("starts_on") else ""
        return f"{form_title(value['form'])}：{RESTRICTIONS.get(value['restriction'], value['restriction'])}" \
               f"{span}（{value['months']} 个月）"
    if set(value) == {"year", "rating"}:
        return f"{value['year']} 年度：{value['rating']}"
    if set(value) == {"full", "probationary"}:
        return f"正式党员 {value['full']} 人，预备党员 {value['probationary']} 人"
    if "valid_from" in value:
        return f"{value['valid_from']} 至 {value.get('valid_to') or '今'}"
    if value and set(value) <= set(TOTALS):
        return _totals(value)
    return "：".join(str(v) for v in value.values())


def _member_text(name: str, value: Any, words: Words) -> str:
    """年度综合考核 values, one member a line: “马立新：称职”, a row with how it was decided; the
    班子's 评议 counts on one line."""
    if name == "team_evaluation" and isinstance(value, dict):
        return "，".join(f"{option} {count}" for option, count in value.items())
    if isinstance(value, list):
        return "\n".join(f"{v.get('name') or words.user(v.get('member'))}：{v.get('rating')}"
                         + ("（直接评定，B-C9）" if v.get("forced") else "")
                         + (f"（集团党委会改变认定：{v['override_reason']}）" if v.get("override_reason") else "")
                         for v in value if isinstance(v, dict))
    lines = []
    for username, v in value.items():
        if isinstance(v, dict):
            v = "，".join(f"{k} {n}" for k, n in v.items()) if "rating" not in v else f"{v['rating']}（{v.get('source')}）"
        lines.append(f"{words.user(username)}：{'无' if v is None else v}")
    return "\n".join(lines)


def _moment(value: str) -> str:
    """An ISO time the server stored (…_at) as Shanghai wall-clock text."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment.tzinfo else value


def server_value_text(name: str, value: Any, words: Words | None = None) -> str:
    """A server-computed value as text: codes by their titles and unit codes by the units' names
    (`words`), times in Shanghai, lists of findings one per line."""
    words = words or Words()
    if value is None or value == "" or value == []:
        return "无"
    if name in UNIT_FIELDS:
        return _unit_text(name, value, words)
    if name in MEMBER_FIELDS | {"team_evaluation"} and isinstance(value, dict | list):
        return _member_text(name, value, words) or "无"
    if name in USER_FIELDS and isinstance(value, list):
        return "\n".join(f"{words.user(v.get('by'))}：{v.get('opinion', '')}" if isinstance(v, dict) else words.user(v)
                         for v in value)
    if name in OPTION_FIELDS and isinstance(value, list):
        titles = words.options.get(OPTION_FIELDS[name], {})
        return "\n".join(titles.get(str(v), str(v)) for v in value)
    if isinstance(value, str):
        return _moment(value) if name.endswith("_at") else VALUE_TITLES.get(name, {}).get(value, value)
    if isinstance(value, list):
        return "\n".join(server_value_text(name, v, words) for v in value)
    if isinstance(value, dict):
        return _dict_text(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def server_rows(schema: Mapping[str, Any], data: Mapping[str, Any], words: Words | None = None) -> list[tuple[str, str]]:
    """(title, text) of each server field (`x-server-fields`) of a form that `data` holds."""
    return [(SERVER_FIELD_TITLES.get(n, n), server_value_text(n, data[n], words))
            for n in schema.get("x-server-fields") or [] if n in data]
