"""The 干部信息采集表 workbook: its sheets and columns (what `cadre_import` reads and
`cadre_export` writes). Every sheet starts with the cadre's 用户名; the first row holds the headers."""

from __future__ import annotations

from workflows.records.fields import AWARDS
from workflows.records.fields import BASIC
from workflows.records.fields import FAMILY
from workflows.records.fields import RATINGS_FIELDS
from workflows.records.fields import RESUME
from workflows.records.fields import Field

USERNAME = Field("username", "用户名", max_length=64, required=True)
NAME = Field("name", "姓名", max_length=64)
BASIC_SHEET = "基本信息"
# sheet title → (section key, the columns after 用户名)
SHEETS: dict[str, tuple[str, tuple[Field, ...]]] = {
    BASIC_SHEET: ("basic", (NAME, *BASIC)),
    "简历": ("resume", RESUME),
    "奖惩": ("awards", AWARDS),
    "年度考核": ("ratings", RATINGS_FIELDS),
    "家庭成员": ("family", FAMILY),
}
MAX_ROWS = 5000  # per sheet
MAX_BYTES = 5 * 1024 * 1024


def headers(sheet: str) -> list[str]:
    return [USERNAME.label, *(f.label for f in SHEETS[sheet][1])]
