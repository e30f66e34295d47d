"""The timer worker loop: `flask workflows worker`, or a thread inside `flask serve`.

Each pass leases due jobs in small batches and fires each in its own transaction (see
`workflows.timers` for why every job fires exactly once with any number of workers, and
after a crash), then sends pending notification e-mails when a mailer is configured.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from sqlalchemy.orm import Session

from workflows import timers
from workflows.calendar import load_calendar
from workflows.calendar import missing_years_warning
from workflows.engine import clock
from workflows.engine.locking import begin_write
from workflows.errors import ScriptError
from workflows.notify import mailer as mailer_mod
from workflows.records import probation
from workflows.weekly import opening as weekly_opening

log = logging.getLogger(__name__)


@dataclass
class WorkerConfig:
    batch: int = 20
    lease: timedelta = timers.LEASE
    mailer: mailer_mod.Mailer | None = None
    owner: str = ""
    calendar_checked_on: date | None = None  # this worker's last look at the holiday schedules

    def __post_init__(self) -> None:
        self.owner = self.owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def run_once(session_factory: Callable[[], Session], config: WorkerConfig | None = None) -> int:
    """Fire every job due now, batch by batch; returns how many fired. Each job commits alone."""
    config = config or WorkerConfig()
    session = session_factory()
    fired = 0
    try:
        check_calendar(session, config)
        while True:
            begin_write(session)
            ids = timers.claim_due(session, config.owner, config.batch, config.lease)
            session.commit()
            if not ids:
                break
            fired += sum(_fire_one(session, job_id, config.owner) for job_id in ids)
        start_due_probations(session)
        weekly_pass(session)
        if config.mailer is not None:
            mailer_mod.send_pending(session, config.mailer)
        return fired
    finally:
        session.close()


def check_calendar(session: Session, config: WorkerConfig) -> str | None:
    """Once a day per worker: log a warning while this year, or from December next year, has no
    official holiday schedule (its working days would be counted Monday–Friday)."""
    today = clock.today_local().date()
    if config.calendar_checked_on == today:
        return None
    config.calendar_checked_on = today
    warning = missing_years_warning(load_calendar(session), today)
    session.rollback()  # end the read; each job below opens its own transaction
    if warning:
        log.warning("working-day calendar: %s", warning)
    return warning


def start_due_probations(session: Session) -> list[str]:
    """Start the 转正 case of every 预备党员 whose 预备期 has ended (workflows.records.probation); returns
    their numbers. Its own transaction, after the timers (a 预备期 may have just ended)."""
    try:
        begin_write(session)
        started = [case.number for case in probation.start_due(session)]
        session.commit()
    except Exception:
        session.rollback()
        log.exception("starting due 转正 cases failed; retried on the next pass")
        return []
    for number in started:
        log.info("预备期满，已发起转正 %s", number)
    return started


def weekly_pass(session: Session) -> list[str]:
    """Open this week's 周报 of every reporting unit and mark those past their deadline 漏报
    (workflows.weekly.opening: once per unit and week with any number of workers); its own
    transaction. Returns the numbers of the reports opened."""
    try:
        begin_write(session)
        opened, _ = weekly_opening.run_pass(session)
        numbers = [case.number for case in opened]
        session.commit()
    except Exception:
        session.rollback()
        log.exception("the weekly-report pass failed; retried on the next pass")
        return []
    for number in numbers:
        log.info("已开启周报 %s", number)
    return numbers


def _fire_one(session: Session, job_id: int, owner: str) -> int:
    try:
        begin_write(session)
        fired = timers.fire(session, job_id, owner)
        session.commit()
        return int(fired)
    except ScriptError as exc:
        session.rollback()
        log.error("timer job %s failed: %s", job_id, exc.message)
        _record_failure(session, job_id, exc.message)
        return 0
    except Exception as exc:
        session.rollback()
        log.exception("timer job %s failed; it is retried after a back-off", job_id)
        _record_failure(session, job_id, f"{type(exc).__name__}: {exc}")
        return 0


def _record_failure(session: Session, job_id: int, message: str) -> None:
    try:
        begin_write(session)
        timers.record_failure(session, job_id, message)
        session.commit()
    except Exception:  # the database itself may be failing; the lease expires and it is retried
        session.rollback()
        log.exception("could not record the failure of timer job %s", job_id)


def loop(session_factory: Callable[[], Session], interval: float = 2.0,
         stop: threading.Event | None = None, config: WorkerConfig | None = None) -> None:
    """Fire due jobs every `interval` seconds until `stop` is set."""
    stop = stop or threading.Event()
    config = config or WorkerConfig()
    while not stop.is_set():
        try:
            run_once(session_factory, config)
        except Exception:  # the database may be briefly unavailable; keep the worker alive
            log.exception("timer pass failed")
        stop.wait(interval)


def start_thread(session_factory: Callable[[], Session], interval: float = 2.0,
                 config: WorkerConfig | None = None) -> threading.Thread:
    thread = threading.Thread(target=loop, args=(session_factory, interval, None, config), name="orgflow-timers",
                              daemon=True)
    thread.start()
    time.sleep(0)  # let it start before the web server takes the main thread
    return thread
