"""Reads that leave a trace: every PDF download and every auditor export appends an audit event
naming who read what (the document, or the filters of an export), in the request's own
transaction, so nothing leaves the system without its record (performance-security §5).

Refused reads leave one too (`refused`): a 403 on a case, its PDF or an attachment, on the web
or the API, is an `access.refused` event — at most one per user, case and target (page,
document, attachment) in REFUSAL_WINDOW, and at most REFUSALS_PER_USER per user in it, so a
script looping over case ids cannot flood the log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AuditEvent
from models import ProcessInstance
from models import User
from workflows import audit
from workflows.engine import clock

DOWNLOAD = "document.download"
EXPORT = "audit.export"
CHECKPOINT = "audit.checkpoint"
READS = frozenset({DOWNLOAD, EXPORT, CHECKPOINT})
REFUSED = audit.REFUSED
TRACES = READS | {REFUSED}  # events that change nothing in a case
REFUSAL_WINDOW = timedelta(minutes=10)
REFUSALS_PER_USER = 20


def record(session: Session, reader: User, action: str, payload: dict[str, Any],
           instance: ProcessInstance | None = None) -> None:
    """Queue the read's audit event; it is sealed when the request commits."""
    if action not in READS:
        raise ValueError(f"not a read action: {action}")
    audit.record(session, action, actor=reader, instance=instance, payload=payload)


def refused(session: Session, user_id: int, instance_id: int, target: str, payload: dict[str, Any]) -> bool:
    """Queue an `access.refused` event for a 403 on case `instance_id` (`target`: case, document,
    attachment), unless the rate limit says it is already on record; True if queued.

    Reads the user's refusals of the window through the (actor, at) index: a handful of rows."""
    since = clock.now() - REFUSAL_WINDOW
    recent = session.execute(select(AuditEvent.instance_id, AuditEvent.payload).where(
        AuditEvent.actor_id == user_id, AuditEvent.at > since, AuditEvent.action == REFUSED)).all()
    if len(recent) >= REFUSALS_PER_USER:
        return False
    if any(row.instance_id == instance_id and (row.payload or {}).get("target") == target for row in recent):
        return False
    user, instance = session.get(User, user_id), session.get(ProcessInstance, instance_id)
    if user is None or instance is None:
        return False
    audit.record(session, REFUSED, actor=user, instance=instance,
                 payload={"target": target, "number": instance.number, **payload})
    return True
