"""抄送: give named users read access to a case, with a notification; and the 抄送我的 list.

Anyone who takes part in a case (its initiator, handlers, deputies, overseers) may 抄送 it,
also after it ended; a user who only received a 抄送 may not pass it on. A user is 抄送'd at
most once per case (no duplicates).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from models import CaseCC
from models import ProcessInstance
from models import User
from workflows import audit
from workflows.actions import common
from workflows.engine import clock
from workflows.errors import NotAllowed
from workflows.errors import ValidationFailed
from workflows.notify import notifications
from workflows.routing import permissions
from workflows.sql import rows_changed

MAX_USERS = 50


def may_cc(session: Session, user: User, instance: ProcessInstance) -> bool:
    return permissions.takes_part(session, user, instance) or permissions.is_admin(session, user)


def cc(session: Session, user: User, instance_id: int, users: list[str] | None = None,
       note: str | None = None) -> ProcessInstance:
    """抄送 the case to `users` (usernames). 403 for CC-only viewers; 422 for unknown users or
    when all of them already have it."""
    instance = common.locked_case(session, user, instance_id)
    if not may_cc(session, user, instance):
        raise NotAllowed("抄送接收人不能再次抄送")
    if not users:
        raise ValidationFailed("请选择抄送人", {"users": ["请选择抄送人"]})
    if len(users) > MAX_USERS:
        raise ValidationFailed("抄送人过多", {"users": [f"一次最多抄送 {MAX_USERS} 人"]})
    targets = {u.id: u for u in (common.find_user(session, name, "users") for name in users)}
    known = set(session.scalars(select(CaseCC.user_id).where(CaseCC.instance_id == instance.id)))
    new = [u for uid, u in sorted(targets.items()) if uid not in known]
    if not new:
        raise ValidationFailed("所选人员均已抄送", {"users": ["所选人员均已抄送过本流程"]})
    text = common.optional_text(note, "note", "抄送说明")
    now = clock.now()
    session.add_all(CaseCC(instance_id=instance.id, user_id=u.id, by_id=user.id, note=text, created_at=now)
                    for u in new)
    notifications.notify(session, [u.id for u in new], "cc", instance=instance, body=f"{user.name}抄送：{text or ''}")
    audit.record(session, "instance.cc", actor=user, instance=instance,
                 payload={"users": [u.username for u in new], "note": text})
    return instance


def unread(session: Session, user: User, instance_id: int) -> bool:
    """True when the case was 抄送 to the user and they have not opened it since."""
    return session.scalar(select(CaseCC.id).where(CaseCC.instance_id == instance_id, CaseCC.user_id == user.id,
                                                  CaseCC.read_at.is_(None)).limit(1)) is not None


def mark_read(session: Session, user: User, instance_id: int) -> int:
    """The user opened a case 抄送 to them: mark it read (idempotent); returns rows changed."""
    return rows_changed(session, update(CaseCC).where(CaseCC.instance_id == instance_id, CaseCC.user_id == user.id,
                                                CaseCC.read_at.is_(None)).values(read_at=clock.now()))
