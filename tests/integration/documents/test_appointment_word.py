"""The 干部任免审批表 as a Word file: downloaded like the PDF (audited, same permission), opened
with python-docx, and every box it fills says what the PDF's box says (pypdf)."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from flask import Flask
from sqlalchemy import select

from models import AuditEvent
from models import User
from tests.helpers import start
from tests.integration.documents.conftest import download
from tests.integration.documents.conftest import flat
from tests.integration.documents.conftest import pdf_text
from webapp.extensions import db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LABELS = {"姓名", "性别", "民族", "籍贯", "出生地", "入党时间", "参加工作时间", "健康状况", "专业技术职务", "全日制教育",
          "在职教育", "出生年月（岁）", "学历学位", "毕业院校系及专业", "简历", "年度考核结果", "家庭主要成员及重要社会关系",
          "出生年月", "工作单位及职务", "审批机关意见", "行政机关任免意见", "现任职务", "拟任职务", "拟免职务", "奖惩情况", "任免理由", "称谓", "政治面貌", "呈报单位", "照片"}


def word_cells(data: bytes) -> list[str]:
    """The text of every cell of the Word file's tables, each merged cell once."""
    document = Document(io.BytesIO(data))
    seen: set[Any] = set()  # the cells' XML elements, held: a merged cell is one element
    cells = []
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                if cell._tc not in seen:
                    seen.add(cell._tc)
                    cells.append(cell.text)
    return cells


def get_word(client: Any, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == DOCX and response.headers["Cache-Control"] == "private, no-store"
    data = bytes(response.data)
    response.close()
    return data


def test_the_word_file_has_the_boxes_of_the_pdf(web: Any, promotion: dict[str, Any]) -> None:
    officer = web("s1_03")
    pdf = flat(pdf_text(download(officer, f"/cases/{promotion['id']}/documents/appointment.pdf")))
    cells = word_cells(get_word(officer, f"/cases/{promotion['id']}/documents/appointment.docx"))
    values = [flat(c) for c in cells if flat(c) and flat(c) not in LABELS]
    assert len(values) > 30  # the boxes are filled, not just labelled
    for value in values:
        assert value in pdf, value
    text = "".join(cells)
    for value in ("梁晨", "炼钢厂厂长", "同意任命梁晨为炼钢厂厂长", "2025年度：优秀", "钢铁股份公司党委", "2026年3月2日"):
        assert value in flat(text), value


def test_the_word_file_is_downloaded_through_the_api_and_recorded(api: Any, app: Flask,
                                                                 promotion: dict[str, Any]) -> None:
    listed = api("s1_03").get(f"/instances/{promotion['id']}/documents").get_json()["items"]
    link = next(item for item in listed if item["doc"] == "appointment")
    response = api("s1_03").client.get(link["docx_url"], headers={"Authorization": f"Bearer {api('s1_03').token}"})
    assert response.status_code == 200 and response.mimetype == DOCX
    data = bytes(response.data)
    response.close()
    assert "同意任命梁晨为炼钢厂厂长" in flat("".join(word_cells(data)))
    assert api("s1_03").get(f"/instances/{promotion['id']}/docx?doc=approval").status_code == 404
    with app.app_context():
        formats = [e.payload.get("format") for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "document.download"))]
        record_reads = [(db.session.get(User, e.actor_id).username, e.payload) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "cadre.read"))]
    assert formats == ["docx"]
    # the 任免表 prints 梁晨's whole 干部信息: an auditor asking who read his record finds this download
    assert record_reads == [("s1_03", {"user": "s1_06", "via": "干部任免审批表（docx）", "number": promotion["number"]})]


def test_who_may_not_see_the_case_gets_no_word_file(web: Any, promotion: dict[str, Any]) -> None:
    response = web("s2_03").get(f"/cases/{promotion['id']}/documents/appointment.docx")
    assert response.status_code == 403


def test_characters_xml_cannot_hold_leave_the_word_file_readable(api: Any) -> None:
    """A case's text may hold control characters (JSON carries them, the database stores them);
    XML 1.0 holds none but tab and line breaks (schemathesis found the Word file's 500). Word's
    pasted line break (VT) becomes a line break, the rest is dropped, and the file opens."""
    case = start(api, reasons="坚守一线\x0b表现突出\x07\x1f。")
    response = api("s1_03").client.get(f"/api/v1/instances/{case['id']}/docx", headers=api("s1_03")._headers())
    assert response.status_code == 200 and response.mimetype == DOCX
    data = bytes(response.data)
    response.close()
    assert "坚守一线\n表现突出。" in word_cells(data)
