"""flask-login wiring: sessions carry the user's session version, so they can be revoked."""

from __future__ import annotations

from flask import Flask
from flask_login import LoginManager

from models import User
from webapp.extensions import db
from workflows import accounts


def load_user(session_id: str) -> User | None:
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    return accounts.user_for_session(db.session, int(user_id), int(version))


def init_login(app: Flask, manager: LoginManager) -> None:
    manager.init_app(app)
    manager.login_view = "auth.login"
    manager.login_message = "请先登录"
    manager.session_protection = "strong"
    manager.user_loader(load_user)
