"""The app as users run it, for the end-to-end suite: `flask serve` (what `make run` runs) or
gunicorn with the shipped gunicorn.conf.py, on the test database; an HTTP `api(username)` with the
interface of tests/conftest.py's in-process one, so the API drivers (tests/flows.py,
tests/helpers.py, tests/drivers/) run unchanged against the real server; and the CLI as
subprocesses (`flask workflows worker --once --at …`, `flask workflows check`, `flask audit verify`).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from flask import Flask

from tests.flows import Flow
from tests.integration.production.support import Gunicorn
from tests.integration.production.support import server_env
from tests.integration.production.support import token
from tests.integration.worker.support import wait_for
from workflows.engine import clock

ROOT = Path(__file__).resolve().parents[2]
SERVE, GUNICORN = "flask serve", "gunicorn"
RUNNING = re.compile(r"Running on (http://127\.0\.0\.1:\d+)")


def today() -> date:
    """The server's business day (Asia/Shanghai, real clock): every date the cases enter is
    counted back from it, so they are never ahead of it (T-*) and stay in order."""
    return clock.today_local().date()


def day(offset: int = 0) -> str:
    return (today() + timedelta(days=offset)).isoformat()


class FlaskServe:
    """`flask serve` on an ephemeral port: waitress with its pool of request threads and the one
    in-process timer worker, exactly as `make run` starts it."""

    def __init__(self, database_url: str, log: Path) -> None:
        self.log = log
        with log.open("ab") as sink:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "serve", "--host", "127.0.0.1", "--port", "0"], cwd=ROOT,
                env=server_env(database_url), stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
        self.url = ""
        try:
            wait_for(self._listening, 60, "flask serve to listen")
            wait_for(self._serves, 60, "flask serve to answer")
        except BaseException:
            self.stop()
            raise

    def _listening(self) -> bool:
        assert self.process.poll() is None, self.log.read_text()
        found = RUNNING.findall(self.log.read_text(errors="replace"))
        self.url = found[-1] if found else ""
        return bool(found)

    def _serves(self) -> bool:
        try:
            return httpx.get(f"{self.url}/auth/login", timeout=10).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)


class LiveGunicorn(Gunicorn):
    """tests/integration/production's gunicorn at 2 workers × 4 threads, stopped if it fails to boot."""

    def __init__(self, database_url: str, log: Path) -> None:
        try:
            super().__init__(database_url, log, workers=2, threads=4)
        except BaseException:
            if hasattr(self, "process"):
                self.stop()
            raise


class Response:
    """An httpx response read like the Flask test client's (`status_code`, `get_json()`)."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.status_code = response.status_code

    def get_json(self) -> Any:
        return self.response.json()


@dataclass
class HttpApi:
    """Calls /api/v1 of the live server as one user with a bearer token."""

    live: Live
    token: str
    username: str

    def _call(self, method: str, path: str, body: Any = None) -> Response:
        response = httpx.request(method, f"{self.live.server.url}/api/v1{path}", json=body,
                                 headers={"Authorization": f"Bearer {self.token}"}, timeout=120)
        assert response.status_code < 500, f"{method} {path} → {response.status_code}: {response.text[:2000]}"
        return Response(response)

    def get(self, path: str) -> Response:
        return self._call("GET", path)

    def post(self, path: str, body: Any = None) -> Response:
        return self._call("POST", path, body if body is not None else {})

    def put(self, path: str, body: Any = None) -> Response:
        return self._call("PUT", path, body if body is not None else {})


@dataclass
class Live:
    """One server at a time on the test database; `restart` stops it and starts the next one."""

    app: Flask
    database_url: str
    logs: Path
    kind: str = SERVE
    server: Any = None
    restarts: int = 0
    tokens: dict[str, str] = field(default_factory=dict)

    def start(self, kind: str | None = None) -> None:
        self.kind = kind or self.kind
        log = self.logs / f"server-{self.restarts}.log"
        self.server = (FlaskServe if self.kind == SERVE else LiveGunicorn)(self.database_url, log)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def restart(self, kind: str | None = None) -> None:
        """Stop the server (SIGTERM, as systemd or Ctrl-C would) and start `kind` (default: the same)."""
        self.stop()
        self.restarts += 1
        self.start(kind)

    def api(self, username: str) -> HttpApi:
        if username not in self.tokens:
            self.tokens[username] = token(self.app, username)
        return HttpApi(self, self.tokens[username], username)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`flask ARGS` in a process of its own against the test database."""
        return subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=server_env(self.database_url),
                              capture_output=True, text=True, timeout=300, check=False)

    def fire(self, at: str | None = None) -> int:
        """`flask workflows worker --once [--at AT]`: how many jobs it fired (a `flask serve` may have
        fired some of them first with its own timer thread)."""
        result = self.cli("workflows", "worker", "--once", *(["--at", at] if at else []))
        assert result.returncode == 0, result.stdout + result.stderr
        return int(result.stdout.split()[-1])

    def check(self) -> str:
        """`flask workflows check` exits 0 (no stalled case); returns its output."""
        result = self.cli("workflows", "check")
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def verify(self) -> str:
        result = self.cli("audit", "verify")
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout


class LiveFlow(Flow):
    """tests/flows.py's driver over HTTP; the timer worker is the CLI in a process of its own."""

    live: Live

    def worker(self) -> int:
        return self.live.fire()


def live_flow(live: Live) -> LiveFlow:
    flow = LiveFlow(live.api, live.app, live.app.test_cli_runner())
    flow.live = live
    return flow


def wait_until(condition: Any, what: str, timeout: float = 60) -> None:
    wait_for(condition, timeout, what)
