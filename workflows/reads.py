"""Reads that leave a trace: every PDF download and every auditor export appends an audit event
naming who read what (the document, or the filters of an export), in the request's own
transaction, so nothing leaves the system without its record (performance-security §5)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from models import ProcessInstance
from models import User
from workflows import audit

DOWNLOAD = "document.download"
EXPORT = "audit.export"
CHECKPOINT = "audit.checkpoint"
READS = frozenset({DOWNLOAD, EXPORT, CHECKPOINT})


def record(session: Session, reader: User, action: str, payload: dict[str, Any],
           instance: ProcessInstance | None = None) -> None:
    """Queue the read's audit event; it is sealed when the request commits."""
    if action not in READS:
        raise ValueError(f"not a read action: {action}")
    audit.record(session, action, actor=reader, instance=instance, payload=payload)
