"""The 干部任免审批表 as a Word file (python-docx) the 组织部 can edit: the same two-page grid and
the same boxes as the PDF (`appointment.build`), in 宋体; the audit head is a small footer line."""

from __future__ import annotations

import base64
import io
import re
from typing import Any

from docx import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK
from docx.enum.text import WD_PARAGRAPH_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.shared import Pt
from docx.table import Table

FONT = "宋体"
PAGE_ONE = [  # (row of cells) — a cell is (text or box key, colspan); labels are plain text
    [("姓名", 1), ("@name", 1), ("性别", 1), ("@gender", 1), ("出生年月\n（　岁）", 1), ("@birth", 1), ("@photo", 1)],
    [("民族", 1), ("@ethnicity", 1), ("籍贯", 1), ("@native_place", 1), ("出生地", 1), ("@birthplace", 1), ("", 1)],
    [("入党时间", 1), ("@party_joined", 1), ("参加工作时间", 1), ("@work_started", 1), ("健康状况", 1), ("@health", 1),
     ("", 1)],
    [("专业技术职务", 1), ("@professional_title", 2), ("熟悉专业\n有何专长", 1), ("@expertise", 3)],
    [("学历\n学位", 1), ("全日制教育", 1), ("@full_time_degree", 2), ("毕业院校\n系及专业", 1), ("@full_time_school", 2)],
    [("", 1), ("在职教育", 1), ("@in_service_degree", 2), ("毕业院校\n系及专业", 1), ("@in_service_school", 2)],
    [("现任职务", 1), ("@current_post", 6)],
    [("拟任职务", 1), ("@proposed_post", 6)],
    [("拟免职务", 1), ("@removed_post", 6)],
    [("简\n\n历", 1), ("@resume", 6)],
]
WIDTHS_ONE = (24, 25, 20, 24, 24, 24, 30)
WIDTHS_TWO = (24, 18, 22, 22, 22, 57)


def _style(document: Any) -> None:
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(18)
    section.top_margin = section.bottom_margin = Mm(15)


def _grid(document: Any, rows: int, widths: tuple[int, ...]) -> Table:
    table: Table = document.add_table(rows=rows, cols=len(widths))
    table.style, table.alignment, table.autofit = "Table Grid", WD_TABLE_ALIGNMENT.CENTER, False
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Mm(width)
    return table


# What XML 1.0 cannot hold, which a case's text may (JSON carries any character): C0 controls
# but tab and line breaks, lone surrogates, U+FFFE and U+FFFF. Word's own line and page breaks
# (VT, FF, as pasted from Word) become line breaks; the rest is dropped. The PDF shows neither.
_BREAKS = re.compile("[\x0b\x0c]")
_NOT_XML = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", _BREAKS.sub("\n", text))


def _put(table: Table, row: int, col: int, span: int, text: str) -> None:
    cell = table.cell(row, col)
    if span > 1:
        cell = cell.merge(table.cell(row, col + span - 1))
    cell.text = _xml_text(text)


def _page_one(document: Any, boxes: dict[str, str], photo: bytes | None) -> None:
    table = _grid(document, len(PAGE_ONE), WIDTHS_ONE)
    for r, cells in enumerate(PAGE_ONE):
        col = 0
        for text, span in cells:
            value = boxes.get(text[1:], "") if text.startswith("@") else text
            if text != "@photo":
                _put(table, r, col, span, value)
            col += span
    photo_cell = table.cell(0, 6).merge(table.cell(2, 6))
    if photo:
        photo_cell.paragraphs[0].add_run().add_picture(io.BytesIO(photo), width=Mm(24))
    else:
        photo_cell.text = "照片"
    table.cell(4, 0).merge(table.cell(5, 0)).text = "学历\n学位"
    table.rows[len(PAGE_ONE) - 1].height = Mm(120)


def _page_two(document: Any, boxes: dict[str, str], family: list[tuple[str, ...]]) -> None:
    head = [("奖惩情况", boxes["awards"]), ("年度考核\n结果", boxes["ratings"]), ("任免理由", boxes["reasons"])]
    tail = [("呈报单位", f"{boxes['reporting_unit']}\n（盖章）　{boxes['reporting_date'] or '　　年　月　日'}"),
            ("审批机关\n意见", f"{boxes['decision']}\n（盖章）　{boxes['decision_date'] or '　　年　月　日'}"),
            ("行政机关\n任免意见", "（盖章）　　　年　　月　　日")]
    table = _grid(document, len(head) + 1 + len(family) + len(tail), WIDTHS_TWO)
    for r, (label, text) in enumerate(head):
        _put(table, r, 0, 1, label)
        _put(table, r, 1, 5, text)
    top = len(head)
    table.cell(top, 0).merge(table.cell(top + len(family), 0)).text = "家庭主要\n成员及\n重要社会\n关系"
    for c, label in enumerate(("称谓", "姓名", "出生年月", "政治面貌", "工作单位及职务"), start=1):
        table.cell(top, c).text = label
    for r, row in enumerate(family, start=top + 1):
        for c, text in enumerate(row, start=1):
            table.cell(r, c).text = _xml_text(text)
    for r, (label, text) in enumerate(tail, start=top + 1 + len(family)):
        _put(table, r, 0, 1, label)
        _put(table, r, 1, 5, text)


def _photo_bytes(data_uri: str) -> bytes | None:
    if not data_uri.startswith("data:image/") or ";base64," not in data_uri:
        return None
    return base64.b64decode(data_uri.split(";base64,", 1)[1])


def render(context: dict[str, Any]) -> bytes:
    """The .docx of a built 干部任免审批表 context (`appointment.build`)."""
    document = WordDocument()
    _style(document)
    title = document.add_paragraph()
    run = title.add_run("干部任免审批表")
    run.bold, run.font.size = True, Pt(18)
    title.alignment = WD_PARAGRAPH_ALIGNMENT.CENTER
    _page_one(document, context["boxes"], _photo_bytes(context.get("photo") or ""))
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _page_two(document, context["boxes"], context["family"])
    document.add_paragraph("填表人：").alignment = WD_PARAGRAPH_ALIGNMENT.RIGHT
    seal = context["print"].seal
    footer = document.sections[0].footer.paragraphs[0]
    note = footer.add_run(f"OrgFlow {context['print'].number}" + (
        f" · 审计链头第 {seal.seq} 号事件 · {seal.hash}" if seal.seq else " · 本案尚无审计记录"))
    note.font.size = Pt(6.5)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
