"""The login rate limit is one limit for every worker process (T13: catches a per-process
limiter): failures spread over several app instances — sharing the database, or Redis — add up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func
from sqlalchemy import select

from models import LoginFailure
from tests.conftest import PASSWORD
from tests.integration.security.conftest import REDIS_URL
from tests.integration.security.conftest import csrf_of
from tests.integration.security.conftest import form_login
from webapp.extensions import db
from workflows.engine import clock

USER = "s1_03"
REFUSED = "登录失败次数过多，请 15 分钟后再试"
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _spread_failures(apps: list[Flask], count: int, username: str = USER) -> None:
    """`count` wrong passwords, round robin over the apps, each refused as a wrong password."""
    clients = [a.test_client() for a in apps]
    for n in range(count):
        response = form_login(clients[n % len(clients)], username, "wrong-password")
        assert response.status_code == 200
        assert "用户名或密码错误" in response.get_data(as_text=True)


def _failures_in_database(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LoginFailure)) or 0


def test_failures_spread_over_two_app_instances_hit_one_database_limit(
        app: Flask, org: None, make_app: Callable[..., Flask]) -> None:
    apps = [app, make_app()]
    with clock.frozen_at(T0):
        _spread_failures(apps, 10)
        for other in apps:
            response = form_login(other.test_client(), USER)  # even the right password
            assert response.status_code == 429
            assert REFUSED in response.get_data(as_text=True)
            assert response.headers.get("Location") is None


def test_failures_spread_over_two_app_instances_hit_one_redis_limit(
        app: Flask, org: None, make_app: Callable[..., Flask], redis_prefix: str) -> None:
    apps = [make_app(ORGFLOW_REDIS_URL=REDIS_URL, ORGFLOW_REDIS_PREFIX=redis_prefix) for _ in range(2)]
    with clock.frozen_at(T0):
        _spread_failures(apps, 10)
        response = form_login(apps[0].test_client(), USER)
    assert response.status_code == 429
    assert REFUSED in response.get_data(as_text=True)
    assert _failures_in_database(app) == 0  # counted in Redis, not in the database
    redis = apps[0].extensions["orgflow_redis"]
    assert redis.zcard(f"{redis_prefix}login:user:{USER}") == 10


def test_the_limit_counts_only_the_window(app: Flask, org: None) -> None:
    client = app.test_client()
    with clock.frozen_at(T0):
        _spread_failures([app], 10)
        assert form_login(client, USER).status_code == 429
    with clock.frozen_at(T0 + timedelta(minutes=16)):
        assert form_login(client, USER).status_code == 302


def test_a_successful_login_clears_the_username_count(app: Flask, org: None) -> None:
    with clock.frozen_at(T0):
        _spread_failures([app], 9)
        assert form_login(app.test_client(), USER).status_code == 302
        _spread_failures([app], 9)  # nine more are again only wrong passwords
        assert form_login(app.test_client(), USER).status_code == 302


def test_one_user_being_locked_leaves_other_users_alone(app: Flask, org: None) -> None:
    with clock.frozen_at(T0):
        _spread_failures([app], 10)
        assert form_login(app.test_client(), USER).status_code == 429
        assert form_login(app.test_client(), "s1_01").status_code == 302


@pytest.mark.parametrize("address_limit", [5])
def test_failures_over_many_usernames_from_one_address_hit_the_address_limit(
        org: None, make_app: Callable[..., Flask], address_limit: int) -> None:
    other = make_app(ORGFLOW_LOGIN_MAX_FAILURES_PER_ADDRESS=address_limit)
    here: dict[str, Any] = {"environ_base": {"REMOTE_ADDR": "203.0.113.7"}}
    elsewhere: dict[str, Any] = {"environ_base": {"REMOTE_ADDR": "198.51.100.9"}}
    with clock.frozen_at(T0):
        for n in range(address_limit):
            assert form_login(other.test_client(), f"nobody{n}", "x", **here).status_code == 200
        assert form_login(other.test_client(), "s1_01", PASSWORD, **here).status_code == 429
        assert form_login(other.test_client(), "s1_01", PASSWORD, **elsewhere).status_code == 302


def test_behind_a_trusted_proxy_the_address_limit_counts_the_forwarded_client(
        org: None, make_app: Callable[..., Flask]) -> None:
    # Every request comes from nginx (127.0.0.1); ORGFLOW_PROXY_HOPS=1 trusts its X-Forwarded-For.
    behind = make_app(ORGFLOW_LOGIN_MAX_FAILURES_PER_ADDRESS=3, ORGFLOW_PROXY_HOPS=1)
    proxy: dict[str, Any] = {"environ_base": {"REMOTE_ADDR": "127.0.0.1"}}
    with clock.frozen_at(T0):
        for n in range(3):
            response = form_login(behind.test_client(), f"nobody{n}", "x",
                                  headers={"X-Forwarded-For": "203.0.113.7"}, **proxy)
            assert response.status_code == 200
        refused = form_login(behind.test_client(), "s1_01", PASSWORD, headers={"X-Forwarded-For": "203.0.113.7"}, **proxy)
        other = form_login(behind.test_client(), "s1_01", PASSWORD, headers={"X-Forwarded-For": "198.51.100.9"}, **proxy)
    assert (refused.status_code, other.status_code) == (429, 302)


def test_the_refusal_is_in_english_for_english_readers(app: Flask, org: None) -> None:
    with clock.frozen_at(T0):
        _spread_failures([app], 10)
        client = app.test_client()
        token = csrf_of(client.get("/auth/login").get_data(as_text=True))
        client.post("/locale", data={"locale": "en", "next": "/auth/login", "csrf_token": token})
        response = form_login(client, USER)
    assert response.status_code == 429
    assert "Too many failed logins" in response.get_data(as_text=True)


def test_an_unreachable_redis_falls_back_to_the_database(
        app: Flask, org: None, make_app: Callable[..., Flask], redis_prefix: str) -> None:
    # Port 1 on loopback refuses at once: the limit is still enforced, counted in the database.
    down = make_app(ORGFLOW_REDIS_URL="redis://127.0.0.1:1/0", ORGFLOW_REDIS_PREFIX=redis_prefix)
    with clock.frozen_at(T0):
        _spread_failures([down], 10)
        assert form_login(down.test_client(), USER).status_code == 429
    assert _failures_in_database(app) == 20  # the username's and the address's
