"""登录 / 退出 / 修改密码."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from flask_login import login_user
from flask_login import logout_user
from werkzeug.wrappers import Response

from models import User
from webapp.auth import limit
from webapp.auth.forms import LoginForm
from webapp.auth.forms import PasswordForm
from webapp.extensions import db
from webapp.transaction import commit
from workflows import accounts
from workflows.accounts import login_limit

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else url_for("main.index")


def _fresh_session() -> None:
    """Drop everything the session held (no fixation: not even the CSRF token) but the language."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


def _sign_in(user: User) -> None:
    _fresh_session()  # a new session on every login
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int, dict[str, str]]:
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = limit.attempt(form.username.data or "", form.password.data or "")
        except login_limit.TooManyFailures as refused:
            commit()
            form.password.errors.append(refused.message)
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(refused.retry_after)}
        commit()
        if user is not None:
            _sign_in(user)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("用户名或密码错误")
    return render_template("auth/login.html", form=form)


def _me() -> User:
    user = db.session.get(User, current_user.id)
    assert user is not None
    return user


def _refuse_current(form: PasswordForm, user: User) -> tuple[int, dict[str, str]] | None:
    """None if the current password is right, else the status and headers to answer (the
    failure is counted; a 429 says when to try again)."""
    headers: dict[str, str] = {}
    try:
        if limit.verify_current_password(user, form.current.data or ""):
            return None
        form.current.errors, status = ["当前密码不正确"], 422
    except login_limit.TooManyFailures as refused:
        form.current.errors, status = [refused.message], 429
        headers["Retry-After"] = str(refused.retry_after)
    commit()
    return status, headers


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password() -> Response | str | tuple[str, int] | tuple[str, int, dict[str, str]]:
    form = PasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/password.html", form=form), 422 if form.is_submitted() else 200
    user = _me()
    refused = _refuse_current(form, user)
    if refused:
        return render_template("auth/password.html", form=form), refused[0], refused[1]
    accounts.change_password(db.session, user, form.new.data or "")
    commit()
    _sign_in(user)  # this session carries the new session version; every other one has ended
    flash("密码已修改，其他设备上的登录已退出")
    return redirect(url_for("main.index"))


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    user = db.session.get(User, current_user.id)
    if user is not None:
        user.session_version += 1  # ends this session everywhere it was copied
        commit()
    logout_user()
    _fresh_session()
    flash("已退出登录")
    return redirect(url_for("auth.login"))
