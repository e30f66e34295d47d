"""Firing due timers (DESIGN §3): each job in its own transaction, exactly once.

A job is fired under the instance lock, through the same load → run → project → save path
as a user action, and marked done in that transaction. On PostgreSQL the job row is taken
with `FOR UPDATE SKIP LOCKED`, so parallel workers never pick the same job; on SQLite the
write transaction (BEGIN IMMEDIATE) serializes them. A crash rolls the whole step back and
the job stays pending for the next pass: nothing fires twice and nothing is lost.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import FINAL_STATUSES
from models import TimerJob
from models import TimerStatus
from workflows import audit
from workflows import clock
from workflows import definitions
from workflows import projection
from workflows.locking import lock_instance
from workflows.runtime import engine

MAX_ATTEMPTS = 5


def due_job_ids(session: Session, now: datetime | None = None, limit: int = 100) -> list[int]:
    """Ids of pending jobs due at `now`, oldest first (a hint; `fire` re-checks under lock)."""
    moment = now or clock.now()
    return list(session.scalars(
        select(TimerJob.id)
        .where(TimerJob.status == TimerStatus.PENDING, TimerJob.due_at <= moment)
        .order_by(TimerJob.due_at, TimerJob.id)
        .limit(limit)
    ))


def _claim(session: Session, job_id: int) -> TimerJob | None:
    query = select(TimerJob).where(TimerJob.id == job_id, TimerJob.status == TimerStatus.PENDING)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.scalars(query.execution_options(populate_existing=True)).first()


def fire(session: Session, job_id: int) -> bool:
    """Fire one due timer job if it is still pending; True if this call fired it.

    Must run in a write transaction of its own (the caller commits). Raises ScriptError if
    the diagram fails downstream of the timer; the caller then records the failure.
    """
    job = _claim(session, job_id)
    if job is None or job.due_at > clock.now():
        return False
    instance = lock_instance(session, job.instance_id)
    if instance.status in FINAL_STATUSES:
        job.status = TimerStatus.CANCELLED
        return False
    workflow = engine().load(definitions.runtime(instance.definition), instance.state)
    engine().run(workflow)
    projection.sync(session, instance, workflow)  # sees the job still pending: runs the timer's effects
    job.status, job.fired_at, job.attempts = TimerStatus.DONE, clock.now(), job.attempts + 1
    instance.state = engine().dump(workflow)
    audit.record(session, "timer.fire", instance=instance,
                 payload={"task": job.task_name, "due_at": job.due_at.isoformat()})
    return True


def record_failure(session: Session, job_id: int, error: str) -> None:
    """Count a failed attempt (in a fresh transaction); give up after MAX_ATTEMPTS."""
    job = session.get(TimerJob, job_id)
    if job is None:
        return
    job.attempts += 1
    job.last_error = error[:2000]
    if job.attempts >= MAX_ATTEMPTS:
        job.status = TimerStatus.FAILED
    audit.record(session, "timer.failed", instance=None, payload={"job": job_id, "error": error[:500]})


def timers_of(session: Session, instance_id: int) -> list[TimerJob]:
    """Pending timers of a case, for the API's `timers` list."""
    return list(session.scalars(
        select(TimerJob).where(TimerJob.instance_id == instance_id, TimerJob.status == TimerStatus.PENDING)
        .order_by(TimerJob.due_at)
    ))
