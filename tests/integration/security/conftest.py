"""Fixtures of the security suite: more app instances on the test database, as separate
gunicorn workers would be, and a form-login helper that keeps the client's cookies."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD
from tests.conftest import app_config
from webapp import create_app
from webapp.extensions import db

REDIS_URL = "redis://127.0.0.1:6379/0"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def form_login(client: FlaskClient, username: str, password: str = PASSWORD, **kwargs: Any) -> Any:
    token = csrf_of(client.get("/auth/login", **kwargs).get_data(as_text=True))
    return client.post("/auth/login", data={"username": username, "password": password, "csrf_token": token},
                       **kwargs)


@pytest.fixture()
def make_app(app: Flask, database_url: str) -> Iterator[Callable[..., Flask]]:
    """`make_app(**config)` → another app on the same database (another worker process's view)."""
    made: list[Flask] = []

    def make(**extra: Any) -> Flask:
        other = create_app(app_config(database_url, ORGFLOW_ATTACHMENT_DIR=app.config["ORGFLOW_ATTACHMENT_DIR"],
                                      **extra))
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()
        client = other.extensions.get("orgflow_redis")
        if client is not None:
            with contextlib.suppress(redis.RedisError):  # a test may point at no server at all
                for key in client.scan_iter(other.config["ORGFLOW_REDIS_PREFIX"] + "*"):
                    client.delete(key)
            client.close()


@pytest.fixture()
def redis_prefix() -> str:
    """A Redis key prefix of this test alone (xdist workers share the server)."""
    return f"orgflow-test:{uuid.uuid4().hex}:"
