"""干部信息: the list of the cadres a 组织部 manages, a whole record (its reading audited), the edit
forms (basic boxes, one section at a time, the photo), the 干部信息采集表 upload and export.
Services check who manages whom (`workflows.records.access`); a refusal is a recorded 403."""

from __future__ import annotations

import io
from urllib.parse import quote

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

from webapp.extensions import db
from webapp.pages.records import cadre_forms
from webapp.pages.records import conduct as conduct_page
from webapp.transaction import begin_recorded_read
from webapp.transaction import commit
from webapp.ui import back_on_error
from workflows.errors import ValidationFailed
from workflows.records import cadre_edit
from workflows.records import cadre_export
from workflows.records import cadre_import
from workflows.records import cadres
from workflows.records import conduct
from workflows.records import fields
from workflows.records import workbook

bp = Blueprint("records", __name__, url_prefix="/cadres")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page needs a signed-in user; the services decide whose records they may see."""


def _read_upload(name: str, most: int) -> bytes:
    """The uploaded file's first `most` + 1 bytes (enough to refuse a bigger one); the file is closed
    at once (a large upload is spooled to a temporary file)."""
    upload = request.files.get(name)
    if upload is None:
        return b""
    try:
        return upload.stream.read(most + 1)
    finally:
        upload.close()


def _saved(message: str, username: str) -> Response:
    commit()
    flash(message)
    return redirect(url_for("records.record", username=username))


@bp.get("/", endpoint="cadres")
def cadres_list() -> str:
    query, offset = request.args.get("q", "")[:100], request.args.get("offset", "0")
    rows, total = cadres.search(db.session, current_user, query, int(offset) if offset.isdigit() else 0)
    return render_template("records/list.html", rows=rows, total=total, q=query, page=cadres.PAGE,
                           offset=int(offset) if offset.isdigit() else 0)


@bp.post("/new")
@back_on_error
def create() -> Response:
    username = request.form.get("username", "").strip()[:64]
    cadre_edit.create(db.session, current_user, username, request.form.get("management_level", "")[:20])
    return _saved(_("已建立干部信息"), username)


@bp.get("/<username>")
def record(username: str) -> str:
    begin_recorded_read()
    view = cadres.read(db.session, current_user, username[:64])
    panel = conduct_page.panel(conduct.listed(db.session, current_user, view.username))
    commit()
    return render_template("records/record.html", page=cadre_forms.record_page(view), conduct=panel)


@bp.post("/<username>/events")
def add_event(username: str) -> Response | tuple[str, int]:
    view = cadres.for_editing(db.session, current_user, username[:64])  # 403 before the form is read
    values = conduct_page.form_values(request.form)
    try:
        conduct.add(db.session, current_user, view.username, values)
    except ValidationFailed as error:
        db.session.rollback()
        panel = conduct_page.panel(conduct.listed(db.session, current_user, view.username), values, error.fields,
                                   error.message)
        return render_template("records/record.html", page=cadre_forms.record_page(view), conduct=panel), 422
    return _saved(_("已添加现实表现纪实"), view.username)


@bp.post("/<username>/events/<int:event_id>/remove")
@back_on_error
def remove_event(username: str, event_id: int) -> Response:
    conduct.remove(db.session, current_user, username[:64], event_id, request.form.get("reason", "")[:400])
    return _saved(_("已删除现实表现纪实"), username[:64])


@bp.get("/<username>/events.csv")
def events_csv(username: str) -> Response:
    begin_recorded_read()
    text, name = conduct.csv_text(db.session, current_user, username[:64])
    commit()
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}-conduct.csv", "Cache-Control": "private, no-store"})


@bp.route("/<username>/edit", methods=["GET", "POST"])
def edit(username: str) -> Response | tuple[str, int] | str:
    view = cadres.for_editing(db.session, current_user, username[:64])
    if request.method == "GET":
        return render_template("records/edit.html", view=view, inputs=cadre_forms.basic_inputs(view.basic))
    values = cadre_forms.basic_from_form(request.form)
    try:
        cadre_edit.update_basic(db.session, current_user, view.username, values)
    except ValidationFailed as error:
        db.session.rollback()
        return render_template("records/edit.html", view=view, inputs=cadre_forms.basic_inputs(values, error.fields)), 422
    return _saved(_("干部信息已保存"), view.username)


@bp.route("/<username>/sections/<section>", methods=["GET", "POST"])
def section(username: str, section: str) -> Response | tuple[str, int] | str:
    view = cadres.for_editing(db.session, current_user, username[:64])
    key = section if section in fields.SECTIONS else "resume"
    if request.method == "GET":
        return render_template("records/section.html", view=view, grid=cadre_forms.section_grid(key, view.sections[key]))
    rows = cadre_forms.rows_from_form(key, request.form)
    try:
        cadre_edit.update_section(db.session, current_user, view.username, key, rows)
    except ValidationFailed as error:
        db.session.rollback()
        return render_template("records/section.html", view=view, grid=cadre_forms.section_grid(key, rows, error.fields)), 422
    return _saved(_("干部信息已保存"), view.username)


@bp.post("/<username>/photo")
@back_on_error
def photo_upload(username: str) -> Response:
    data = _read_upload("photo", cadre_edit.MAX_PHOTO)
    cadre_edit.set_photo(db.session, current_user, username[:64], data)
    return _saved(_("照片已更新"), username[:64])


@bp.get("/<username>/photo")
def photo(username: str) -> Response:
    data, kind = cadre_edit.photo(db.session, current_user, username[:64])
    response = send_file(io.BytesIO(data), mimetype=kind)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/import", methods=["GET", "POST"])
def upload() -> Response | tuple[str, int] | str:
    if request.method == "GET":
        return render_template("records/import.html", sheets=workbook.SHEETS, errors=[])
    data = _read_upload("file", workbook.MAX_BYTES)
    try:
        result = cadre_import.import_cadres(db.session, data, current_user)
    except cadre_import.ImportRefused as error:
        db.session.rollback()
        return render_template("records/import.html", sheets=workbook.SHEETS, errors=error.errors, message=error.message), 422
    commit()
    flash(_("已导入：新建 %(created)s 人，更新 %(updated)s 人", created=result.created, updated=result.updated))
    return redirect(url_for("records.cadres"))


@bp.get("/export.xlsx")
def export() -> Response:
    begin_recorded_read()
    data = cadre_export.export_cadres(db.session, current_user)
    commit()
    response = send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name="干部信息采集表.xlsx")
    response.headers["Cache-Control"] = "private, no-store"
    return response
