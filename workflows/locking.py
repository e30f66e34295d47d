"""Transactions that write: one writer per case, on SQLite and PostgreSQL alike.

PostgreSQL: `SELECT … FOR UPDATE` on the instance row. SQLite: WAL, a busy timeout and
`BEGIN IMMEDIATE` for every write transaction, so a read-then-write transaction can never fail
to upgrade its lock. The revision check on save (DESIGN §3) backs both up.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import scoped_session

from models import ProcessInstance
from models import WorkItem
from workflows.errors import NotFound

_BEGIN_OPTION = "orgflow_sqlite_begin"


def install_sqlite_pragmas(engine: Engine, busy_timeout_ms: int = 15000) -> None:
    """WAL, busy timeout, foreign keys, and BEGIN handled by us (pysqlite's own is deferred-only)."""
    if engine.dialect.name != "sqlite":
        return

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
    if real.get_bind().dialect.name == "sqlite" and not real.in_transaction():
        real.connection(execution_options={_BEGIN_OPTION: "IMMEDIATE"})


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


def lock_case_of_item(session: Session, item_id: int) -> ProcessInstance | None:
    """Lock the case of work item `item_id` (as `lock_instance`) with its definition, in one
    statement; None when there is no such item. Only the case's row is locked, never its
    definition's (which every case of the process shares)."""
    owner = select(WorkItem.instance_id).where(WorkItem.id == item_id).scalar_subquery()
    return session.scalars(
        select(ProcessInstance)
        .where(ProcessInstance.id == owner)
        .options(joinedload(ProcessInstance.definition, innerjoin=True))
        .with_for_update(of=ProcessInstance)
        .execution_options(populate_existing=True)
    ).first()
