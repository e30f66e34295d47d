"""My notifications (消息: list, mark read, mark all read) and my delegations (委托)."""

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

from webapp.extensions import db
from webapp.pages import delegations as delegation_view
from webapp.transaction import commit
from webapp.ui import PER_PAGE
from webapp.ui import Pager
from webapp.ui import page_number
from webapp.ui import safe_next
from webapp.ui import submission
from workflows.actions import delegations as delegation_actions
from workflows.errors import ValidationFailed
from workflows.notify import notifications

bp = Blueprint("mine", __name__)


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here is the signed-in user's own."""


@bp.route("/notifications")
def notices() -> str:
    unread_only = request.args.get("unread") == "1"
    pager = Pager(page_number(), PER_PAGE, 0)
    page = notifications.inbox(db.session, current_user, unread_only, PER_PAGE, pager.offset)
    pager.total = page.total
    return render_template("mine/notifications.html", page=page, pager=pager, unread_only=unread_only)


@bp.post("/notifications/<int:notification_id>/read")
def read_notice(notification_id: int) -> Response:
    notifications.mark_read(db.session, current_user, notification_id)
    commit()
    return redirect(safe_next(request.form.get("next"), url_for("mine.notices")))


@bp.post("/notifications/read-all")
def read_all_notices() -> Response:
    count = notifications.mark_all_read(db.session, current_user)
    commit()
    flash(_("已将 %(count)s 条消息标为已读", count=count))
    return redirect(safe_next(request.form.get("next"), url_for("mine.notices")))


@bp.route("/delegations")
def delegations() -> str:
    return render_template("mine/delegations.html", page=delegation_view.page(db.session, current_user))


@bp.post("/delegations")
def create_delegation() -> Response | tuple[str, int]:
    sent = submission()
    try:
        delegation_view.create(db.session, current_user, sent.fields)
    except ValidationFailed as error:
        db.session.rollback()
        page = delegation_view.page(db.session, current_user, sent.fields, error)
        return render_template("mine/delegations.html", page=page), 422
    commit()
    flash(_("委托已设置"))
    return redirect(url_for("mine.delegations"))


@bp.post("/delegations/<int:delegation_id>/end")
def end_delegation(delegation_id: int) -> Response:
    delegation_actions.end(db.session, current_user, delegation_id)
    commit()
    flash(_("委托已结束"))
    return redirect(url_for("mine.delegations"))
