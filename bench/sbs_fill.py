"""Direct SQLite work for `bench.side_by_side`, with the standard library only (the same code
reads both systems' databases): fill "my tasks" to N open items by cloning one genuine open step,
and count cases by status to check a run.

The fill is faithful to what the task lists read: one case was started and run to its first step
through the system's own API, then its rows are copied N-1 times with new keys — every column as
the system wrote it. SpiffArena's "my tasks" (`task_list_my_tasks`) reads `human_task`,
`human_task_user`, `human_task_group`, `process_instance` and `user`; we copy the first four (and
`process_instance_queue`, one row per instance); the `task` rows (the engine's task tree), which
the list never reads, are not copied. OrgFlow's 待办 reads `work_item`, `work_item_candidate` and
`process_instance`; we copy those three. Neither database is ANALYZEd (neither system does it).
"""

from __future__ import annotations

import contextlib
import sqlite3
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

Row = dict[str, Any]


@contextlib.contextmanager
def _connect(target: str, uri: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection that commits on success and is always closed."""
    conn = sqlite3.connect(target, timeout=60, uri=uri)
    try:
        with conn:
            yield conn
    finally:
        conn.close()


def _rows(conn: sqlite3.Connection, sql: str, *params: Any) -> list[Row]:
    cursor = conn.execute(sql, params)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def _clone(conn: sqlite3.Connection, table: str, rows: list[Row], count: int,
           override: Callable[[int, Row], Row]) -> None:
    """Insert `count` copies of every row of `rows` into `table`, copy k changed by `override(k, row)`."""
    if not rows:
        return
    columns = list(rows[0])
    quoted = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    values = ([{**row, **override(k, row)}[c] for c in columns] for k in range(count) for row in rows)
    conn.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', values)


def _next_id(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"').fetchone()[0])


def fill_spiffarena(db: Path, case: int, copies: int) -> None:
    """`copies` more open first steps like the one of case `case` (for the same potential owner)."""
    with _connect(str(db)) as conn:
        instance = _rows(conn, "SELECT * FROM process_instance WHERE id = ?", case)
        task = _rows(conn, "SELECT * FROM human_task WHERE process_instance_id = ? AND completed = 0", case)
        if len(instance) != 1 or len(task) != 1:
            raise RuntimeError(f"SpiffArena case {case}: expected one open human task, found {len(task)}")
        owners = _rows(conn, "SELECT * FROM human_task_user WHERE human_task_id = ?", task[0]["id"])
        groups = _rows(conn, "SELECT * FROM human_task_group WHERE human_task_id = ?", task[0]["id"])
        queue = _rows(conn, "SELECT * FROM process_instance_queue WHERE process_instance_id = ?", case)
        pi0, ht0 = _next_id(conn, "process_instance"), _next_id(conn, "human_task")
        htu0, htg0, q0 = (_next_id(conn, t) for t in ("human_task_user", "human_task_group", "process_instance_queue"))
        guids = [str(uuid.uuid4()) for _ in range(copies)]
        _clone(conn, "process_instance", instance, copies, lambda k, _: {"id": pi0 + k})
        _clone(conn, "process_instance_queue", queue, copies, lambda k, _: {"id": q0 + k, "process_instance_id": pi0 + k})
        _clone(conn, "human_task", task, copies, lambda k, _: {"id": ht0 + k, "process_instance_id": pi0 + k,
                                                                "task_id": guids[k], "task_guid": guids[k]})
        _clone(conn, "human_task_user", owners, copies, lambda k, _: {"id": htu0 + k, "human_task_id": ht0 + k})
        _clone(conn, "human_task_group", groups, copies, lambda k, _: {"id": htg0 + k, "human_task_id": ht0 + k})


def fill_orgflow(db: Path, case: int, copies: int) -> None:
    """`copies` more open first steps like the one of case `case` (for the same candidate)."""
    with _connect(str(db)) as conn:
        instance = _rows(conn, "SELECT * FROM process_instance WHERE id = ?", case)
        item = _rows(conn, "SELECT * FROM work_item WHERE instance_id = ? AND status = 'open'", case)
        if len(instance) != 1 or len(item) != 1:
            raise RuntimeError(f"OrgFlow case {case}: expected one open work item, found {len(item)}")
        candidates = _rows(conn, "SELECT * FROM work_item_candidate WHERE work_item_id = ?", item[0]["id"])
        pi0, wi0 = _next_id(conn, "process_instance"), _next_id(conn, "work_item")
        _clone(conn, "process_instance", instance, copies,
               lambda k, row: {"id": pi0 + k, "number": f"{row['number']}-F{k + 1}"})
        _clone(conn, "work_item", item, copies, lambda k, _: {"id": wi0 + k, "instance_id": pi0 + k,
                                                              "task_id": str(uuid.uuid4())})
        _clone(conn, "work_item_candidate", candidates, copies, lambda k, _: {"work_item_id": wi0 + k})


def statuses(db: Path) -> dict[str, int]:
    """Cases by status (both systems name the table and the column alike)."""
    with _connect(f"file:{db}?mode=ro", uri=True) as conn:
        return {str(s): int(n) for s, n in conn.execute("SELECT status, COUNT(*) FROM process_instance GROUP BY status")}


def checkpoint(db: Path) -> None:
    """Fold a WAL file back into the database file, so the file alone can be copied."""
    with _connect(str(db)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
