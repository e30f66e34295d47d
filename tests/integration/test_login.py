"""Login with CSRF, argon2id hashes, audited attempts, and sessions that end on logout."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from models import AuditEvent
from models import User
from tests.conftest import PASSWORD
from webapp.extensions import db


def csrf_token(client: FlaskClient) -> str:
    page = client.get("/auth/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def login(client: FlaskClient, username: str, password: str) -> Any:
    token = csrf_token(client)
    return client.post("/auth/login", data={"username": username, "password": password, "csrf_token": token})


def test_pages_need_a_login(client: FlaskClient, org: None) -> None:
    response = client.get("/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_login_without_the_csrf_token_is_refused(client: FlaskClient, org: None) -> None:
    response = client.post("/auth/login", data={"username": "s1_03", "password": PASSWORD})
    assert response.status_code == 400


def test_a_wrong_password_is_refused_and_audited(client: FlaskClient, app: Any, org: None) -> None:
    response = login(client, "s1_03", "wrong-password")
    assert response.status_code == 200 and "用户名或密码错误" in response.get_data(as_text=True)
    with app.app_context():
        failed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.login_failed")).all()
        assert [e.payload["username"] for e in failed] == ["s1_03"]


def test_a_good_login_shows_the_user_and_the_todo_count(client: FlaskClient, app: Any, org: None) -> None:
    response = login(client, "s1_03", PASSWORD)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "待办" in page
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == "s1_03")).one()
        assert user.password_hash.startswith("$argon2id$")
        assert user.name in page


def test_logout_ends_the_session_everywhere(client: FlaskClient, app: Any, org: None) -> None:
    login(client, "s1_03", PASSWORD)
    stolen = client.get_cookie("session").value  # a copy of the cookie, e.g. from another browser
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    client.set_cookie("session", stolen)
    assert client.get("/").status_code == 302  # the old session no longer works


def test_a_disabled_user_cannot_log_in(client: FlaskClient, app: Any, org: None) -> None:
    with app.app_context():
        db.session.scalars(select(User).where(User.username == "s1_03")).one().is_active = False
        db.session.commit()
    assert "用户名或密码错误" in login(client, "s1_03", PASSWORD).get_data(as_text=True)
