"""/api/v1 notifications (站内消息) and delegations (委托/代理)."""

from __future__ import annotations

from typing import Any

from webapp.api.action_serializers import SCHEMAS
from webapp.api.action_serializers import delegation_json
from webapp.api.action_serializers import notification_json
from webapp.api.auth import api_user
from webapp.api.auth import token_required
from webapp.api.blueprint import bp
from webapp.api.openapi import INT
from webapp.api.openapi import LIMIT
from webapp.api.openapi import OFFSET
from webapp.api.openapi import SCHEMAS as OPENAPI_SCHEMAS
from webapp.api.openapi import TEXT
from webapp.api.openapi import USERNAME
from webapp.api.openapi import add_paths
from webapp.api.openapi import list_of
from webapp.api.openapi import op
from webapp.api.openapi import path_id
from webapp.api.openapi import ref
from webapp.api.params import int_arg
from webapp.api.params import json_body
from webapp.extensions import db
from webapp.transaction import commit
from workflows.actions import delegations
from workflows.notify import notifications

# A date (that day, 00:00 Shanghai) or a date-time (naive: Shanghai).
MOMENT = {"type": "string", "maxLength": 40, "anyOf": [{"format": "date"}, {"format": "date-time"}]}
DELEGATION_BODY = {"type": "object", "required": ["deputy", "ends_at"], "properties": {
    "deputy": USERNAME, "starts_at": {"anyOf": [MOMENT, {"type": "null"}], "description": "default: now"},
    "ends_at": MOMENT,
    "process_keys": {"type": ["array", "null"], "items": {"type": "string", "maxLength": 100},
                     "description": "default: every process"},
    "reason": TEXT, "principal": {"anyOf": [USERNAME, {"type": "null"}], "description": "administrators only"}}}
NOTIFICATION_PARAMS = [
    {"name": "unread", "in": "query", "schema": {"type": "integer", "enum": [0, 1], "default": 0}},
    LIMIT, OFFSET,
]
UNREAD = {"type": "object", "required": ["unread"], "properties": {"unread": INT}}

OPENAPI_SCHEMAS.update(SCHEMAS)

add_paths({
    "/api/v1/notifications": {"get": op("My notifications, newest first, with the unread count",
                                        {**list_of("Notification"), "properties": {**list_of("Notification")["properties"],
                                                                                   "unread": INT}},
                                        ("400",), params=NOTIFICATION_PARAMS)},
    "/api/v1/notifications/unread-count": {"get": op("Unread notifications (the badge)", UNREAD, ())},
    "/api/v1/notifications/{notification_id}/read": {"post": op("Mark one read", ref("Notification"), ("404",),
                                                                params=path_id("notification_id"))},
    "/api/v1/notifications/read-all": {"post": op("Mark all read", UNREAD, ())},
    "/api/v1/delegations": {
        "get": op("My delegations, given and received", list_of("Delegation"), ()),
        "post": op("Name a deputy for a period (委托)", ref("Delegation"), ("400", "403", "422"), "201",
                   DELEGATION_BODY)},
    "/api/v1/delegations/{delegation_id}/end": {"post": op("End a delegation now", ref("Delegation"),
                                                           ("403", "404", "409"), params=path_id("delegation_id"))},
})


@bp.get("/notifications")
@token_required
def list_notifications() -> dict[str, Any]:
    page = notifications.inbox(db.session, api_user(), int_arg("unread", 0, 0, 1) == 1,
                               int_arg("limit", 20, 1, 100), int_arg("offset", 0, 0, 10**6))
    return {"items": [notification_json(n) for n in page.items], "total": page.total, "unread": page.unread}


@bp.get("/notifications/unread-count")
@token_required
def unread_count() -> dict[str, Any]:
    return {"unread": notifications.unread_count(db.session, api_user())}


@bp.post("/notifications/<int:notification_id>/read")
@token_required
def read_notification(notification_id: int) -> dict[str, Any]:
    row = notifications.mark_read(db.session, api_user(), notification_id)
    commit()
    return notification_json(row)


@bp.post("/notifications/read-all")
@token_required
def read_all_notifications() -> dict[str, Any]:
    notifications.mark_all_read(db.session, api_user())
    commit()
    return {"unread": notifications.unread_count(db.session, api_user())}


@bp.get("/delegations")
@token_required
def list_delegations() -> dict[str, Any]:
    rows = delegations.list_for(db.session, api_user())
    return {"items": [delegation_json(db.session, r) for r in rows], "total": len(rows)}


@bp.post("/delegations")
@token_required
def create_delegation() -> tuple[dict[str, Any], int]:
    body = json_body()
    request = delegations.Request(**{k: body.get(k) for k in delegations.Request.FIELDS})
    row = delegations.create(db.session, api_user(), request)
    commit()
    return delegation_json(db.session, row), 201


@bp.post("/delegations/<int:delegation_id>/end")
@token_required
def end_delegation(delegation_id: int) -> dict[str, Any]:
    row = delegations.end(db.session, api_user(), delegation_id)
    commit()
    return delegation_json(db.session, row)
