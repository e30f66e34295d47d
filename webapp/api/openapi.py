"""The OpenAPI 3.1 document of /api/v1, describing exactly the routes that exist."""

from __future__ import annotations

from typing import Any

STR = {"type": "string"}
NSTR = {"type": ["string", "null"]}
NTIME = {"type": ["string", "null"], "format": "date-time"}
INT = {"type": "integer"}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def list_of(name: str) -> dict[str, Any]:
    return {"type": "object", "required": ["items", "total"],
            "properties": {"items": {"type": "array", "items": ref(name)}, "total": INT}}


SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error", "message"], "properties": {
        "error": STR, "message": STR, "rule": STR, "source": STR, "task": STR,
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": STR}}}},
    "Process": {"type": "object", "required": ["key", "version", "name"], "properties": {
        "key": STR, "version": INT, "name": STR, "deployed_at": NTIME, "can_start": {"type": "boolean"}}},
    "WorkItem": {"type": "object", "required": ["id", "instance_id", "task", "title", "status", "assignee",
                                                "candidates", "due_at", "created_at"], "properties": {
        "id": INT, "instance_id": INT, "task": STR, "title": STR, "status": STR, "assignee": NSTR,
        "candidates": {"type": "array", "items": STR}, "due_at": NTIME, "created_at": NTIME,
        "completed_at": NTIME, "completed_by": NSTR, "decision": NSTR, "comment": NSTR,
        "instance": {"type": "object"}, "form": {"type": "object"}, "data": {"type": "object"},
        "can_act": {"type": "boolean"},
        "meeting_roster": {"type": ["object", "null"], "description": "who is due at a collective-decision step"}}},
    "InstanceSummary": {"type": "object", "required": ["id", "number", "process", "version", "title", "status",
                                                       "initiator"], "properties": {
        "id": INT, "number": STR, "process": STR, "version": INT, "title": STR, "status": STR,
        "initiator": STR, "created_at": NTIME, "completed_at": NTIME}},
    "Instance": {"allOf": [ref("InstanceSummary"), {"type": "object", "required": ["data", "work_items", "timers"],
                                                     "properties": {
        "subject": NSTR, "revision": INT, "data": {"type": "object"},
        "work_items": {"type": "array", "items": ref("WorkItem")},
        "timers": {"type": "array", "items": {"type": "object", "required": ["task", "due_at"],
                                              "properties": {"task": STR, "due_at": NTIME}}}}}]},
    "Event": {"type": "object", "required": ["id", "at", "actor", "acted_for", "action", "task", "data"], "properties": {
        "id": INT, "seq": INT, "at": NTIME, "actor": NSTR, "acted_for": NSTR, "actor_label": NSTR, "action": STR,
        "task": NSTR,
        "work_item_id": {"type": ["integer", "null"]}, "data": {"type": "object"}}},
    "Verify": {"type": "object", "required": ["ok", "count"], "properties": {
        "ok": {"type": "boolean"}, "count": INT, "head_seq": INT, "head_hash": STR,
        "broken_seq": {"type": ["integer", "null"]}, "reason": NSTR}},
}

ERRORS = {code: {"description": text, "content": {"application/json": {"schema": ref("Error")}}}
          for code, text in (("400", "bad request"), ("401", "no or bad token"), ("403", "not allowed"),
                             ("404", "not found"), ("409", "already handled"), ("422", "validation or rule failed"))}


def op(summary: str, schema: dict[str, Any], errors: tuple[str, ...], status: str = "200",
        body: dict[str, Any] | None = None, params: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "security": [{"bearer": []}],
        "responses": {status: {"description": "ok", "content": {"application/json": {"schema": schema}}},
                      "401": ERRORS["401"], **{code: ERRORS[code] for code in errors}},
    }
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if params:
        op["parameters"] = params
    return op


def _path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}


COMPLETE_BODY = {"type": "object", "properties": {"data": {"type": "object"}, "comment": {"type": "string"}}}
START_BODY = {"type": "object", "required": ["data"], "properties": {"data": {"type": "object"}}}
QUEUE_PARAMS = [
    {"name": "view", "in": "query", "schema": {"type": "string", "enum": ["todo", "done", "started", "cc"]}},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 1000000}},
    {"name": "process", "in": "query", "description": "process key", "schema": {"type": "string"}},
    {"name": "unit", "in": "query", "description": "owning unit code (and the units below it)",
     "schema": {"type": "string"}},
    {"name": "due", "in": "query", "description": "todo only", "schema": {"type": "string",
                                                                         "enum": ["overdue", "today", "week"]}},
    {"name": "q", "in": "query", "description": "business number or title contains", "schema": {"type": "string"}},
]


# Paths are added by the route modules that define them, so the document lists exactly what exists.
PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/openapi.json": {"get": {"summary": "This document", "security": [],
                                     "responses": {"200": {"description": "ok"}}}},
}


def add_paths(paths: dict[str, dict[str, Any]]) -> None:
    for route, operations in paths.items():
        PATHS.setdefault(route, {}).update(operations)


def path_id(name: str) -> list[dict[str, Any]]:
    return [_path_id(name)]


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "OrgFlow API", "version": "1", "description": "组织工作审批 JSON API"},
        "components": {"schemas": SCHEMAS, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": PATHS,
    }
