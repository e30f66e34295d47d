"""`flask serve`, the server `make run` starts, as a user meets it: waitress in one process with a
pool of request threads, the app's body limit applied before a body is read, an access log, and a
clean stop on SIGTERM."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from flask import Flask

from tests.e2e.support import FlaskServe


@pytest.fixture()
def served(app: Flask, database_url: str, tmp_path: Path) -> Iterator[FlaskServe]:
    server = FlaskServe(database_url, tmp_path / "serve.log")
    yield server
    server.stop()


def test_it_names_itself_and_its_threads(served: FlaskServe) -> None:
    response = httpx.get(f"{served.url}/auth/login", timeout=10)
    assert response.status_code == 200
    assert response.headers["server"] == "OrgFlow"  # not the server's name and version
    assert "(4 threads)" in served.log.read_text()


def test_a_body_over_the_apps_limit_is_refused_before_it_is_sent(app: Flask, served: FlaskServe) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    parts = urlsplit(served.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as raw:
        raw.sendall(f"POST /api/v1/tasks/1/complete HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {limit + 1}\r\n\r\n".encode())
        answer = raw.recv(4096).decode("latin-1")  # no byte of the body sent: the answer comes anyway
    assert answer.startswith("HTTP/1.1 413 "), answer


def test_sigterm_stops_it_at_once_and_cleanly(served: FlaskServe) -> None:
    assert httpx.get(f"{served.url}/auth/login", timeout=10).status_code == 200
    started = time.monotonic()
    served.process.terminate()  # the process itself, as systemd would
    assert served.process.wait(timeout=30) == 0, served.log.read_text()
    assert time.monotonic() - started < 10
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{served.url}/auth/login", timeout=5)


ACCESS_LINE = re.compile(r'127\.0\.0\.1 "GET /auth/login\?next=/tasks/todo HTTP/1\.1" 200 \d+ \d+us$', re.M)


def test_each_request_is_logged_to_standard_error_by_default(served: FlaskServe) -> None:
    assert httpx.get(f"{served.url}/auth/login?next=/tasks/todo", timeout=10).status_code == 200
    time.sleep(0.2)  # the line is written when the answer has been made
    assert ACCESS_LINE.search(served.log.read_text()), served.log.read_text()[-500:]


@pytest.mark.parametrize("where", ["file", "nowhere"])
def test_the_access_log_goes_where_orgflow_access_log_says(app: Flask, database_url: str, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    access = tmp_path / "access.log"
    monkeypatch.setenv("ORGFLOW_ACCESS_LOG", str(access) if where == "file" else "")
    server = FlaskServe(database_url, tmp_path / "serve.log")
    try:
        assert httpx.get(f"{server.url}/auth/login?next=/tasks/todo", timeout=10).status_code == 200
        time.sleep(0.2)
    finally:
        server.stop()
    assert not ACCESS_LINE.search(server.log.read_text())
    if where == "file":
        assert ACCESS_LINE.search(access.read_text())
    else:
        assert not access.exists()
