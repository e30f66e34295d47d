"""The HTML 待办 page and the 工作台 count the 待办 once (issue 17): the count they show is also
the layout's badge, so each sends one `count(*)` over the 待办 query, not a second for the badge."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import event

from tests.helpers import start
from webapp.extensions import db


def _statements(app: Flask, call: Any) -> list[str]:
    seen: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return seen


def _todo_counts(statements: list[str]) -> list[str]:
    """Counts over the whole 待办 (the 工作台's count of overdue items narrows it by `due_at`)."""
    return [s for s in statements if "count(" in s.lower() and "work_item_candidate" in s and "due_at <" not in s]


def test_the_todo_page_counts_its_items_once(app: Flask, api: Any, web: Any) -> None:
    start(api)  # s1_01 has the first step to do
    client = web("s1_01")
    response: list[Any] = []
    statements = _statements(app, lambda: response.append(client.get("/tasks/todo")))
    assert response[0].status_code == 200
    counts = _todo_counts(statements)
    assert len(counts) == 1, "\n\n".join(counts)
    # The 工作台 shows the count too: the badge takes it from there.
    statements = _statements(app, lambda: response.append(client.get("/")))
    assert response[1].status_code == 200
    assert len(_todo_counts(statements)) == 1, "\n\n".join(_todo_counts(statements))
    # Another page still counts the 待办 for the badge (the one count it runs).
    statements = _statements(app, lambda: response.append(client.get("/tasks/done")))
    assert response[2].status_code == 200
    assert len(_todo_counts(statements)) == 1
