"""A real gunicorn (gunicorn.conf.py) on a free port against the test database, and cheap cases.

Cases of the test diagram `deadline` (start → 部长审批 by s1_02 → end) are started through the
service API in bulk; completing their one step ends the case, so each race is a single, cheap
completion.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from flask import Flask
from sqlalchemy import func
from sqlalchemy import select

from models import AuditEvent
from models import ProcessInstance
from models import WorkItem
from models import WorkItemStatus
from tests.conftest import AUDIT_KEY
from tests.integration.worker.support import wait_for
from webapp.extensions import db
from workflows import accounts
from workflows import cases

ROOT = Path(__file__).resolve().parents[3]
SECRET = "test-secret-key-0123456789abcdef"


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "FLASK_APP": "webapp:create_app", "ORGFLOW_DATABASE_URL": database_url,
            "ORGFLOW_AUDIT_KEY": AUDIT_KEY, "ORGFLOW_SECRET_KEY": SECRET, **extra}


def live_processes(field: int, value: int) -> list[int]:
    """Live (not zombie) processes whose /proc stat field number `field` (after the name; 1 is
    the parent pid, 3 the session id) equals `value`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[field]) == value and fields[0] != "Z":
            found.append(int(entry.name))
    return sorted(found)


def children(pid: int) -> list[int]:
    """The live child processes of `pid`."""
    return live_processes(1, pid)


class Gunicorn:
    """`gunicorn -c gunicorn.conf.py` bound to an ephemeral port, logging to `log`."""

    def __init__(self, database_url: str, log: Path, workers: int = 3, threads: int = 4) -> None:
        self.log = log
        env = server_env(database_url, ORGFLOW_BIND="127.0.0.1:0", ORGFLOW_WEB_WORKERS=str(workers),
                         ORGFLOW_WEB_THREADS=str(threads), ORGFLOW_ACCESS_LOG="")
        with log.open("ab") as sink:
            self.process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"], cwd=ROOT,
                                            env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
        self.url = ""
        wait_for(self._listening, 60, "gunicorn to listen")
        wait_for(lambda: len(self.workers()) == workers and self._serves(), 90, "every gunicorn worker to boot")

    def _listening(self) -> bool:
        assert self.process.poll() is None, self.log.read_text()
        match = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", self.log.read_text())
        self.url = match.group(1) if match else ""
        return bool(match)

    def _serves(self) -> bool:
        try:
            return httpx.get(f"{self.url}/auth/login", timeout=10).status_code == 200
        except httpx.HTTPError:
            return False

    def workers(self) -> list[int]:
        return children(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)


def deadline_cases(app: Flask, count: int) -> list[int]:
    """`count` more running `deadline` cases, each with its one open item for s1_02; returns the ids
    of every open item of such cases."""
    with app.app_context():
        initiator = accounts.find_user(db.session, "s1_07")
        for n in range(count):
            cases.start(db.session, "deadline", {"topic": f"请示 {n}", "mode": "all", "members": ["s1_02"]}, initiator)
            if n % 50 == 49:
                db.session.commit()
        db.session.commit()
        items = list(db.session.scalars(select(WorkItem.id).where(WorkItem.task_name == "approve",
                                                                  WorkItem.status == WorkItemStatus.OPEN)
                                        .order_by(WorkItem.id)))
        db.session.remove()
    return items


def revisions(app: Flask, instances: list[int] | None = None) -> dict[int, int]:
    query = select(ProcessInstance.id, ProcessInstance.revision)
    if instances is not None:
        query = query.where(ProcessInstance.id.in_(instances))
    with app.app_context():
        rows = db.session.execute(query).all()
        db.session.remove()
    return {int(i): int(r) for i, r in rows}


def token(app: Flask, username: str) -> str:
    with app.app_context():
        value = accounts.create_token(db.session, accounts.find_user(db.session, username))
        db.session.commit()
        db.session.remove()
    return value


def instances_of(app: Flask, items: list[int]) -> list[int]:
    with app.app_context():
        found = list(db.session.scalars(select(WorkItem.instance_id).where(WorkItem.id.in_(items))))
        db.session.remove()
    return sorted(found)


def events_per_instance(app: Flask, cases: list[int]) -> dict[int, int]:
    with app.app_context():
        rows = db.session.execute(select(AuditEvent.instance_id, func.count()).where(
            AuditEvent.instance_id.in_(cases)).group_by(AuditEvent.instance_id)).all()
        db.session.remove()
    return {int(i): int(n) for i, n in rows}


def uncontested(app: Flask, url: str, bearer: str) -> tuple[int, int]:
    """Revision and audit-event growth of one completion nobody competes for (the yardstick).

    Call it before any other case is open: it starts one case and completes its item."""
    [item] = deadline_cases(app, 1)
    [case] = instances_of(app, [item])
    before, events_before = revisions(app, [case]), events_per_instance(app, [case])
    response = httpx.post(f"{url}/api/v1/tasks/{item}/complete", json={"data": {"decision": "agree"}},
                          headers={"Authorization": f"Bearer {bearer}"}, timeout=60)
    assert response.status_code == 200, response.text
    return (revisions(app, [case])[case] - before[case],
            events_per_instance(app, [case])[case] - events_before[case])


def tcp_ports(pid: int) -> set[int]:
    """Local ports of the TCP sockets process `pid` holds (its database connections among them)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports
