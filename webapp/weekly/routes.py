"""周报: the unit × week matrix and its CSV, one report with its lines (a 问责 lead from a line, a
督导 on a late or missing report), and the group's schedule."""

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
from webapp.pages import weekly as page
from webapp.transaction import begin_recorded_read
from webapp.transaction import commit
from workflows.errors import InvalidRequest
from workflows.errors import ValidationFailed
from workflows.weekly import matrix
from workflows.weekly import schedule

bp = Blueprint("weekly", __name__, url_prefix="/weekly")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here needs a signed-in user; the services decide what they may see."""


def _weeks() -> int:
    raw = request.args.get("weeks", "8")
    if not raw.isdigit() or not 1 <= int(raw) <= matrix.MAX_WEEKS:
        raise InvalidRequest(f"参数 weeks 须为 1–{matrix.MAX_WEEKS} 的整数")
    return int(raw)


@bp.get("", endpoint="index")
def index() -> str:
    found = matrix.matrix(db.session, current_user, _weeks())
    return render_template("weekly/matrix.html", matrix=found, weeks=len(found.weeks),
                           can_edit=schedule.may_edit(db.session, current_user))


@bp.get("/matrix.csv", endpoint="csv")
def export_csv() -> Response:
    begin_recorded_read()
    text = matrix.export(db.session, current_user, _weeks())
    commit()
    return Response(text, mimetype="text/csv", headers={"Content-Disposition": "attachment; filename=weekly-reports.csv"})


@bp.get("/reports/<int:report_id>", endpoint="report")
def report(report_id: int) -> str:
    return render_template("weekly/report.html", report=matrix.report_view(db.session, current_user, report_id),
                           lead_link=page.lead_link)


@bp.post("/reports/<int:report_id>/supervisions", endpoint="supervise")
def supervise(report_id: int) -> Response:
    try:
        matrix.open_supervision(db.session, current_user, report_id, request.form.get("reason"))
    except ValidationFailed as error:
        db.session.rollback()
        flash("；".join(m for messages in error.fields.values() for m in messages) or error.message, "error")
        return redirect(url_for("weekly.report", report_id=report_id))
    commit()
    flash(_("已开启督导"))
    return redirect(url_for("weekly.report", report_id=report_id))


@bp.route("/schedule", methods=["GET", "POST"], endpoint="schedule")
def edit_schedule() -> Response | str | tuple[str, int]:
    if request.method == "GET":
        return render_template("weekly/schedule.html", page=page.schedule_page(db.session, current_user))
    try:
        schedule.update(db.session, current_user, request.form.to_dict())
    except ValidationFailed as error:
        db.session.rollback()
        return render_template("weekly/schedule.html",
                               page=page.schedule_page(db.session, current_user, dict(error.fields))), 422
    commit()
    flash(_("周报日程已保存"))
    return redirect(url_for("weekly.index"))
