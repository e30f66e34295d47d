"""/api/v1/weekly-reports and /api/v1/weekly-schedule: the 周报 matrix (unit × week), one report,
a 督导 on a late or missing report, and the group's schedule (the same services as the pages).
Filling, confirming and reviewing a report are the case's steps: /api/v1/tasks."""

from __future__ import annotations

from typing import Any

from webapp.api.auth import api_user
from webapp.api.auth import token_required
from webapp.api.blueprint import bp
from webapp.api.openapi import BOOL
from webapp.api.openapi import INT
from webapp.api.openapi import STR
from webapp.api.openapi import add_paths
from webapp.api.openapi import op
from webapp.api.openapi import path_id
from webapp.api.params import int_arg
from webapp.api.params import json_body
from webapp.extensions import db
from webapp.pages import weekly as page
from webapp.transaction import commit
from workflows.errors import InvalidRequest
from workflows.weekly import matrix
from workflows.weekly import schedule

OBJ = {"type": "object"}
MATRIX = {"type": "object", "required": ["weeks", "items", "total"],
          "properties": {"weeks": {"type": "array", "items": STR}, "items": {"type": "array", "items": OBJ},
                         "total": INT, "counts": OBJ}}
SCHEDULE = {"type": "object", "required": ["active", "open_weekday", "due_weekday", "due_hour", "units"],
            "properties": {"active": BOOL, "open_weekday": INT, "due_weekday": INT, "due_hour": INT,
                           "units": {"type": "array", "items": STR}}}
SCHEDULE_BODY = {"type": "object", "additionalProperties": False,
                 "required": ["active", "open_weekday", "due_weekday", "due_hour"],
                 "properties": {"active": BOOL, "open_weekday": {"type": "integer", "minimum": 0, "maximum": 6},
                                "due_weekday": {"type": "integer", "minimum": 0, "maximum": 6},
                                "due_hour": {"type": "integer", "minimum": 0, "maximum": 23},
                                "units": {"type": "array", "maxItems": 100,
                                          "items": {"type": "string", "maxLength": 40}}}}
SUPERVISION_BODY = {"type": "object", "additionalProperties": False, "required": ["reason"], "properties": {
    "reason": {"type": "string", "minLength": 1, "maxLength": matrix.MAX_REASON, "pattern": r"\S"}}}
WEEKS = [{"name": "weeks", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": matrix.MAX_WEEKS,
                                                     "default": 8}}]

add_paths({
    "/api/v1/weekly-reports": {"get": op("The 周报 matrix: every reporting unit × the last weeks, newest first",
                                         MATRIX, ("400", "403"), params=WEEKS)},
    "/api/v1/weekly-reports/{report_id}": {"get": op("One 周报 with its lines and 督导 records", OBJ, ("403", "404"),
                                                     params=path_id("report_id"))},
    "/api/v1/weekly-reports/{report_id}/supervisions": {
        "post": op("Open a 督导 on a late or missing 周报 (the group's 组织部; audited)", OBJ,
                   ("400", "403", "404", "422"), "201", SUPERVISION_BODY, path_id("report_id"))},
    "/api/v1/weekly-schedule": {
        "get": op("The group's 周报 schedule", SCHEDULE, ()),
        "put": op("Set the 周报 schedule (the group's 组织部 or an admin; audited)", SCHEDULE, ("400", "403", "422"),
                  body=SCHEDULE_BODY)},
})


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    body = json_body()
    unknown = sorted(set(body) - set(schema["properties"]))
    if unknown:
        raise InvalidRequest(f"未知字段：{'、'.join(unknown)}")
    return body


@bp.get("/weekly-reports")
@token_required
def weekly_matrix() -> dict[str, Any]:
    return page.matrix_json(matrix.matrix(db.session, api_user(), int_arg("weeks", 8, 1, matrix.MAX_WEEKS)))


@bp.get("/weekly-reports/<int:report_id>")
@token_required
def weekly_report(report_id: int) -> dict[str, Any]:
    return page.report_json(matrix.report_view(db.session, api_user(), report_id))


@bp.post("/weekly-reports/<int:report_id>/supervisions")
@token_required
def weekly_supervision(report_id: int) -> tuple[dict[str, Any], int]:
    matrix.report_view(db.session, api_user(), report_id)  # 404/403 before the body is read
    record = matrix.open_supervision(db.session, api_user(), report_id, _body(SUPERVISION_BODY).get("reason"))
    commit()
    return page.supervision_json(record), 201


@bp.get("/weekly-schedule")
@token_required
def weekly_schedule() -> dict[str, Any]:
    return schedule.current(db.session).as_dict()


@bp.put("/weekly-schedule")
@token_required
def set_weekly_schedule() -> dict[str, Any]:
    schedule.require_edit(db.session, api_user())  # 403 before the body is read
    body = _body(SCHEDULE_BODY)
    if not isinstance(body.get("active"), bool):
        raise InvalidRequest("active 须为 true 或 false")
    found = schedule.update(db.session, api_user(), body)
    commit()
    return found.as_dict()
