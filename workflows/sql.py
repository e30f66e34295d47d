"""Small SQL helpers every service shares."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult
from sqlalchemy import Executable
from sqlalchemy.orm import Session


def rows_changed(session: Session, statement: Executable) -> int:
    """Run an UPDATE or DELETE and say how many rows it changed (0 when the database cannot tell)."""
    result: CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]
    return result.rowcount or 0
