"""重要情况专报: the list and search, CSV, one 专报 with the people and cases it concerns. Filing
and every step go through the process's own pages (发起, 待办)."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template
from flask import request
from flask_login import current_user
from flask_login import login_required
from werkzeug.wrappers import Response

from webapp.extensions import db
from webapp.pages import special_reports as pages
from webapp.ui import PER_PAGE
from webapp.ui import Pager
from webapp.ui import page_number

bp = Blueprint("special_reports", __name__, url_prefix="/special-reports")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here needs a signed-in user; the services decide what they may see."""


@bp.get("", endpoint="index")
def index() -> str:
    page = pages.list_page(db.session, current_user, request.args, page_number(), PER_PAGE)
    return render_template("special_reports/index.html", page=page, pager=Pager(page_number(), PER_PAGE, page.total))


@bp.get("/export.csv", endpoint="csv")
def export_csv() -> Response:
    text = pages.export(db.session, current_user, request.args)
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=special-reports.csv"})


@bp.get("/<int:special_id>", endpoint="show")
def show(special_id: int) -> str:
    return render_template("special_reports/show.html", report=pages.detail(db.session, current_user, special_id))
