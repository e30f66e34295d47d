"""flask-login wiring: sessions carry the user's session version, so they can be revoked."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager

from models import User
from webapp.extensions import db
from workflows import accounts


def load_user(session_id: str) -> User | None:
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    return accounts.user_for_session(db.session, int(user_id), int(version))


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, its signing serializer built once per set of keys rather
    than on every request (issue 17: a tenth of a millisecond of every API call, which reads the
    cookie too). A serializer holds only its keys and settings, so threads share it."""

    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], Any] = {}
        self._lock = threading.Lock()

    def get_signing_serializer(self, app: Flask) -> Any:
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        found = self._serializers.get(keys)
        if found is None:
            found = super().get_signing_serializer(app)
            with self._lock:
                if len(self._serializers) >= 8:  # keys changed at run time (rotation, tests): start over
                    self._serializers.clear()
                self._serializers[keys] = found
        return found


def init_login(app: Flask, manager: LoginManager) -> None:
    app.session_interface = SessionCookies()
    manager.init_app(app)
    manager.login_view = "auth.login"
    manager.login_message = "请先登录"
    manager.session_protection = "strong"
    manager.user_loader(load_user)
