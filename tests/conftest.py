"""Fixtures: one migrated, deployed database per test worker; every test starts from it clean.

SQLite (a file per worker) by default; PostgreSQL when ORGFLOW_TEST_DATABASE_URL is set (one
database per worker, derived from that URL). Tests talk to the app through its real entry
points: the test client (HTTP), the CLI runner and the service functions.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask import current_app
from flask.testing import FlaskClient
from flask.testing import FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import create_engine
from sqlalchemy import delete
from sqlalchemy import text
from sqlalchemy import update
from sqlalchemy.engine import make_url

from models import AuditHead
from models import Base
from models import ProcessDefinition
from webapp import create_app
from webapp.extensions import db
from workflows import accounts
from workflows import demo
from workflows.engine import definitions

PASSWORD = "correct-horse-9"
AUDIT_KEY = "test-audit-key-0123456789abcdef"
KEEP = {"alembic_version", "process_definition", "audit_head"}


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "gw0")


def _postgres_url(base: str) -> str:
    """A per-worker database next to the configured one, created fresh for this run."""
    url = make_url(base)
    name = f"{url.database}_{_worker()}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    base = os.environ.get("ORGFLOW_TEST_DATABASE_URL")
    if base:
        return _postgres_url(base)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'orgflow.sqlite3'}"


def app_config(url: str, **extra: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key-0123456789abcdef",
        "ORGFLOW_AUDIT_KEY": AUDIT_KEY,
        "ORGFLOW_ARGON2": (1, 8, 1),  # cheap hashing in tests; production keeps argon2's defaults
        **extra,
    }


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app(app_config(database_url, ORGFLOW_ATTACHMENT_DIR=str(tmp_path_factory.mktemp("attachments"))))
    with app.app_context():
        upgrade()
        definitions.deploy_all(db.session)
        db.session.commit()
        app.config["BASELINE_DEFINITIONS"] = [d.id for d in db.session.query(ProcessDefinition)]
    yield app
    with app.app_context():
        db.engine.dispose()  # close pooled connections before the interpreter does


def _clean() -> None:
    """Empty every table but the deployed definitions; reset the audit chain head."""
    session = db.session
    # DELETE, not TRUNCATE … CASCADE: the latter would also empty process_definition (it
    # references user_account). Child tables come first in reverse dependency order.
    if session.get_bind().dialect.name == "postgresql":
        # Tests start from nothing; only this cleanup may bypass the append-only audit trigger.
        session.execute(text("SET LOCAL session_replication_role = replica"))
    for table in reversed(Base.metadata.sorted_tables):
        if table.name not in KEEP:
            session.execute(table.delete())
    baseline = current_app.config["BASELINE_DEFINITIONS"]
    session.execute(delete(ProcessDefinition).where(ProcessDefinition.id.not_in(baseline)))
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=0, hash="0" * 64, key_fp=None))
    session.commit()


@pytest.fixture(autouse=True)
def _fresh_database(request: pytest.FixtureRequest) -> Iterator[None]:
    if "app" not in request.fixturenames:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        _clean()
    yield
    with app.app_context():
        db.session.remove()


@pytest.fixture()
def ctx(app: Flask) -> Iterator[None]:
    """An app context for tests that call services directly (they commit like a CLI would)."""
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture()
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture()
def org(app: Flask) -> None:
    """The demo organization with one known password for everybody."""
    with app.app_context():
        demo.load(db.session, PASSWORD)
        db.session.commit()


@dataclass
class ApiClient:
    """Calls /api/v1 as one user with a bearer token."""

    client: FlaskClient
    token: str
    username: str

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self._headers())

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(f"/api/v1{path}", json=body if body is not None else {}, headers=self._headers())

    def put(self, path: str, body: Any) -> Any:
        return self.client.put(f"/api/v1{path}", json=body, headers=self._headers())


@pytest.fixture()
def api(app: Flask, client: FlaskClient, org: None) -> Any:
    """`api("s1_03")` → an ApiClient acting as that demo user (tokens made on first use)."""
    tokens: dict[str, str] = {}

    def as_user(username: str) -> ApiClient:
        if username not in tokens:
            with app.app_context():
                tokens[username] = accounts.create_token(db.session, accounts.find_user(db.session, username))
                db.session.commit()
        return ApiClient(client, tokens[username], username)

    return as_user


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("ORGFLOW_TEST_DATABASE_URL"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set ORGFLOW_TEST_DATABASE_URL")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def web(app: Flask, org: None) -> Any:
    """`web("s1_03")` → a signed-in HTML client of that demo user (one cookie jar each)."""
    from tests.web import login

    clients: dict[str, Any] = {}

    def as_user(username: str) -> Any:
        if username not in clients:
            clients[username] = login(app, username)
        return clients[username]

    return as_user
