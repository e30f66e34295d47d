"""Firing due timer jobs (DESIGN §3): BPMN timers and work-item deadlines, each exactly once,
with any number of workers.

1. `claim_due` leases a small batch of due jobs to one worker in a short transaction: on
   PostgreSQL `SELECT … FOR UPDATE SKIP LOCKED`, so concurrent workers take disjoint batches
   without waiting; on SQLite the write transaction (BEGIN IMMEDIATE) is the single writer.
2. `fire` runs each job in its own transaction: lock the instance (the order every writer
   uses: instance, then its jobs), re-read the job, and act only if it is still pending —
   through the same load → run → project → revision-checked save path as a user action. The
   job is marked done in that same transaction, with its audit event.

A worker killed at any point leaves nothing half-written (its transaction dies with it) and
its lease simply expires, after which another worker takes the job: it fires once. Even a
worker whose lease ran out while it was still busy cannot fire a job twice, because the
status is checked under the instance lock.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from models import FINAL_STATUSES
from models import ProcessInstance
from models import TimerJob
from models import TimerStatus
from workflows import audit
from workflows.cases import store
from workflows.engine import clock
from workflows.engine.locking import lock_instance
from workflows.engine.runtime import engine
from workflows.timers import deadlines

# The face: what code outside this package (the web layer above all) may use; `make lint`
# (scripts/check_layers.py) refuses anything else from webapp/.
__all__ = [
    "timers_of",
    "worker",
]

MAX_ATTEMPTS = 5
LEASE = timedelta(seconds=60)
# SpiffWorkflow counts a timer as fired only once its clock is strictly past the due time
# (`has_fired`: due < now), while a job is due at its due time: the engine runs a tick past it.
TICK = timedelta(microseconds=1)


def claim_due(session: Session, owner: str, limit: int = 20, lease: timedelta = LEASE) -> list[int]:
    """Lease up to `limit` due, unleased (or lease-expired) jobs to `owner`, oldest first.

    Call in a write transaction of its own and commit at once; the ids are then this
    worker's to fire until the lease ends.
    """
    now = clock.now()
    query = (
        select(TimerJob.id)
        .where(TimerJob.status == TimerStatus.PENDING, TimerJob.due_at <= now,
               or_(TimerJob.locked_until.is_(None), TimerJob.locked_until < now))
        .order_by(TimerJob.due_at, TimerJob.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if ids:
        session.execute(update(TimerJob).where(TimerJob.id.in_(ids))
                        .values(locked_by=owner, locked_until=now + lease)
                        .execution_options(synchronize_session=False))
    return ids


def _locked_job(session: Session, job_id: int) -> tuple[TimerJob, ProcessInstance] | None:
    instance_id = session.scalar(select(TimerJob.instance_id).where(TimerJob.id == job_id))
    if instance_id is None:
        return None
    instance = lock_instance(session, instance_id)
    job = session.scalars(select(TimerJob).where(TimerJob.id == job_id).with_for_update()
                          .execution_options(populate_existing=True)).one()
    return job, instance


def _leased_to_other(job: TimerJob, owner: str | None, now: datetime) -> bool:
    return (owner is not None and job.locked_by not in (None, owner)
            and job.locked_until is not None and job.locked_until > now)


def _fire_timer(session: Session, job: TimerJob, instance: ProcessInstance) -> bool:
    workflow = store.load(instance)
    with clock.frozen_at(max(clock.now(), job.due_at + TICK)):
        engine().run(workflow)
    store.save(session, instance, workflow)  # sees the job still pending: runs the timer's effects
    job.status, job.fired_at = TimerStatus.DONE, clock.now()
    audit.record(session, "timer.fire", instance=instance,
                 payload={"task": job.task_name, "due_at": job.due_at.isoformat()})
    return True


def fire(session: Session, job_id: int, owner: str | None = None) -> bool:
    """Fire one job if it is due and still pending; True if this call fired it.

    Must run in a write transaction of its own (the caller commits). A job leased to another
    worker whose lease has not run out is left to it. Raises ScriptError if the diagram fails
    downstream of a timer; the caller then records the failure.
    """
    found = _locked_job(session, job_id)
    if found is None:
        return False
    job, instance = found
    now = clock.now()
    if job.status != TimerStatus.PENDING or job.due_at > now or _leased_to_other(job, owner, now):
        return False
    job.attempts += 1
    if instance.status in FINAL_STATUSES:
        job.status = TimerStatus.CANCELLED
        return False
    if job.kind in deadlines.KINDS:
        fired = deadlines.fire(session, job, instance)
        job.status, job.fired_at = (TimerStatus.DONE, now) if fired else (TimerStatus.CANCELLED, None)
        return fired
    return _fire_timer(session, job, instance)


def record_failure(session: Session, job_id: int, error: str) -> None:
    """Count a failed attempt (in a fresh transaction), back off, and give up after MAX_ATTEMPTS."""
    job = session.get(TimerJob, job_id)
    if job is None:
        return
    job.attempts += 1
    job.last_error = error[:2000]
    job.locked_by, job.locked_until = None, clock.now() + timedelta(seconds=min(3600, 10 * 2 ** job.attempts))
    if job.attempts >= MAX_ATTEMPTS:
        job.status = TimerStatus.FAILED
    audit.record(session, "timer.failed", instance=None, payload={"job": job_id, "error": error[:500]})


def timers_of(session: Session, instance_id: int) -> list[TimerJob]:
    """Pending BPMN timers of a case, for the API's `timers` list (deadlines are on the items)."""
    return list(session.scalars(
        select(TimerJob).where(TimerJob.instance_id == instance_id, TimerJob.status == TimerStatus.PENDING,
                               TimerJob.kind == "timer")
        .order_by(TimerJob.due_at)
    ))
