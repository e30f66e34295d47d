"""The fields of a 干部信息 record, their labels, bounds and how a value is read: one table that
the edit forms, the checks, the .xlsx import/export and the API all use."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any

from models import MANAGEMENT_LEVELS
from models import RATINGS

MONTH = "month"  # a year-month, kept as YYYY-MM
TEXT = "text"
CHOICE = "choice"
YEAR = "year"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = TEXT
    max_length: int = 40
    required: bool = False
    choices: tuple[str, ...] = ()


LEVEL_LABELS = {"group": "集团党委管理", "subsidiary": "子分公司党委管理"}
GENDERS = ("男", "女")

# The person's own boxes of the 任免表, in its order.
BASIC = (
    Field("management_level", "管理权限", CHOICE, 20, True, MANAGEMENT_LEVELS),
    Field("gender", "性别", CHOICE, 2, choices=GENDERS),
    Field("birth_month", "出生年月", MONTH, 7),
    Field("ethnicity", "民族", TEXT, 20),
    Field("native_place", "籍贯", TEXT, 40),
    Field("birthplace", "出生地", TEXT, 40),
    Field("party_joined", "入党时间", MONTH, 7),
    Field("work_started", "参加工作时间", MONTH, 7),
    Field("health", "健康状况", TEXT, 20),
    Field("professional_title", "专业技术职务", TEXT, 60),
    Field("expertise", "熟悉专业有何专长", TEXT, 200),
    Field("current_post", "现任职务", TEXT, 120),
    Field("full_time_degree", "全日制教育学历学位", TEXT, 60),
    Field("full_time_school", "全日制教育毕业院校系及专业", TEXT, 120),
    Field("in_service_degree", "在职教育学历学位", TEXT, 60),
    Field("in_service_school", "在职教育毕业院校系及专业", TEXT, 120),
)
RESUME = (Field("starts", "起始年月", MONTH, 7, True), Field("ends", "截止年月", MONTH, 7),
          Field("text", "单位及职务", TEXT, 200, True))
AWARDS = (Field("month", "年月", MONTH, 7, True), Field("text", "奖惩情况", TEXT, 200, True))
RATINGS_FIELDS = (Field("year", "年度", YEAR, 4, True), Field("rating", "考核等次", CHOICE, 10, True, RATINGS))
FAMILY = (Field("relation", "称谓", TEXT, 10, True), Field("name", "姓名", TEXT, 64, True),
          Field("birth_month", "出生年月", MONTH, 7), Field("political_status", "政治面貌", TEXT, 20),
          Field("work", "工作单位及职务", TEXT, 120))
# The lists of a record: section key → (title, fields, most entries kept).
SECTIONS: dict[str, tuple[str, tuple[Field, ...], int]] = {
    "resume": ("简历", RESUME, 30), "awards": ("奖惩情况", AWARDS, 20),
    "ratings": ("年度考核结果", RATINGS_FIELDS, 20), "family": ("家庭主要成员及重要社会关系", FAMILY, 12),
}

_MONTH = re.compile(r"^\s*(\d{4})\s*[-./年]\s*(\d{1,2})\s*月?\s*$")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})\s*$")


def read_month(value: Any) -> str:
    """A year-month typed as 1975-03, 1975.3, 1975年3月, 197503 or a spreadsheet date → "1975-03".
    Raises ValueError for anything else (or a month outside 1–12, a year outside 1900–2100)."""
    if isinstance(value, datetime | date):
        year, month = value.year, value.month
    else:
        text = str(value)
        found = _MONTH.match(text) or _COMPACT.match(text)
        if not found:
            raise ValueError("应为年月，如 1975.03")
        year, month = int(found.group(1)), int(found.group(2))
    if not (1900 <= year <= 2100 and 1 <= month <= 12):
        raise ValueError("年月超出范围")
    return f"{year:04d}-{month:02d}"


def month_text(value: str | None) -> str:
    """"1975-03" → "1975.03", as the 任免表 prints it ("" for none)."""
    return value.replace("-", ".") if value else ""


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_value(field: Field, value: Any) -> Any:
    """One submitted or imported value, checked against its field: the value to keep (None when
    blank and not required). Raises ValueError with the message to show next to the field."""
    if _blank(value):
        if field.required:
            raise ValueError("必填")
        return None
    if field.kind == MONTH:
        return read_month(value)
    if field.kind == YEAR:
        text = str(value).strip().removesuffix(".0")
        if not text.isdigit() or not 1950 <= int(text) <= 2100:
            raise ValueError("应为年份，如 2025")
        return int(text)
    text = str(value).strip()
    if len(text) > field.max_length:
        raise ValueError(f"不超过 {field.max_length} 个字")
    if field.kind == CHOICE and text not in field.choices:
        allowed = "、".join(LEVEL_LABELS.get(c, c) for c in field.choices)
        text = next((c for c, label in LEVEL_LABELS.items() if label == text and c in field.choices), text)
        if text not in field.choices:
            raise ValueError(f"应为{allowed}之一")
    return text


def read_row(fields: tuple[Field, ...], raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Check one set of values: (the values to keep, field name → error message)."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in fields:
        try:
            values[field.name] = read_value(field, raw.get(field.name))
        except ValueError as exc:
            errors[field.name] = str(exc)
    return values, errors
