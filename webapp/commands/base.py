"""Shared helpers of the CLI: one transaction per command, one-line errors, non-zero exits."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any
from typing import NoReturn

import click
from sqlalchemy.orm import sessionmaker

from webapp.extensions import db
from webapp.extensions import settings
from webapp.transaction import commit
from workflows import settings as app_settings
from workflows.engine import locking
from workflows.errors import WorkflowError


def fail(message: str) -> NoReturn:
    """One line on stderr and a non-zero exit."""
    click.echo(f"错误：{message}", err=True)
    sys.exit(1)


def write(action: Callable[[], Any]) -> Any:
    """Run one writing action in its own transaction; turn service errors into a one-line exit."""
    try:
        locking.begin_write(db.session)
        result = action()
        commit()
        return result
    except WorkflowError as exc:
        db.session.rollback()
        fields = getattr(exc, "fields", None)
        fail(exc.message + (f" {json.dumps(fields, ensure_ascii=False)}" if fields else ""))


def session_factory() -> Any:
    """Sessions for long-running loops (the timer worker), outside any request; each carries the
    app's Settings like the request's session does."""
    return sessionmaker(bind=db.engine, info=app_settings.session_info(settings()))
