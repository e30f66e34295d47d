"""Transactions that write: one writer per case, on SQLite and PostgreSQL alike.

PostgreSQL: `SELECT … FOR UPDATE` on the instance row. SQLite: WAL, a busy timeout and
`BEGIN IMMEDIATE` for every write transaction, so a read-then-write transaction can never fail
to upgrade its lock. The revision check on save (DESIGN §3) backs both up.

SQLite has one write lock per database, and a writer that finds it taken sleeps in SQLite's
busy handler (1, 2, 5, 10 … 100 ms), so under four concurrent writers a request could wait
seconds after the lock was long free. Writers of a SQLite file therefore first queue in
`WriteQueue` — a lock per process (threads block on it) and an `flock` on a file beside the
database (processes: gunicorn workers, timer workers, CLI) — and take SQLite's lock only when
it is theirs; the queue is left when the transaction ends (commit, rollback or close).
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from typing import Any

from sqlalchemy import Engine
from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import scoped_session

from models import ProcessInstance
from models import WorkItem
from workflows.errors import Busy
from workflows.errors import NotFound

_BEGIN_OPTION = "orgflow_sqlite_begin"
_QUEUE_KEY = "orgflow_write_queue"


class WriteQueue:
    """The writers of one SQLite file, one at a time, in every thread and process.

    A thread waits for its process's lock (blocking, in turn), then for the file lock held by
    at most one waiting thread per process (a short poll: processes are few). `timeout`
    bounds the whole wait (the busy timeout): then Busy (HTTP 503), as SQLite would.
    """

    def __init__(self, database: str, timeout: float) -> None:
        self.path = f"{database}-writers"
        self.timeout = timeout
        self._pid = -1
        self._threads = threading.Lock()
        self._fd = -1

    def _for_this_process(self) -> None:
        # After a fork the parent's lock and open file are not this process's: start afresh.
        if self._pid != os.getpid():
            self._threads, self._fd, self._pid = threading.Lock(), -1, os.getpid()

    def acquire(self) -> None:
        self._for_this_process()
        deadline = time.monotonic() + self.timeout
        if not self._threads.acquire(timeout=self.timeout):
            raise Busy("系统繁忙：等待写入超时，请稍后重试")
        try:
            if self._fd < 0:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            pause = 0.0002
            while True:
                try:
                    fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise Busy("系统繁忙：等待写入超时，请稍后重试") from None
                    time.sleep(pause)
                    pause = min(pause * 2, 0.002)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._threads.release()


_queues: dict[str, WriteQueue] = {}
_queues_guard = threading.Lock()


def _queue_of(engine: Engine) -> WriteQueue | None:
    with _queues_guard:
        return _queues.get(str(engine.url))


@event.listens_for(Session, "after_transaction_end")
def _leave_queue(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        queue = session.info.pop(_QUEUE_KEY, None)
        if queue is not None:
            queue.release()


def install_sqlite_pragmas(engine: Engine, busy_timeout_ms: int = 15000) -> None:
    """WAL, busy timeout, foreign keys, and BEGIN handled by us (pysqlite's own is deferred-only)."""
    if engine.dialect.name != "sqlite":
        return

    database = engine.url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        with _queues_guard:
            _queues.setdefault(str(engine.url), WriteQueue(os.path.abspath(database), busy_timeout_ms / 1000))

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def begin_write(session: Session) -> None:
    """Start this session's transaction as a write transaction.

    Must be the first thing a writing request does. On SQLite it takes the write lock up
    front (BEGIN IMMEDIATE); elsewhere it is a no-op.
    """
    real = session() if isinstance(session, scoped_session) else session
    bind = real.get_bind()
    if bind.dialect.name != "sqlite" or real.in_transaction():
        return
    queue = _queue_of(bind.engine) if isinstance(bind, Engine) else None
    if queue is not None:
        queue.acquire()  # in turn, behind the writers already waiting (module docstring)
        real.info[_QUEUE_KEY] = queue
    try:
        real.connection(execution_options={_BEGIN_OPTION: "IMMEDIATE"})
    except BaseException:
        if real.info.pop(_QUEUE_KEY, None) is not None and queue is not None:
            queue.release()
        raise


def lock_instance(session: Session, instance_id: int) -> ProcessInstance:
    """Load an instance for change, locking its row until commit; raises NotFound."""
    instance = session.scalars(
        select(ProcessInstance)
        .where(ProcessInstance.id == instance_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if instance is None:
        raise NotFound(f"流程实例 {instance_id} 不存在")
    return instance


# What a case's lock reads along: its definition, its subject (whom 回避 asks about) and its
# owning unit (where routing starts).
CASE_LOADS = (joinedload(ProcessInstance.definition, innerjoin=True), joinedload(ProcessInstance.subject_user),
              joinedload(ProcessInstance.owning_unit, innerjoin=True))


def row_locks(session: Session) -> bool:
    """Whether a case is locked by a statement of its own: on PostgreSQL (`SELECT … FOR UPDATE`),
    not on SQLite, where a writing transaction holds the whole database from its start
    (`begin_write`) and SQLite renders no `FOR UPDATE`: there a case may be read along with
    other rows in one statement."""
    return session.get_bind().dialect.name != "sqlite"


def lock_case_of_item(session: Session, item_id: int) -> ProcessInstance | None:
    """Lock the case of work item `item_id` (as `lock_instance`) with `CASE_LOADS`, in one
    statement; None when there is no such item. Only the case's row is locked, never its
    definition's (which every case of the process shares)."""
    owner = select(WorkItem.instance_id).where(WorkItem.id == item_id).scalar_subquery()
    return session.scalars(
        select(ProcessInstance)
        .where(ProcessInstance.id == owner)
        .options(*CASE_LOADS)
        .with_for_update(of=ProcessInstance)
        .execution_options(populate_existing=True)
    ).first()
