"""The OpenAPI 3.1 document of /api/v1, describing exactly the routes that exist, as strict as
the server: what it refuses, the document refuses too (string lengths, bounds, required fields),
and every answer is described field by field."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app

STR = {"type": "string"}
NSTR = {"type": ["string", "null"]}
NTIME = {"type": ["string", "null"], "format": "date-time"}
INT = {"type": "integer"}
NINT = {"type": ["integer", "null"]}
BOOL = {"type": "boolean"}
OBJECT = {"type": "object", "description": "free-form (the case's data, a form's JSON Schema)"}
MAX_TEXT = 2000  # 理由、意见、说明 (workflows.actions.common.MAX_REASON)
TEXT = {"type": ["string", "null"], "maxLength": MAX_TEXT, "description": "blank or null: none"}
REQUIRED_TEXT = {"type": "string", "minLength": 1, "maxLength": MAX_TEXT, "pattern": r"\S",
                 "description": "not blank"}
USERNAME = {"type": "string", "minLength": 1, "maxLength": 64, "description": "a username"}
MAX_ID = 999_999_999  # ids in URLs have at most nine digits (webapp.security.IdConverter)
MAX_OFFSET = 1_000_000


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
        "completed_at": NTIME, "completed_by": NSTR, "acted_for": NSTR, "action": NSTR, "decision": NSTR,
        "comment": NSTR, "kind": STR, "parent_id": NINT, "sign_position": NSTR, "on_hold": BOOL,
        "instance": {"type": "object", "required": ["number", "title", "process"],
                     "properties": {"number": STR, "title": STR, "process": STR}},
        "form": {"type": "object", "required": ["schema", "blocks"],
                 "properties": {"schema": OBJECT, "blocks": {"type": "object", "additionalProperties": OBJECT}}},
        "data": OBJECT, "can_act": BOOL,
        "meeting_roster": {"anyOf": [OBJECT, {"type": "null"}],
                           "description": "who is due at a collective-decision step"},
        "prefill": {"type": "object", "required": ["data", "comment", "from_item"],
                    "description": "what the form opens with: the case so far and, for a step open again after "
                                   "退回, its last submission (from_item) with its 审批意见; never a decision",
                    "properties": {"data": OBJECT, "comment": STR, "from_item": NINT}}}},
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
    "CcEntry": {"allOf": [ref("InstanceSummary"), {"type": "object", "required": ["cc_by", "cc_at", "read_at"],
                                                   "properties": {"cc_by": NSTR, "cc_note": NSTR, "cc_at": NTIME,
                                                                  "read_at": NTIME}}]},
    "Queue": {"type": "object", "required": ["items", "total"], "properties": {
        "items": {"type": "array", "description": "work items (todo, done), cases (started) or 抄送 entries (cc)",
                  "items": {"anyOf": [ref("WorkItem"), ref("InstanceSummary"), ref("CcEntry")]}},
        "total": INT}},
    "Completion": {"type": "object", "required": ["item", "instance"],
                   "properties": {"item": ref("WorkItem"), "instance": ref("Instance")}},
    "ActionResult": {"type": "object", "required": ["instance"],
                     "properties": {"item": ref("WorkItem"), "instance": ref("Instance")}},
    "ActionList": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {
        "type": "object", "required": ["name", "label", "reason_required", "confirm", "params"], "properties": {
            "name": STR, "label": STR, "reason_required": BOOL, "confirm": NSTR,
            "params": {"type": "array", "items": {
                "type": "object", "required": ["name", "label", "kind", "required"], "properties": {
                    "name": STR, "label": STR, "kind": STR, "required": BOOL,
                    "choices": {"type": "array", "items": {"type": "object", "required": ["value", "label"],
                                                           "properties": {"value": STR, "label": STR}}},
                    "options": {"type": "array", "items": OBJECT}}}}}}}}},
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
        # 422 on every operation: any request whose text no column can store is refused
        # (`security.refuse_unstorable_text`), a query's as well as a body's.
        "responses": {status: {"description": "ok", "content": {"application/json": {"schema": schema}}},
                      "401": ERRORS["401"], **{code: ERRORS[code] for code in errors}, "422": ERRORS["422"]},
    }
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if params:
        op["parameters"] = params
    return op


def _path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}


# Every form of every step has a required field, so `data` is never empty.
FORM_DATA = {"type": "object", "minProperties": 1, "description": "the step's form, as its JSON Schema says"}
COMPLETE_BODY = {"type": "object", "required": ["data"], "properties": {
    "data": FORM_DATA, "comment": {**TEXT, "description": "审批意见 (required for a negative decision)"}}}
START_BODY = {"type": "object", "required": ["data"], "properties": {"data": FORM_DATA}}
LIMIT = {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}}
OFFSET = {"name": "offset", "in": "query",
          "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0}}
FILTER = {"type": "string", "maxLength": 100}
QUEUE_PARAMS = [
    {"name": "view", "in": "query", "schema": {"type": "string", "enum": ["todo", "done", "started", "cc"],
                                               "default": "todo"}},
    LIMIT, OFFSET,
    {"name": "process", "in": "query", "description": "process key", "schema": FILTER},
    {"name": "unit", "in": "query", "description": "owning unit code (and the units below it); unknown: 422",
     "schema": FILTER},
    {"name": "due", "in": "query", "description": "todo only", "schema": {"type": "string",
                                                                         "enum": ["overdue", "today", "week"]}},
    {"name": "q", "in": "query", "description": "business number or title contains", "schema": FILTER},
]
DOCUMENT = {"type": "object", "required": ["openapi", "info", "servers", "paths", "components"], "properties": {
    "openapi": STR, "info": OBJECT, "servers": {"type": "array", "items": OBJECT}, "paths": OBJECT,
    "components": OBJECT}}


# Paths are added by the route modules that define them, so the document lists exactly what exists.
PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/openapi.json": {"get": {"summary": "This document", "security": [], "responses": {
        "200": {"description": "ok", "content": {"application/json": {"schema": DOCUMENT}}}}}},
}


def add_paths(paths: dict[str, dict[str, Any]]) -> None:
    for route, operations in paths.items():
        PATHS.setdefault(route, {}).update(operations)


def path_id(name: str) -> list[dict[str, Any]]:
    return [_path_id(name)]


def _template(rule: str) -> str:
    """A route's path with its variables blanked: `/tasks/<int:target_id>` and `/tasks/{item_id}`
    both become `/tasks/{}`."""
    return re.sub(r"<[^>]*>|\{[^}]*\}", "{}", rule)


def operation_ids() -> dict[tuple[str, str], str]:
    """(path template, method) → the name of the view that answers it, as its operationId."""
    ids = {}
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            for method in rule.methods or ():
                ids[(_template(rule.rule), method.lower())] = rule.endpoint.removeprefix("api.")
    return ids


def document() -> dict[str, Any]:
    ids = operation_ids()
    paths = {path: {method: {"operationId": ids[(_template(path), method)], **operation}
                    for method, operation in operations.items()}
             for path, operations in PATHS.items()}
    return {
        "openapi": "3.1.0",
        "info": {"title": "OrgFlow API", "version": "1", "description": "组织工作审批 JSON API"},
        "servers": [{"url": "/", "description": "this OrgFlow server (paths carry /api/v1)"}],
        "components": {"schemas": SCHEMAS, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": paths,
    }
