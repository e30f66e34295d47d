"""Per-process caches of what rarely changes — the units above a unit, the holders of a role at
a unit, declared relations, delegations, the user of a bearer token — checked against
`cache_version` (issue 17).

Every write that changes such rows sets a new random version in the same transaction (the
`after_flush` and `do_orm_execute` hooks below see the ORM writes, whichever service or test
makes them), so the change and the version commit together. A transaction reads the version
once (one small SELECT, the first statement of an API request) and is served from
this process's cache while the cache was filled at that version; another version empties it.
So a change through one process, thread or instance is seen by the next transaction of every
other, and a restart starts empty. Inside a transaction that has changed cached rows (or holds
such changes unflushed) nothing is served from the cache: the reads go to the database as
before. The cache holds plain column values, never ORM objects, so no object crosses sessions
or threads; `attached` turns them into objects of the caller's session without a query.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from typing import Any
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy import insert
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session

from models import ApiToken
from models import CacheVersion
from models import Delegation
from models import OrgUnit
from models import RoleAssignment
from models import User
from models import UserRelation
from models import reads
from models.cursor import Prepared

NAME = "org"
WATCHED = (OrgUnit, User, RoleAssignment, UserRelation, Delegation, ApiToken)
_TABLES = frozenset(model.__tablename__ for model in WATCHED)
_VERSION = "orgflow_cache_version"  # session.info: the version this transaction read
_CHANGED = "orgflow_cache_changed"  # session.info: this transaction changed cached rows
_UNREAD = object()
T = TypeVar("T")
M = TypeVar("M")


class _Store:
    def __init__(self, version: int) -> None:
        self.version = version
        self.maps: dict[str, dict[Any, Any]] = {}


_store: _Store | None = None
_lock = threading.Lock()


# Read on the DB-API cursor, not through the ORM's or Core's execute (their execution context and
# result set-up): it starts every API request.
_READ_VERSION = Prepared(select(CacheVersion.version).where(CacheVersion.name == NAME))


# A new token is in nobody's cache (only tokens found are kept): making one changes nothing cached.
_NEW_UNCACHED = (ApiToken,)


def _pending(session: Session) -> bool:
    """Unflushed changes to cached rows: the database, not the cache, has to answer."""
    if (any(isinstance(obj, WATCHED) and not isinstance(obj, _NEW_UNCACHED) for obj in session.new)
            or any(isinstance(obj, WATCHED) for obj in session.deleted)):
        return True
    return any(isinstance(obj, WATCHED) and session.is_modified(obj) for obj in session.dirty)


def version(session: Session) -> int | None:
    """The version this transaction serves at, or None when it must read the database."""
    if session.info.get(_CHANGED) or _pending(session):
        return None
    found = session.info.get(_VERSION, _UNREAD)
    if found is _UNREAD:
        found = _READ_VERSION.scalar(session.connection())
        session.info[_VERSION] = found
    return found if isinstance(found, int) else None


def cached(session: Session, kind: str, key: Any, load: Callable[[], T], keep_none: bool = True) -> T:
    """`load()` for `key`, from this process's cache when it holds it at the current version.
    `keep_none=False`: a None is not kept (keys anyone may send, such as tokens, must not fill
    the cache)."""
    current = version(session)
    if current is None:
        return load()
    table = _table(current, kind)
    if key in table:
        return table[key]  # type: ignore[no-any-return]
    value = load()
    if value is not None or keep_none:
        table[key] = value
    return value


def cached_many(session: Session, kind: str, keys: list[Any], load: Callable[[list[Any]], dict[Any, T]]) -> dict[Any, T]:
    """`cached` for several keys; `load(missing)` answers for every key it is given, in one query."""
    current = version(session)
    if current is None:
        return load(keys)
    table = _table(current, kind)
    missing = [key for key in keys if key not in table]
    if missing:
        table.update(load(missing))
    return {key: table[key] for key in keys}


def _table(current: int, kind: str) -> dict[Any, Any]:
    global _store
    store = _store
    if store is None or store.version != current:
        with _lock:
            if _store is None or _store.version != current:
                _store = _Store(current)
            store = _store
    return store.maps.setdefault(kind, {})


def columns(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The loaded column values of an ORM object (what `attached` rebuilds it from)."""
    return {attr.key: getattr(obj, attr.key) for attr in inspect(type(obj)).column_attrs if attr.key not in skip}


def attached(session: Session, model: type[M], values: dict[str, Any]) -> M:
    """The session's object for these cached column values: the one it already holds, or one
    made from the values as though just loaded (columns not given load when first used;
    `models.reads.loaded`)."""
    return reads.loaded(session, model, values)


def users_named(session: Session, names: list[str]) -> dict[str, User]:
    """The users with these usernames, active or not, by username (absent names left out)."""

    def load(missing: list[str]) -> dict[str, dict[str, Any] | None]:
        found: dict[str, dict[str, Any] | None] = dict.fromkeys(missing)
        for user in session.scalars(select(User).where(User.username.in_(missing))):
            found[user.username] = columns(user, skip=("password_hash",))
        return found

    wanted = sorted(set(names))
    if not wanted:
        return {}
    rows = cached_many(session, "users_named", wanted, load)
    return {name: attached(session, User, row) for name, row in rows.items() if row is not None}


def bump(session: Session) -> None:
    """Set a new version: rows the caches hold changed in this transaction (once per transaction)."""
    session.info[_CHANGED] = True
    session.info[_VERSION] = None
    connection = session.connection()
    value = secrets.randbits(62)
    changed = connection.execute(update(CacheVersion).where(CacheVersion.name == NAME).values(version=value)).rowcount
    if not changed:  # a database emptied by hand (the tests' clean-up): the row comes back
        connection.execute(insert(CacheVersion).values(name=NAME, version=value))


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, context: Any) -> None:
    if not session.info.get(_CHANGED) and _pending(session):  # still the flushed changes here
        bump(session)


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    if state.session.info.get(_CHANGED) or not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in _TABLES:
        bump(state.session)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_VERSION, None)
        session.info.pop(_CHANGED, None)
