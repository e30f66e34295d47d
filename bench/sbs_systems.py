"""The two systems of `bench.side_by_side`, behind one small interface: start a server on a fresh
copy of a prepared database, sign the approvers in, start cases, complete one step (one HTTP
request), read one page of "my tasks". The approval is the same on both sides: a case started by
s1_03, then five sequential steps, each held by one person (s1_02, s1_04, s1_05, s1_01,
wangjianguo), each a one-field form ("agree") plus a comment.

OrgFlow: bench/side_by_side_bpmn/bench_approval.bpmn, deployed into a scratch database next to the
shipped diagrams; API tokens. SpiffArena: bench/peer/process_models (five-step-approval.bpmn),
its own venv and database prepared by bench/peer/setup_spiffarena.sh; bearer JWTs from its dev
OpenID provider, obtained through its own login flow as its frontend does.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlparse

from bench.common import ROOT

INITIATOR = "s1_03"
STEP_USERS = ["s1_02", "s1_04", "s1_05", "s1_01", "wangjianguo"]
STEP_IDS = ["dept_review", "discipline_review", "finance_review", "secretary_review", "group_approval"]
LIST_USER = STEP_USERS[0]
COMMENT = "同意"
PEER_HOME = Path(os.environ.get("ORGFLOW_PEER_HOME", "/work/peer/spiff-arena"))
PEER_MODEL = "bench:five-step-approval"
SECRET = "bench-secret-key-0123456789"
AUDIT_KEY = "bench-audit-key-0123456789"
PASSWORD = "bench-password-1"


class NotSetUp(RuntimeError):
    """The peer (or OrgFlow's venv) is missing: the message says what to run."""


class StepFailed(RuntimeError):
    """A completion that did not answer as expected (the message is the status and body)."""


@dataclass
class Ref:
    """An open step of a case: the case id and the item (OrgFlow) or task guid (SpiffArena)."""

    case: int
    item: Any


def _check(response: Any, expected: int = 200) -> Any:
    if response.status_code != expected:
        raise StepFailed(f"{response.request.method} {response.request.url.path}: {response.status_code} "
                         f"{response.text[:200]}")
    return response.json()


# ---------------------------------------------------------------- SpiffArena

class Peer:
    key, label = "spiffarena", "SpiffArena (uvicorn, 1 worker)"
    done_status = "complete"

    def __init__(self, home: Path = PEER_HOME) -> None:
        self.home = home
        if not (home / "READY").is_file():
            raise NotSetUp(f"SpiffArena is not set up in {home}: run bench/peer/setup_spiffarena.sh "
                           "(see bench/peer/README.md), or set ORGFLOW_PEER_HOME")
        self.backend = home / "src" / "spiffworkflow-backend"
        self.env_file = {k: v for k, _, v in (w.partition("=") for w in _env_words(home / "peer.env"))}

    def versions(self) -> str:
        return (self.home / "READY").read_text().strip().replace("\n", "; ")

    def fresh_db(self, workdir: Path, name: str) -> Path:
        target = workdir / f"{name}.sqlite3"
        shutil.copyfile(self.home / "db" / "template.sqlite3", target)
        return target

    def server(self, db: Path, port: int) -> tuple[list[str], Path, dict[str, str], str]:
        base = f"http://127.0.0.1:{port}"
        env = {**_base_env(), **self.env_file,
               "SPIFFWORKFLOW_BACKEND_DATABASE_URI": f"sqlite:///{db}",
               "SPIFFWORKFLOW_BACKEND_URL": base, "SPIFFWORKFLOW_BACKEND_URL_FOR_FRONTEND": base,
               "SPIFFWORKFLOW_BACKEND_AUTH_CONFIGS__0__uri": f"{base}/openid"}
        # As bin/run_server_locally does, without --reload: one uvicorn worker.
        command = [str(self.home / "venv/bin/uvicorn"), "spiff_web_server:asgi_app", "--host", "127.0.0.1",
                   "--port", str(port), "--workers", "1"]
        return command, self.backend, env, f"{base}/v1.0/status"

    def sign_in(self, client: Any) -> dict[str, dict[str, str]]:
        return {user: {"Authorization": f"Bearer {self._login(client, user)}"}
                for user in [INITIATOR, *STEP_USERS]}

    def _login(self, client: Any, user: str) -> str:
        """The frontend's flow: /login → the dev OpenID provider's form → /login_return, which
        exchanges the code for tokens and sets the access_token cookie the SPA then sends as its
        bearer token."""
        base = str(client.base_url).rstrip("/")
        start = client.get("/v1.0/login", params={"authentication_identifier": "default", "redirect_url": base + "/"})
        query = {k: v[0] for k, v in parse_qs(urlparse(start.headers["location"]).query).items()}
        form = client.post("/openid/form_submit", data={"Uname": user, "Pass": user, **query})
        back = client.get(form.headers["location"])
        token = back.cookies.get("access_token")
        if back.status_code != 302 or not token:
            raise NotSetUp(f"SpiffArena sign-in of {user} failed: {back.status_code} {back.text[:200]}")
        client.cookies.clear()
        return str(token)

    def start_cases(self, client: Any, auth: dict[str, dict[str, str]], count: int) -> list[Ref]:
        ids = []
        for _ in range(count):
            created = _check(client.post(f"/v1.0/process-instances/{PEER_MODEL}", headers=auth[INITIATOR]), 201)
            _check(client.post(f"/v1.0/process-instance-run/{PEER_MODEL}/{created['id']}", headers=auth[INITIATOR]))
            ids.append(created["id"])
        first = self._first_tasks(client, auth[STEP_USERS[0]], set(ids))
        return [Ref(case, first[case]) for case in ids]

    def _first_tasks(self, client: Any, headers: dict[str, str], wanted: set[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        page = 1
        while len(found) < len(wanted):
            body = _check(client.get("/v1.0/tasks", params={"page": page, "per_page": 100}, headers=headers))
            found.update({r["process_instance_id"]: r["id"] for r in body["results"]
                          if r["process_instance_id"] in wanted})
            if page >= body["pagination"]["pages"]:
                break
            page += 1
        if len(found) < len(wanted):
            raise StepFailed(f"{len(wanted) - len(found)} new cases have no first task for {STEP_USERS[0]}")
        return found

    def complete(self, client: Any, auth: dict[str, dict[str, str]], ref: Ref, step: int) -> Ref | None:
        response = client.put(f"/v1.0/tasks/{ref.case}/{ref.item}", json={"decision": "agree", "comment": COMMENT},
                              headers=auth[STEP_USERS[step]])
        body = _check(response)
        if step + 1 == len(STEP_IDS):
            return None
        if body.get("name") != STEP_IDS[step + 1]:
            raise StepFailed(f"after {STEP_IDS[step]} the answer names {body.get('name')!r}")
        return Ref(ref.case, body["id"])

    def my_tasks(self, client: Any, auth: dict[str, dict[str, str]]) -> int:
        body = _check(client.get("/v1.0/tasks", params={"page": 1, "per_page": 20}, headers=auth[LIST_USER]))
        return int(body["pagination"]["total"])


def _env_words(path: Path) -> list[str]:
    words = []
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            words.extend(shlex.split(line))
    return words


def _base_env() -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")
    return {k: v for k, v in os.environ.items() if k in keep}


# ---------------------------------------------------------------- OrgFlow

class OrgFlow:
    done_status = "completed"

    def __init__(self, server: str, template: Path, tokens: dict[str, str]) -> None:
        self.server_kind, self.template, self.tokens = server, template, tokens
        self.key = f"orgflow-{server}"
        self.label = ("OrgFlow `flask serve` (make run)" if server == "serve"
                      else "OrgFlow gunicorn (shipped gunicorn.conf.py)")

    def fresh_db(self, workdir: Path, name: str) -> Path:
        target = workdir / f"{name}.sqlite3"
        shutil.copyfile(self.template, target)
        return target

    def server(self, db: Path, port: int) -> tuple[list[str], Path, dict[str, str], str]:
        env = {**os.environ, "ORGFLOW_DATABASE_URL": f"sqlite:///{db}", "ORGFLOW_SECRET_KEY": SECRET,
               "ORGFLOW_AUDIT_KEY": AUDIT_KEY, "FLASK_APP": "webapp:create_app"}
        env.pop("FLASK_DEBUG", None)
        if self.server_kind == "serve":  # what `make run` runs: one process, threaded, its timer thread
            command = [str(ROOT / ".venv/bin/flask"), "serve", "--host", "127.0.0.1", "--port", str(port)]
        else:  # the shipped configuration: gthread, workers from the core count, 4 threads, access log
            env["ORGFLOW_BIND"] = f"127.0.0.1:{port}"
            command = [str(ROOT / ".venv/bin/gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")]
        return command, ROOT, env, f"http://127.0.0.1:{port}/api/v1/openapi.json"

    def sign_in(self, client: Any) -> dict[str, dict[str, str]]:
        return {user: {"Authorization": f"Bearer {token}"} for user, token in self.tokens.items()}

    def start_cases(self, client: Any, auth: dict[str, dict[str, str]], count: int) -> list[Ref]:
        refs = []
        for n in range(count):
            body = _check(client.post("/api/v1/processes/bench_approval/instances", headers=auth[INITIATOR],
                                      json={"data": {"title": f"基准测试申请 {n + 1}", "reason": "五级顺序审批"}}), 201)
            refs.append(Ref(body["id"], body["work_items"][0]["id"]))
        return refs

    def complete(self, client: Any, auth: dict[str, dict[str, str]], ref: Ref, step: int) -> Ref | None:
        response = client.post(f"/api/v1/tasks/{ref.item}/complete", headers=auth[STEP_USERS[step]],
                               json={"data": {"decision": "agree"}, "comment": COMMENT})
        body = _check(response)
        open_items = body["instance"]["work_items"]
        if step + 1 == len(STEP_IDS):
            if body["instance"]["status"] != "completed":
                raise StepFailed(f"case {ref.case} is {body['instance']['status']} after the last step")
            return None
        if [i["task"] for i in open_items] != [STEP_IDS[step + 1]]:
            raise StepFailed(f"after {STEP_IDS[step]} the open items are {[i['task'] for i in open_items]}")
        return Ref(ref.case, open_items[0]["id"])

    def my_tasks(self, client: Any, auth: dict[str, dict[str, str]]) -> int:
        body = _check(client.get("/api/v1/tasks", params={"view": "todo", "limit": 20}, headers=auth[LIST_USER]))
        return int(body["total"])

    def page_client(self, client: Any) -> None:
        """Sign LIST_USER in through the login form (session cookie) for the HTML 待办 page."""
        page = client.get("/auth/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        response = client.post("/auth/login", data={"username": LIST_USER, "password": PASSWORD,
                                                    "csrf_token": token.group(1) if token else ""})
        if response.status_code != 302:
            raise StepFailed(f"login of {LIST_USER} failed: {response.status_code}")

    def todo_page(self, client: Any) -> None:
        response = client.get("/tasks/todo")
        if response.status_code != 200:
            raise StepFailed(f"GET /tasks/todo: {response.status_code}")
