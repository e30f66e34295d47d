"""Commit at the edge: one commit per request or CLI command."""

from __future__ import annotations

from sqlalchemy.orm.exc import StaleDataError

from webapp.extensions import db
from workflows.errors import AlreadyHandled


def commit() -> None:
    """Commit the request's transaction; a lost revision race becomes AlreadyHandled (409)."""
    try:
        db.session.commit()
    except StaleDataError as exc:
        db.session.rollback()
        raise AlreadyHandled("该流程刚刚被他人处理，请刷新后查看") from exc
