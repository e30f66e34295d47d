"""Turn a prepared document (`webapp.pages.documents`) into PDF bytes with weasyprint.

The download is recorded in the transaction that read the case (`prepare`), committed before
the PDF is drawn: the slow part (fonts, layout) holds no database lock, and no PDF leaves
without its audit event. weasyprint fetches nothing: the CSS is inline, fonts come from
fontconfig, the diagram and QR code are inline SVG; any other URL is refused.

The drawing runs in a child process bounded by ORGFLOW_PDF_TIMEOUT seconds (`drawing`): a
document that takes longer is refused with 503 and no worker is held (0 draws in-process,
unbounded).
"""

from __future__ import annotations

import io

from flask import Response
from flask import current_app
from flask import send_file
from sqlalchemy.orm import Session

from models import User
from webapp.documents import drawing
from webapp.pages import documents
from webapp.pages.documents import Document
from webapp.transaction import begin_recorded_read
from webapp.transaction import commit
from workflows.errors import WorkflowError


class DocumentTooSlow(WorkflowError):
    """The PDF could not be drawn within ORGFLOW_PDF_TIMEOUT (HTTP 503)."""

    code = "document_timeout"


def html_of(document: Document) -> str:
    """The print template rendered with the document's context (no page chrome, no context processors)."""
    template = current_app.jinja_env.get_template(document.template)
    return template.render(**document.context)


def pdf_of(document: Document, limit: float | None = None) -> bytes:
    """The document as PDF, drawn within `limit` seconds (ORGFLOW_PDF_TIMEOUT by default)."""
    html = html_of(document)
    seconds = float(current_app.config["ORGFLOW_PDF_TIMEOUT"] if limit is None else limit)
    if seconds <= 0:
        return drawing.draw(html)
    try:
        return drawing.draw_within(html, seconds)
    except drawing.DrawingTooSlow as exc:
        raise DocumentTooSlow(f"“{document.title}”生成超时（超过 {seconds:g} 秒），请稍后重试或联系系统管理员") from exc


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def download_word(session: Session, reader: User, instance_id: int, kind: str) -> Response:
    """The document as a Word file (the 干部任免审批表), checked and recorded as `download` is."""
    begin_recorded_read()
    document = documents.prepare(session, reader, instance_id, kind, "docx")
    commit()
    assert document.word is not None  # prepare refuses a kind without a Word file
    response = send_file(io.BytesIO(document.word(document.context)), mimetype=DOCX, as_attachment=True,
                         download_name=document.filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def download(session: Session, reader: User, instance_id: int, kind: str) -> Response:
    """Check, build and record the document, commit, then draw it; 403/404 as for reading the case."""
    begin_recorded_read()
    document = documents.prepare(session, reader, instance_id, kind)
    commit()
    response = send_file(io.BytesIO(pdf_of(document)), mimetype="application/pdf", as_attachment=True,
                         download_name=document.filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response
