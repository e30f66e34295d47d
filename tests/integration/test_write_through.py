"""Column changes of cases and work items, and new work items, are written by Core statements at
the flush (`models.writes`, issue 17), with what the unit of work guaranteed: the revision check
of the case (a stale write raises StaleDataError, a 409 at the edge), nothing written twice, a new
item's id, defaults and candidates, nothing kept after a rollback, and a savepoint's changes left
to the unit of work so that rolling it back undoes them in the session too."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm.exc import StaleDataError

from models import ProcessInstance
from models import User
from models import WorkItem
from models import WorkItemCandidate
from models import WorkItemKind
from models import WorkItemStatus
from tests.helpers import complete
from tests.helpers import open_item
from tests.helpers import start
from webapp.extensions import db


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements sent while inside, as text."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


@pytest.fixture()
def case(app: Flask, api: Any) -> tuple[int, int]:
    """A started cadre case and its open first step: (case id, item id)."""
    case_id = start(api)["id"]
    return case_id, open_item(api, "s1_01", case_id, "deliberation")["id"]


def _row(model: Any, row_id: int, *columns: Any) -> Any:
    """The row's columns as the database holds them (a statement of its own, not the session)."""
    return db.session.connection().execute(select(*columns).where(model.id == row_id)).one()


def test_a_changed_item_and_case_are_one_update_each_and_leave_nothing_to_flush(
        app: Flask, case: tuple[int, int]) -> None:
    case_id, item_id = case
    with app.app_context():
        item, instance = db.session.get(WorkItem, item_id), db.session.get(ProcessInstance, case_id)
        assert item is not None and instance is not None
        revision = instance.revision
        by_unit_of_work: list[Any] = []
        listener = lambda _mapper, _conn, target: by_unit_of_work.append(target)  # noqa: E731
        event.listen(WorkItem, "before_update", listener)
        event.listen(ProcessInstance, "before_update", listener)
        try:
            with statements(app) as sent:
                item.comment, item.decision = "写入", "agree"
                instance.data = {**instance.data, "note": "x"}
                db.session.flush()
        finally:
            event.remove(WorkItem, "before_update", listener)
            event.remove(ProcessInstance, "before_update", listener)
        assert by_unit_of_work == []  # written before the unit of work ran, not by it
        updates = [s for s in sent if s.startswith("UPDATE")]
        assert len(updates) == 2, updates
        assert updates[0].startswith("UPDATE process_instance SET data=") and "revision" in updates[0]
        assert updates[1].startswith("UPDATE work_item SET") and "comment=" in updates[1] and "decision=" in updates[1]
        assert not db.session.dirty and not db.session.is_modified(item) and not db.session.is_modified(instance)
        assert _row(WorkItem, item_id, WorkItem.comment, WorkItem.decision) == ("写入", "agree")
        assert _row(ProcessInstance, case_id, ProcessInstance.revision)[0] == revision + 1 == instance.revision
        with statements(app) as again:
            db.session.flush()
        assert again == []  # nothing left for the unit of work
        db.session.rollback()


def test_a_stale_revision_is_refused_as_the_unit_of_work_refused_it(app: Flask, case: tuple[int, int]) -> None:
    case_id, _ = case
    with app.app_context():
        instance = db.session.get(ProcessInstance, case_id)
        assert instance is not None
        read = instance.revision
        db.session.connection().execute(  # another writer got there first
            update(ProcessInstance).where(ProcessInstance.id == case_id).values(revision=read + 5))
        instance.title = "改"
        with pytest.raises(StaleDataError):
            db.session.flush()
        db.session.rollback()
        assert _row(ProcessInstance, case_id, ProcessInstance.title)[0] != "改"


def test_a_rollback_forgets_what_was_written(app: Flask, case: tuple[int, int]) -> None:
    _, item_id = case
    with app.app_context():
        item = db.session.get(WorkItem, item_id)
        assert item is not None
        before = item.comment
        item.comment = "撤销前"
        db.session.flush()
        db.session.rollback()
        assert item.comment == before  # expired, read again
        assert _row(WorkItem, item_id, WorkItem.comment)[0] == before


def test_a_savepoint_rolled_back_undoes_its_changes_in_the_session_too(app: Flask, case: tuple[int, int]) -> None:
    _, item_id = case
    with app.app_context():
        item = db.session.get(WorkItem, item_id)
        assert item is not None
        item.comment = "外层"
        db.session.flush()
        savepoint = db.session.begin_nested()
        item.comment = "内层"
        db.session.flush()
        savepoint.rollback()
        assert item.comment == "外层"
        db.session.commit()
        assert _row(WorkItem, item_id, WorkItem.comment)[0] == "外层"


def test_a_read_only_reference_set_alone_writes_nothing(app: Flask, case: tuple[int, int]) -> None:
    _, item_id = case
    with app.app_context():
        item = db.session.get(WorkItem, item_id)
        someone = db.session.scalar(select(User).where(User.username == "s1_01"))
        assert item is not None and someone is not None
        with statements(app) as sent:
            item.completed_by = someone  # view-only: the id column is what is written
            db.session.flush()
        assert not [s for s in sent if s.startswith("UPDATE")]
        db.session.rollback()


@contextmanager
def by_unit_of_work(*models: Any) -> Iterator[list[Any]]:
    """The objects of `models` the unit of work inserts while inside (its mapper events)."""
    found: list[Any] = []

    def record(_mapper: Any, _conn: Any, target: Any) -> None:
        found.append(target)

    for model in models:
        event.listen(model, "before_insert", record)
    try:
        yield found
    finally:
        for model in models:
            event.remove(model, "before_insert", record)


def test_a_completion_inserts_the_next_item_itself_with_its_id_defaults_and_candidates(
        app: Flask, api: Any, case: tuple[int, int]) -> None:
    case_id, _ = case
    with by_unit_of_work(WorkItem) as inserted:
        complete(api, "s1_01", case_id, "deliberation", {"decision": "agree"})
    assert inserted == []  # written before the unit of work ran
    nxt = open_item(api, "s1_03", case_id, "recommendation")  # its candidates were written: in the 待办
    with app.app_context():
        row = db.session.get(WorkItem, nxt["id"])
        assert row is not None
        assert (row.status, row.kind, row.on_hold) == (WorkItemStatus.OPEN, WorkItemKind.TASK, False)
        users = db.session.scalars(select(WorkItemCandidate.user_id).where(WorkItemCandidate.work_item_id == row.id)).all()
        assert users and all(u is not None for u in users)


def test_a_new_item_is_persistent_after_the_flush_and_gone_after_a_rollback(app: Flask, case: tuple[int, int]) -> None:
    case_id, item_id = case
    with app.app_context():
        template = db.session.get(WorkItem, item_id)
        assert template is not None

        def new_item() -> WorkItem:
            return WorkItem(instance_id=case_id, task_id=template.task_id, task_name="extra", title="额外",
                            lane=template.lane, scope_unit_id=template.scope_unit_id)

        first = new_item()
        db.session.add(first)
        db.session.flush()
        assert first.id is not None and first in db.session and not db.session.new
        assert (first.status, first.kind, first.on_hold) == (WorkItemStatus.OPEN, WorkItemKind.TASK, False)
        assert first.created_at is not None
        assert _row(WorkItem, first.id, WorkItem.task_name)[0] == "extra"
        lost = first.id
        db.session.rollback()
        assert first not in db.session  # as the unit of work leaves an object it inserted
        again = new_item()  # SQLite may give the rolled-back id again: no clash in the session
        db.session.add(again)
        db.session.flush()
        assert again.id is not None and db.session.get(WorkItem, again.id) is again
        assert db.session.get(WorkItem, lost) in (None, again)
        db.session.rollback()


def test_an_item_with_candidate_objects_is_left_to_the_unit_of_work(app: Flask, case: tuple[int, int]) -> None:
    case_id, item_id = case
    with app.app_context():
        template = db.session.get(WorkItem, item_id)
        someone = db.session.scalar(select(User).where(User.username == "s1_01"))
        assert template is not None and someone is not None
        item = WorkItem(instance_id=case_id, task_id=template.task_id, task_name="extra", title="额外")
        item.candidates.append(WorkItemCandidate(user_id=someone.id))
        db.session.add(item)
        with by_unit_of_work(WorkItem, WorkItemCandidate) as inserted:
            db.session.flush()
        assert item in inserted and item.candidates[0] in inserted
        assert item.candidates[0].work_item_id == item.id
        db.session.rollback()
