"""The side-by-side run's timed client (issue 17, item 6): one keep-alive HTTP/1.1 connection per
client thread on the standard library's `http.client`, with the few methods the systems' steps
call (`get`, `post`, `put`, answers with `status_code`, `text`, `json()`).

httpx, which signs the systems in and fills them (redirects, cookies, forms), spends about
0.4 ms of its own per request on this machine, measured against a trivial WSGI answer: with one
client that time is part of every completion's latency, the same for every system, and it is no
part of any server. `python -m bench.sbs_client` measures both clients that way (a one-line WSGI
app under gunicorn, as the shipped config runs OrgFlow: gthread, keep-alive) and prints their
median round trips, so the report can say what the client itself costs.
"""

from __future__ import annotations

import argparse
import http.client
import json as jsonlib
import statistics
import subprocess
import sys
import time
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode
from urllib.parse import urlsplit

from bench import sbs_servers
from bench.common import ROOT

CLIENTS = ("lean", "httpx")


class ClientError(Exception):
    """The connection failed twice in a row (a fresh connection is tried once)."""


class Answer:
    """What a step reads of an answer, under httpx's names."""

    def __init__(self, method: str, path: str, status: int, body: bytes) -> None:
        self.status_code, self.content = status, body
        self.request = SimpleNamespace(method=method, url=SimpleNamespace(path=path))

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return jsonlib.loads(self.content)


class LeanClient:
    """One keep-alive connection to `base_url`; not shared between threads."""

    def __init__(self, base_url: str, timeout: float = 120) -> None:
        parts = urlsplit(base_url)
        self._host, self._port, self._timeout = parts.hostname or "127.0.0.1", parts.port or 80, timeout
        self._connection: http.client.HTTPConnection | None = None

    def __enter__(self) -> LeanClient:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._connection is not None:
            self._connection.close()

    def get(self, path: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Answer:
        return self._send("GET", f"{path}?{urlencode(params)}" if params else path, None, headers)

    def post(self, path: str, json: Any = None, headers: dict[str, str] | None = None) -> Answer:
        return self._send("POST", path, json, headers)

    def put(self, path: str, json: Any = None, headers: dict[str, str] | None = None) -> Answer:
        return self._send("PUT", path, json, headers)

    def _send(self, method: str, path: str, payload: Any, headers: dict[str, str] | None) -> Answer:
        body = None if payload is None else jsonlib.dumps(payload).encode()
        sent = {**(headers or {}), **({"Content-Type": "application/json"} if body is not None else {})}
        for attempt in (1, 2):  # a server may close an idle keep-alive connection: reconnect once
            if self._connection is None:
                self._connection = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
            try:
                self._connection.request(method, path, body=body, headers=sent)
                response = self._connection.getresponse()
                content = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self._connection.close()
                self._connection = None
                if attempt == 2:
                    raise ClientError(f"{method} {path}: {exc}") from exc
                continue
            if response.will_close:
                self._connection.close()
                self._connection = None
            return Answer(method, path.split("?", 1)[0], response.status, content)
        raise AssertionError("unreachable")


def make_client(kind: str, base_url: str) -> Any:
    if kind == "lean":
        return LeanClient(base_url)
    import httpx

    return httpx.Client(base_url=base_url, timeout=120)


TRIVIAL_APP = '''
def app(environ, start_response):
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    body = b'{"ok": true}'
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
'''


def round_trips(kind: str, base: str, n: int) -> float:
    """Median ms of `n` POSTs with a JSON body and a bearer header, after 100 warm-up ones."""
    samples = []
    with make_client(kind, base) as client:
        for i in range(n + 100):
            started = time.perf_counter()
            client.post("/x", json={"data": {"decision": "agree"}}, headers={"Authorization": "Bearer x"}).json()
            if i >= 100:
                samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=2000, help="requests per client and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    workdir = ROOT / "bench" / "results"
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "trivial_wsgi.py").write_text(TRIVIAL_APP)
    port = sbs_servers.free_port()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-k", "gthread", "--threads", "4", "-w", "1",
                               "--keep-alive", "5", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                               "trivial_wsgi:app"], cwd=workdir, stdout=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                with LeanClient(base) as probe:
                    probe.get("/")
                break
            except ClientError:
                time.sleep(0.1)
        for number in range(1, args.rounds + 1):
            figures = {kind: round_trips(kind, base, args.n) for kind in CLIENTS}
            print(f"round {number}: " + ", ".join(f"{kind} {ms:.3f} ms" for kind, ms in figures.items())
                  + f"; httpx − lean {figures['httpx'] - figures['lean']:.3f} ms", flush=True)
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
