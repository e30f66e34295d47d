"""/api/v1/cadres: the 干部信息 of the cadres the caller manages (the same services and checks as the
pages): the list with search, one whole record (its reading recorded) and a change of its basic
boxes (audited with before and after). Refusals are recorded as on the pages."""

from __future__ import annotations

import re
from typing import Any

from flask import request

from webapp.api.auth import api_user
from webapp.api.auth import token_required
from webapp.api.blueprint import bp
from webapp.api.openapi import INT
from webapp.api.openapi import MAX_OFFSET
from webapp.api.openapi import NSTR
from webapp.api.openapi import STR
from webapp.api.openapi import add_paths
from webapp.api.openapi import op
from webapp.api.params import int_arg
from webapp.api.params import json_body
from webapp.extensions import db
from webapp.transaction import begin_recorded_read
from webapp.transaction import commit
from workflows.errors import InvalidRequest
from workflows.records import cadre_edit
from workflows.records import cadres
from workflows.records import fields as cadre_fields

MONTH_PATTERN = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$"
_MONTH = re.compile(MONTH_PATTERN)
USERNAME_PARAM = [{"name": "username", "in": "path", "required": True,
                   "schema": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": r"^[A-Za-z0-9_.-]+$"}}]


def _schema(field: cadre_fields.Field) -> dict[str, Any]:
    if field.kind == cadre_fields.CHOICE:
        return {"enum": [*field.choices, *([] if field.required else [None])], "description": field.label}
    if field.kind == cadre_fields.MONTH:
        return {"type": ["string", "null"], "maxLength": 7, "pattern": MONTH_PATTERN, "description": f"{field.label}（YYYY-MM）"}
    return {"type": ["string", "null"], "maxLength": field.max_length, "description": field.label}


BASIC_BODY = {"type": "object", "additionalProperties": False, "required": ["management_level"],
              "properties": {f.name: _schema(f) for f in cadre_fields.BASIC}}
ROW = {"type": "object", "required": ["username", "name", "unit", "current_post", "management_level"],
       "properties": {"username": STR, "name": STR, "unit": STR, "current_post": STR, "management_level": STR}}
LIST = {"type": "object", "required": ["items", "total"],
        "properties": {"items": {"type": "array", "items": ROW}, "total": INT}}
NSTR_ROW = {"type": "object", "additionalProperties": NSTR}
RECORD = {"type": "object", "required": ["username", "name", "unit", "resume", "awards", "ratings", "family", "has_photo"],
          "properties": {"username": STR, "name": STR, "unit": STR, **{f.name: NSTR for f in cadre_fields.BASIC},
                         "resume": {"type": "array", "items": NSTR_ROW}, "awards": {"type": "array", "items": NSTR_ROW},
                         "ratings": {"type": "array", "items": {"type": "object", "required": ["year", "rating"],
                                                                "properties": {"year": INT, "rating": STR}}},
                         "family": {"type": "array", "items": NSTR_ROW}, "has_photo": {"type": "boolean"}}}
LIST_PARAMS = [{"name": "q", "in": "query", "description": "name, username or post contains",
                "schema": {"type": "string", "maxLength": 100}},
               {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET,
                                                            "default": 0}}]

add_paths({
    "/api/v1/cadres": {"get": op("The cadres the caller manages (干部信息), 50 a page", LIST, ("400",),
                                 params=LIST_PARAMS)},
    "/api/v1/cadres/{username}": {
        "get": op("A cadre's whole 干部信息 (the read is audited)", RECORD, ("403", "404"), params=USERNAME_PARAM),
        "put": op("Set a cadre's basic boxes (audited with before and after)", RECORD, ("400", "403", "404", "422"),
                  body=BASIC_BODY, params=USERNAME_PARAM)},
})


def basic_from_json(body: dict[str, Any]) -> dict[str, Any]:
    """The body as the document describes it, else InvalidRequest: known keys only, strings (or
    null where allowed), months as YYYY-MM, choices exactly."""
    fields = {f.name: f for f in cadre_fields.BASIC}
    unknown = sorted(set(body) - set(fields))
    if unknown or "management_level" not in body:
        raise InvalidRequest(f"未知字段：{'、'.join(unknown)}" if unknown else "缺少 management_level")
    for name, value in body.items():
        field = fields[name]
        if field.kind == cadre_fields.CHOICE and value not in (*field.choices, *(() if field.required else (None,))):
            raise InvalidRequest(f"{name} 须为 {'、'.join(field.choices)} 之一")
        if value is not None and not isinstance(value, str):
            raise InvalidRequest(f"{name} 须为字符串或 null")
        if field.kind == cadre_fields.MONTH and value is not None and not _MONTH.match(value):
            raise InvalidRequest(f"{name} 须为 YYYY-MM")
        if isinstance(value, str) and len(value) > field.max_length:
            raise InvalidRequest(f"{name} 不超过 {field.max_length} 个字")
    return body


def query_arg() -> str:
    """The `q` argument: at most 100 characters (400 otherwise)."""
    text = request.args.get("q", "")
    if len(text) > cadres.MAX_QUERY:
        raise InvalidRequest(f"参数 q 不超过 {cadres.MAX_QUERY} 个字")
    return text


@bp.get("/cadres")
@token_required
def list_cadres() -> dict[str, Any]:
    rows, total = cadres.search(db.session, api_user(), query_arg(), int_arg("offset", 0, 0, MAX_OFFSET))
    return {"items": [row.__dict__ for row in rows], "total": total}


@bp.get("/cadres/<username>")
@token_required
def get_cadre(username: str) -> dict[str, Any]:
    begin_recorded_read()
    view = cadres.read(db.session, api_user(), username[:64], via="api")
    commit()
    return view.as_dict()


@bp.put("/cadres/<username>")
@token_required
def put_cadre(username: str) -> dict[str, Any]:
    view = cadres.for_editing(db.session, api_user(), username[:64])  # 404/403 before the body is read
    cadre_edit.update_basic(db.session, api_user(), view.username, basic_from_json(json_body()), via="api")
    commit()
    return cadres.for_editing(db.session, api_user(), view.username).as_dict()
