"""The queues: 待办, 已办, 我发起的, 抄送我的."""

from __future__ import annotations

from flask import Blueprint
from flask import g
from flask import render_template
from flask import request
from flask_login import current_user
from flask_login import login_required

from webapp.extensions import db
from webapp.ui import PER_PAGE
from webapp.ui import Pager
from webapp.ui import page_number
from workflows import inbox

bp = Blueprint("inbox", __name__, url_prefix="/tasks")


@bp.route("/<any(todo, done, started, cc):view>")
@login_required
def queue(view: str) -> str:
    filters = inbox.Filters(**{name: (request.args.get(name) or "").strip() or None for name in inbox.FILTER_NAMES})
    pager = Pager(page_number(), PER_PAGE, 0)
    page = inbox.queue_page(db.session, current_user, view, filters, PER_PAGE, pager.offset)
    pager.total = page.total
    if view == "todo" and not filters.narrows():
        g.todo_total = page.total  # the layout's 待办 badge: the same count, not queried twice
    return render_template("inbox/queue.html", page=page, pager=pager, filters=filters)
