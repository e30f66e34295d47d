"""Helpers shared by the page blueprints: reading forms and files, pagination, role guards and
the navigation context. Nothing here decides a business rule; services do."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from typing import TypeVar
from urllib.parse import urlsplit

from flask import Flask
from flask import flash
from flask import g
from flask import redirect
from flask import request
from flask import url_for
from flask_babel import gettext
from flask_login import current_user

from webapp.extensions import db
from webapp.i18n import HTML_LANG
from webapp.i18n import NAMES
from webapp.i18n import select_locale
from webapp.pages import dashboard
from webapp.pages.audit import reading as audit_reading
from webapp.pages.case.view import Submission
from workflows import labels
from workflows.cases import attachments
from workflows.errors import InvalidRequest
from workflows.errors import NotAllowed
from workflows.errors import NotFound
from workflows.errors import ValidationFailed
from workflows.routing import permissions

F = TypeVar("F", bound=Callable[..., Any])
PER_PAGE = 20


def submission() -> Submission:
    """The posted form fields (all values per name) and uploaded files of this request."""
    fields = {k: v for k, v in request.form.to_dict(flat=False).items() if k != "csrf_token"}
    files = [attachments.Upload(f.filename or "", f.stream) for f in request.files.getlist(attachments.FIELD) if f.filename]
    return Submission(fields, files)


def page_number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 100000:
        raise InvalidRequest("页码无效")
    return int(raw)


@dataclass
class Pager:
    page: int
    per_page: int
    total: int
    more: bool = False  # the list has more rows than `total` (a list that stops counting)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages or self.more

    @property
    def shown_total(self) -> str:
        """The total as the pager says it: “1000+” for a list that stopped counting."""
        return f"{self.total}+" if self.more else str(self.total)

    @property
    def shown_pages(self) -> str:
        return f"{self.pages}+" if self.more else str(self.pages)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def args(self, page: int) -> dict[str, Any]:
        """The current query string with another page number, for links."""
        args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page" and v}
        args["page"] = page
        return args


_MARK = 987_654_321  # the id a link is first built with: no route's fixed text holds it


def id_urls(endpoint: str, key: str, **values: Any) -> Callable[[int], str]:
    """`url_for(endpoint, **values, key=id)` for many ids (a list's rows): the link built once with
    a marker id, then each id written in its place. Werkzeug builds a link in about 16 µs, and the
    待办 page has two a row. For an integer parameter; refuses an endpoint whose link holds the
    marker twice."""
    marked: dict[str, Any] = {**values, key: _MARK}
    url = url_for(endpoint, **marked)
    head, marker, tail = url.partition(str(_MARK))
    if not marker or str(_MARK) in tail:
        raise ValueError(f"{endpoint}: its link does not hold {key} once")
    return lambda value: f"{head}{int(value)}{tail}"


def role_required(role: str) -> Callable[[F], F]:
    """403 unless the signed-in user holds `role` somewhere (services check again)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not permissions.has_role(db.session, current_user, role):
                raise NotAllowed("您没有访问该页面的权限")
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def register_context(app: Flask) -> None:
    app.jinja_env.filters["trans"] = gettext  # translate a word the service chose (an action's label)
    app.jinja_env.globals["event_title"] = lambda action: gettext(audit_reading.title(action))
    app.jinja_env.globals["status_title"] = lambda code: gettext(labels.status_title(code))
    app.jinja_env.globals["id_urls"] = id_urls

    @app.context_processor
    def _layout() -> dict[str, Any]:
        locale = select_locale()
        nav = dashboard.nav(db.session, current_user, g.get("todo_total")) if current_user.is_authenticated else None
        return {"nav": nav, "locale": locale, "html_lang": HTML_LANG.get(locale, "zh-CN"), "locale_names": NAMES}


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to; anything else (other hosts, `//evil`) becomes `default`."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def _referrer_path() -> str | None:
    parts = urlsplit(request.referrer or "")
    if parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def back_on_error(view: F) -> F:
    """For admin forms: a refused change is flashed on the page it came from, not an error page."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except (InvalidRequest, ValidationFailed, NotFound) as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(safe_next(request.form.get("next") or _referrer_path(), "/"))

    return wrapped  # type: ignore[return-value]
