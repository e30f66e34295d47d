"""Attachments shown in the browser (issue 13 item 6): PDF and images served inline with their own
type, an Office file as a PDF where a converter (LibreOffice's soffice) is on PATH, else its
download; the case's viewers only, refusals recorded as for a download; the preview link is a
plain link (no script), next to the download."""

from __future__ import annotations

import io
import re
import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from models import Attachment
from tests.web import csrf_of
from tests.web import open_item_id
from tests.web import start_case
from webapp.extensions import db
from workflows.cases import attachments

APPROVER, OFFICER, OUTSIDER = "s1_01", "s1_03", "s2_03"
PDF = b"%PDF-1.7\n..."
PNG = b"\x89PNG\r\n\x1a\n...."


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<x/>")
    return buffer.getvalue()


def _attached(web: Any, app: Flask, content: bytes, name: str) -> tuple[int, int]:
    """A case whose 酝酿 was completed with `name` attached: (case id, attachment id)."""
    case_id = start_case(web(OFFICER))
    approver = web(APPROVER)
    token = csrf_of(approver.get("/").get_data(as_text=True))
    boundary, body = encode_multipart({"decision": "agree", "comment": "同意", "csrf_token": token,
                                       "attachments": FileStorage(io.BytesIO(content), filename=name)})
    done = approver.client.post(f"/items/{open_item_id(approver, case_id)}/complete", data=body,
                                content_type=f"multipart/form-data; boundary={boundary}")
    assert done.status_code == 302
    with app.app_context():
        return case_id, db.session.scalars(select(Attachment)).one().id


@pytest.mark.parametrize(("content", "name", "content_type"), [
    pytest.param(PDF, "决议.pdf", "application/pdf", id="pdf"),
    pytest.param(PNG, "照片.png", "image/png", id="png"),
])
def test_pdf_and_images_are_shown_inline_to_the_cases_viewers(
        web: Any, app: Flask, content: bytes, name: str, content_type: str) -> None:
    case_id, attachment_id = _attached(web, app, content, name)
    page = web(OFFICER).page(f"/cases/{case_id}")
    assert re.search(rf'<a class="preview" href="/attachments/{attachment_id}/preview" target="_blank" '
                     rf'rel="noopener">预览</a>', page)
    shown = web(OFFICER).get(f"/attachments/{attachment_id}/preview")
    assert shown.status_code == 200 and shown.data == content
    assert shown.headers["Content-Type"] == content_type
    assert shown.headers["Content-Disposition"].startswith("inline;")
    assert shown.headers["X-Content-Type-Options"] == "nosniff" and "no-store" in shown.headers["Cache-Control"]
    assert "script-src 'self'" in shown.headers["Content-Security-Policy"]
    shown.close()
    assert web(OUTSIDER).get(f"/attachments/{attachment_id}/preview").status_code == 403


def test_an_office_file_without_a_converter_is_offered_as_a_download_only(
        web: Any, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attachments, "office_converter", lambda: None)
    case_id, attachment_id = _attached(web, app, _docx(), "报告.docx")
    assert f"/attachments/{attachment_id}/preview" not in web(OFFICER).page(f"/cases/{case_id}")
    answer = web(OFFICER).get(f"/attachments/{attachment_id}/preview")
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/attachments/{attachment_id}")
    assert web(OUTSIDER).get(f"/attachments/{attachment_id}/preview").status_code == 403


def _fake_soffice(directory: Path) -> str:
    """A stand-in for soffice that writes `<outdir>/<name>.pdf` as `--convert-to pdf` does."""
    script = directory / "soffice"
    script.write_text('#!/bin/sh\nfor a; do last="$a"; done\nwhile [ "$1" != "--outdir" ]; do shift; done\n'
                      'name=$(basename "$last"); printf "%%PDF-1.4 converted" > "$2/${name%.*}.pdf"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_an_office_file_is_shown_as_a_pdf_where_a_converter_exists(
        web: Any, app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    converter = _fake_soffice(tmp_path)
    monkeypatch.setattr(attachments, "office_converter", lambda: converter)
    case_id, attachment_id = _attached(web, app, _docx(), "报告.docx")
    assert ">预览（PDF）</a>" in web(OFFICER).page(f"/cases/{case_id}")
    shown = web(OFFICER).get(f"/attachments/{attachment_id}/preview")
    assert shown.status_code == 200 and shown.data == b"%PDF-1.4 converted"
    assert shown.headers["Content-Type"] == "application/pdf"
    assert shown.headers["Content-Disposition"].startswith("inline;") and "pdf" in shown.headers["Content-Disposition"]
    shown.close()
    assert web(OUTSIDER).get(f"/attachments/{attachment_id}/preview").status_code == 403
