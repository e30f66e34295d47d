"""The access log of `flask serve`: one line per request, in gunicorn's shape (gunicorn.conf.py
writes its own; waitress writes none). `ORGFLOW_ACCESS_LOG`: unset or `-` for standard error,
a file's path, or empty for none — the variable gunicorn.conf.py reads too."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from collections.abc import Iterable
from typing import Any

LOGGER = logging.getLogger("orgflow.access")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class AccessLog:
    """WSGI middleware: `address "METHOD /path?query HTTP/1.1" status bytes durationus`, written when
    the app has answered (a streamed body's time is not in it)."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        answered: list[tuple[str, list[tuple[str, str]]]] = []

        def recording(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answered.append((status, headers))
            return start_response(status, headers, exc_info)

        try:
            return self.app(environ, recording)
        finally:
            status, headers = answered[-1] if answered else ("500", [])
            length = next((value for name, value in headers if name.lower() == "content-length"), "-")
            query = environ.get("QUERY_STRING")
            target = environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
            LOGGER.info('%s "%s %s %s" %s %s %dus', environ.get("REMOTE_ADDR", "-"), environ.get("REQUEST_METHOD"),
                        target, environ.get("SERVER_PROTOCOL"), status.split(" ", 1)[0], length,
                        (time.perf_counter() - started) * 1_000_000)


def wrap(app: WSGIApp, destination: str | None) -> WSGIApp:
    """`app` with its access log going to `destination` (None or `-`: standard error; a path: that
    file, appended to), or `app` itself when `destination` is empty."""
    if destination == "":
        return app
    handler: logging.Handler = (logging.StreamHandler(sys.stderr) if destination in (None, "-")
                                else logging.FileHandler(destination, encoding="utf-8"))
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    LOGGER.handlers[:] = [handler]
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False
    return AccessLog(app)
