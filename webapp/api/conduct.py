"""/api/v1/cadres/{username}/events: a cadre's 现实表现纪实 for the 组织部 that keeps the record (the
same services and checks as the 干部信息 page): the list newest first (its reading recorded), an
added event, a removal with a reason (both audited with before and after) and the CSV."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response

from webapp.api.auth import api_user
from webapp.api.auth import token_required
from webapp.api.blueprint import bp
from webapp.api.cadres import USERNAME_PARAM
from webapp.api.openapi import BOOL
from webapp.api.openapi import INT
from webapp.api.openapi import MAX_OFFSET
from webapp.api.openapi import NINT
from webapp.api.openapi import NSTR
from webapp.api.openapi import STR
from webapp.api.openapi import add_paths
from webapp.api.openapi import op
from webapp.api.openapi import path_id
from webapp.api.params import int_arg
from webapp.api.params import json_body
from webapp.extensions import db
from webapp.pages.records import conduct as conduct_page
from webapp.transaction import begin_recorded_read
from webapp.transaction import commit
from workflows import audit
from workflows.errors import InvalidRequest
from workflows.records import conduct

DAY = {"type": "string", "format": "date", "maxLength": 10, "description": "not after today"}
EVENT = {"type": "object", "required": ["id", "occurred_on", "text", "source", "mark", "instance_id", "by_process"],
         "properties": {"id": INT, "occurred_on": STR, "text": STR, "source": STR, "source_text": STR, "mark": STR,
                        "mark_text": STR, "instance_id": NINT, "case_number": NSTR, "recorded_by": NSTR,
                        "recorded_at": STR, "by_process": BOOL}}
LIST = {"type": "object", "required": ["items", "total"],
        "properties": {"items": {"type": "array", "items": EVENT}, "total": INT}}
EVENT_BODY = {"type": "object", "additionalProperties": False, "required": ["occurred_on", "text", "source", "mark"],
              "properties": {"occurred_on": DAY,
                             "text": {"type": "string", "minLength": 1, "maxLength": conduct.MAX_TEXT, "pattern": r"\S"},
                             "source": {"type": "string", "enum": list(conduct.SOURCES),
                                        "description": "周报 专报 问责 考核 表彰 督导 信访 巡察 其他"},
                             "mark": {"type": "string", "enum": list(conduct.MARKS), "description": "先进 问题 一般"}}}
REMOVE_BODY = {"type": "object", "additionalProperties": False, "required": ["reason"], "properties": {
    "reason": {"type": "string", "minLength": 1, "maxLength": conduct.MAX_REASON, "pattern": r"\S"}}}
REMOVED = {"type": "object", "required": ["removed"], "properties": {"removed": INT}}
PAGE_PARAMS = [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": conduct.MOST,
                                                           "default": conduct.PAGE}},
               {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET,
                                                            "default": 0}}]
CSV_OP = {**op("A cadre's 现实表现纪实 as CSV (UTF-8 with BOM; the export is audited)", STR, ("403", "404"),
               params=USERNAME_PARAM)}
CSV_OP["responses"] = {**CSV_OP["responses"], "200": {"description": "ok", "content": {"text/csv": {"schema": STR}}}}

add_paths({
    "/api/v1/cadres/{username}/events": {
        "get": op("A cadre's 现实表现纪实, newest first (the read is audited)", LIST, ("400", "403", "404"),
                  params=USERNAME_PARAM + PAGE_PARAMS),
        "post": op("Add an event to a cadre's 现实表现纪实 (audited)", EVENT, ("400", "403", "404", "422"), "201",
                   EVENT_BODY, USERNAME_PARAM)},
    "/api/v1/cadres/{username}/events/{event_id}": {
        "delete": op("Remove an event, with a reason (audited; an event a process wrote: 422)", REMOVED,
                     ("400", "403", "404", "422"), body=REMOVE_BODY, params=USERNAME_PARAM + path_id("event_id"))},
    "/api/v1/cadres/{username}/events.csv": {"get": CSV_OP},
})


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    """The JSON body with the document's keys only (400 otherwise); values are checked by the service."""
    body = json_body()
    unknown = sorted(set(body) - set(schema["properties"]))
    if unknown:
        raise InvalidRequest(f"未知字段：{'、'.join(unknown)}")
    return body


@bp.get("/cadres/<username>/events")
@token_required
def list_cadre_events(username: str) -> dict[str, Any]:
    limit, offset = int_arg("limit", conduct.PAGE, 1, conduct.MOST), int_arg("offset", 0, 0, MAX_OFFSET)
    begin_recorded_read()
    found = conduct.listed(db.session, api_user(), username[:64], limit, offset)
    audit.record(db.session, "cadre.read", actor=api_user(), payload={"user": found.username, "part": "events", "via": "api"})
    commit()
    return conduct_page.list_json(found)


@bp.post("/cadres/<username>/events")
@token_required
def add_cadre_event(username: str) -> tuple[dict[str, Any], int]:
    conduct.listed(db.session, api_user(), username[:64], 1)  # 404/403 before the body is read
    event = conduct.add(db.session, api_user(), username[:64], _body(EVENT_BODY), via="api")
    commit()
    return conduct_page.event_json(event, {api_user().id: api_user().name}, {}), 201


@bp.delete("/cadres/<username>/events/<int:event_id>")
@token_required
def remove_cadre_event(username: str, event_id: int) -> dict[str, Any]:
    conduct.listed(db.session, api_user(), username[:64], 1)
    conduct.remove(db.session, api_user(), username[:64], event_id, _body(REMOVE_BODY).get("reason"), via="api")
    commit()
    return {"removed": event_id}


@bp.get("/cadres/<username>/events.csv")
@token_required
def cadre_events_csv(username: str) -> Response:
    begin_recorded_read()
    text, name = conduct.csv_text(db.session, api_user(), username[:64], via="api")
    commit()
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}-conduct.csv", "Cache-Control": "private, no-store"})
