"""管理 · 流程实例: find a case by its number and 终止 it, or 改派 one of its open items. The page
shows a minimal header only (administrators do not read cases); the actions post to the same
routes as the case page (`/cases/<id>/terminate`, `/items/<id>/reassign`)."""

from __future__ import annotations

from flask import render_template
from flask import request
from flask_login import current_user

from webapp.admin.routes import bp
from webapp.extensions import db
from webapp.pages.case import admin as admin_cases
from webapp.ui import PER_PAGE
from webapp.ui import Pager
from webapp.ui import page_number


@bp.route("/cases")
def cases() -> str:
    q, status = (request.args.get("q") or "").strip(), request.args.get("status", "running")
    pager = Pager(page_number(), PER_PAGE, 0)
    rows, pager.total = admin_cases.cases(db.session, current_user, q, status, PER_PAGE, pager.offset)
    return render_template("admin/cases.html", rows=rows, pager=pager, q=q, status=status,
                           statuses=admin_cases.STATUSES, stalled=admin_cases.stalled_cases(db.session, current_user))


@bp.route("/cases/<int:instance_id>")
def case(instance_id: int) -> str:
    return render_template("admin/case.html", page=admin_cases.case_page(db.session, current_user, instance_id))
