"""Declared relations between people (亲属, 同一单位直接上下级, 其他利害关系): the data 回避 (R-C1)
reads besides a case's own subject. Kept by `flask org import` (`relations`) and on 管理 · 用户.

A relation is symmetric and stored once per pair (`user_id < other_id`); declaring it again
updates its kind and note, so re-importing the same file changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import RelationKind
from models import User
from models import UserRelation
from workflows import audit
from workflows.errors import NotFound
from workflows.errors import ValidationFailed
from workflows.rules import recusal
from workflows.rules.recusal import relation_titles

MAX_NOTE = 200


@dataclass
class Declared:
    relation: UserRelation
    created: bool
    changed: bool


def _kind(kind: str | None) -> str:
    if kind not in {k.value for k in RelationKind}:
        choices = "、".join(f"{code}（{title}）" for code, title in relation_titles().items())
        raise ValidationFailed("关系类型有误", {"kind": [f"请选择：{choices}"]})
    return str(kind)


def declare(session: Session, one: User, other: User, kind: str | None, note: str | None = None,
            actor: User | None = None) -> Declared:
    """Declare (or update) the relation between two people; 422 for oneself, a bad kind or a
    note over 200 characters."""
    if one.id == other.id:
        raise ValidationFailed("不能与本人建立关系", {"other": ["请选择另一个人"]})
    code = _kind(kind)
    text = (note or "").strip() or None
    if text is not None and len(text) > MAX_NOTE:
        raise ValidationFailed("说明过长", {"note": [f"不能超过 {MAX_NOTE} 字"]})
    low, high = sorted((one.id, other.id))
    row = session.scalars(select(UserRelation).where(UserRelation.user_id == low, UserRelation.other_id == high)
                          .with_for_update()).first()
    if row is None:
        row = UserRelation(user_id=low, other_id=high, kind=code, note=text)
        session.add(row)
        result = Declared(row, True, True)
    else:
        result = Declared(row, False, (row.kind, row.note) != (code, text))
        row.kind, row.note = code, text
    session.flush()
    recusal.forget(session)
    if result.changed:
        audit.record(session, "relation.declare", actor=actor, payload={
            "users": sorted([one.username, other.username]), "kind": code, "note": text, "created": result.created})
    return result


def remove(session: Session, relation_id: int, actor: User | None = None) -> UserRelation:
    """Remove a declared relation (NotFound when there is none)."""
    row = session.get(UserRelation, relation_id)
    if row is None:
        raise NotFound(f"关系 {relation_id} 不存在")
    audit.record(session, "relation.remove", actor=actor, payload={
        "users": sorted([row.user.username, row.other.username]), "kind": row.kind})
    session.delete(row)
    session.flush()
    recusal.forget(session)
    return row


@dataclass
class RelationRow:
    id: int
    other: User
    kind: str
    title: str
    note: str


def of(session: Session, user: User) -> list[RelationRow]:
    """The relations declared for `user`, with the other person and the kind's name."""
    titles = relation_titles()
    rows = session.scalars(select(UserRelation).where(
        or_(UserRelation.user_id == user.id, UserRelation.other_id == user.id)).order_by(UserRelation.id))
    return [RelationRow(r.id, r.other if r.user_id == user.id else r.user, r.kind, titles.get(r.kind, r.kind),
                        r.note or "") for r in rows]
