"""Commit at the edge: one commit per request or CLI command."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from typing import TypeVar

from sqlalchemy.orm.exc import StaleDataError

from webapp.extensions import db
from workflows.engine import locking
from workflows.errors import CaseChanged

F = TypeVar("F", bound=Callable[..., Any])


def commit() -> None:
    """Commit the request's transaction; a lost revision race becomes AlreadyHandled (409)."""
    _revision_checked(db.session.commit)


def flush() -> None:
    """Write the request's changes without committing (to answer from them before `commit`);
    a lost revision race becomes AlreadyHandled (409), as in `commit`."""
    _revision_checked(db.session.flush)


def _revision_checked(write: Callable[[], object]) -> None:
    try:
        write()
    except StaleDataError as exc:
        db.session.rollback()
        raise CaseChanged("该流程刚刚被他人处理，请刷新后查看") from exc


def locks_at_first_write(view: F) -> F:
    """A write view that mostly reads and computes (a completion) takes the write lock at its
    first write, not before its reads (`locking.defer_write`; the request hook leaves it
    alone). When what it read changed before it got the lock — the case's revision moved, a
    lost race —, it runs once more from the start with the lock taken up front, and answers as
    if it had waited for the lock: the loser of a race on one item gets "已由…办理" (409)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not locking.defer_write(db.session):
            locking.begin_write(db.session)
            return view(*args, **kwargs)
        try:
            return view(*args, **kwargs)
        except (CaseChanged, StaleDataError):
            db.session.rollback()
            locking.begin_write(db.session)
            return view(*args, **kwargs)

    wrapped.locks_at_first_write = True  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


def begin_recorded_read() -> None:
    """For a GET that records a read (a PDF download, an auditor export): end the read transaction
    signing in began and start a write transaction (SQLite BEGIN IMMEDIATE), as a POST does, so the
    read's audit event can be sealed without a lock upgrade. Call it before the service."""
    if db.current().in_transaction():
        db.session.commit()
    locking.begin_write(db.session)


def write_apart(write: Callable[[], object]) -> None:
    """A small write that a page view makes after its reads (marking what the viewer opened as
    read): the read transaction ends first, then the write runs in a write transaction of its
    own (BEGIN IMMEDIATE on SQLite, like every POST) and commits."""
    db.session.commit()
    locking.begin_write(db.session)
    write()
    commit()
