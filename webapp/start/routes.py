"""发起: the process catalog, the start form with its route preview, and the start itself."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required
from werkzeug.wrappers import Response

from webapp.errors import status_of
from webapp.extensions import db
from webapp.pages.start import view as start_view
from webapp.transaction import commit
from webapp.ui import submission
from workflows.errors import ValidationFailed

bp = Blueprint("start", __name__, url_prefix="/start")


@bp.route("/")
@login_required
def catalog() -> str:
    return render_template("start/catalog.html", entries=start_view.catalog(db.session, current_user))


@bp.route("/<key>")
@login_required
def form(key: str) -> str:
    return render_template("start/form.html", page=start_view.start_page(db.session, current_user, key, request.args))


@bp.post("/<key>")
@login_required
def submit(key: str) -> Response | tuple[str, int] | str:
    sent = submission()
    if request.form.get("add_row"):  # 添加一行 without JavaScript: the form again, one row longer
        return render_template("start/form.html", page=start_view.grown_page(db.session, current_user, key, sent,
                                                                             request.form["add_row"]))
    if request.form.get("intent") == "preview":
        page = start_view.preview_page(db.session, current_user, key, sent)
        return render_template("start/form.html", page=page), 200 if page.checked else 422
    try:
        instance = start_view.start(db.session, current_user, key, sent)
    except ValidationFailed as error:
        db.session.rollback()
        page = start_view.failed_page(db.session, current_user, key, sent, error)
        return render_template("start/form.html", page=page), status_of(error)
    commit()
    flash(_("已发起：%(number)s", number=instance.number))
    return redirect(url_for("cases.show", instance_id=instance.id))
