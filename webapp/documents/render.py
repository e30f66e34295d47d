"""Turn a prepared document (`workflows.documents`) into PDF bytes with weasyprint.

The download is recorded in the transaction that read the case (`prepare`), committed before
the PDF is drawn: the slow part (fonts, layout) holds no database lock, and no PDF leaves
without its audit event. weasyprint fetches nothing: the CSS is inline, fonts come from
fontconfig, the diagram and QR code are inline SVG; any other URL is refused.
"""

from __future__ import annotations

import io

import weasyprint
from flask import Response
from flask import current_app
from flask import send_file
from sqlalchemy.orm import Session

from models import User
from webapp.transaction import begin_recorded_read
from webapp.transaction import commit
from workflows import documents
from workflows.documents import Document

FETCHER = weasyprint.URLFetcher(allowed_protocols={"data"})


def html_of(document: Document) -> str:
    """The print template rendered with the document's context (no page chrome, no context processors)."""
    template = current_app.jinja_env.get_template(document.template)
    return template.render(**document.context)


def pdf_of(document: Document) -> bytes:
    return bytes(weasyprint.HTML(string=html_of(document), url_fetcher=FETCHER).write_pdf())


def download(session: Session, reader: User, instance_id: int, kind: str) -> Response:
    """Check, build and record the document, commit, then draw it; 403/404 as for reading the case."""
    begin_recorded_read()
    document = documents.prepare(session, reader, instance_id, kind)
    commit()
    response = send_file(io.BytesIO(pdf_of(document)), mimetype="application/pdf", as_attachment=True,
                         download_name=document.filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response
