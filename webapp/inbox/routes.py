"""The queues: 待办, 已办, 我发起的, 抄送我的."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.pages import inbox
from webapp.ui import PER_PAGE
from webapp.ui import Pager
from webapp.ui import page_number
from workflows.cases import batch
from workflows.errors import InvalidRequest

bp = Blueprint("inbox", __name__, url_prefix="/tasks")


@bp.route("/<any(todo, done, started, cc):view>")
@login_required
def queue(view: str) -> str:
    filters = inbox.Filters(**{name: (request.args.get(name) or "").strip() or None for name in inbox.FILTER_NAMES})
    pager = Pager(page_number(), PER_PAGE, 0)
    page = inbox.queue_page(db.session, current_user, view, filters, PER_PAGE, pager.offset)
    pager.total, pager.more = page.total, page.more
    if view == "todo" and not filters.narrows() and not page.more:
        g.todo_total = page.total  # the layout's 待办 badge: the same count, not queried twice
    return render_template("inbox/queue.html", page=page, pager=pager, filters=filters, batchable=page.batchable)


@bp.post("/batch-approve")
@login_required
def batch_approve() -> Response | str:
    """批量同意 the ticked 待办 items with the shared opinion; the answer lists every item."""
    ticked = request.form.getlist("ids")
    if not ticked:
        flash(_("请先勾选要批量同意的事项"))
        return redirect(url_for("inbox.queue", view="todo"))
    if not all(value.isdigit() for value in ticked):
        raise InvalidRequest("事项编号须为正整数")
    outcomes = batch.approve(db.session, current_user, [int(v) for v in ticked], request.form.get("comment"))
    return render_template("inbox/batch_result.html", outcomes=outcomes,
                           approved=sum(o.ok for o in outcomes))
