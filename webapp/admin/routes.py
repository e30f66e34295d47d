"""管理: users and roles, the org tree, process versions, calendar overrides (administrators only)."""

from __future__ import annotations

from datetime import date
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

from models import Role
from webapp.extensions import db
from webapp.pages.diagram import render as diagram
from webapp.transaction import commit
from webapp.ui import PER_PAGE
from webapp.ui import Pager
from webapp.ui import back_on_error
from webapp.ui import page_number
from webapp.ui import role_required
from workflows import admin
from workflows.errors import InvalidRequest
from workflows.records import probation

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
@role_required(Role.ADMIN)
def _admins_only() -> None:
    """Every page here needs a signed-in administrator; services check again."""


def _form(name: str) -> str:
    return (request.form.get(name) or "").strip()


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidRequest("日期格式应为 YYYY-MM-DD") from exc


def _done(message: str, endpoint: str, **values: Any) -> Response:
    commit()
    flash(message)
    return redirect(url_for(endpoint, **values))


@bp.context_processor
def _calendar_warning() -> dict[str, object]:
    """Every 管理 page warns while a year's working days would be counted Monday–Friday."""
    return {"calendar_warning": admin.calendar_warning(db.session)}


@bp.route("/")
def home() -> Response:
    return redirect(url_for("admin.users"))


@bp.route("/users")
def users() -> str:
    pager = Pager(page_number(), PER_PAGE, 0)
    found = admin.users(db.session, current_user, request.args.get("q", ""), PER_PAGE, pager.offset)
    pager.total = found.total
    return render_template("admin/users.html", found=found, pager=pager, q=request.args.get("q", ""))


@bp.post("/users")
@back_on_error
def create_user() -> Response:
    user = admin.create_user(db.session, current_user, _form("username"), _form("name"), _form("unit"),
                             request.form.get("password", ""))
    return _done(_("已创建用户 %(name)s", name=user.name), "admin.user", user_id=user.id)


@bp.route("/users/<int:user_id>")
def user(user_id: int) -> str:
    return render_template("admin/user.html", detail=admin.user_detail(db.session, current_user, user_id))


@bp.post("/users/<int:user_id>/active")
@back_on_error
def set_active(user_id: int) -> Response:
    user = admin.set_active(db.session, current_user, user_id, request.form.get("active") == "1")
    return _done(_("已启用 %(name)s", name=user.name) if user.is_active else _("已停用 %(name)s", name=user.name),
                 "admin.user", user_id=user_id)


@bp.post("/users/<int:user_id>/password")
@back_on_error
def reset_password(user_id: int) -> Response:
    user = admin.reset_password(db.session, current_user, user_id, request.form.get("password", ""))
    return _done(_("已重置 %(name)s 的密码，其登录会话已失效", name=user.name), "admin.user", user_id=user_id)


@bp.post("/users/<int:user_id>/roles")
@back_on_error
def change_role(user_id: int) -> Response:
    grant = request.form.get("grant") == "1"
    admin.change_role(db.session, current_user, user_id, _form("role"), _form("unit"), grant)
    return _done(_("已授予角色") if grant else _("已撤销角色"), "admin.user", user_id=user_id)


@bp.post("/users/<int:user_id>/relations")
@back_on_error
def declare_relation(user_id: int) -> Response:
    admin.declare_relation(db.session, current_user, user_id, _form("other"), _form("kind"), _form("note"))
    return _done(_("已登记回避关系"), "admin.user", user_id=user_id)


@bp.post("/users/<int:user_id>/relations/<int:relation_id>/delete")
@back_on_error
def remove_relation(user_id: int, relation_id: int) -> Response:
    admin.remove_relation(db.session, current_user, user_id, relation_id)
    return _done(_("已删除回避关系"), "admin.user", user_id=user_id)


@bp.route("/org")
def org() -> str:
    return render_template("admin/org.html", roots=admin.org_tree(db.session, current_user))


@bp.post("/org")
@back_on_error
def create_unit() -> Response:
    unit = admin.create_unit(db.session, current_user, _form("code"), _form("name"), _form("level"),
                             _form("parent") or None)
    return _done(_("已新建组织 %(name)s", name=unit.name), "admin.org")


@bp.route("/processes")
def processes() -> str:
    return render_template("admin/processes.html", versions=admin.versions(db.session, current_user))


@bp.route("/processes/<int:definition_id>")
def process(definition_id: int) -> str:
    definition, svg = diagram.version_diagram(db.session, current_user, definition_id)
    return render_template("admin/process.html", definition=definition, svg=svg)


@bp.route("/calendar")
def calendar() -> str:
    return render_template("admin/calendar.html", days=admin.calendar_overrides(db.session, current_user),
                           years=admin.calendar_years(db.session, current_user))


@bp.post("/calendar")
@back_on_error
def set_override() -> Response:
    row = admin.set_override(db.session, current_user, _day(_form("day")), request.form.get("workday") == "1",
                             _form("note"))
    return _done(_("已调整 %(day)s", day=row.day.isoformat()), "admin.calendar")


@bp.post("/calendar/<day>/delete")
@back_on_error
def delete_override(day: str) -> Response:
    admin.delete_override(db.session, current_user, _day(day))
    return _done(_("已删除 %(day)s 的调整", day=day), "admin.calendar")


@bp.route("/probation", endpoint="probation")
def probation_register() -> str:
    return render_template("admin/probation.html", rows=probation.register(db.session, current_user))


@bp.route("/probation.csv")
def probation_csv() -> Response:
    text = probation.csv_text(probation.register(db.session, current_user))
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=probation-register.csv"})
