"""The 委托 page: name a deputy for a period and optional processes, see the delegations one
gave and received (生效中 / 未开始 / 已到期 / 已结束), and end one early.

The form is generic (`webforms.Field`); the rules are `workflows.actions.delegations`' (who may
name whom, the period, overlaps). Dates are whole days in Asia/Shanghai: a delegation "to
2026-03-10" covers that day, so it ends at the start of the 11th.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Delegation
from models import User
from webapp.pages.forms import people
from webapp.pages.forms.fields import Field
from webapp.pages.forms.fields import Option
from workflows.actions import delegations
from workflows.engine import clock
from workflows.engine import definitions
from workflows.errors import ValidationFailed
from workflows.routing import permissions

STATES = ("active", "upcoming", "expired", "ended")


@dataclass
class Row:
    id: int
    principal: str
    deputy: str
    starts_at: datetime
    ends_at: datetime
    processes: str  # names, or "" for every process
    reason: str
    state: str  # one of STATES
    can_end: bool


@dataclass
class DelegationPage:
    fields: list[Field]
    given: list[Row] = field(default_factory=list)
    received: list[Row] = field(default_factory=list)
    others: list[Row] = field(default_factory=list)  # administrators: everybody's current delegations
    message: str = ""
    form_errors: list[str] = field(default_factory=list)


def _state(row: Delegation, now: datetime) -> str:
    if row.revoked_at is not None:
        return "ended"
    if row.ends_at <= now:
        return "expired"
    return "upcoming" if row.starts_at > now else "active"


def _rows(session: Session, user: User, rows: list[Delegation], names: dict[str, str], admin: bool) -> list[Row]:
    ids = {i for r in rows for i in (r.principal_id, r.deputy_id)}
    people_by_id = dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    now = clock.now()
    out = []
    for r in rows:
        state = _state(r, now)
        out.append(Row(id=r.id, principal=people_by_id.get(r.principal_id, ""), deputy=people_by_id.get(r.deputy_id, ""),
                       starts_at=r.starts_at, ends_at=r.ends_at,
                       processes="、".join(names.get(k, k) for k in r.process_keys or []), reason=r.reason or "",
                       state=state, can_end=state in ("active", "upcoming") and (admin or r.principal_id == user.id)))
    return out


def _fields(session: Session, user: User, admin: bool, values: Mapping[str, list[str]],
            errors: Mapping[str, list[str]], processes: list[Option]) -> list[Field]:
    choices = people.choices(session, people.role_units(session, user))

    def one(name: str) -> Any:
        found = values.get(name)
        return found[0] if found else None

    found = [
        Field("deputy", "受托人", "user", True, one("deputy"), options=choices),
        Field("starts_at", "开始日期", "date", False, one("starts_at") or clock.today_local().date().isoformat(),
              description="默认今天"),
        Field("ends_at", "结束日期（含当天）", "date", True, one("ends_at")),
        Field("process_keys", "委托的流程", "multi", False, list(values.get("process_keys") or []), options=processes,
              description="不选则委托全部流程"),
        Field("reason", "委托事由", "text", False, one("reason"), attrs={"maxlength": 200}),
    ]
    if admin:
        found.insert(0, Field("principal", "委托人", "user", False, one("principal"), options=choices,
                              description="管理员可为他人设置；不选则为本人"))
    for f in found:
        f.errors = list(errors.get(f.path, []))
        f.attrs["i18n"] = True
    return found


def page(session: Session, user: User, values: Mapping[str, list[str]] | None = None,
         error: ValidationFailed | None = None) -> DelegationPage:
    """The page for `user`, optionally with a refused form's input and errors."""
    admin = permissions.is_admin(session, user)
    latest = definitions.all_latest(session)
    names = {d.key: d.name for d in latest}
    errors = dict(error.fields) if error is not None else {}
    result = DelegationPage(fields=_fields(session, user, admin, values or {}, errors,
                                           [Option(d.key, d.name) for d in latest]))
    shown = {f.path for f in result.fields}
    result.message = error.message if error is not None else ""
    result.form_errors = [m for path, messages in errors.items() if path not in shown for m in messages]
    mine = delegations.list_for(session, user)
    result.given = _rows(session, user, [r for r in mine if r.principal_id == user.id], names, admin)
    result.received = _rows(session, user, [r for r in mine if r.deputy_id == user.id], names, admin)
    if admin:
        current = session.scalars(select(Delegation).where(Delegation.revoked_at.is_(None), Delegation.ends_at > clock.now(),
                                                           Delegation.principal_id != user.id)
                                  .order_by(Delegation.starts_at)).all()
        result.others = _rows(session, user, list(current), names, admin)
    return result


def _end_of_day(text: str | None) -> str | None:
    """An inclusive end date becomes the start of the next day; other text goes to the service
    as typed (it answers with the field's error)."""
    try:
        return (date.fromisoformat(text or "") + timedelta(days=1)).isoformat()
    except ValueError:
        return text


def create(session: Session, user: User, values: Mapping[str, list[str]]) -> Delegation:
    """Set up a delegation from the submitted form (see `delegations.create` for the checks)."""

    def one(name: str) -> str | None:
        text = ((values.get(name) or [""])[0] or "").strip()
        return text or None

    request = delegations.Request(deputy=one("deputy"), starts_at=one("starts_at"), ends_at=_end_of_day(one("ends_at")),
                                  process_keys=[k for k in values.get("process_keys") or [] if k] or None,
                                  reason=one("reason"), principal=one("principal"))
    missing = {name: [message] for name, message, value in (("deputy", "请选择受托人", request.deputy),
                                                            ("ends_at", "请填写结束日期", request.ends_at)) if value is None}
    if missing:
        raise ValidationFailed("请填写必填项", missing)
    return delegations.create(session, user, request)
