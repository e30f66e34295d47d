"""Small SQL helpers every service shares."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import CursorResult
from sqlalchemy import Executable
from sqlalchemy import Integer
from sqlalchemy import Select
from sqlalchemy import literal_column
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


def page(query: Select[Any], limit: int, offset: int = 0) -> Select[Any]:
    """`query` with its LIMIT and OFFSET written into the statement, not sent as parameters.

    PostgreSQL plans a statement the driver has prepared (psycopg, from its sixth run on a
    connection) once for all, with a generic plan, only when that plan costs about what the
    per-run plans did; a LIMIT sent as a parameter is costed as a tenth of the rows, so a list's
    generic plan never qualifies and every page of it is planned again. The 待办 page's query
    joins seven tables: planning it took 2.7 ms, running it 0.15 ms. Each (limit, offset) is a
    statement of its own, compiled with its numbers in it (so `models.cursor.Prepared` can run it
    too); a list has a few.
    """
    return query.limit(_written(limit)).offset(_written(offset) if offset else None)


def _written(value: int) -> Any:
    return literal_column(str(int(value)), Integer)
