"""The landing page after login (the full 工作台 comes with the web UI)."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template
from flask_login import current_user
from flask_login import login_required

from webapp.extensions import db
from workflows import inbox

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def index() -> str:
    todo = inbox.queue(db.session, current_user, "todo", limit=10)
    return render_template("main/index.html", todo=todo)
