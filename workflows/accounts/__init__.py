"""Users, roles, passwords (argon2id), API tokens and logins."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import secrets
from typing import Any

from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from sqlalchemy import Select
from sqlalchemy import bindparam
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from models import ApiToken
from models import OrgUnit
from models import Role
from models import RoleAssignment
from models import User
from workflows import audit
from workflows import caching
from workflows import settings as app_settings
from workflows.engine import clock
from workflows.errors import InvalidRequest
from workflows.errors import NotFound
from workflows.settings import Settings

# The face: what code outside this package (the web layer above all) may use; `make lint`
# (scripts/check_layers.py) refuses anything else from webapp/.
__all__ = [
    "LOCALES",
    "authenticate",
    "change_password",
    "check_password",
    "create_token",
    "create_user",
    "find_user",
    "login_limit",
    "set_locale",
    "set_role",
    "user_for_session",
    "user_for_token",
]

TOKEN_PREFIX = "of_"


def hash_password(settings: Settings, password: str) -> str:
    """An argon2id hash of the password, with the hasher the settings tune."""
    if len(password) < 8:
        raise InvalidRequest("密码至少 8 位")
    return settings.hasher.hash(password)


def check_password(settings: Settings, user: User, password: str) -> bool:
    try:
        return bool(user.password_hash) and settings.hasher.verify(user.password_hash or "", password)
    except (VerificationError, InvalidHashError):
        return False


def find_user(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"用户“{username}”不存在")
    return user


def find_unit(session: Session, code: str) -> OrgUnit:
    unit = session.scalars(select(OrgUnit).where(OrgUnit.code == code)).first()
    if unit is None:
        raise NotFound(f"组织“{code}”不存在")
    return unit


def authenticate(session: Session, username: str, password: str, source: str = "web") -> User | None:
    """The active user with these credentials, or None. Audits the login or the failure."""
    settings = app_settings.of(session)
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        with contextlib.suppress(VerificationError):
            settings.hasher.verify(settings.dummy_hash, password)
        ok = False
    else:
        ok = check_password(settings, user, password) and user.is_active
    if ok and user is not None and settings.hasher.check_needs_rehash(user.password_hash or ""):
        user.password_hash = settings.hasher.hash(password)
    audit.record(session, "auth.login" if ok else "auth.login_failed", actor=user if ok else None,
                 payload={"username": username, "source": source})
    return user if ok else None


def create_user(session: Session, username: str, name: str, unit_code: str | None, password: str | None,
                **fields: str) -> User:
    """A new user; raises InvalidRequest if the username is taken."""
    if session.scalars(select(User).where(User.username == username)).first():
        raise InvalidRequest(f"用户名“{username}”已存在")
    unit = find_unit(session, unit_code) if unit_code else None
    hashed = hash_password(app_settings.of(session), password) if password else None
    user = User(username=username, name=name, unit=unit, password_hash=hashed, **fields)
    session.add(user)
    session.flush()
    return user


def set_role(session: Session, user: User, role: str, unit_code: str, actor: User | None = None) -> bool:
    """Give `user` a role at a unit (idempotent); True if it was new. Audited."""
    if role not in {r.value for r in Role}:
        raise InvalidRequest(f"未知角色“{role}”")
    unit = find_unit(session, unit_code)
    exists = session.scalars(select(RoleAssignment).where(
        RoleAssignment.user_id == user.id, RoleAssignment.role == role, RoleAssignment.unit_id == unit.id)).first()
    if exists:
        return False
    session.add(RoleAssignment(user_id=user.id, role=role, unit_id=unit.id))
    audit.record(session, "role.grant", actor=actor, payload={"user": user.username, "role": role, "unit": unit_code})
    return True


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, user: User, name: str = "", actor: User | None = None) -> str:
    """A new bearer token for `user`; only its hash is stored, so it is shown this once."""
    if len(name) > 80:
        raise InvalidRequest("令牌名称不能超过 80 字")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_digest(token), name=name, created_at=clock.now()))
    audit.record(session, "token.create", actor=actor or user, payload={"user": user.username, "name": name})
    return token


@functools.cache
def _token_query() -> Select[User]:
    """Built once per process (parameter `digest`)."""
    return (select(User).join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None)))


def user_for_token(session: Session, token: str) -> User | None:
    """The active user owning an unrevoked token, or None.

    From this process's cache at the version this transaction reads (`caching`): revoking a
    token, disabling or changing a user sets a new version in the same transaction, so every
    process refuses the token from then on. An unknown token is not kept, and reads the database
    each time. A hit costs the version's SELECT and no ORM query (issue 17: the query and its
    `User` entity were ~0.5 ms of every API request)."""
    digest = _digest(token)

    def load() -> dict[str, Any] | None:
        user = session.scalars(_token_query(), {"digest": digest}).first()
        return caching.columns(user, skip=("password_hash",)) if user is not None else None

    row = caching.cached(session, "token_user", digest, load, keep_none=False)
    if row is None or not row["is_active"]:
        return None
    return caching.attached(session, User, row)


def user_for_session(session: Session, user_id: int, session_version: int) -> User | None:
    """The active user of a signed-in session whose version still holds, or None (signed out:
    disabling a user or changing their password raises the version).

    From this process's cache at the version this transaction reads, like `user_for_token`: a
    page costs no query for its user, and a change made by any process is seen at once. An
    unknown id is not kept."""

    def load() -> dict[str, Any] | None:
        user = session.get(User, user_id)
        return caching.columns(user, skip=("password_hash",)) if user is not None else None

    row = caching.cached(session, "session_user", user_id, load, keep_none=False)
    if row is None or not row["is_active"] or row["session_version"] != session_version:
        return None
    return _with_unit(session, caching.attached(session, User, row))


def _with_unit(session: Session, user: User) -> User:
    """The user with their unit, from the same cache: every page's layout names it (a query of
    its own per page when left to load on first use)."""
    unit_id = user.unit_id
    if unit_id is None or "unit" in user.__dict__:
        return user

    def load() -> dict[str, Any] | None:
        unit = session.get(OrgUnit, unit_id)
        return caching.columns(unit) if unit is not None else None

    row = caching.cached(session, "unit", unit_id, load)
    if row is not None:
        set_committed_value(user, "unit", caching.attached(session, OrgUnit, row))
    return user


LOCALES = ("zh_CN", "en")


def set_locale(session: Session, user: User, locale: str) -> None:
    """Remember the user's language (zh_CN or en); raises InvalidRequest for others."""
    if locale not in LOCALES:
        raise InvalidRequest(f"不支持的语言“{locale}”")
    user.locale = locale


def set_active(session: Session, user: User, active: bool, actor: User | None) -> None:
    """Enable or disable a login; disabling ends every session and token use at once. Audited."""
    if actor is not None and actor.id == user.id and not active:
        raise InvalidRequest("不能停用自己的账号")
    if user.is_active == active:
        return
    user.is_active = active
    user.session_version += 1
    audit.record(session, "user.enable" if active else "user.disable", actor=actor, payload={"user": user.username})


def reset_password(session: Session, user: User, password: str, actor: User | None) -> None:
    """Set a new password (at least 8 characters) and end the user's sessions. Audited, password not logged."""
    user.password_hash = hash_password(app_settings.of(session), password)
    user.session_version += 1
    audit.record(session, "user.password_reset", actor=actor, payload={"user": user.username})


def change_password(session: Session, user: User, new_password: str) -> None:
    """The user's own password change (the caller has re-checked the current password): at least
    8 characters (InvalidRequest otherwise). Bumps the session version, so every other session of
    the user ends; the caller logs the current one in again. Audited, password not logged."""
    user.password_hash = hash_password(app_settings.of(session), new_password)
    user.session_version += 1
    audit.record(session, "user.password_change", actor=user, payload={"user": user.username})


def revoke_role(session: Session, user: User, role: str, unit_code: str, actor: User | None = None) -> bool:
    """Take a role at a unit away from `user`; True if they had it. Audited."""
    unit = find_unit(session, unit_code)
    row = session.scalars(select(RoleAssignment).where(
        RoleAssignment.user_id == user.id, RoleAssignment.role == role, RoleAssignment.unit_id == unit.id)).first()
    if row is None:
        return False
    session.delete(row)
    audit.record(session, "role.revoke", actor=actor, payload={"user": user.username, "role": role, "unit": unit_code})
    return True
