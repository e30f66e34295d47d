"""/api/v1/special-reports: the 重要情况专报 the caller oversees — the search of the list page (kind,
unit, dates, text, status) and one 专报 with the people and cases it concerns. The same service as
the pages; filing and every step of a 专报 are the case's: /api/v1/instances and /api/v1/tasks."""

from __future__ import annotations

from typing import Any

from flask import request

from webapp.api.auth import api_user
from webapp.api.auth import token_required
from webapp.api.blueprint import bp
from webapp.api.openapi import BOOL
from webapp.api.openapi import INT
from webapp.api.openapi import LIMIT
from webapp.api.openapi import MAX_OFFSET
from webapp.api.openapi import NINT
from webapp.api.openapi import OFFSET
from webapp.api.openapi import STR
from webapp.api.openapi import add_paths
from webapp.api.openapi import op
from webapp.api.openapi import path_id
from webapp.api.params import int_arg
from webapp.extensions import db
from workflows.errors import ValidationFailed
from workflows.records import special_reports as reports

STRS = {"type": "array", "items": STR}
TIME = {"type": "string", "format": "date-time"}
ROW = {"type": "object",
       "required": ["id", "number", "title", "kind", "unit", "filed_at", "status", "awaiting_ack", "persons"],
       "properties": {"id": INT, "number": STR, "title": STR, "kind": STR, "kind_label": STR, "unit": STR,
                      "unit_name": STR, "filed_at": TIME, "status": STR, "steps": STRS, "awaiting_ack": BOOL,
                      "ack_overdue": BOOL, "persons": STRS}}
LIST = {"type": "object", "required": ["items", "total"],
        "properties": {"items": {"type": "array", "items": ROW}, "total": INT}}
PERSON = {"type": "object", "required": ["username", "name"], "properties": {"username": STR, "name": STR}}
CASE = {"type": "object", "required": ["number", "id"],
        "properties": {"number": STR, "id": NINT, "title": STR}}
FILE = {"type": "object", "required": ["id", "filename", "content_type", "size", "created_at"],
        "properties": {"id": INT, "filename": STR, "content_type": STR, "size": INT, "created_at": TIME}}
DETAIL = {"type": "object", "required": ["report", "data", "persons", "cases", "initiator", "files"],
          "properties": {"report": ROW, "data": {"type": "object"}, "persons": {"type": "array", "items": PERSON},
                         "cases": {"type": "array", "items": CASE,
                                   "description": "id is null for a case the caller may not open"},
                         "initiator": STR, "files": {"type": "array", "items": FILE}}}
FILTER = {"type": "string", "maxLength": reports.MAX_FILTER}
DAY = {"type": "string", "format": "date", "maxLength": 10}
SEARCH_PARAMS = [
    {"name": "kind", "in": "query", "description": "a kind of the rule pack (重大事项, 典型案例, …); unknown: 422",
     "schema": FILTER},
    {"name": "unit", "in": "query", "description": "filed by this unit or one below it; unknown: 422", "schema": FILTER},
    {"name": "since", "in": "query", "description": "filed on or after (Beijing date)", "schema": DAY},
    {"name": "until", "in": "query", "description": "filed on or before (Beijing date)", "schema": DAY},
    {"name": "q", "in": "query", "description": "number, title, content or a person's name contains", "schema": FILTER},
    {"name": "status", "in": "query", "schema": {"type": "string", "enum": list(reports.STATUSES), "default": "all"}},
    LIMIT, OFFSET,
]
KNOWN = {p["name"] for p in SEARCH_PARAMS}

add_paths({
    "/api/v1/special-reports": {"get": op(
        "The 重要情况专报 the caller oversees, newest first (the 组织部 of the units above, auditors)",
        LIST, ("400", "403", "422"), params=SEARCH_PARAMS)},
    "/api/v1/special-reports/{special_id}": {"get": op(
        "One 专报 with the people and cases it concerns and its files", DETAIL, ("403", "404"),
        params=path_id("special_id"))},
})


@bp.get("/special-reports")
@token_required
def search_special_reports() -> dict[str, Any]:
    unknown = sorted(set(request.args) - KNOWN)
    if unknown:
        raise ValidationFailed("查询条件有误", {name: ["未知的查询参数"] for name in unknown})
    criteria = reports.criteria_from(request.args, strict=True)
    rows, total = reports.search(db.session, api_user(), criteria, int_arg("limit", 20, 1, 100),
                                 int_arg("offset", 0, 0, MAX_OFFSET))
    return {"items": [row.as_dict() for row in rows], "total": total}


@bp.get("/special-reports/<int:special_id>")
@token_required
def get_special_report(special_id: int) -> dict[str, Any]:
    found = reports.detail(db.session, api_user(), special_id)
    return {
        "report": found.row.as_dict(), "data": found.data,
        "persons": [{"username": username, "name": name} for username, name in found.persons],
        "cases": [{"number": c.number, "id": c.id, "title": c.title} for c in found.cases],
        "initiator": found.initiator,
        "files": [{"id": f.id, "filename": f.filename, "content_type": f.content_type, "size": f.size,
                   "created_at": f.created_at.isoformat()} for f in found.files],
    }
