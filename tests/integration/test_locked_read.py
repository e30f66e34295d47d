"""The locked read of a completion makes its rows into the session's objects without the ORM's
loading (`workflows.cases.locked_read`, `models.reads`, issue 17): the same objects, with the same
values, as the ORM loads; persistent and unchanged; the columns it does not read loaded on first
use; an object the session already held refreshed as `populate_existing` refreshes it."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import inspect
from sqlalchemy import select

from models import OrgUnit
from models import ProcessDefinition
from models import ProcessInstance
from models import User
from models import WorkItem
from tests.helpers import open_item
from tests.helpers import start
from webapp.extensions import db
from workflows.cases import locked_read


@pytest.fixture()
def case(app: Flask, api: Any) -> tuple[int, int]:
    """A started cadre case and its open first step: (case id, item id)."""
    case_id = start(api)["id"]
    return case_id, open_item(api, "s1_01", case_id, "deliberation")["id"]


def _columns(obj: Any) -> dict[str, Any]:
    return {attr.key: getattr(obj, attr.key) for attr in inspect(type(obj)).column_attrs}


def _orm(model: Any, row_id: int) -> dict[str, Any]:
    """The row as the ORM loads it, in a session of its own."""
    with db.engine.connect() as connection, db.Session(bind=connection) as other:
        return _columns(other.scalars(select(model).where(model.id == row_id)).one())


def test_the_read_builds_the_objects_the_orm_loads(app: Flask, case: tuple[int, int]) -> None:
    case_id, item_id = case
    with app.app_context():
        session = db.session()
        rows = locked_read.rows(session, item_id)
        item, waits, candidate, _timer, instance = next(row for row in rows if row[0].id == item_id)
        assert waits is False and candidate is not None
        assert instance.id == case_id and item.instance_id == case_id
        # every column of each object, and of each reference the case carries, as the ORM reads it
        for obj, model in ((item, WorkItem), (instance, ProcessInstance), (candidate, User),
                           (instance.definition, ProcessDefinition), (instance.initiator, User),
                           (instance.owning_unit, OrgUnit)):
            assert _columns(obj) == _orm(model, obj.id), model.__name__
        # persistent, in this session's identity map, nothing to write
        for obj in (item, instance, candidate, instance.definition):
            state = inspect(obj)
            assert state.persistent and state.session_id == session.hash_key
            assert not session.is_modified(obj)
        assert not session.dirty and not session.new
        # the same object for the same row, whatever the rows repeat
        assert session.get(WorkItem, item_id) is item
        assert all(row[4] is instance for row in rows)
        session.rollback()


def test_columns_not_read_load_on_first_use(app: Flask, case: tuple[int, int]) -> None:
    _, item_id = case
    with app.app_context():
        session = db.session()
        instance = locked_read.rows(session, item_id)[0][4]
        definition = instance.definition
        assert "bpmn_xml" not in definition.__dict__ and "assets" not in definition.__dict__
        assert "password_hash" not in instance.initiator.__dict__
        assert definition.bpmn_xml.lstrip().startswith("<?xml") or "<bpmn" in definition.bpmn_xml
        assert "forms" in definition.assets
        assert instance.initiator.password_hash  # loads too
        session.rollback()


def test_an_object_the_session_holds_is_refreshed_from_the_row(app: Flask, case: tuple[int, int]) -> None:
    _, item_id = case
    with app.app_context():
        session = db.session()
        held = session.get(WorkItem, item_id)
        assert held is not None
        title = held.title
        with session.no_autoflush:
            held.title = "改过但未写入"
            rows = locked_read.rows(session, item_id)
        assert rows[0][0] is held
        assert held.title == title  # populate_existing: the row's value, the unflushed change dropped
        assert not session.is_modified(held)
        session.rollback()


def test_no_item_no_rows(app: Flask, case: tuple[int, int]) -> None:
    with app.app_context():
        assert locked_read.rows(db.session(), 999_999) == []
        db.session.rollback()
