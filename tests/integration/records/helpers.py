"""Building 干部信息采集表 workbooks for the import tests."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from workflows.records.workbook import SHEETS
from workflows.records.workbook import headers


def workbook(rows: dict[str, list[list[Any]]], header: dict[str, list[str]] | None = None) -> bytes:
    """An .xlsx with the given sheets (their standard headers unless `header` says otherwise)."""
    book = Workbook()
    book.remove(book.worksheets[0])
    for title, body in rows.items():
        sheet = book.create_sheet(title)
        sheet.append((header or {}).get(title) or headers(title))
        for row in body:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def basic_row(username: str, name: str, level: str = "子分公司党委管理", **values: Any) -> list[Any]:
    """A 基本信息 row: username, name, then each basic box (blank unless given)."""
    fields = SHEETS["基本信息"][1][1:]
    return [username, name, level, *(values.get(f.name) for f in fields[1:])]
