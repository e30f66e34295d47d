"""Small SQL helpers every service shares."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import CursorResult
from sqlalchemy import Executable
from sqlalchemy.orm import Session


def rows_changed(session: Session, statement: Executable) -> int:
    """Run an UPDATE or DELETE and say how many rows it changed (0 when the database cannot tell)."""
    result: CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]
    return result.rowcount or 0


@contextmanager
def autoflushing(session: Session) -> Iterator[None]:
    """Autoflush inside a caller's `no_autoflush` (a completion's, issue 17): for code that queries
    what the transaction wrote before it (a step's effects, the rules that prepare a new step)."""
    before, session.autoflush = session.autoflush, True
    try:
        yield
    finally:
        session.autoflush = before
