"""Security headers on every response (DESIGN §12): a strict CSP without inline script or style,
no framing, no sniffing, no referrer leaks."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask import Response
from flask import request
from werkzeug.routing import IntegerConverter

from webapp.api.params import json_value
from workflows.errors import ValidationFailed

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class IdConverter(IntegerConverter):
    """`<int:…>` in every route, at most nine digits: a larger id matches no route (404) instead
    of overflowing in the driver (SQLite OverflowError, PostgreSQL "integer out of range"), and
    instead of werkzeug's 405 when a converter refuses a path that another method's rule shares."""

    regex = r"\d{1,9}"


def bound_ids(app: Flask) -> None:
    """Install IdConverter as `int`; call before any blueprint is registered."""
    app.url_map.converters["int"] = IdConverter


def register(app: Flask) -> None:
    hsts = app.config.get("ORGFLOW_HSTS")

    @app.after_request
    def _security_headers(response: Response) -> Response:
        # One pass over the response's headers, not one per header (`setdefault` scans them all).
        present = {name.lower() for name, _ in response.headers.items()}
        response.headers.extend([(name, value) for name, value in HEADERS.items() if name.lower() not in present])
        if hsts:
            response.headers["Strict-Transport-Security"] = hsts
        if request.endpoint != "static" and "no-store" not in response.headers.get("Cache-Control", ""):
            # Pages, API answers and downloads may hold case data: never kept by a browser or proxy.
            response.headers["Cache-Control"] = "no-store"
        return response


UNSTORABLE = "请求中含有无法保存的字符（NUL 或不成对的代理码位），请删除后重新提交"


def unstorable(value: Any) -> bool:
    """Whether a request value holds text no column can store: NUL (PostgreSQL's text refuses
    it) or a lone surrogate (JSON's `\\ud800`, not UTF-8 at all: the audit chain's hash, the
    database and every document would fail on it). Other control characters are kept: they
    are stored, and the Word file drops what XML cannot hold. Walked with a stack: a body may be
    as deep as the JSON parser allows."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item or not item.isascii() and _has_lone_surrogate(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def refuse_unstorable_text(app: Flask) -> None:
    """Refuse a request whose query, form or JSON body holds text no column can store
    (`unstorable`), before any view reads it: otherwise a 500 somewhere on the way to the
    database (schemathesis found one). 422, as for any other value a form refuses: the request
    is well formed, a value in it is not acceptable."""

    @app.before_request
    def _refuse_unstorable_text() -> None:
        values: list[Any] = []
        if request.query_string:
            values.append(request.args.to_dict(flat=False))
        if request.mimetype in _FORMS:
            values.append(request.form.to_dict(flat=False))
        elif request.is_json and _ESCAPES.search(request.get_data(cache=True)):
            # JSON text is UTF-8 and holds no raw control character: NUL and lone surrogates can
            # only come as escapes, so a body without such an escape needs no walk (a completion).
            values.append(json_value())
        if values and unstorable(values):
            raise ValidationFailed(UNSTORABLE)


_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
_ESCAPES = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
