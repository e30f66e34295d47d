"""后备干部库: the list and search, CSV, an entry with its 培养措施, the annual review (动态调整)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

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
from webapp.pages.records import conduct as conduct_page
from webapp.pages.records import reserve_entry
from webapp.pages.records import reserve_list
from webapp.transaction import commit
from webapp.ui import PER_PAGE
from webapp.ui import Pager
from webapp.ui import page_number
from webapp.ui import safe_next
from workflows.engine import clock
from workflows.errors import ValidationFailed
from workflows.records import reserve
from workflows.records import reserve_measures
from workflows.records import reserve_review

bp = Blueprint("reserve", __name__, url_prefix="/reserve-pool")


def back_on_error(view: Callable[..., Response]) -> Callable[..., Response]:
    """A refused change goes back to the entry's page with the reason and each field's message."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Response:
        try:
            return view(*args, **kwargs)
        except ValidationFailed as error:
            db.session.rollback()
            details = [m for messages in getattr(error, "fields", {}).values() for m in messages if m != error.message]
            flash("；".join([error.message, *details]), "error")
            return redirect(safe_next(request.form.get("next"), url_for("reserve.entry", entry_id=kwargs["entry_id"])))

    return wrapped


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here needs a signed-in user; the services decide what they may see."""


@bp.get("", endpoint="index")
def index() -> str:
    page = reserve_list.list_page(db.session, current_user, request.args, page_number(), PER_PAGE)
    return render_template("reserve/index.html", page=page, pager=Pager(page_number(), PER_PAGE, page.total))


@bp.get("/export.csv", endpoint="csv")
def export_csv() -> Response:
    text = reserve_list.export(db.session, current_user, request.args)
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=reserve-pool.csv"})


@bp.get("/<int:entry_id>", endpoint="entry")
def entry(entry_id: int) -> str:
    today = clock.today_local().date()
    detail = reserve.detail(db.session, current_user, entry_id, today)
    page = reserve_entry.EntryPage(detail, today, conduct_page.for_reserve_entry(db.session, current_user, detail))
    return render_template("reserve/entry.html", page=page)


@bp.post("/<int:entry_id>/measures")
@back_on_error
def add_measure(entry_id: int) -> Response:
    reserve_measures.add_measure(db.session, current_user, entry_id, request.form)
    commit()
    flash(_("已添加培养措施"))
    return redirect(url_for("reserve.entry", entry_id=entry_id))


@bp.post("/<int:entry_id>/measures/<int:measure_id>")
@back_on_error
def update_measure(entry_id: int, measure_id: int) -> Response:
    reserve_measures.update_measure(db.session, current_user, entry_id, measure_id, request.form)
    commit()
    flash(_("已保存培养措施"))
    return redirect(url_for("reserve.entry", entry_id=entry_id))


@bp.post("/<int:entry_id>/review")
@back_on_error
def review(entry_id: int) -> Response:
    reserve_review.review(db.session, current_user, entry_id, request.form, clock.today_local().date())
    commit()
    flash(_("已完成年度调整"))
    return redirect(url_for("reserve.entry", entry_id=entry_id))
