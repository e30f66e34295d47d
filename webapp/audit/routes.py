"""审计 (auditors only): find any case, the event log and each case's 流转记录, CSV exports,
the audit chain's state and its checkpoint."""

from __future__ import annotations

from datetime import date

from flask import Blueprint
from flask import Response
from flask import render_template
from flask import request
from flask_login import current_user
from flask_login import login_required

from models import Role
from webapp.audit import exports
from webapp.extensions import db
from webapp.pages.audit import search as audit_search
from webapp.pages.audit import view as audit_view
from webapp.pages.audit.search import CaseSearch
from webapp.pages.audit.search import EventSearch
from webapp.ui import PER_PAGE
from webapp.ui import Pager
from webapp.ui import page_number
from webapp.ui import role_required
from workflows.errors import InvalidRequest

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.before_request
@login_required
@role_required(Role.AUDITOR)
def _auditors_only() -> None:
    """Every page here needs a signed-in auditor; services check again."""


def _text(name: str) -> str:
    return request.args.get(name, "").strip()[:200]


def _date_arg(name: str) -> date | None:
    raw = _text(name)
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError as exc:
        raise InvalidRequest("日期格式应为 YYYY-MM-DD") from exc


def case_search() -> CaseSearch:
    return CaseSearch(_text("q"), _text("process"), _text("unit"), _text("status"), _date_arg("since"),
                      _date_arg("until"), _text("person"))


def event_search() -> EventSearch:
    return EventSearch(_text("action"), _text("actor"), _date_arg("since"), _date_arg("until"), _text("instance"))


@bp.route("/")
def search() -> str:
    query, pager = case_search(), Pager(page_number(), PER_PAGE, 0)
    results = audit_search.search_cases(db.session, current_user, query, PER_PAGE, pager.offset)
    pager.total = results.total
    return render_template("audit/search.html", results=results, search=query, pager=pager)


@bp.route("/cases.csv")
def cases_csv() -> Response:
    return exports.cases_csv(db.session, current_user, case_search())


@bp.route("/events")
def events() -> str:
    query, pager = event_search(), Pager(page_number(), PER_PAGE, 0)
    log = audit_search.search_events(db.session, current_user, query, PER_PAGE, pager.offset)
    pager.total = log.total
    return render_template("audit/events.html", log=log, search=query, pager=pager)


@bp.route("/events.csv")
def events_csv() -> Response:
    return exports.events_csv(db.session, current_user, event_search())


@bp.route("/verify")
def verify() -> str:
    return render_template("audit/verify.html", result=audit_view.verify_chain(db.session, current_user))


@bp.route("/checkpoint.json")
def checkpoint() -> Response:
    return exports.checkpoint(db.session, current_user)
