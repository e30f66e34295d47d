"""The case page (审批详情 · 流程图 · 流转记录), its action bar, and attachments."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required

from webapp.extensions import db
from webapp.i18n import diagram_labels
from webapp.transaction import commit
from webapp.ui import safe_next
from webapp.ui import submission
from workflows import attachments
from workflows import case_view
from workflows.errors import ValidationFailed

bp = Blueprint("cases", __name__)


@bp.route("/cases/<int:instance_id>", defaults={"tab": "detail"})
@bp.route("/cases/<int:instance_id>/<any(diagram, log):tab>")
@login_required
def show(instance_id: int, tab: str) -> str:
    page = case_view.case_page(db.session, current_user, instance_id, tab, diagram_labels())
    return render_template("cases/detail.html", page=page)


@bp.post("/items/<int:item_id>/<action>")
@login_required
def act(item_id: int, action: str) -> Response | tuple[str, int]:
    sent = submission()
    try:
        item = case_view.perform(db.session, current_user, item_id, action, sent)
    except ValidationFailed as error:
        db.session.rollback()
        page = case_view.retry_page(db.session, current_user, item_id, sent, error)
        return render_template("cases/detail.html", page=page), 422
    commit()
    done = _("已认领") if action == "claim" else _("已办理")
    flash(f"{done}：{item.instance.number} {item.title}")
    back = url_for("cases.show", instance_id=item.instance_id) if action == "claim" else url_for("inbox.queue", view="todo")
    return redirect(safe_next(request.form.get("next"), back))


@bp.route("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int) -> Response:
    row, path = attachments.open_file(db.session, current_user, attachment_id)
    response = send_file(path, mimetype=row.content_type, as_attachment=True, download_name=row.filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response
