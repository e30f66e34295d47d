"""The hash-chained audit log (DESIGN §7).

`record` queues an event on the session; just before the transaction commits, the queued
events are chained under a lock on the single `audit_head` row and inserted. The head is thus
held only for the few inserts at the very end of a transaction, and an event exists if and
only if the change it records was committed.

    hash = HMAC-SHA256(key, prev_hash ‖ canonical JSON of the event)
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import event
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from models import AuditEvent
from models import AuditHead
from models import ProcessInstance
from models import User
from models import WorkItem
from models.cursor import Prepared
from workflows import settings as app_settings
from workflows.audit import chain as audit_chain
from workflows.audit.chain import VerifyResult
from workflows.engine import clock
from workflows.errors import InvalidRequest

# The face: what code outside this package (the web layer above all) may use; `make lint`
# (scripts/check_layers.py) refuses anything else from webapp/.
__all__ = [
    "KeyUnavailable",
    "VerifyResult",
    "events_of_instance",
    "export",
    "reads",
    "record",
    "record_check",
    "rotate",
    "users_of",
    "verify",
]

_PENDING = "orgflow_audit_pending"


class KeyUnavailable(RuntimeError):
    """This process lacks the key the chain is signed with now (a rotation it was not told of)."""


# The keys come from the session's Settings (ORGFLOW_AUDIT_KEY, …_PREVIOUS_KEYS), set at start-up.
# Events are signed with the key the chain head names, which changes only through `rotate`; so
# processes may be restarted with a new key before the rotation.

def keys(session: Session) -> list[bytes]:
    """Every key the chain may be signed with (the current one and those it replaced)."""
    return list(app_settings.of(session).audit_keyring.values())


def _signing_key(session: Session, head: AuditHead) -> bytes:
    if head.key_fp is None:  # a chain older than key rotation: signed with the configured key
        head.key_fp = audit_chain.fingerprint(app_settings.of(session).audit_key)
    return _key_of(session, head.key_fp)


def _key_of(session: Session, fingerprint: str) -> bytes:
    ring = app_settings.of(session).audit_keyring
    if fingerprint not in ring:
        raise KeyUnavailable(f"audit chain is signed with key {fingerprint}, which this process does not have")
    return ring[fingerprint]


@dataclass
class _Pending:
    action: str
    at: datetime
    actor: User | None
    acted_for: User | None
    instance: ProcessInstance | None
    work_item: WorkItem | None
    payload: dict[str, Any]


def record(
    session: Session,
    action: str,
    *,
    actor: User | None = None,
    acted_for: User | None = None,
    instance: ProcessInstance | None = None,
    work_item: WorkItem | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """Queue an audit event; it is chained and written when this transaction commits."""
    pending = session.info.setdefault(_PENDING, [])
    pending.append(_Pending(action, clock.now(), actor, acted_for, instance, work_item, dict(payload or {})))


def discard_pending(session: Session) -> None:
    """Forget queued events (after a rollback they describe nothing)."""
    session.info.pop(_PENDING, None)


def to_record(evt: AuditEvent) -> dict[str, Any]:
    """An event as the plain record the chain hashes (and `flask audit export` writes)."""
    return {
        "seq": evt.seq, "at": audit_chain.at_text(evt.at), "actor": evt.actor_id, "acted_for": evt.acted_for_id,
        "instance": evt.instance_id, "work_item": evt.work_item_id, "action": evt.action, "payload": evt.payload,
        "prev_hash": evt.prev_hash, "hash": evt.hash,
    }


def _record_of(row: dict[str, Any]) -> dict[str, Any]:
    """`to_record` of an event row not yet written (`_chained`)."""
    return {"seq": row["seq"], "at": audit_chain.at_text(row["at"]), "actor": row["actor_id"],
            "acted_for": row["acted_for_id"], "instance": row["instance_id"], "work_item": row["work_item_id"],
            "action": row["action"], "payload": row["payload"], "prev_hash": row["prev_hash"], "hash": None}


def _id(obj: Any) -> int | None:
    return obj.id if obj is not None else None


# The chain head (seq, hash, key fingerprint) each database had when this process last committed
# an append to it, by database URL: a guess for the next append, never trusted (`_seal`).
_last_heads: dict[str, tuple[int, str, str]] = {}
_APPENDED = "orgflow_audit_appended"  # session.info: (url, head) written by this transaction


def _chained(session: Session, pending: list[_Pending], head: tuple[int, str, str]) -> tuple[
        list[dict[str, Any]], tuple[int, str, str]]:
    """The rows of the queued events chained onto `head`, and the head after them."""
    seq, prev_hash, key_fp = head
    key = _key_of(session, key_fp)
    rows = []
    for item in pending:
        # The row as the INSERT writes it, and hashed as `to_record` reads it back (a plain
        # dict: an instrumented AuditEvent only to hash it cost a tenth of a millisecond).
        row = {"seq": seq + 1, "at": item.at, "actor_id": _id(item.actor), "acted_for_id": _id(item.acted_for),
               "instance_id": _id(item.instance), "work_item_id": _id(item.work_item), "action": item.action,
               "payload": json.loads(json.dumps(item.payload, ensure_ascii=False, default=str)),
               "prev_hash": prev_hash}
        row["hash"] = audit_chain.link_hash(key, prev_hash, _record_of(row))
        rows.append(row)
        seq, prev_hash = row["seq"], row["hash"]
        if item.action == audit_chain.ROTATION:  # signed with the old key; what follows uses the new
            key_fp = str(item.payload["to"])
            key = _key_of(session, key_fp)
    return rows, (seq, prev_hash, key_fp)


# The compare-and-set of the head and the events' INSERT, built once (they run under the write
# lock of every write).
_INSERT_EVENTS = Prepared(insert(AuditEvent).inline(), columns=(
    "seq", "at", "actor_id", "acted_for_id", "instance_id", "work_item_id", "action", "payload", "prev_hash", "hash"))
_MOVE_HEAD = Prepared(update(AuditHead).where(
    AuditHead.id == 1, AuditHead.seq == bindparam("was_seq"), AuditHead.hash == bindparam("was_hash"),
    AuditHead.key_fp == bindparam("was_key"),
).values(seq=bindparam("new_seq"), hash=bindparam("new_hash"), key_fp=bindparam("new_key")))


def _seal(session: Session) -> None:
    """Chain the queued events under the lock on the head row. Core statements, not the ORM, and
    no unit-of-work flush (issue 17: a completion flushes once, when the route writes its changes).

    Two statements when this process made the last append to the database: the events are
    chained onto the head it then wrote, and the head's UPDATE moves it only if it is still that
    head (`WHERE seq, hash, key_fp` = the guess; the UPDATE takes the head row's lock, and on
    PostgreSQL re-checks the condition after waiting for it), then one INSERT. Otherwise — another
    process or transaction appended since, or none was seen yet — the head is read under its lock
    first, as before: three statements. The guess only saves the read; it is never trusted."""
    pending: list[_Pending] = session.info.pop(_PENDING, [])
    if not pending:
        return
    session.flush()  # ids of new instances and work items (nothing to do when the caller flushed)
    connection = session.connection()
    url = str(connection.engine.url)
    guess = _last_heads.get(url)
    if guess is not None and guess[2] not in app_settings.of(session).audit_keyring:
        guess = None  # signed with a key this app does not hold: read the head, and say so as before
    rows: list[dict[str, Any]] = []
    head: tuple[int, str, str] | None = None
    if guess is not None:
        rows, head = _chained(session, pending, guess)
        moved = _MOVE_HEAD.rowcount(connection, {"was_seq": guess[0], "was_hash": guess[1], "was_key": guess[2],
                                                 "new_seq": head[0], "new_hash": head[1], "new_key": head[2]})
        if moved != 1:
            head = None
    if head is None:
        seq, prev_hash, key_fp = connection.execute(
            select(AuditHead.seq, AuditHead.hash, AuditHead.key_fp).where(AuditHead.id == 1).with_for_update()).one()
        if key_fp is None:  # a chain older than key rotation: signed with the configured key
            key_fp = audit_chain.fingerprint(app_settings.of(session).audit_key)
        rows, head = _chained(session, pending, (seq, prev_hash, key_fp))
        connection.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=head[0], hash=head[1], key_fp=head[2]))
    _INSERT_EVENTS.executemany(connection, rows)
    session.info[_APPENDED] = (url, head)
    stale = session.identity_map.get(Session.identity_key(AuditHead, 1))
    if stale is not None:  # read in this transaction (a rotation): the row changed under it
        session.expire(stale)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    appended = session.info.pop(_APPENDED, None)
    if appended is not None:
        _last_heads[appended[0]] = appended[1]


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    _seal(session)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    discard_pending(session)
    session.info.pop(_APPENDED, None)


def verify(session: Session, checkpoint: dict[str, Any] | None = None, batch: int = 2000) -> VerifyResult:
    """Verify the whole chain in the database (streaming), against the head row and, if given,
    a checkpoint kept outside the database. Returns the first broken event, if any."""
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch))
    try:
        result = audit_chain.verify_records((to_record(e) for e in events), keys(session), checkpoint)
    finally:
        events.close()  # a server-side cursor on PostgreSQL; verify may stop early
    head = session.get(AuditHead, 1)
    if result.ok and head is not None and (head.seq, head.hash) != (result.head_seq, result.head_hash):
        return VerifyResult(False, result.count, result.head_seq, result.head_hash, result.head_seq + 1,
                            "链尾事件被删除（与链头记录不符）")
    return result


def rotate(session: Session, actor: User | None = None) -> tuple[str, str]:
    """Hand the chain over to the configured current key: (old, new) fingerprints.

    Run after every process has been restarted with the new ORGFLOW_AUDIT_KEY and the old one
    in ORGFLOW_AUDIT_PREVIOUS_KEYS. The rotation event is signed with the old key.
    """
    head = session.scalars(select(AuditHead).where(AuditHead.id == 1).with_for_update()).one()
    _signing_key(session, head)  # raises if this process lacks the key in use; names a legacy head's key
    old, new = str(head.key_fp), audit_chain.fingerprint(app_settings.of(session).audit_key)
    if old == new:
        raise InvalidRequest(f"审计链已由当前密钥 {new} 签名，无需轮换")
    record(session, audit_chain.ROTATION, actor=actor, payload={"from": old, "to": new})
    return old, new


def export(session: Session, batch: int = 2000) -> Iterator[dict[str, Any]]:
    """Every event as a record, in chain order, for `flask audit export`."""
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch))
    try:
        yield from (to_record(e) for e in events)
    finally:
        events.close()


REFUSED = "access.refused"  # `reads.refused`: someone who may not see the case tried to


def events_of_instance(session: Session, instance_id: int) -> list[AuditEvent]:
    """The audit trail of one case (流转记录), in chain order; refused accesses by people who may
    not see the case are the auditors' (审计 event search), not the case's viewers'."""
    return list(session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id,
                                                         AuditEvent.action != REFUSED)
                                .order_by(AuditEvent.seq)))


def users_of(session: Session, events: Iterable[AuditEvent]) -> dict[int, User]:
    """The actors of some events, by id, in one query."""
    ids = {i for e in events for i in (e.actor_id, e.acted_for_id) if i is not None}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
