"""Prebuilt statements on the DB-API cursor (`models.cursor.Prepared`, issue 17) write what Core
writes — the same stored text of datetimes and JSON on SQLite, the same values on PostgreSQL —,
reach the statement listeners as Core's statements do, raise Core's errors, and refuse at build
time what they cannot do as Core would (an INSERT without a column Core would default, an
expanding parameter)."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import bindparam
from sqlalchemy import event
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError

from models import Notification
from models import ProcessInstance
from models import User
from models.cursor import Prepared
from tests.helpers import start
from webapp.extensions import db

COLUMNS = ("user_id", "kind", "instance_id", "work_item_id", "title", "body", "created_at")
INSERT = Prepared(insert(Notification).inline(), columns=COLUMNS)
MOVE = Prepared(update(ProcessInstance).where(ProcessInstance.id == bindparam("w_id"))
                .values(data=bindparam("v_data"), updated_at=bindparam("v_at")))
AT = datetime(2026, 12, 6, 3, 4, 5, 678901, tzinfo=UTC)
DATA = {"理由": "表现突出", "nested": {"list": [1, 2.5, None, True], "空": ""}, "n": 3}


def _stored(sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """Rows as the driver returns them: the stored text on SQLite, no type processing."""
    return [tuple(row) for row in db.session.connection().execute(text(sql), params)]


def _notification(user_id: int, title: str) -> dict[str, Any]:
    return {"user_id": user_id, "kind": "new_item", "instance_id": None, "work_item_id": None, "title": title,
            "body": "正文", "created_at": AT}


def test_an_insert_stores_what_cores_insert_stores(app: Flask, org: None) -> None:
    with app.app_context():
        user_id = db.session.scalars(select(User.id).where(User.username == "s1_01")).one()
        db.session.connection().execute(insert(Notification), [_notification(user_id, "core")])
        INSERT.executemany(db.session.connection(), [_notification(user_id, "cursor")])
        INSERT.executemany(db.session.connection(), [_notification(user_id, "many 1"), _notification(user_id, "many 2")])
        rows = _stored("SELECT title, kind, body, created_at, read_at, emailed_at FROM notification ORDER BY id")
        db.session.rollback()
    assert [row[0] for row in rows] == ["core", "cursor", "many 1", "many 2"]
    assert len({row[1:] for row in rows}) == 1, rows  # every other column as Core stored it


def test_an_update_stores_json_and_datetimes_as_cores_update_does(app: Flask, api: Any) -> None:
    first, second = start(api)["id"], start(api)["id"]
    with app.app_context():
        connection = db.session.connection()
        connection.execute(update(ProcessInstance).where(ProcessInstance.id == first).values(data=DATA, updated_at=AT))
        assert MOVE.rowcount(connection, {"w_id": second, "v_data": DATA, "v_at": AT}) == 1
        assert MOVE.rowcount(connection, {"w_id": -1, "v_data": DATA, "v_at": AT}) == 0
        rows = _stored("SELECT id, data, updated_at FROM process_instance WHERE id IN (:a, :b) ORDER BY id",
                       a=first, b=second)
        db.session.rollback()
    assert [row[0] for row in rows] == [first, second]
    assert rows[0][1:] == rows[1][1:]


def test_the_statement_listeners_see_it_as_they_see_cores(app: Flask, org: None) -> None:
    seen: list[tuple[str, str, Any, bool]] = []

    def before(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> None:
        seen.append(("before", statement.split()[0], parameters, many))

    def after(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool) -> None:
        seen.append(("after", statement.split()[0], parameters, many))

    with app.app_context():
        engine = db.engine
        user_id = db.session.scalars(select(User.id).where(User.username == "s1_01")).one()
        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        try:
            INSERT.executemany(db.session.connection(), [_notification(user_id, "a"), _notification(user_id, "b")])
        finally:
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)
        db.session.rollback()
    assert [(when, verb, many) for when, verb, _, many in seen] == [("before", "INSERT", True), ("after", "INSERT", True)]
    assert len(seen[0][2]) == 2  # both rows' parameters, processed


def test_a_driver_error_is_cores_error_and_the_session_goes_on(app: Flask, org: None) -> None:
    with app.app_context():
        with pytest.raises(IntegrityError):  # no such user: the foreign key refuses it
            INSERT.executemany(db.session.connection(), [_notification(10**8, "nobody's")])
        db.session.rollback()
        assert db.session.scalar(select(Notification.id).limit(1)) is None


def test_what_it_cannot_do_as_core_would_is_refused_when_built() -> None:
    with pytest.raises(ValueError, match="created_at"):  # Core would set it from its default
        Prepared(insert(Notification), columns=("user_id", "kind", "title"))
    with pytest.raises(ValueError, match="names the columns"):
        Prepared(insert(Notification))
    expanding = Prepared(select(User.id).where(User.id.in_(bindparam("ids", expanding=True))))
    with pytest.raises(ValueError, match="expanding"):
        expanding.scalar(_NoConnection())  # type: ignore[arg-type]


class _NoConnection:
    """Enough of a connection to compile for (the check comes before anything is sent)."""

    dialect = sqlite.dialect()


def test_rows_are_typed_as_cores_rows_are(app: Flask, api: Any) -> None:
    case_id = start(api)["id"]
    read = select(ProcessInstance.id, ProcessInstance.data, ProcessInstance.created_at, ProcessInstance.status,
                  ProcessInstance.number).where(ProcessInstance.id == bindparam("case"))
    with app.app_context():
        connection = db.session.connection()
        by_core = [tuple(row) for row in connection.execute(read, {"case": case_id})]
        by_cursor = Prepared(read).rows(connection, {"case": case_id})
        db.session.rollback()
    assert by_cursor == by_core and len(by_core) == 1
    assert isinstance(by_cursor[0][1], dict) and by_cursor[0][2].tzinfo is not None  # JSON decoded, time in UTC
