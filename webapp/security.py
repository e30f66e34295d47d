"""Security headers on every response (DESIGN §12): a strict CSP without inline script or style,
no framing, no sniffing, no referrer leaks."""

from __future__ import annotations

from flask import Flask
from flask import Response
from flask import request
from werkzeug.routing import IntegerConverter

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
