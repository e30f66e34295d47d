"""登录 / 退出."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from flask_login import login_user
from flask_login import logout_user
from werkzeug.wrappers import Response

from webapp.auth.forms import LoginForm
from webapp.extensions import db
from webapp.transaction import commit
from workflows import accounts

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else url_for("main.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str:
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(db.session, form.username.data or "", form.password.data or "")
        commit()
        if user is not None:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("用户名或密码错误")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    user = db.session.get(type(current_user._get_current_object()), current_user.id)
    if user is not None:
        user.session_version += 1  # ends this session everywhere it was copied
        commit()
    logout_user()
    flash("已退出登录")
    return redirect(url_for("auth.login"))
