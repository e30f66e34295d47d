"""SQLite writers queue for the write lock (workflows.engine.locking.WriteQueue): threads in turn, other
processes through the file lock, the queue left on commit, rollback and close, and Busy after
the busy timeout instead of a wait without end."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.orm import Session

from workflows.engine.locking import begin_write
from workflows.engine.locking import install_sqlite_pragmas
from workflows.errors import Busy


@pytest.fixture()
def database(tmp_path: Path) -> Iterator[tuple[Path, object]]:
    path = tmp_path / "queue.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    install_sqlite_pragmas(engine, busy_timeout_ms=300)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    yield path, engine
    engine.dispose()


def _write(engine: object, n: int) -> Session:
    session = Session(engine)  # type: ignore[arg-type]
    begin_write(session)
    session.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
    return session


def test_a_second_writer_waits_its_turn_and_writes_after_the_first_commits(database: tuple[Path, object]) -> None:
    _, engine = database
    first = _write(engine, 1)
    order: list[int] = []
    entered = threading.Event()

    def second() -> None:
        session = _write(engine, 2)
        entered.set()
        order.append(2)
        session.commit()
        session.close()

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(0.1)
    assert not entered.is_set(), "the second writer got in while the first held the lock"
    order.append(1)
    first.commit()
    first.close()
    assert entered.wait(10), "the second writer never got in after the first committed"
    thread.join(10)
    assert order == [1, 2]
    with Session(engine) as session:  # type: ignore[arg-type]
        assert session.scalars(text("SELECT n FROM t ORDER BY rowid")).all() == [1, 2]


@pytest.mark.parametrize("end", ["rollback", "close"])
def test_a_writer_that_rolls_back_or_closes_leaves_the_queue(database: tuple[Path, object], end: str) -> None:
    _, engine = database
    first = _write(engine, 1)
    getattr(first, end)()
    second = _write(engine, 2)  # would raise Busy after 0.3 s if the first still held the queue
    second.commit()
    second.close()
    with Session(engine) as session:  # type: ignore[arg-type]
        assert session.scalars(text("SELECT n FROM t")).all() == [2]


def test_a_writer_in_another_process_holds_the_queue_until_it_lets_go(database: tuple[Path, object]) -> None:
    path, engine = database
    with subprocess.Popen(
            [sys.executable, "-c", "import fcntl, sys; f = open(sys.argv[1], 'a'); fcntl.flock(f, fcntl.LOCK_EX); "
                                   "print('held', flush=True); sys.stdin.readline()", f"{path}-writers"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
            with pytest.raises(Busy):
                _write(engine, 1)
            assert holder.stdin is not None
            holder.stdin.write("\n")
            holder.stdin.flush()
            assert holder.wait(10) == 0
            session = _write(engine, 2)
            session.commit()
            session.close()
        finally:
            holder.kill()
