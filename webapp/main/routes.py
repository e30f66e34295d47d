"""工作台 and the language switch."""

from __future__ import annotations

from flask import Blueprint
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask_login import current_user
from flask_login import login_required
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.pages import dashboard
from webapp.transaction import commit
from webapp.ui import safe_next
from workflows import accounts

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def index() -> str:
    board = dashboard.dashboard(db.session, current_user)
    g.todo_total = board.counts["todo"]  # the layout's 待办 badge: the same count, not queried twice
    return render_template("main/index.html", board=board)


@bp.post("/locale")
def set_locale() -> Response:
    """Switch the language; remembered on the user, or in the session before login."""
    locale = request.form.get("locale", "")
    if current_user.is_authenticated:
        accounts.set_locale(db.session, current_user, locale)
        commit()
    elif locale in accounts.LOCALES:
        session["locale"] = locale
    return redirect(safe_next(request.form.get("next")))
