"""In-app notifications (站内消息) and the e-mail outbox.

Two ways in:

- `notify` writes messages now (催办, 抄送, deadlines, 撤回/终止 …);
- `queue_item` marks a work item whose handlers must hear of it (a new item, a returned or
  transferred one, an activated 加签 signer). Queued items are turned into messages just
  before the transaction commits, from the item's final state: a step that is returned,
  re-routed or closed again in the same transaction notifies the right people once, and a
  rolled-back action notifies nobody. Candidates' active deputies (委托) are told as well.

E-mail is optional (`workflows.notify.mailer`): the worker sends unsent messages of users with an
address, at most once, from the last day only.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from models import Notification
from models import ProcessInstance
from models import User
from models import WorkItem
from models import WorkItemCandidate
from models import WorkItemStatus
from models.cursor import Prepared
from workflows import sql
from workflows.engine import clock
from workflows.errors import NotFound
from workflows.routing import delegation
from workflows.sql import rows_changed

KINDS = {
    "task": "待办", "returned": "退回", "transfer": "转办", "sign": "加签", "remind": "催办", "cc": "抄送",
    "due_soon": "即将到期", "overdue": "已逾期", "escalation": "督办", "withdrawn": "撤回", "terminated": "终止",
    "comment": "评论", "delegation": "委托",
}
_QUEUE = "orgflow_notify_items"
EMAIL_WINDOW = timedelta(days=1)


@dataclass
class Page:
    items: list[Notification]
    total: int
    unread: int


def title_for(kind: str, instance: ProcessInstance | None, item: WorkItem | None = None) -> str:
    """“退回：梁晨：炼钢厂厂长 · 酝酿” — the kind, the case and the step."""
    parts = [instance.title if instance else "", f"· {item.title}" if item else ""]
    return f"{KINDS.get(kind, kind)}：{' '.join(p for p in parts if p)}"[:200]


def notify(session: Session, user_ids: Iterable[int | None], kind: str, *, instance: ProcessInstance | None = None,
           item: WorkItem | None = None, body: str | None = None, title: str | None = None) -> list[Notification]:
    """One message per distinct user (None ids are skipped); returns them."""
    ids = sorted({uid for uid in user_ids if uid is not None})
    text = title or title_for(kind, instance, item)
    rows = [Notification(user_id=uid, kind=kind, instance_id=instance.id if instance else None,
                         work_item_id=item.id if item else None, title=text, body=body, created_at=clock.now())
            for uid in ids]
    session.add_all(rows)
    return rows


def queue_item(session: Session, item: WorkItem, kind: str = "task", body: str | None = None,
               candidates: list[int] | None = None) -> None:
    """Tell the item's handlers at commit (the last kind queued for an item wins). `candidates`:
    its candidates' ids when the caller has just routed it (else they are read at commit)."""
    session.info.setdefault(_QUEUE, {})[item] = (kind, body, candidates)


def candidates_changed(session: Session, item: WorkItem) -> None:
    """The item's handlers were set again after it was queued: read them at commit."""
    queued = session.info.get(_QUEUE, {})
    if item in queued:
        kind, body, _ = queued[item]
        queued[item] = (kind, body, None)


def handlers_of(session: Session, item: WorkItem) -> list[int]:
    """Who acts on an open item: its assignee, else every candidate; plus their active deputies."""
    return handlers_by_item(session, [item])[item.id]


def handlers_by_item(session: Session, items: list[WorkItem],
                     known: dict[int, list[int]] | None = None) -> dict[int, list[int]]:
    """`handlers_of` for several items (item id → user ids), in two queries at most per process;
    `known`: the candidates of some of them (item id → user ids), not read again."""
    candidates: dict[int, list[int]] = dict(known or {})
    shared = [item.id for item in items if item.assignee_id is None and item.id not in candidates]
    if shared:
        rows = session.execute(select(WorkItemCandidate.work_item_id, WorkItemCandidate.user_id)
                               .where(WorkItemCandidate.work_item_id.in_(shared)))
        for item_id, user_id in rows:
            candidates.setdefault(item_id, []).append(user_id)
    ids = {item.id: [item.assignee_id] if item.assignee_id is not None else candidates.get(item.id, [])
           for item in items}
    by_process: dict[str, list[WorkItem]] = {}
    for item in items:
        by_process.setdefault(item.instance.definition.key, []).append(item)
    found: dict[int, list[int]] = {}
    for key, group in by_process.items():
        deputies = delegation.active_deputies(session, [uid for i in group for uid in ids[i.id]], key)
        for item in group:
            found[item.id] = ids[item.id] + [d for principal in ids[item.id] for d in deputies.get(principal, [])]
    return found


# Built once, on the DB-API cursor (`models.cursor`): every completion's commit runs it.
_INSERT = Prepared(insert(Notification).inline(),
                   columns=("user_id", "kind", "instance_id", "work_item_id", "title", "body", "created_at"))


def _flush_queue(session: Session) -> None:
    queued: dict[WorkItem, tuple[str, str | None, list[int] | None]] = session.info.pop(_QUEUE, {})
    if not queued:
        return
    session.flush()
    told = [item for item in queued if item.status == WorkItemStatus.OPEN and not item.on_hold]
    routed = {item.id: known for item in told if (known := queued[item][2]) is not None}
    handlers = handlers_by_item(session, told, routed)
    now, rows = clock.now(), []
    for item in told:
        kind, body, _ = queued[item]
        title = title_for(kind, item.instance, item)
        rows += [{"user_id": uid, "kind": kind, "instance_id": item.instance_id, "work_item_id": item.id,
                  "title": title, "body": body, "created_at": now} for uid in sorted({u for u in handlers[item.id] if u is not None})]
    if rows:  # one INSERT, not a unit-of-work flush at commit (issue 17)
        _INSERT.executemany(session.connection(), rows)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    _flush_queue(session)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_QUEUE, None)


# Every page's layout counts them (the menu's badge, up to BADGE_CAP): compiled once per process
# and run on the DB-API cursor (`models.cursor`), for the exact count and for each cap.
@functools.lru_cache(maxsize=8)
def _unread(cap: int | None) -> Prepared:
    query = select(Notification.id).where(Notification.user_id == bindparam("user"), Notification.read_at.is_(None))
    if cap is not None:  # the first `cap` entries of `ix_notification_user_read`
        query = sql.page(query, cap)
    return Prepared(select(func.count()).select_from(query.subquery()))


def unread_count(session: Session, user: User, cap: int | None = None) -> int:
    """How many of `user`'s messages are unread, counting at most `cap`."""
    return int(_unread(cap).scalar(session.connection(), {"user": user.id}))


def inbox(session: Session, user: User, unread_only: bool = False, limit: int = 20, offset: int = 0) -> Page:
    """The user's messages, newest first, with the total and the unread count."""
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Notification.created_at.desc(), Notification.id.desc())
                           .limit(limit).offset(offset))
    return Page(list(rows), total, unread_count(session, user))


def mark_read(session: Session, user: User, notification_id: int) -> Notification:
    """Mark one of the user's messages read (idempotent); NotFound for anybody else's."""
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != user.id:
        raise NotFound(f"消息 {notification_id} 不存在")
    row.read_at = row.read_at or clock.now()
    return row


def mark_all_read(session: Session, user: User) -> int:
    """Mark every unread message of the user read; returns how many."""
    return rows_changed(session,
        update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
    )


def unread_about(session: Session, user: User, instance_id: int) -> bool:
    """True when the user has an unread message about the case."""
    return session.scalar(select(Notification.id).where(
        Notification.user_id == user.id, Notification.instance_id == instance_id, Notification.read_at.is_(None)
    ).limit(1)) is not None


def mark_case_read(session: Session, user: User, instance_id: int) -> int:
    """The user opened the case: their messages about it are read; returns how many."""
    return rows_changed(session,
        update(Notification).where(Notification.user_id == user.id, Notification.instance_id == instance_id,
                                   Notification.read_at.is_(None)).values(read_at=clock.now())
    )


def claim_emails(session: Session, limit: int = 50) -> list[tuple[int, str, str, str | None]]:
    """Take up to `limit` unsent messages of the last day for users with an address, marking
    them sent in this (short) transaction so parallel workers never send one twice:
    [(id, address, title, body)]. `release_email` puts one back after a failed send."""
    since = clock.now() - EMAIL_WINDOW
    rows = session.execute(
        select(Notification.id, User.email, Notification.title, Notification.body)
        .join(User, User.id == Notification.user_id)
        .where(Notification.emailed_at.is_(None), Notification.created_at >= since, User.email.is_not(None),
               User.email != "", User.is_active.is_(True))
        .order_by(Notification.id).limit(limit)
    ).all()
    claimed: list[tuple[int, str, str, str | None]] = []
    for nid, email, title, body in rows:
        taken = rows_changed(session, update(Notification)
                             .where(Notification.id == nid, Notification.emailed_at.is_(None))
                             .values(emailed_at=clock.now()))
        if taken and email:  # the query keeps only users with an address
            claimed.append((nid, email, title, body))
    return claimed


def release_email(session: Session, notification_id: int) -> None:
    session.execute(update(Notification).where(Notification.id == notification_id).values(emailed_at=None))
