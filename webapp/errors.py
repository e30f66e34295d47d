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

from webapp.extensions import db
from workflows.assignment import RoutingError
from workflows.attachments import FileTooLarge
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
from workflows.errors import WorkflowError

log = logging.getLogger(__name__)

STATUS: list[tuple[type[WorkflowError], int]] = [
    (NotFound, 404),
    (NotAllowed, 403),
    (AlreadyHandled, 409),
    (FileTooLarge, 413),
    (ValidationFailed, 422),
    (RoutingError, 422),
    (DiagramInvalid, 400),
    (InvalidRequest, 400),
    (ScriptError, 500),
    (TooSoon, 429),
    (Busy, 503),
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


def respond(status: int, body: dict[str, object]) -> Response | tuple[str, int]:
    if wants_json():
        response = jsonify(body)
        response.status_code = status
        return response
    return render_template("errors/error.html", status=status, message=body.get("message")), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(WorkflowError)
    def _workflow_error(error: WorkflowError) -> Response | tuple[str, int]:
        db.session.rollback()
        if isinstance(error, ScriptError):
            log.error("diagram script failed: %s", error.message)
        return respond(status_of(error), error_body(error))

    @app.errorhandler(StaleDataError)
    def _stale(error: StaleDataError) -> Response | tuple[str, int]:
        db.session.rollback()
        return respond(409, {"error": AlreadyHandled.code, "message": "该流程刚刚被他人处理，请刷新后查看"})

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response | tuple[str, int]:
        code = error.code or 500
        message = error.description
        if isinstance(error, RequestEntityTooLarge):
            limit = current_app.config["ORGFLOW_MAX_UPLOAD_MB"]
            message = f"提交的内容过大：每个附件不超过 {limit} MB，一次最多 10 个"
        return respond(code, {"error": (error.name or "error").lower().replace(" ", "_"), "message": message})

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response | tuple[str, int]:
        db.session.rollback()
        log.exception("unhandled error")
        return respond(500, {"error": "internal_error", "message": "服务器内部错误，操作未生效"})
