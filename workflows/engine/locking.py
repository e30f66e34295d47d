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

A write that mostly reads and computes (a completion: auth, the case, the engine step, the
rules, the projection) may take the lock only at its first write (`defer_write`, issue 17
item 3): it reads on a snapshot of its own, and its first statement that is not a read ends
that snapshot, queues and begins IMMEDIATE (on PostgreSQL it reads the case without its row
lock, and its first write takes that lock, then checks the revision). What it read may have
changed in between; every
change to a case or to its work items raises the case's revision (`models.process`), which
every UPDATE of the case checks, so a stale write fails (StaleDataError) and the caller runs
the action again with the lock taken up front.
"""

from __future__ import annotations

import fcntl
import os
import re
import threading
import time
from typing import Any

from sqlalchemy import Engine
from sqlalchemy import bindparam
from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import scoped_session

from models import ProcessDefinition
from models import ProcessInstance
from models import WorkItem
from workflows.errors import Busy
from workflows.errors import CaseChanged
from workflows.errors import NotFound

_BEGIN_OPTION = "orgflow_sqlite_begin"
_QUEUE_KEY = "orgflow_write_queue"
_DEFERRED = "orgflow_deferred_write"  # on the connection: the lock still to take
_DEFERRED_ON = "orgflow_deferred_on"  # on the session: the connection's info holding it
_UNLOCKED_READS = "orgflow_unlocked_reads"  # on the session: read a case without its row lock
_READ_CASES = "orgflow_read_cases"  # on the session: case id → the revision read without its lock
# Statements that only read. Any other (INSERT, UPDATE, DELETE, SAVEPOINT, …) takes the lock
# first; a CTE that writes would merely find SQLite refusing a stale snapshot (SQLITE_BUSY).
_READS = re.compile(r"\s*(SELECT|WITH|PRAGMA)\b", re.IGNORECASE)


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
            # Polls at most every 0.4 ms: the lock is held ~3 ms, and a longer sleep (it was up to
            # 2 ms) left it idle while others waited: gunicorn's 4-client p95/p50 went 3.2-4.2 → 2.3.
            pause = 0.00005
            while True:
                try:
                    fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise Busy("系统繁忙：等待写入超时，请稍后重试") from None
                    time.sleep(pause)
                    pause = min(pause * 2, 0.0004)
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
        session.info.pop(_UNLOCKED_READS, None)
        session.info.pop(_READ_CASES, None)
        deferred_on = session.info.pop(_DEFERRED_ON, None)
        if deferred_on is not None:
            deferred_on.pop(_DEFERRED, None)
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
        # To the driver, as `_Deferred.take` does: no statement events, no result set-up (every
        # request's transaction starts here).
        connection.connection.dbapi_connection.execute(f"BEGIN {mode}")


@event.listens_for(Engine, "before_cursor_execute")
def _lock_at_first_write(connection: Any, cursor: Any, statement: str, *_: Any) -> None:
    deferred: _Deferred | _RowLocks | None = connection.info.get(_DEFERRED)
    if deferred is not None and not _READS.match(statement):
        del connection.info[_DEFERRED]
        deferred.take(connection)


class _Deferred:
    """SQLite: the write lock a transaction that has only read so far takes at its first write."""

    def __init__(self, queue: WriteQueue, session_info: dict[str, Any]) -> None:
        self.queue, self.session_info = queue, session_info

    def take(self, connection: Any) -> None:
        dbapi_connection = connection.connection.dbapi_connection
        dbapi_connection.execute("COMMIT")  # the reads' snapshot ends; nothing was written in it
        self.queue.acquire()
        self.session_info[_QUEUE_KEY] = self.queue  # left when the transaction ends
        dbapi_connection.execute("BEGIN IMMEDIATE")


class _RowLocks:
    """PostgreSQL: the row locks of the cases a transaction read without them (`read_unlocked`),
    taken at its first write, before any other row is written — the order every other writer
    keeps (the case first, then its items), so two writers of a case never deadlock. A case
    whose revision moved since it was read raises CaseChanged."""

    def __init__(self, session_info: dict[str, Any]) -> None:
        self.session_info = session_info

    def take(self, connection: Any) -> None:
        for case_id, revision in sorted(self.session_info.get(_READ_CASES, {}).items()):
            now = connection.execute(_LOCK_CASE, {"case": case_id}).scalar()
            if now != revision:
                raise CaseChanged("该流程刚刚被他人处理，请刷新后查看")


_LOCK_CASE = (select(ProcessInstance.revision).where(ProcessInstance.id == bindparam("case"))
              .with_for_update(of=ProcessInstance))


def read_unlocked(session: Session, instance: ProcessInstance) -> None:
    """Note a case read without its lock by a transaction that locks at its first write
    (`defer_write`): on PostgreSQL that write locks its row first and checks its revision."""
    if session.info.get(_UNLOCKED_READS):
        session.info.setdefault(_READ_CASES, {}).setdefault(instance.id, instance.revision)


def defer_write(session: Session) -> bool:
    """Start this session's transaction as a write transaction that takes its locks at its first
    write, not before its reads (module docstring); True if it did.

    SQLite: the database's write lock, at the first statement that is not a read. PostgreSQL:
    the case is read without `SELECT … FOR UPDATE` (`row_locks`, `read_unlocked`), and its row
    lock is taken at the first write, where a moved revision raises CaseChanged.
    False, and nothing done, on a SQLite database without a writers' queue (in memory): the
    caller then takes the lock up front (`begin_write`). A caller that gets CaseChanged or
    StaleDataError rolls back and runs the action again after `begin_write`.
    """
    real = session() if isinstance(session, scoped_session) else session
    bind = real.get_bind()
    if _QUEUE_KEY in real.info or not isinstance(bind, Engine):
        return False
    queue = _queue_of(bind.engine)
    if bind.dialect.name == "sqlite" and queue is None:
        return False
    connection = real.connection()  # BEGIN (DEFERRED on SQLite) unless the transaction has begun
    connection.info[_DEFERRED] = _Deferred(queue, real.info) if queue is not None else _RowLocks(real.info)
    real.info[_DEFERRED_ON] = connection.info
    real.info[_UNLOCKED_READS] = True
    return True


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


# What a case's lock reads along: its definition (without its XML and assets, which every case
# of a version shares: `definitions.runtime` and `definitions.assets` keep them per process), its
# subject (whom 回避 asks about), its initiator (whom the answer and the 待办 rows name: a lazy load
# after the commit was a statement and a transaction of its own) and its owning unit (where
# routing starts).
CASE_LOADS = (joinedload(ProcessInstance.definition, innerjoin=True).defer(ProcessDefinition.bpmn_xml)
              .defer(ProcessDefinition.assets), joinedload(ProcessInstance.subject_user),
              joinedload(ProcessInstance.initiator, innerjoin=True),
              joinedload(ProcessInstance.owning_unit, innerjoin=True))


def row_locks(session: Session) -> bool:
    """Whether a case is locked by a statement of its own: on PostgreSQL (`SELECT … FOR UPDATE`),
    not on SQLite, where a writing transaction holds the whole database from its start
    (`begin_write`) and SQLite renders no `FOR UPDATE`, nor in a transaction that locks at its
    first write (`defer_write`): there a case may be read along with other rows in one
    statement."""
    return session.get_bind().dialect.name != "sqlite" and not session.info.get(_UNLOCKED_READS)


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
