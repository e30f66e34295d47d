"""Several `flask workflows worker` processes firing due timers: each exactly once (counted in
the audit log), none lost when a worker is killed with SIGKILL in the middle of a transaction.

To kill a worker *mid-transaction* deterministically, the test holds the audit chain's head
row locked: every worker then blocks at the very end of its firing transaction (where the
audit events are sealed), holding its instance lock and a leased batch — the kill lands there.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.engine import make_url

from models import ProcessInstance
from models import TimerJob
from models import TimerStatus
from tests.integration.worker.support import done_jobs
from tests.integration.worker.support import due_timers
from tests.integration.worker.support import fire_counts
from tests.integration.worker.support import kill
from tests.integration.worker.support import leased_pending
from tests.integration.worker.support import owners
from tests.integration.worker.support import spawn
from tests.integration.worker.support import wait_for
from tests.integration.worker.support import workers_waiting_on_a_lock
from webapp.extensions import db
from workflows import audit

FAST = ("--interval", "0.2", "--batch", "10", "--lease", "3")


class AuditHeadLock:
    """Holds `audit_head` FOR UPDATE in a connection of its own until released."""

    def __init__(self, database_url: str) -> None:
        self.engine = create_engine(database_url)
        self.connection = self.engine.connect()
        self.transaction = self.connection.begin()
        self.connection.execute(text("SELECT * FROM audit_head WHERE id = 1 FOR UPDATE"))

    def release(self) -> None:
        self.transaction.rollback()
        self.connection.close()
        self.engine.dispose()


class Workers(list[Any]):
    """The worker processes a test started; all are stopped at its end, their logs kept."""

    def __init__(self, database_url: str, logs: Path) -> None:
        super().__init__()
        self.database_url, self.logs = database_url, logs

    def start(self, count: int = 1) -> None:
        for _ in range(count):
            self.append(spawn(self.database_url, self.logs / f"worker-{len(self)}.log", *FAST))


@pytest.fixture()
def workers(database_url: str, tmp_path: Path) -> Iterator[Workers]:
    started = Workers(database_url, tmp_path)
    yield started
    for process in started:
        kill(process, signal.SIGTERM)


def assert_fired_exactly_once(app: Flask, ids: list[int]) -> None:
    assert fire_counts(app) == dict.fromkeys(ids, 1)
    with app.app_context():
        statuses = db.session.execute(select(TimerJob.status, ProcessInstance.status)
                                      .join(ProcessInstance, ProcessInstance.id == TimerJob.instance_id)).all()
        assert set(statuses) == {(TimerStatus.DONE, "completed")}
        assert audit.verify(db.session).ok
        db.session.remove()


@pytest.mark.postgres
@pytest.mark.usefixtures("test_processes")
def test_three_workers_fire_2000_timers_once_each_though_one_is_killed(app: Flask, database_url: str,
                                                                      workers: Workers) -> None:
    ids = due_timers(app, 2000)
    workers.start(3)
    wait_for(lambda: done_jobs(app) >= 300, 120, "the first 300 timers")
    lock = AuditHeadLock(database_url)
    try:
        wait_for(lambda: workers_waiting_on_a_lock(app) == 3, 60, "all three workers blocked mid-transaction")
        kill(workers[0])  # SIGKILL while it holds an instance lock, a leased batch and unsaved work
    finally:
        lock.release()
    wait_for(lambda: done_jobs(app) == len(ids), 240, "every timer to fire")
    assert workers[1].poll() is None and workers[2].poll() is None
    assert_fired_exactly_once(app, ids)


@pytest.mark.postgres
@pytest.mark.usefixtures("test_processes")
def test_a_worker_killed_mid_transaction_leaves_nothing_and_the_job_fires_once_after_restart(
        app: Flask, database_url: str, workers: Workers) -> None:
    [case] = due_timers(app, 1)
    with app.app_context():
        revision = db.session.get(ProcessInstance, case).revision
        db.session.remove()
    lock = AuditHeadLock(database_url)
    try:
        workers.start()
        wait_for(lambda: workers_waiting_on_a_lock(app) == 1, 60, "the worker to block before its commit")
        kill(workers[0])
    finally:
        lock.release()
    with app.app_context():
        job = db.session.scalars(select(TimerJob).where(TimerJob.instance_id == case)).one()
        instance = db.session.get(ProcessInstance, case)
        assert (job.status, job.fired_at, instance.status, instance.revision) == (TimerStatus.PENDING, None,
                                                                                  "running", revision)
        assert job.locked_by is not None  # its lease outlives it, then expires
        db.session.remove()
    assert fire_counts(app) == {}
    workers.start()
    wait_for(lambda: done_jobs(app) == 1, 60, "the restarted worker to fire the job")
    assert_fired_exactly_once(app, [case])


@pytest.mark.usefixtures("test_processes")
def test_two_workers_share_due_timers_on_either_database(app: Flask, database_url: str,
                                                         workers: Workers) -> None:
    ids = due_timers(app, 200)
    workers.start(2)
    wait_for(lambda: done_jobs(app) == len(ids), 120, "every timer to fire")
    assert_fired_exactly_once(app, ids)


def hold_mid_batch(app: Flask, database_url: str, worker: subprocess.Popen[bytes]) -> Callable[[], None]:
    """Hold the one running worker in the middle of a leased batch, ready to be killed there;
    returns what to release once it is dead.

    PostgreSQL: it blocks at the commit of a job it is firing (the audit head is held). SQLite:
    once a lease is seen the worker is frozen (SIGSTOP) and the lease checked again while it
    cannot move, so "mid-batch" is a fact, not a race; if it had just finished that batch it is
    let go (SIGCONT) to lease the next one.
    """
    if make_url(database_url).get_backend_name() == "postgresql":
        lock = AuditHeadLock(database_url)
        wait_for(lambda: workers_waiting_on_a_lock(app) == 1, 60, "the worker to block before a commit")
        return lock.release
    for _attempt in range(50):
        wait_for(lambda: bool(leased_pending(app)), 60, "the worker to lease a batch")
        os.killpg(worker.pid, signal.SIGSTOP)
        if leased_pending(app):
            return lambda: None
        os.killpg(worker.pid, signal.SIGCONT)
    raise AssertionError("the worker was never caught in the middle of a batch")


@pytest.mark.usefixtures("test_processes")
def test_a_worker_killed_mid_batch_leaves_its_leased_timers_to_fire_once_after_restart(
        app: Flask, database_url: str, workers: Workers) -> None:
    ids = due_timers(app, 200)
    workers.start()  # batches of 10, leased for 3 s
    wait_for(lambda: done_jobs(app) >= 3, 60, "the first timers")
    release = hold_mid_batch(app, database_url, workers[0])
    try:
        kill(workers[0])  # SIGKILL ends a frozen process too
    finally:
        release()
    stranded = leased_pending(app)  # the rest of its batch: leased to the dead worker, not fired
    assert stranded and len(set(stranded.values())) == 1
    workers.start()
    wait_for(lambda: done_jobs(app) == len(ids), 120, "every timer to fire")
    assert_fired_exactly_once(app, ids)
    assert not owners(app, list(stranded)) & set(stranded.values())  # fired by the restarted worker
    kill(workers[1], signal.SIGTERM)
    assert workers[1].returncode == 0  # SIGTERM ends it cleanly between passes
