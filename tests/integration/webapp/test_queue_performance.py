"""The queues stay cheap: a fixed number of queries whatever the page size, and the 待办 query
walks the candidate index instead of scanning work items."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy import text

from tests.helpers import start
from tests.web import login
from webapp.extensions import db
from workflows import accounts
from workflows import inbox


@contextmanager
def counted(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_list_pages_run_the_same_queries_for_2_or_12_rows(app: Flask, api: Any) -> None:
    secretary = login(app, "s1_01")
    officer = login(app, "s1_03")
    for _ in range(2):
        start(api)
    with counted(app) as few:
        secretary.page("/tasks/todo")
        officer.page("/tasks/started")
    for _ in range(10):
        start(api)
    with counted(app) as many:
        secretary.page("/tasks/todo")
        officer.page("/tasks/started")
    assert len(many) == len(few), [s.split("FROM")[1][:60] for s in many]


def test_the_todo_query_uses_the_inbox_index(app: Flask, org: None) -> None:
    with app.app_context():
        user = accounts.find_user(db.session, "s1_01")
        query = inbox._query(db.session, user, "todo", inbox.Filters()).limit(20)
        sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
        if db.engine.dialect.name == "sqlite":
            plan = " ".join(str(row) for row in db.session.execute(text("EXPLAIN QUERY PLAN " + sql)))
            assert "ix_work_item_candidate_inbox" in plan, plan
        else:
            db.session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(row[0] for row in db.session.execute(text("EXPLAIN " + sql)))
            assert "ix_work_item_candidate_inbox" in plan, plan


@pytest.mark.parametrize("view", inbox.VIEWS)
def test_every_queue_counts_with_one_query(app: Flask, org: None, view: str) -> None:
    with app.app_context():
        user = accounts.find_user(db.session, "s1_01")
        with counted(app) as statements:
            inbox.queue(db.session, user, view, 20, 0)
        assert len(statements) <= 3  # count, page (+ the unit lookup never happens without a filter)
