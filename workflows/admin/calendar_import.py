"""`flask calendar import FILE`: a year's official holiday schedule (放假 and 调休上班 days).

The file is a small CSV with the header `date,kind,name`, one row per day the schedule names:
`kind` is `holiday` (a day off: 法定节假日 and the weekdays the schedule gives off) or `workday`
(a 调休 Saturday or Sunday worked). Every other day of the year follows Monday–Friday, as the
State Council's schedule does. Re-importing a year replaces its schedule; admin overrides of
single days (`calendar_override`) still win over it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete
from sqlalchemy.orm import Session

from models import CalendarDay
from models import CalendarYear
from models import User
from workflows import audit
from workflows.engine import clock
from workflows.errors import ValidationFailed

MAX_BYTES = 64 * 1024
MAX_ROWS = 200          # a year's schedule names about 40 days
HEADER = ["date", "kind", "name"]
KINDS = {"holiday": "放假", "workday": "调休上班"}


@dataclass(frozen=True)
class Row:
    line: int
    day: date
    kind: str
    name: str


def _fail(line: int, message: str) -> ValidationFailed:
    return ValidationFailed(f"第 {line} 行：{message}", {"file": [f"第 {line} 行：{message}"]})


def _row(line: int, cells: list[str]) -> Row:
    if len(cells) != 3:
        raise _fail(line, "每行须为 日期,类别,名称 三列")
    text, kind, name = (c.strip() for c in cells)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise _fail(line, f"日期“{text[:20]}”格式应为 YYYY-MM-DD") from None
    if kind not in KINDS:
        raise _fail(line, f"类别“{kind[:20]}”应为 holiday（放假）或 workday（调休上班）")
    if not 1 <= len(name) <= 40:
        raise _fail(line, "名称须为 1 至 40 个字（如“春节”）")
    if kind == "workday" and day.weekday() < 5:
        raise _fail(line, f"{day} 是周一至周五，本来就是工作日，不是调休上班日")
    return Row(line, day, kind, name)


def parse(content: bytes) -> tuple[int, list[Row]]:
    """(year, rows) of a schedule file, or ValidationFailed naming the first bad line."""
    if len(content) > MAX_BYTES:
        raise ValidationFailed("文件过大", {"file": [f"节假日安排文件不能超过 {MAX_BYTES // 1024} KB"]})
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed("文件编码有误", {"file": ["文件须为 UTF-8 编码的 CSV"]}) from None
    lines = list(csv.reader(io.StringIO(text)))
    if not lines or [c.strip() for c in lines[0]] != HEADER:
        raise _fail(1, "首行须为 date,kind,name")
    if len(lines) - 1 > MAX_ROWS:
        raise ValidationFailed("行数过多", {"file": [f"一年的安排不超过 {MAX_ROWS} 行"]})
    rows = [_row(number, cells) for number, cells in enumerate(lines[1:], start=2) if any(c.strip() for c in cells)]
    if not any(r.kind == "holiday" for r in rows):
        raise ValidationFailed("没有放假日期", {"file": ["安排中至少应有一天放假（kind 为 holiday）"]})
    years = {r.day.year for r in rows}
    if len(years) != 1:
        raise ValidationFailed("年份不一致", {"file": [f"一个文件只能是一年的安排，现有 {sorted(years)}"]})
    seen: set[date] = set()
    for r in rows:
        if r.day in seen:
            raise _fail(r.line, f"{r.day} 重复")
        seen.add(r.day)
    return years.pop(), rows


def import_schedule(session: Session, content: bytes, source: str, actor: User | None = None) -> CalendarYear:
    """Store a year's official schedule (replacing an earlier import of that year). Audited."""
    source = source.strip()
    if not 1 <= len(source) <= 200:
        raise ValidationFailed("请写明来源", {"source": ["来源（如通知文号）须为 1 至 200 个字"]})
    year, rows = parse(content)
    session.execute(delete(CalendarDay).where(CalendarDay.year == year))
    entry = session.get(CalendarYear, year) or CalendarYear(year=year)
    entry.source, entry.days, entry.imported_by_id = source, len(rows), actor.id if actor else None
    entry.imported_at = clock.now()
    session.add(entry)
    session.flush()
    session.add_all(CalendarDay(day=r.day, year=year, kind=r.kind, name=r.name) for r in rows)
    audit.record(session, "calendar.import", actor=actor, payload={
        "year": year, "source": source, "days": len(rows),
        "holidays": sum(r.kind == "holiday" for r in rows), "workdays": sum(r.kind == "workday" for r in rows)})
    return entry
