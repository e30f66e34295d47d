"""审计: find any case and verify the audit chain (auditors only)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint
from flask import render_template
from flask import request
from flask_login import current_user
from flask_login import login_required

from models import Role
from webapp.extensions import db
from webapp.ui import PER_PAGE
from webapp.ui import Pager
from webapp.ui import page_number
from webapp.ui import role_required
from workflows import audit_view
from workflows.errors import InvalidRequest

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.before_request
@login_required
@role_required(Role.AUDITOR)
def _auditors_only() -> None:
    """Every page here needs a signed-in auditor; services check again."""


def _date_arg(name: str) -> date | None:
    raw = request.args.get(name, "").strip()
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError as exc:
        raise InvalidRequest("日期格式应为 YYYY-MM-DD") from exc


@bp.route("/")
def search() -> str:
    args = request.args
    query = audit_view.Search(args.get("q", ""), args.get("process", ""), args.get("status", ""),
                              _date_arg("since"), _date_arg("until"))
    pager = Pager(page_number(), PER_PAGE, 0)
    results = audit_view.search_cases(db.session, current_user, query, PER_PAGE, pager.offset)
    pager.total = results.total
    return render_template("audit/search.html", results=results, search=query, pager=pager)


@bp.route("/verify")
def verify() -> str:
    return render_template("audit/verify.html", result=audit_view.verify_chain(db.session, current_user))
