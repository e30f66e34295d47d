"""The timer worker loop: `flask workflows worker`, or a thread inside `flask serve`.

Each due job is fired in its own transaction. Any number of workers may run at once
(see `workflows.timers` for why a job fires exactly once).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy.orm import Session

from workflows import timers
from workflows.errors import ScriptError
from workflows.locking import begin_write

log = logging.getLogger(__name__)


def run_once(session_factory: Callable[[], Session], batch: int = 100) -> int:
    """Fire every job due now; returns how many fired. Each job commits or rolls back alone."""
    session = session_factory()
    try:
        ids = timers.due_job_ids(session, limit=batch)
        session.rollback()
        fired = 0
        for job_id in ids:
            fired += _fire_one(session, job_id)
        return fired
    finally:
        session.close()


def _fire_one(session: Session, job_id: int) -> int:
    try:
        begin_write(session)
        fired = timers.fire(session, job_id)
        session.commit()
        return int(fired)
    except ScriptError as exc:
        session.rollback()
        log.error("timer job %s failed: %s", job_id, exc.message)
        begin_write(session)
        timers.record_failure(session, job_id, exc.message)
        session.commit()
        return 0
    except Exception:
        session.rollback()
        log.exception("timer job %s failed; it stays pending and is retried", job_id)
        return 0


def loop(session_factory: Callable[[], Session], interval: float = 2.0,
         stop: threading.Event | None = None) -> None:
    """Fire due jobs every `interval` seconds until `stop` is set."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            run_once(session_factory)
        except Exception:  # the database may be briefly unavailable; keep the worker alive
            log.exception("timer pass failed")
        stop.wait(interval)


def start_thread(session_factory: Callable[[], Session], interval: float = 2.0) -> threading.Thread:
    thread = threading.Thread(target=loop, args=(session_factory, interval), name="orgflow-timers", daemon=True)
    thread.start()
    time.sleep(0)  # let it start before the web server takes the main thread
    return thread
