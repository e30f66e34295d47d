"""Serve SpiffArena's ASGI app with uvicorn (one worker, as the benchmark does) and profile each
request's Flask dispatch with cProfile — ours, wrapped around the app object from outside; the
peer's code is not changed. Only requests between SIGUSR1 and SIGUSR2 are profiled (the benchmark
brackets its completions with them). On exit (SIGTERM) writes `--out` (JSON: exclusive time by
package, top functions, SQL statements and commits counted with a SQLAlchemy event listener) and `--out` with `.prof` (pstats, for `python -m pstats`).

Run with the PEER's interpreter from its backend directory (`python -m bench.side_by_side
--profile-peer N` does):

    $ORGFLOW_PEER_HOME/venv/bin/python /path/to/bench/peer/profile_server.py --out prof.json --port 8123

What is inside Flask's `full_dispatch_request` is profiled: the peer's before-request hooks
(token verification, the permission check), the controller, the engine, the database work and
the JSON answer; connexion's ASGI middleware and uvicorn around it are not. cProfile adds
overhead to every Python call, so absolute times are inflated; the shares are what to read.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

PACKAGES = [("sqlite3", "SQLite driver (C: execute, commit, fetch)"), ("/sqlalchemy/", "SQLAlchemy (ORM and Core)"),
            ("/flask_sqlalchemy/", "SQLAlchemy (ORM and Core)"), ("/SpiffWorkflow/", "SpiffWorkflow (the engine)"),
            ("spiffworkflow_backend/", "spiffworkflow_backend (its own code)"), ("/flask/", "Flask / Werkzeug"),
            ("/werkzeug/", "Flask / Werkzeug"), ("/jwt/", "JWT and crypto"), ("/cryptography/", "JWT and crypto"),
            ("/jinja2/", "Jinja2"), ("/jsonschema/", "jsonschema"), ("/json/", "JSON"), ("simplejson", "JSON"),
            ("/lxml/", "lxml"), ("/RestrictedPython/", "RestrictedPython")]


def package(filename: str, function: str) -> str:
    where = f"{filename} {function}"
    return next((label for marker, label in PACKAGES if marker in where),
                "Python builtins (C)" if filename == "~" else "other Python (stdlib, other libraries)")


class Profiler:
    def __init__(self) -> None:
        self.on = threading.Event()
        self.lock = threading.Lock()
        self.stats: pstats.Stats | None = None
        self.requests = 0
        self.wall = 0.0
        self.statements: dict[str, int] = {}
        self.local = threading.local()

    def count_sql(self) -> None:
        """Count the SQL statements (by verb) and commits of the profiled requests."""
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        def statement(conn: Any, cursor: Any, sql: str, *_: Any) -> None:
            verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"
            if getattr(self.local, "active", False) and verb != "BEGIN":  # counted by `begin`
                self.statements[verb] = self.statements.get(verb, 0) + 1

        def begin(conn: Any) -> None:
            if getattr(self.local, "active", False):
                self.statements["BEGIN"] = self.statements.get("BEGIN", 0) + 1

        def commit(conn: Any) -> None:
            if getattr(self.local, "active", False):
                self.statements["COMMIT"] = self.statements.get("COMMIT", 0) + 1

        event.listen(Engine, "before_cursor_execute", statement)
        event.listen(Engine, "begin", begin)
        event.listen(Engine, "commit", commit)

    def wrap(self, dispatch: Any) -> Any:
        def profiled() -> Any:
            if not self.on.is_set():
                return dispatch()
            with self.lock:  # cProfile profiles one thread; the profiled run has one client
                profile = cProfile.Profile()
                started = time.perf_counter()
                self.local.active = True
                try:
                    return profile.runcall(dispatch)
                finally:
                    self.local.active = False
                    self.wall += time.perf_counter() - started
                    self.requests += 1
                    self.stats = pstats.Stats(profile) if self.stats is None else self.stats.add(profile)
        return profiled

    def dump(self, out: Path) -> None:
        if self.stats is None:
            out.write_text(json.dumps({"requests": 0}))
            return
        self.stats.dump_stats(str(out.with_suffix(".prof")))
        by_package: dict[str, float] = {}
        rows = []
        for (filename, line, function), (_, calls, own, cumulative, _) in self.stats.stats.items():  # type: ignore[attr-defined]
            by_package[package(filename, function)] = by_package.get(package(filename, function), 0.0) + own
            rows.append((f"{_short(filename)}:{line}:{function}", calls, own, cumulative))
        out.write_text(json.dumps({
            "requests": self.requests, "wall_s": self.wall, "statements": self.statements, "total_s": sum(by_package.values()),
            "by_package": sorted(by_package.items(), key=lambda kv: -kv[1]),
            "top_cumulative": [r for r in sorted(rows, key=lambda r: -r[3])[:600]],
            "top_own": [r for r in sorted(rows, key=lambda r: -r[2])[:40]],
        }))


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/src/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    sys.path.insert(0, ".")  # as uvicorn's command line does (--app-dir .): the backend directory
    import uvicorn
    from flask import Flask
    from spiff_web_server import asgi_app

    flask_app = asgi_app
    while not isinstance(flask_app, Flask):  # the ASGI wrapper → connexion's FlaskApp → Flask
        flask_app = flask_app.app
    profiler = Profiler()
    profiler.count_sql()
    flask_app.full_dispatch_request = profiler.wrap(flask_app.full_dispatch_request)
    signal.signal(signal.SIGUSR1, lambda *_: profiler.on.set())
    signal.signal(signal.SIGUSR2, lambda *_: profiler.on.clear())
    # uvicorn shuts down on SIGTERM, then re-raises it with the handler found before it started:
    # a no-op here, so that the results are written below instead of the process dying.
    signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        uvicorn.run(asgi_app, host="127.0.0.1", port=args.port, workers=1)
    finally:
        profiler.dump(Path(args.out))


if __name__ == "__main__":
    main()
