"""The case page (审批详情 · 流程图 · 流转记录), its action bar, and attachments."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required
from werkzeug.wrappers import Response

from webapp.errors import status_of
from webapp.extensions import db
from webapp.i18n import diagram_labels
from webapp.pages.case import admin as admin_cases
from webapp.pages.case import view as case_view
from webapp.pages.case.actions import Outcome
from webapp.transaction import commit
from webapp.transaction import locks_at_first_write
from webapp.transaction import write_apart
from webapp.ui import safe_next
from webapp.ui import submission
from workflows.actions import INSTANCE
from workflows.actions import ITEM
from workflows.cases import attachments
from workflows.errors import ValidationFailed

bp = Blueprint("cases", __name__)


@bp.route("/cases/<int:instance_id>", defaults={"tab": "detail"})
@bp.route("/cases/<int:instance_id>/<any(diagram, log):tab>")
@login_required
def show(instance_id: int, tab: str) -> str:
    page = case_view.case_page(db.session, current_user, instance_id, tab, diagram_labels())
    if page.unseen:  # opening the case reads its 抄送 and the viewer's messages about it
        write_apart(lambda: case_view.mark_seen(db.session, current_user, instance_id))
    return render_template("cases/detail.html", page=page)


@bp.post("/items/<int:item_id>/complete")
@login_required
@locks_at_first_write
def complete(item_id: int) -> Response | tuple[str, int]:
    """提交 (the item's form), as `act` does it, with the write lock taken only for the writes."""
    return _act(ITEM, item_id, "complete")


@bp.post("/items/<int:item_id>/<action>")
@login_required
def act(item_id: int, action: str) -> Response | tuple[str, int]:
    return _act(ITEM, item_id, action)


@bp.post("/cases/<int:instance_id>/<action>")
@login_required
def act_on_case(instance_id: int, action: str) -> Response | tuple[str, int]:
    return _act(INSTANCE, instance_id, action)


def _act(scope: str, target_id: int, action: str) -> Response | tuple[str, int]:
    """Run an action from its form; a refusal (422) shows the page again with the errors."""
    sent = submission()
    if scope == ITEM and action == "complete" and sent.first("add_row"):  # 添加一行 without JavaScript
        return render_template("cases/detail.html", page=case_view.retry_page(
            db.session, current_user, target_id, sent, None, sent.first("add_row") or "")), 200
    run = case_view.perform if scope == ITEM else case_view.perform_on_case
    try:
        done = run(db.session, current_user, target_id, action, sent)
    except ValidationFailed as error:
        db.session.rollback()
        if sent.first("view") == "admin":
            refused = admin_cases.refused(db.session, current_user, scope, target_id, action, sent, error)
            return render_template("admin/case.html", page=refused), status_of(error)
        page = case_view.refused(db.session, current_user, scope, target_id, action, sent, error)
        return render_template("cases/detail.html", page=page), status_of(error)
    commit()
    flash(_done_message(done))
    back = url_for("inbox.queue", view="todo") if done.leaves_todo else url_for("cases.show", instance_id=done.instance_id)
    return redirect(safe_next(request.form.get("next"), back))


def _done_message(done: Outcome) -> str:
    words = {"complete": _("已办理"), "claim": _("已认领")}
    what = words.get(done.action) or _("已%(action)s", action=_(done.label))
    return str(_("%(what)s：%(number)s %(title)s", what=what, number=done.number, title=done.title))


@bp.route("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int) -> Response:
    row, path = attachments.open_file(db.session, current_user, attachment_id)
    response = send_file(path, mimetype=row.content_type, as_attachment=True, download_name=row.filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/attachments/<int:attachment_id>/preview")
@login_required
def attachment_preview(attachment_id: int) -> Response:
    """The file shown in the browser (PDF, images, an Office file as PDF); else its download."""
    shown = attachments.preview(db.session, current_user, attachment_id)
    if shown is None:
        return redirect(url_for("cases.attachment", attachment_id=attachment_id))
    response = send_file(shown.path, mimetype=shown.content_type, as_attachment=False, download_name=shown.filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response
