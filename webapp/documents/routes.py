"""PDF downloads from the case page (审批单, 干部任免审批表, 党费下拨通知, 台账)."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask_login import current_user
from flask_login import login_required

from webapp.documents import render
from webapp.extensions import db

bp = Blueprint("documents", __name__)


@bp.route("/cases/<int:instance_id>/documents/<kind>.pdf")
@login_required
def pdf(instance_id: int, kind: str) -> Response:
    return render.download(db.session, current_user, instance_id, kind)


@bp.route("/cases/<int:instance_id>/documents/<kind>.docx")
@login_required
def word(instance_id: int, kind: str) -> Response:
    return render.download_word(db.session, current_user, instance_id, kind)
