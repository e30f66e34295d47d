"""Managing 委托/代理: a user names a deputy for a period and optional processes; ends it early.

How delegated items are seen and acted on is in `workflows.routing.delegation`. Here: who may set one
up (the principal, or an administrator for anybody — e.g. for a secretary in hospital), the
checks (a real deputy other than oneself, a period that ends in the future, deployed process
keys, no overlap with another delegation of the same principal for the same processes), and
the audit events `delegation.create` / `delegation.end` (DESIGN §7).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Delegation
from models import User
from workflows import audit
from workflows.actions import common
from workflows.engine import clock
from workflows.engine import definitions
from workflows.errors import AlreadyHandled
from workflows.errors import InvalidRequest
from workflows.errors import NotAllowed
from workflows.errors import NotFound
from workflows.errors import ValidationFailed
from workflows.notify import notifications
from workflows.routing import delegation as delegation_mod
from workflows.routing import permissions
from workflows.rules import eligibility

MAX_DELEGATION_REASON = 200  # the column's width (delegation.reason)


def parse_time(value: Any, field: str, default: datetime | None = None) -> datetime:
    """An ISO date or date-time; dates and naive times are Asia/Shanghai (422 otherwise)."""
    if value in (None, "") and default is not None:
        return default
    try:
        text = str(value)
        moment = (datetime.combine(date.fromisoformat(text), datetime.min.time()) if len(text) == 10
                  else datetime.fromisoformat(text))
    except ValueError:
        raise ValidationFailed("时间格式有误", {field: ["请填写日期或时间，如 2026-12-01 或 2026-12-01T09:00"]}) from None
    return moment.replace(tzinfo=clock.SHANGHAI) if moment.tzinfo is None else moment


def _principal(session: Session, actor: User, principal: str | None) -> User:
    if not principal or principal == actor.username:
        return actor
    if not permissions.is_admin(session, actor):
        raise NotAllowed("只能为自己设置委托（管理员除外）")
    return common.find_user(session, principal, "principal")


def _keys(session: Session, process_keys: Any) -> list[str] | None:
    if not process_keys:
        return None
    if not isinstance(process_keys, list) or not all(isinstance(k, str) for k in process_keys):
        raise InvalidRequest("process_keys 须为流程标识的数组")
    deployed = {d.key for d in definitions.all_latest(session)}
    unknown = [k for k in process_keys if k not in deployed]
    if unknown:
        raise ValidationFailed("流程不存在", {"process_keys": [f"没有已部署的流程：{'、'.join(map(str, unknown))}"]})
    return sorted(set(process_keys))


def _check_overlap(session: Session, principal: User, starts: datetime, ends: datetime, keys: list[str] | None) -> None:
    rows = session.scalars(select(Delegation).where(
        Delegation.principal_id == principal.id, Delegation.revoked_at.is_(None),
        Delegation.starts_at < ends, Delegation.ends_at > starts)).all()
    for row in rows:
        if keys is None or not row.process_keys or set(keys) & set(row.process_keys):
            period = f"{row.starts_at.astimezone(clock.SHANGHAI):%Y-%m-%d %H:%M}—{row.ends_at.astimezone(clock.SHANGHAI):%Y-%m-%d %H:%M}"
            raise ValidationFailed("与已有委托重叠", {"starts_at": [f"与已有委托（{period}）的时间和流程范围重叠"]})


@dataclass
class Request:
    """A delegation as asked for: usernames, ISO times, process keys."""

    deputy: Any = None
    ends_at: Any = None
    starts_at: Any = None  # default: now
    process_keys: Any = None  # default: every process
    reason: Any = None
    principal: Any = None  # default: the actor; administrators may name anybody

    FIELDS = ("deputy", "ends_at", "starts_at", "process_keys", "reason", "principal")


def create(session: Session, actor: User, request: Request) -> Delegation:
    """Set up a delegation from the principal (default: the actor) to the deputy.
    403 for a non-admin naming another principal; 422 for bad users, times, keys or overlap."""
    owner = _principal(session, actor, request.principal)
    session.scalars(select(User).where(User.id == owner.id).with_for_update()).one()  # one creator at a time
    agent = common.find_user(session, request.deputy, "deputy")
    if agent.id == owner.id:
        raise ValidationFailed("不能委托给自己", {"deputy": ["不能委托给自己"]})
    starts = parse_time(request.starts_at, "starts_at", clock.now())
    ends = parse_time(request.ends_at, "ends_at")
    if ends <= max(starts, clock.now()):
        raise ValidationFailed("结束时间须晚于开始时间和当前时间", {"ends_at": ["结束时间须晚于开始时间和当前时间"]})
    keys = _keys(session, request.process_keys)
    covered = [d for d in definitions.all_latest(session) if keys is None or d.key in keys]
    eligibility.check_delegation(session, owner, agent, covered)  # R-C2: the deputy can hold the steps
    _check_overlap(session, owner, starts, ends, keys)
    row = Delegation(principal_id=owner.id, deputy_id=agent.id, starts_at=starts, ends_at=ends, process_keys=keys,
                     reason=common.optional_text(request.reason, "reason", "委托事由", MAX_DELEGATION_REASON), created_at=clock.now())
    session.add(row)
    session.flush()
    notifications.notify(session, [agent.id], "delegation", title=f"委托：{owner.name}委托您代为审批",
                         body=f"{starts.astimezone(clock.SHANGHAI):%Y-%m-%d %H:%M} 至 {ends.astimezone(clock.SHANGHAI):%Y-%m-%d %H:%M}")
    audit.record(session, "delegation.create", actor=actor, acted_for=owner if owner.id != actor.id else None,
                 payload={"delegation": row.id, "principal": owner.username, "deputy": agent.username,
                          "starts_at": starts.isoformat(), "ends_at": ends.isoformat(), "process_keys": keys})
    return row


def end(session: Session, actor: User, delegation_id: int) -> Delegation:
    """End a delegation now (the principal or an administrator); its items leave the deputy's 待办."""
    row = session.scalars(select(Delegation).where(Delegation.id == delegation_id).with_for_update()).first()
    if row is None:
        raise NotFound(f"委托 {delegation_id} 不存在")
    if actor.id != row.principal_id and not permissions.is_admin(session, actor):
        raise NotAllowed("只有委托人或管理员可以结束委托")
    now = clock.now()
    if row.revoked_at is not None or row.ends_at <= now:
        raise AlreadyHandled("该委托已结束")
    was_active = delegation_mod.is_active(row, now)
    row.revoked_at = now
    notifications.notify(session, [row.deputy_id], "delegation", title="委托：委托已结束",
                         body="委托已结束，相关待办已交还委托人")
    audit.record(session, "delegation.end", actor=actor, payload={"delegation": row.id, "was_active": was_active})
    return row


def list_for(session: Session, user: User) -> list[Delegation]:
    """The user's delegations, given and received, newest first."""
    return list(session.scalars(
        select(Delegation).where(or_(Delegation.principal_id == user.id, Delegation.deputy_id == user.id))
        .order_by(Delegation.created_at.desc(), Delegation.id.desc())
    ))
