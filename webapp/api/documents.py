"""/api/v1/instances/<id>/pdf (?doc=approval|appointment|dues_notice|dues_ledger) and the list of
a case's documents: the same service and permission checks as the case page's download buttons."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask import request

from webapp.api.auth import api_user
from webapp.api.auth import token_required
from webapp.api.blueprint import bp
from webapp.api.openapi import ERRORS
from webapp.api.openapi import STR
from webapp.api.openapi import add_paths
from webapp.api.openapi import op
from webapp.api.openapi import path_id
from webapp.documents import render
from webapp.extensions import db
from webapp.pages import documents

DOC_PARAM = {"name": "doc", "in": "query", "description": "which document (default: approval, the 审批单)",
             "schema": {"type": "string", "enum": list(documents.KINDS), "default": "approval"}}
PDF_OP = {
    "summary": "A document of the case as PDF; the download is audited",
    "security": [{"bearer": []}],
    "parameters": [*path_id("instance_id"), DOC_PARAM],
    "responses": {"200": {"description": "the PDF", "content": {"application/pdf": {
        "schema": {"type": "string", "format": "binary"}}}}, **{c: ERRORS[c] for c in ("401", "403", "404", "422")}},
}
WORD_PARAM = {"name": "doc", "in": "query", "description": "which document (default: appointment)",
              "schema": {"type": "string", "enum": [k for k, kind in documents.KINDS.items() if kind.word],
                         "default": "appointment"}}
DOCX_OP = {
    "summary": "A document of the case as an editable Word file (.docx); the download is audited",
    "security": [{"bearer": []}],
    "parameters": [*path_id("instance_id"), WORD_PARAM],
    "responses": {"200": {"description": "the Word file", "content": {render.DOCX: {
        "schema": {"type": "string", "format": "binary"}}}}, **{c: ERRORS[c] for c in ("401", "403", "404", "422")}},
}
DOCS = {"type": "object", "required": ["items", "total"], "properties": {"total": {"type": "integer"}, "items": {
    "type": "array", "items": {"type": "object", "required": ["doc", "title", "url"],
                               "properties": {"doc": STR, "title": STR, "url": STR,
                                              "docx_url": {**STR, "description": "the Word file, when there is one"}}}}}}

add_paths({
    "/api/v1/instances/{instance_id}/pdf": {"get": PDF_OP},
    "/api/v1/instances/{instance_id}/docx": {"get": DOCX_OP},
    "/api/v1/instances/{instance_id}/documents": {"get": op(
        "The documents this case has (for the caller)", DOCS, ("403", "404"), params=path_id("instance_id"))},
})


@bp.get("/instances/<int:instance_id>/pdf")
@token_required
def instance_pdf(instance_id: int) -> Response:
    return render.download(db.session, api_user(), instance_id, request.args.get("doc", "approval"))


@bp.get("/instances/<int:instance_id>/docx")
@token_required
def instance_docx(instance_id: int) -> Response:
    return render.download_word(db.session, api_user(), instance_id, request.args.get("doc", "appointment"))


@bp.get("/instances/<int:instance_id>/documents")
@token_required
def instance_documents(instance_id: int) -> dict[str, Any]:
    links = documents.available_for(db.session, api_user(), instance_id)
    items = [{"doc": link.kind, "title": link.title, "url": f"/api/v1/instances/{instance_id}/pdf?doc={link.kind}",
              **({"docx_url": f"/api/v1/instances/{instance_id}/docx?doc={link.kind}"} if link.word else {})}
             for link in links]
    return {"items": items, "total": len(items)}
