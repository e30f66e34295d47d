"""Importing 干部信息 from a 干部信息采集表 (.xlsx, `workbook`): `flask cadres import FILE` and the
upload page. All or nothing: every bad cell is reported with its sheet, row and column, and if
there is any, nothing is written. A person listed on 基本信息 gets their record created or its boxes
set; the sections present in the file replace theirs (年度考核: the years listed are set, others
kept). Each cadre changed is one `cadre.import` audit event with the record before and after."""

from __future__ import annotations

import io
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CadreRecord
from models import User
from workflows import audit
from workflows.errors import ValidationFailed
from workflows.records import access
from workflows.records.cadre_edit import apply_basic
from workflows.records.cadre_edit import apply_section
from workflows.records.cadres import ratings_of
from workflows.records.cadres import snapshot
from workflows.records.fields import SECTIONS
from workflows.records.fields import Field
from workflows.records.fields import read_value
from workflows.records.workbook import BASIC_SHEET
from workflows.records.workbook import MAX_BYTES
from workflows.records.workbook import MAX_ROWS
from workflows.records.workbook import SHEETS
from workflows.records.workbook import USERNAME
from workflows.rules.packs import rule

IMPORT = "cadre.import"
MAX_ERRORS = 200


@dataclass(frozen=True)
class CellError:
    sheet: str
    row: int
    column: str  # the letter, e.g. "C"
    header: str
    message: str

    def __str__(self) -> str:
        place = (f"{self.sheet} 第 {self.row} 行" if self.row else self.sheet or "文件") + (
            f" {self.column} 列（{self.header}）" if self.column else "")
        return f"{place}：{self.message}"


class ImportRefused(ValidationFailed):
    """The workbook has errors; `errors` lists each with its place. Nothing was written."""

    def __init__(self, errors: list[CellError]) -> None:
        shown = errors[:MAX_ERRORS]
        super().__init__(f"干部信息采集表有 {len(errors)} 处错误，未导入任何数据", {"file": [str(e) for e in shown]})
        self.errors = shown


@dataclass
class Parsed:
    basic: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)  # username → (row, values)
    sections: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    errors: list[CellError] = field(default_factory=list)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    usernames: list[str] = field(default_factory=list)


def _columns(ws: Any, sheet: str, parsed: Parsed) -> dict[int, Field] | None:
    first = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
    by_label = {f.label: f for f in (USERNAME, *SHEETS[sheet][1])}
    columns: dict[int, Field] = {}
    for index, title in enumerate(first, start=1):
        label = str(title or "").strip()
        if label and label not in by_label:
            parsed.errors.append(CellError(sheet, 1, get_column_letter(index), label, "不认识的列"))
        elif label:
            columns[index] = by_label[label]
    missing = [f.label for f in by_label.values() if f.required and f not in columns.values()]
    if missing:
        parsed.errors.append(CellError(sheet, 1, "", "", f"缺少列：{'、'.join(missing)}"))
        return None
    return columns


def _read_row(sheet: str, number: int, cells: tuple[Any, ...], columns: dict[int, Field],
              parsed: Parsed) -> dict[str, Any] | None:
    values: dict[str, Any] = {}
    ok = True
    for index, column in columns.items():
        raw = cells[index - 1] if index - 1 < len(cells) else None
        try:
            values[column.name] = read_value(column, raw)
        except ValueError as exc:
            parsed.errors.append(CellError(sheet, number, get_column_letter(index), column.label, str(exc)))
            ok = False
    return values if ok else None


def _read_sheet(ws: Any, sheet: str, parsed: Parsed) -> None:
    columns = _columns(ws, sheet, parsed)
    if columns is None:
        return
    key = SHEETS[sheet][0]
    for number, cells in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        if number > MAX_ROWS + 1:
            parsed.errors.append(CellError(sheet, number, "", "", f"每张表最多 {MAX_ROWS} 行"))
            return
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        values = _read_row(sheet, number, cells, columns, parsed)
        if values is None:
            continue
        username = values.pop("username")
        if key == "basic":
            if username in parsed.basic:
                parsed.errors.append(CellError(sheet, number, "A", USERNAME.label, "用户名重复"))
            parsed.basic[username] = (number, values)
        else:
            parsed.sections.setdefault(key, {}).setdefault(username, []).append({"row": number, **values})


def parse(data: bytes) -> Parsed:
    """Read every sheet of the workbook; cell errors are collected, not raised."""
    parsed = Parsed()
    if len(data) > MAX_BYTES:
        parsed.errors.append(CellError("", 0, "", "", "文件不超过 5 MB"))
        return parsed
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (zip, xml, key) for a file that is not .xlsx
        parsed.errors.append(CellError("", 0, "", "", f"不是有效的 .xlsx 文件（{type(exc).__name__}）"))
        return parsed
    if BASIC_SHEET not in book.sheetnames:
        parsed.errors.append(CellError(BASIC_SHEET, 0, "", "", "缺少“基本信息”表"))
    for sheet in book.sheetnames:
        if sheet in SHEETS:
            _read_sheet(book[sheet], sheet, parsed)
    book.close()
    return parsed


def _people(session: Session, importer: User | None, parsed: Parsed) -> dict[str, User]:
    """The users named on 基本信息, checked: known, the 姓名 matches, the importer manages them."""
    names = list(parsed.basic)
    users = {u.username: u for u in session.scalars(select(User).where(User.username.in_(names)))} if names else {}
    for username, (row, values) in parsed.basic.items():
        user = users.get(username)
        if user is None:
            parsed.errors.append(CellError(BASIC_SHEET, row, "A", USERNAME.label, f"没有用户“{username}”"))
        elif values.get("name") and values["name"] != user.name:
            parsed.errors.append(CellError(BASIC_SHEET, row, "B", "姓名", f"与系统中的姓名“{user.name}”不符"))
        elif importer is not None and not access.may_manage(session, importer, user, values["management_level"]):
            parsed.errors.append(CellError(BASIC_SHEET, row, "A", USERNAME.label, "不是本组织部管理的干部"))
    return users


def _check_sections(parsed: Parsed) -> None:
    for key, by_user in parsed.sections.items():
        sheet = next(title for title, (k, _) in SHEETS.items() if k == key)
        title, _, most = SECTIONS[key]
        for username, rows in by_user.items():
            if username not in parsed.basic:
                parsed.errors.append(CellError(sheet, rows[0]["row"], "A", USERNAME.label, "该用户名不在“基本信息”表中"))
            if len(rows) > most:
                parsed.errors.append(CellError(sheet, rows[most]["row"], "", "", f"每人{title}最多 {most} 条"))
            years: set[int] = set()
            for row in rows if key == "ratings" else []:
                if row["year"] in years:
                    parsed.errors.append(CellError(sheet, row["row"], "B", "年度", "同一年度重复"))
                years.add(row["year"])


def _check_locked(session: Session, users: dict[str, User], parsed: Parsed) -> None:
    for username, rows in parsed.sections.get("ratings", {}).items():
        if username not in users:
            continue
        held = {r["year"]: r for r in ratings_of(session, users[username].id)}
        for row in rows:
            old = held.get(row["year"])
            if old and old["locked"] and old["rating"] != row["rating"]:
                parsed.errors.append(CellError("年度考核", row["row"], "C", "考核等次",
                                               f"B-C9：{row['year']} 年度“{old['rating']}”已锁定，只能由集团党委会"
                                               f"在年度综合考核中改变（依据：{rule('B-C9').source}）"))


def _write(session: Session, importer: User | None, user: User, values: dict[str, Any], parsed: Parsed,
           result: ImportResult) -> None:
    record = session.scalars(select(CadreRecord).where(CadreRecord.user_id == user.id)).first()
    before = snapshot(session, record) if record else None
    if record is None:
        record = CadreRecord(user_id=user.id)
        session.add(record)
    values.pop("name", None)
    apply_basic(record, values)
    record.updated_by_id = importer.id if importer else None
    for key, by_user in parsed.sections.items():
        rows = [{k: v for k, v in row.items() if k != "row"} for row in by_user.get(user.username, [])]
        if key == "ratings":  # the years listed are set, the others kept
            listed = {r["year"] for r in rows}
            rows += [{"year": r["year"], "rating": r["rating"]} for r in ratings_of(session, user.id)
                     if r["year"] not in listed]
        apply_section(session, record, key, rows)
    session.flush()
    session.expire(record)
    after = snapshot(session, record)
    if before != after:
        audit.record(session, IMPORT, actor=importer, payload={"user": user.username, "before": before, "after": after})
    result.created += before is None
    result.updated += before is not None and before != after
    result.usernames.append(user.username)


def import_cadres(session: Session, data: bytes, importer: User | None = None) -> ImportResult:
    """Import a 干部信息采集表. `importer` None (the CLI) may import any cadre; a person may import
    only cadres they manage. Raises ImportRefused listing every error; then nothing is written."""
    parsed = parse(data)
    users = _people(session, importer, parsed)
    _check_sections(parsed)
    _check_locked(session, users, parsed)
    if parsed.errors:
        raise ImportRefused(parsed.errors)
    result = ImportResult()
    for username, (_, values) in parsed.basic.items():
        _write(session, importer, users[username], dict(values), parsed, result)
    return result
