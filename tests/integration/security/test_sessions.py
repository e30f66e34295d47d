"""Sessions (ASVS 7.2.4, 7.4.x, 3.3.x): a new session on login, logout / disable / password
change end copied sessions server-side, the password change page, cookie flags and headers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from models import AuditEvent
from tests.conftest import PASSWORD
from tests.integration.security.conftest import csrf_of
from tests.integration.security.conftest import form_login
from webapp.extensions import db
from workflows import accounts

USER = "s1_03"
NEW_PASSWORD = "a-new-password-42"


def _signed_in(app: Flask, username: str = USER) -> FlaskClient:
    client = app.test_client()
    assert form_login(client, username).status_code == 302
    return client


def _copy(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of this client's session cookie (a stolen cookie)."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def _is_signed_in(client: FlaskClient) -> bool:
    response = client.get("/")
    return response.status_code == 200


def _post(client: FlaskClient, path: str, data: dict[str, str], page: str = "/") -> Any:
    token = csrf_of(client.get(page).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def test_login_starts_a_new_session_and_old_csrf_tokens_die(app: Flask, org: None) -> None:
    client = app.test_client()
    token = csrf_of(client.get("/auth/login").get_data(as_text=True))
    before = client.get_cookie("session")
    assert before is not None
    client.post("/auth/login", data={"username": USER, "password": PASSWORD, "csrf_token": token})
    after = client.get_cookie("session")
    assert after is not None and after.value != before.value
    # A token planted before login (session fixation through the form) is no longer accepted.
    refused = client.post("/locale", data={"locale": "en", "next": "/", "csrf_token": token})
    assert refused.status_code == 400


def test_a_copied_cookie_works_until_logout_then_not_at_all(app: Flask, org: None) -> None:
    client = _signed_in(app)
    thief = _copy(app, client)
    assert _is_signed_in(thief)
    assert _post(client, "/auth/logout", {}).status_code == 302
    assert thief.get("/").status_code == 302
    assert "/auth/login" in thief.get("/").headers["Location"]


def test_disabling_a_user_ends_their_copied_sessions(app: Flask, org: None) -> None:
    client = _signed_in(app)
    thief = _copy(app, client)
    admin = _signed_in(app, "admin")
    with app.app_context():
        user_id = accounts.find_user(db.session, USER).id
    assert _post(admin, f"/admin/users/{user_id}/active", {"active": "0"}).status_code == 302
    assert thief.get("/").status_code == 302
    assert client.get("/").status_code == 302


def _change(client: FlaskClient, current: str, new: str, repeat: str | None = None) -> Any:
    return _post(client, "/auth/password", {"current": current, "new": new, "repeat": repeat or new},
                 page="/auth/password")


def test_changing_the_password_keeps_this_session_and_ends_the_others(app: Flask, org: None) -> None:
    here, elsewhere = _signed_in(app), _signed_in(app)
    thief = _copy(app, here)
    response = _change(here, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert _is_signed_in(here)
    assert not _is_signed_in(elsewhere)
    assert not _is_signed_in(thief)  # the copy of this session's old cookie is dead too
    assert form_login(app.test_client(), USER, PASSWORD).status_code == 200
    assert form_login(app.test_client(), USER, NEW_PASSWORD).status_code == 302


def test_the_password_change_is_audited_without_the_password(app: Flask, org: None) -> None:
    _change(_signed_in(app), PASSWORD, NEW_PASSWORD)
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.password_change")).one()
        assert event.payload == {"user": USER}
        assert event.actor_id == accounts.find_user(db.session, USER).id
        assert NEW_PASSWORD not in str(event.payload) and PASSWORD not in str(event.payload)


def test_a_wrong_current_password_a_short_or_mismatched_new_one_change_nothing(app: Flask, org: None) -> None:
    client = _signed_in(app)
    wrong = _change(client, "not-my-password", NEW_PASSWORD)
    assert wrong.status_code == 422 and "当前密码不正确" in wrong.get_data(as_text=True)
    short = _change(client, PASSWORD, "short")
    assert short.status_code == 422 and "新密码至少 8 位" in short.get_data(as_text=True)
    mismatch = _change(client, PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert mismatch.status_code == 422 and "两次输入的新密码不一致" in mismatch.get_data(as_text=True)
    assert _is_signed_in(client)
    assert form_login(app.test_client(), USER, PASSWORD).status_code == 302


def test_guessing_the_current_password_is_rate_limited(app: Flask, org: None) -> None:
    client = _signed_in(app)
    for _ in range(10):
        assert _change(client, "guess", NEW_PASSWORD).status_code == 422
    refused = _change(client, PASSWORD, NEW_PASSWORD)
    assert refused.status_code == 429
    assert "登录失败次数过多" in refused.get_data(as_text=True)


def test_the_password_page_needs_a_login(client: FlaskClient) -> None:
    response = client.get("/auth/password")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_session_cookie_is_httponly_and_samesite_but_not_secure_in_development(app: Flask, org: None) -> None:
    client = app.test_client()
    token = csrf_of(client.get("/auth/login").get_data(as_text=True))
    response = client.post("/auth/login", data={"username": USER, "password": PASSWORD, "csrf_token": token})
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    assert "Strict-Transport-Security" not in response.headers


def test_production_cookies_are_secure_host_cookies_and_hsts_is_sent(
        org: None, make_app: Callable[..., Flask]) -> None:
    production = make_app(ORGFLOW_ENV="production")
    client = production.test_client()
    # Flask-WTF's strict HTTPS check wants a same-origin Referer on the POST, as a browser sends.
    https: dict[str, Any] = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/auth/login"}}
    response = form_login(client, USER, **https)
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Domain=" not in cookie
    page = client.get("/", **https)
    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_authenticated_pages_api_answers_and_downloads_are_not_cached(app: Flask, api: Any) -> None:
    client = _signed_in(app)
    for path in ("/", "/tasks/todo", "/auth/password"):
        assert client.get(path).headers["Cache-Control"] == "no-store"
    assert api(USER).get("/tasks").headers["Cache-Control"] == "no-store"
    static = client.get("/static/css/app.css")
    assert static.status_code == 200 and static.headers.get("Cache-Control") != "no-store"
    static.close()


def test_the_language_chosen_before_login_survives_the_new_session(app: Flask, org: None) -> None:
    client = app.test_client()
    token = csrf_of(client.get("/auth/login").get_data(as_text=True))
    client.post("/locale", data={"locale": "en", "next": "/auth/login", "csrf_token": token})
    assert form_login(client, "s1_05").status_code == 302
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_a_new_secret_key_ends_every_session_and_a_fallback_keeps_them(app: Flask, org: None) -> None:
    """The session cookie's signing serializer is built once per set of keys (issue 17), not once
    for ever: a key changed at run time signs out every browser, and the old key kept among
    `SECRET_KEY_FALLBACKS` lets them stay while new cookies are signed with the new key."""
    client = _signed_in(app)
    assert _is_signed_in(_copy(app, client))
    old_key = app.secret_key
    try:
        app.secret_key = "another-secret-key-0123456789abcdef"
        assert not _is_signed_in(_copy(app, client))  # each check on a copy: a refused cookie is replaced
        app.config["SECRET_KEY_FALLBACKS"] = [old_key]
        assert _is_signed_in(_copy(app, client))
    finally:
        app.secret_key = old_key
        app.config["SECRET_KEY_FALLBACKS"] = []
    assert _is_signed_in(client)
