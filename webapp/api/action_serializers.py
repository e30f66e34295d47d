"""JSON shapes of comments, notifications and delegations (times ISO 8601, Asia/Shanghai)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from models import CaseComment
from models import Delegation
from models import Notification
from models import User
from webapp.api.serializers import iso
from workflows.routing import delegation


def _username(session: Session, user_id: int | None) -> str | None:
    user = session.get(User, user_id) if user_id is not None else None
    return user.username if user else None


def comment_json(session: Session, row: CaseComment) -> dict[str, Any]:
    return {"id": row.id, "instance_id": row.instance_id, "author": _username(session, row.author_id),
            "body": row.body, "created_at": iso(row.created_at)}


def notification_json(row: Notification) -> dict[str, Any]:
    return {"id": row.id, "kind": row.kind, "title": row.title, "body": row.body, "instance_id": row.instance_id,
            "work_item_id": row.work_item_id, "created_at": iso(row.created_at), "read_at": iso(row.read_at)}


def delegation_json(session: Session, row: Delegation) -> dict[str, Any]:
    return {"id": row.id, "principal": _username(session, row.principal_id), "deputy": _username(session, row.deputy_id),
            "starts_at": iso(row.starts_at), "ends_at": iso(row.ends_at), "process_keys": row.process_keys,
            "reason": row.reason, "created_at": iso(row.created_at), "revoked_at": iso(row.revoked_at),
            "active": delegation.is_active(row)}


SCHEMAS = {
    "Comment": {"type": "object", "required": ["id", "instance_id", "author", "body", "created_at"], "properties": {
        "id": {"type": "integer"}, "instance_id": {"type": "integer"}, "author": {"type": ["string", "null"]},
        "body": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"}}},
    "Notification": {"type": "object", "required": ["id", "kind", "title", "created_at", "read_at"], "properties": {
        "id": {"type": "integer"}, "kind": {"type": "string"}, "title": {"type": "string"},
        "body": {"type": ["string", "null"]}, "instance_id": {"type": ["integer", "null"]},
        "work_item_id": {"type": ["integer", "null"]}, "created_at": {"type": "string", "format": "date-time"},
        "read_at": {"type": ["string", "null"], "format": "date-time"}}},
    "Delegation": {"type": "object", "required": ["id", "principal", "deputy", "starts_at", "ends_at", "active"],
                   "properties": {
        "id": {"type": "integer"}, "principal": {"type": "string"}, "deputy": {"type": "string"},
        "starts_at": {"type": "string", "format": "date-time"}, "ends_at": {"type": "string", "format": "date-time"},
        "process_keys": {"type": ["array", "null"], "items": {"type": "string"}},
        "reason": {"type": ["string", "null"]}, "revoked_at": {"type": ["string", "null"], "format": "date-time"},
        "active": {"type": "boolean"}}},
}
