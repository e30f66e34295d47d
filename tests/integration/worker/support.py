"""Real `flask workflows worker` processes against the test database, and due timers to fire.

Cases of the test diagram `timer` (start → timer on `wake_at` → end) are started in the past
with the injectable clock, so their timers are due now; many cases are made by copying the
stored state of one (the state holds no instance id), which keeps the set-up fast."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.engine import make_url

from models import AuditEvent
from models import ProcessInstance
from models import TimerJob
from models import TimerStatus
from models import User
from tests.conftest import AUDIT_KEY
from webapp.extensions import db
from workflows import cases
from workflows.engine import clock
from workflows.engine.clock import frozen_at

ROOT = Path(__file__).resolve().parents[3]
APP_NAME = "orgflow-test-worker"


def due_timers(app: Flask, count: int) -> list[int]:
    """`count` running cases whose timer fell due a minute ago; returns their ids."""
    past = clock.now() - timedelta(hours=1)
    with app.app_context(), frozen_at(past):
        initiator = db.session.scalars(select(User).where(User.username == "s1_07")).one()
        first = cases.start(db.session, "timer", {"topic": "到期提醒", "wake_at": (past + timedelta(minutes=59))
                                                  .isoformat()}, initiator)
        db.session.flush()
        job = db.session.scalars(select(TimerJob).where(TimerJob.instance_id == first.id)).one()
        copies = [{"definition_id": first.definition_id, "number": f"TM-COPY-{n:05d}", "title": first.title,
                   "status": first.status, "initiator_id": first.initiator_id, "owning_unit_id": first.owning_unit_id,
                   "data": first.data, "state": first.state, "serializer_version": first.serializer_version,
                   "revision": 1, "created_at": past, "updated_at": past} for n in range(count - 1)]
        ids = list(db.session.scalars(insert(ProcessInstance).returning(ProcessInstance.id), copies)) if copies else []
        if ids:
            db.session.execute(insert(TimerJob), [{"instance_id": i, "kind": "timer", "task_id": job.task_id,
                                                   "task_name": job.task_name, "due_at": job.due_at,
                                                   "created_at": past} for i in ids])
        first_id = first.id
        db.session.commit()
        db.session.remove()
        return [first_id, *ids]


def worker_env(database_url: str) -> dict[str, str]:
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        url = url.update_query_dict({"application_name": APP_NAME})
    return {**os.environ, "FLASK_APP": "webapp:create_app", "ORGFLOW_DATABASE_URL": url.render_as_string(False),
            "ORGFLOW_AUDIT_KEY": AUDIT_KEY, "ORGFLOW_SECRET_KEY": "test-secret-key-0123456789abcdef"}


def spawn(database_url: str, log: Path, *args: str) -> subprocess.Popen[bytes]:
    """`flask workflows worker ARGS` in its own process (and process group), logging to `log`."""
    with log.open("ab") as sink:
        return subprocess.Popen([sys.executable, "-m", "flask", "workflows", "worker", *args], cwd=ROOT,
                                env=worker_env(database_url), stdout=sink, stderr=subprocess.STDOUT,
                                start_new_session=True)


def kill(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
    process.wait(timeout=30)


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `condition` until true; fail after `timeout` seconds (tests stay bounded)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.1)


def scalar(app: Flask, query: object) -> int:
    with app.app_context():
        value = db.session.scalar(query)  # type: ignore[call-overload]
        db.session.remove()
        return int(value or 0)


def done_jobs(app: Flask) -> int:
    return scalar(app, select(func.count()).select_from(TimerJob).where(TimerJob.status == TimerStatus.DONE))


def fire_counts(app: Flask) -> dict[int, int]:
    """instance id → number of `timer.fire` audit events."""
    with app.app_context():
        rows = db.session.execute(select(AuditEvent.instance_id, func.count()).where(AuditEvent.action == "timer.fire")
                                  .group_by(AuditEvent.instance_id)).all()
        db.session.remove()
        return {int(i): int(n) for i, n in rows}


def workers_waiting_on_a_lock(app: Flask) -> int:
    """How many worker backends (PostgreSQL) of this test's database are blocked waiting for a row
    lock. Of this database only: `pg_stat_activity` lists the whole server, and the other xdist
    process's workers (on its own database, with the same application name) were counted too,
    so a test could kill its worker before it had even started."""
    return scalar(app, text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name "
                            "AND datname = current_database() AND wait_event_type = 'Lock'")
                  .bindparams(name=APP_NAME))


def leased_pending(app: Flask) -> dict[int, str]:
    """Pending jobs that some worker holds a lease on: job id → its owner."""
    with app.app_context():
        rows = db.session.execute(select(TimerJob.id, TimerJob.locked_by).where(
            TimerJob.status == TimerStatus.PENDING, TimerJob.locked_by.is_not(None))).all()
        db.session.remove()
        return {int(i): str(owner) for i, owner in rows}


def owners(app: Flask, jobs: list[int]) -> set[str]:
    with app.app_context():
        found = set(db.session.scalars(select(TimerJob.locked_by).where(TimerJob.id.in_(jobs))))
        db.session.remove()
        return {str(owner) for owner in found}
