"""Uploads and malformed input: every bad request gets a clear 4xx and nothing is written —
no attachment row, no file, no completed step; files are only ever served as downloads."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from models import Attachment
from models import AuditEvent
from tests.integration.security.conftest import csrf_of
from tests.integration.security.conftest import form_login
from tests.web import open_item_id
from tests.web import start_case
from webapp.extensions import db
from workflows.cases import attachments

APPROVER = "s1_01"


def _ooxml(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


@pytest.fixture()
def item(web: Any) -> int:
    return open_item_id(web(APPROVER), start_case(web("s1_03")))


def max_bytes(app: Flask) -> int:
    with app.app_context():
        return attachments.max_bytes(db.session)


def _stored(app: Flask) -> tuple[int, int, int]:
    """Attachment rows, files on disk, and completed steps (task.complete events)."""
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(Attachment)) or 0
        done = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "task.complete")) or 0
    root = Path(app.config["ORGFLOW_ATTACHMENT_DIR"])
    files = sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0
    return rows, files, done


def _upload(web: Any, item: int, content: bytes, name: str) -> Any:
    # The body is encoded here in memory: the test client would spool a large one to a temporary
    # file it never closes (a ResourceWarning, an error under filterwarnings=error).
    approver = web(APPROVER)
    token = csrf_of(approver.get("/").get_data(as_text=True))
    boundary, body = encode_multipart({
        "decision": "agree", "comment": "同意", "csrf_token": token,
        "attachments": FileStorage(io.BytesIO(content), filename=name)})
    return approver.client.post(f"/items/{item}/complete", data=body,
                                content_type=f"multipart/form-data; boundary={boundary}")


BAD_FILES = [
    pytest.param(b"MZ\x90\x00\x03" + b"\x00" * 200, "材料.pdf", "内容与扩展名不符", id="exe-renamed-pdf"),
    pytest.param(b"MZ\x90\x00", "setup.exe", "类型不允许", id="exe"),
    pytest.param(b"", "空.pdf", "是空文件", id="empty"),
    pytest.param(b"%PDF-1.4", "材料", "类型不允许", id="no-extension"),
    pytest.param(b"PK\x03\x04 not really a zip", "报告.docx", "内容与扩展名不符", id="fake-docx"),
    pytest.param(_ooxml("xl/workbook.xml"), "报告.docx", "内容与扩展名不符", id="xlsx-renamed-docx"),
    pytest.param(b"\x89PNG\r\n\x1a\n....", "照片.jpg", "内容与扩展名不符", id="png-renamed-jpg"),
    pytest.param(b"text\x00with nul", "说明.txt", "内容与扩展名不符", id="binary-txt"),
    pytest.param("GBK 编码".encode("gbk"), "说明.txt", "内容与扩展名不符", id="non-utf8-txt"),
    pytest.param(b"<html><script>alert(1)</script>", "页面.html", "类型不允许", id="html"),
    pytest.param(b"<svg onload=alert(1)>", "图.svg", "类型不允许", id="svg"),
]


@pytest.mark.parametrize(("content", "name", "message"), BAD_FILES)
def test_a_bad_file_is_refused_with_a_form_error_and_nothing_is_written(
        app: Flask, web: Any, item: int, content: bytes, name: str, message: str) -> None:
    before = _stored(app)
    response = _upload(web, item, content, name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _stored(app) == before


GOOD_FILES = [
    pytest.param(b"%PDF-1.7\n...", "决议.pdf", "application/pdf", id="pdf"),
    pytest.param(b"\x89PNG\r\n\x1a\n....", "照片.png", "image/png", id="png"),
    pytest.param(b"\xff\xd8\xff\xe0....", "照片.jpg", "image/jpeg", id="jpg"),
    pytest.param(_ooxml("word/document.xml"), "报告.docx",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document", id="docx"),
    pytest.param(_ooxml("xl/workbook.xml"), "台账.xlsx",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", id="xlsx"),
    pytest.param("会议纪要：同意。".encode(), "纪要.txt", "text/plain; charset=utf-8", id="txt"),
]


@pytest.mark.parametrize(("content", "name", "content_type"), GOOD_FILES)
def test_an_allowed_file_is_stored_and_served_only_as_a_download(
        app: Flask, web: Any, item: int, content: bytes, name: str, content_type: str) -> None:
    assert _upload(web, item, content, name).status_code == 302
    with app.app_context():
        row = db.session.scalars(select(Attachment)).one()
        assert row.content_type == content_type
        attachment_id = row.id
    response = web("s1_03").get(f"/attachments/{attachment_id}")
    assert response.status_code == 200 and response.data == content
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"].startswith(content_type.split(";")[0])
    assert "no-store" in response.headers["Cache-Control"]
    response.close()


def test_a_file_over_the_limit_gets_413_with_the_form_error(app: Flask, web: Any, item: int) -> None:
    before = _stored(app)
    response = _upload(web, item, b"%PDF-1.4" + b"0" * max_bytes(app), "扫描件.pdf")
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "超过 20 MB" in html and 'name="decision"' in html  # the form, open again, with the error
    assert _stored(app) == before


SMALL = 256 * 1024  # a request limit for these tests, so they need not send 200 MB


def test_a_request_over_the_request_limit_gets_413_json_from_the_api(
        api: Any, make_app: Callable[..., Flask]) -> None:
    small = make_app(MAX_CONTENT_LENGTH=SMALL).test_client()
    headers = api("s1_03")._headers()
    response = small.post("/api/v1/processes/cadre_promotion/instances", data=b"{" + b" " * SMALL + b"}",
                          content_type="application/json", headers=headers)
    assert response.status_code == 413
    body = response.get_json()
    assert body["error"] == "request_entity_too_large" and "每个附件不超过 20 MB" in body["message"]


def test_a_request_over_the_request_limit_gets_413_page_on_the_web(
        app: Flask, item: int, make_app: Callable[..., Flask]) -> None:
    small = make_app(MAX_CONTENT_LENGTH=SMALL).test_client()
    assert form_login(small, APPROVER).status_code == 302
    token = csrf_of(small.get("/").get_data(as_text=True))
    before = _stored(app)
    boundary, body = encode_multipart({"decision": "agree", "csrf_token": token, "attachments": FileStorage(
        io.BytesIO(b"%PDF-1.4" + b"0" * SMALL), filename="巨大.pdf")})
    response = small.post(f"/items/{item}/complete", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "提交的内容过大" in response.get_data(as_text=True)
    assert _stored(app) == before
