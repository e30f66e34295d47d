"""The services' configuration travels with the app, not through module globals (issue 14):
two apps in one process, with different audit keys, upload limits and password hashing, each
keep their own."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event
from sqlalchemy import select

from models import User
from tests.conftest import AUDIT_KEY
from tests.conftest import app_config
from webapp import create_app
from webapp.extensions import db
from workflows.audit import chain as audit_chain
from workflows.cases import attachments

OTHER_KEY = "another-app-audit-key-0123456789"


@pytest.fixture()
def other(tmp_path: Path) -> Iterator[Flask]:
    """A second app in this process: its own database, audit key, upload limit and hasher."""
    other = create_app(app_config(f"sqlite:///{tmp_path / 'other.sqlite3'}", ORGFLOW_AUDIT_KEY=OTHER_KEY,
                                  ORGFLOW_ARGON2=(2, 16, 1), ORGFLOW_MAX_UPLOAD_MB=3,
                                  ORGFLOW_ATTACHMENT_DIR=str(tmp_path / "files")))
    with other.app_context():
        upgrade()
    yield other
    with other.app_context():
        db.engine.dispose()


def add_user(app: Flask, username: str) -> None:
    """A user and a token for it (an audited event), through the CLI."""
    runner = app.test_cli_runner()
    created = runner.invoke(args=["users", "create", username, "--name", username, "--password", "password-123"])
    assert created.exit_code == 0, created.output
    assert runner.invoke(args=["users", "token", username]).exit_code == 0


def verifies(app: Flask, tmp_path: Path, key: str) -> bool:
    """Whether the app's exported chain verifies under `key` alone (the standalone verifier)."""
    export, key_file = tmp_path / "export.jsonl", tmp_path / "key"
    assert app.test_cli_runner().invoke(args=["audit", "export", "--out", str(export)]).exit_code == 0
    key_file.write_text(key, encoding="utf-8")
    done = subprocess.run([sys.executable, audit_chain.__file__, str(export), "--key-file", str(key_file)],
                          capture_output=True, text=True, check=False)
    return done.returncode == 0


def test_two_apps_sign_their_audit_chains_with_their_own_keys(app: Flask, other: Flask, tmp_path: Path) -> None:
    add_user(app, "alice")
    add_user(other, "bob")
    add_user(app, "carol")  # after the second app was created and used
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0
    assert other.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0
    assert verifies(app, tmp_path, AUDIT_KEY) and not verifies(app, tmp_path, OTHER_KEY)
    assert verifies(other, tmp_path, OTHER_KEY) and not verifies(other, tmp_path, AUDIT_KEY)


def test_two_apps_keep_their_own_hasher_and_upload_limit(app: Flask, other: Flask) -> None:
    add_user(other, "bob")
    add_user(app, "alice")

    def seen(flask_app: Flask, username: str) -> tuple[str, int]:
        with flask_app.app_context():
            hashed = db.session.scalar(select(User.password_hash).where(User.username == username))
            return str(hashed).split("$")[3], attachments.max_bytes(db.session)

    assert seen(app, "alice") == ("m=8,t=1,p=1", 20 * 1024 * 1024)
    assert seen(other, "bob") == ("m=16,t=2,p=1", 3 * 1024 * 1024)


def test_every_session_the_cli_opens_carries_the_app_settings(app: Any, other: Flask) -> None:
    from webapp.commands.base import session_factory
    from workflows import settings

    for flask_app, key in ((app, AUDIT_KEY), (other, OTHER_KEY)):
        with flask_app.app_context():
            assert settings.of(session_factory()()).audit_key == key.encode()
            assert settings.of(db.session).audit_key == key.encode()


def test_a_sqlite_request_sends_no_ping_and_a_postgresql_pool_checks_its_connections(other: Flask) -> None:
    """`pool_pre_ping` sends `SELECT 1` at every checkout: for a PostgreSQL connection that may
    have died with its server, not for SQLite's file handle (a statement a request, for nothing)."""
    traced: list[str] = []
    with other.app_context():
        db.engine.dispose()
        event.listen(db.engine, "connect", lambda dbapi, _record: dbapi.set_trace_callback(traced.append))
    for _ in range(2):  # a token is looked up in the database: a statement each, on a pooled connection
        response = other.test_client().get("/api/v1/tasks", headers={"Authorization": "Bearer no-such-token"})
        assert response.status_code == 401
    assert traced, "the trace saw no statement: the check would prove nothing"
    assert not any(s.strip().upper() == "SELECT 1" for s in traced), traced
    postgres = create_app(app_config("postgresql://postgres@127.0.0.1/unused"))
    assert postgres.config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}
