"""审计 (auditors): the audit chain's state and its checkpoint. The searches and exports live in
`audit_search` and `audit_export`."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from models import User
from webapp.pages.audit.search import require_auditor
from workflows import audit
from workflows.audit import VerifyResult
from workflows.audit import reads
from workflows.errors import InvalidRequest


def verify_chain(session: Session, auditor: User) -> VerifyResult:
    """Walk the whole hash chain (auditors only)."""
    require_auditor(session, auditor)
    return audit.verify(session)


def checkpoint(session: Session, auditor: User) -> dict[str, Any]:
    """The verified head ({"seq", "hash", "count"}, as `flask audit checkpoint` writes it) to keep
    outside the database; taking it is recorded. Refused while the chain is broken."""
    result = verify_chain(session, auditor)
    if not result.ok:
        raise InvalidRequest(f"审计链在第 {result.broken_seq} 号事件处断开，不能生成检查点：{result.reason}")
    body = {"seq": result.head_seq, "hash": result.head_hash, "count": result.count}
    reads.record(session, auditor, reads.CHECKPOINT, body)
    return body
