"""Service errors → HTTP, translated once: JSON for the API, a page for the browser."""

from __future__ import annotations

import logging

from flask import Flask
from flask import Response
from flask import current_app
from flask import jsonify
from flask import render_template
from flask import request
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import RequestEntityTooLarge

from webapp.documents.render import DocumentTooSlow
from webapp.extensions import db
from workflows.audit import reads
from workflows.cases import attachments
from workflows.engine import locking
from workflows.errors import AlreadyHandled
from workflows.errors import Busy
from workflows.errors import DiagramInvalid
from workflows.errors import InvalidRequest
from workflows.errors import NotAllowed
from workflows.errors import NotFound
from workflows.errors import RuleViolation
from workflows.errors import ScriptError
from workflows.errors import TooSoon
from workflows.errors import ValidationFailed
from workflows.errors import ViewRefused
from workflows.errors import WorkflowError
from workflows.records import access as record_access
from workflows.routing import assignment

log = logging.getLogger(__name__)

STATUS: list[tuple[type[WorkflowError], int]] = [
    (NotFound, 404),
    (NotAllowed, 403),
    (AlreadyHandled, 409),
    (attachments.FileTooLarge, 413),
    (ValidationFailed, 422),
    (assignment.RoutingError, 422),
    (DiagramInvalid, 400),
    (InvalidRequest, 400),
    (ScriptError, 500),
    (TooSoon, 429),
    (Busy, 503),
    (DocumentTooSlow, 503),
]


def status_of(error: WorkflowError) -> int:
    return next((code for cls, code in STATUS if isinstance(error, cls)), 400)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_body(error: WorkflowError) -> dict[str, object]:
    body: dict[str, object] = {"error": error.code, "message": error.message}
    if isinstance(error, RuleViolation):
        body["rule"] = error.rule
        body["source"] = error.source
    if isinstance(error, ValidationFailed) and error.fields:
        body["fields"] = error.fields
    if isinstance(error, ScriptError) and error.task:
        body["task"] = error.task
    return body


def error_headers(error: Exception) -> dict[str, str]:
    """The headers an error's answer must keep: `Allow` of a 405 (and whatever else werkzeug's
    exception carries, but its content type), `Retry-After` of a 429 and of a 503 (busy)."""
    headers: dict[str, str] = {}
    if isinstance(error, HTTPException):
        headers.update((k, v) for k, v in error.get_headers() if k.lower() != "content-type")
    if isinstance(error, TooSoon):
        headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, Busy):  # 503: the writers' queue was full for the busy timeout; soon again
        headers["Retry-After"] = "1"
    return headers


def respond(status: int, body: dict[str, object],
            headers: dict[str, str] | None = None) -> Response | tuple[str, int, dict[str, str]]:
    if wants_json():
        response = jsonify(body)
        response.status_code = status
        response.headers.update(headers or {})
        return response
    return render_template("errors/error.html", status=status, message=body.get("message")), status, headers or {}


# What a refused request was after, by endpoint (web and API); anything else refused by the case
# view check (an action on a case the user may not see) counts as the case.
TARGETS = {"documents.pdf": "document", "documents.word": "document", "api.instance_docx": "document",
           "api.instance_pdf": "document", "api.instance_documents": "document",
           "cases.attachment": "attachment", "cases.attachment_preview": "attachment"}


def _record_refusal(error: ViewRefused) -> None:
    """The refusal as an audit event (rate-limited, `reads.refused`), in a transaction of its own.
    Never turns the 403 into a 500: a failure to record is logged."""
    target = TARGETS.get(request.endpoint or "", "case")
    try:
        locking.begin_write(db.session)
        reads.refused(db.session, error.user_id, error.instance_id, target,
                      {"path": request.path, "method": request.method, "via": "api" if request.path.startswith("/api/") else "web"})
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("could not record a refused access")


def _record_cadre_refusal(error: record_access.RecordRefused) -> None:
    """A refused read or change of a cadre's 干部信息, recorded as `_record_refusal` records a case's."""
    try:
        locking.begin_write(db.session)
        record_access.refused(db.session, error.user_id, error.username, {
            "path": request.path, "method": request.method, "via": "api" if request.path.startswith("/api/") else "web"})
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("could not record a refused access")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(WorkflowError)
    def _workflow_error(error: WorkflowError) -> Response | tuple[str, int, dict[str, str]]:
        db.session.rollback()
        if isinstance(error, ViewRefused):
            _record_refusal(error)
        if isinstance(error, record_access.RecordRefused):
            _record_cadre_refusal(error)
        if isinstance(error, ScriptError):
            log.error("diagram script failed: %s", error.message)
        return respond(status_of(error), error_body(error), error_headers(error))

    @app.errorhandler(StaleDataError)
    def _stale(error: StaleDataError) -> Response | tuple[str, int, dict[str, str]]:
        db.session.rollback()
        return respond(409, {"error": AlreadyHandled.code, "message": "该流程刚刚被他人处理，请刷新后查看"})

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response | tuple[str, int, dict[str, str]]:
        code = error.code or 500
        message = error.description
        if isinstance(error, RequestEntityTooLarge):
            limit = current_app.config["ORGFLOW_MAX_UPLOAD_MB"]
            message = f"提交的内容过大：每个附件不超过 {limit} MB，一次最多 10 个"
        return respond(code, {"error": (error.name or "error").lower().replace(" ", "_"), "message": message},
                       error_headers(error))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response | tuple[str, int, dict[str, str]]:
        db.session.rollback()
        log.exception("unhandled error")
        return respond(500, {"error": "internal_error", "message": "服务器内部错误，操作未生效"})
