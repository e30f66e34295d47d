"""Draw a PDF from print HTML in a child process, killed when it overruns its time (issue 12 §6).

weasyprint cannot be interrupted, and a gthread worker cannot be signalled per request; so the
drawing runs in a process of its own, forked from a forkserver that has weasyprint loaded (a
fork costs milliseconds, not an interpreter start), and the request waits at most `limit`
seconds for its bytes. A document that takes longer is refused (503) and its process killed:
no request holds a web worker for minutes, whatever the content (gunicorn's own `timeout`
would only restart the whole worker, and every request on it, after a minute).

This module imports only weasyprint: it is what the forkserver preloads.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
from typing import Any

import weasyprint

FETCHER = weasyprint.URLFetcher(allowed_protocols={"data"})


class DrawingTooSlow(RuntimeError):
    """The PDF was not drawn within its time limit (its process was killed)."""


class DrawingFailed(RuntimeError):
    """weasyprint raised in the drawing process (the message says what)."""


def draw(html: str) -> bytes:
    """The PDF of `html`, here and now."""
    return bytes(weasyprint.HTML(string=html, url_fetcher=FETCHER).write_pdf())


def _child(html: str, out: Connection) -> None:
    try:
        out.send(("ok", draw(html)))
    except Exception as exc:  # the parent reports it; the child only exits
        out.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        out.close()


_context: Any = None


def _forkserver() -> Any:
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload([__name__, "webapp.documents.drawing_warm"])
    return _context


def draw_within(html: str, limit: float) -> bytes:
    """The PDF of `html`, drawn in a child process; DrawingTooSlow after `limit` seconds."""
    ctx = _forkserver()
    receive, send = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(html, send), daemon=True, name="orgflow-pdf")
    process.start()
    send.close()
    try:
        if not receive.poll(limit):
            raise DrawingTooSlow(f"PDF not drawn within {limit:g} s")
        try:
            status, body = receive.recv()
        except EOFError as exc:  # the child died without an answer (killed, out of memory)
            raise DrawingFailed(f"the drawing process ended with code {process.exitcode}") from exc
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        receive.close()
    if status != "ok":
        raise DrawingFailed(body)
    return bytes(body)
