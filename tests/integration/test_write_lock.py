"""A completion takes its locks at its first write, not before its reads (issue 17, item 3;
`engine.locking.defer_write`): SQLite's write lock, PostgreSQL's row lock on the case. Another
writer goes on while a completion reads the case and runs the engine step, and a completion
whose case changed in that time runs again with the lock taken up front, so it answers as if it
had waited for the lock.

Each test does something from another thread while a completion is between its reads and its
writes (after the item was read and checked, before the engine step). With the lock taken before
the reads, as every other write does, that other writer would wait for the completion, and the
completion for it: the request would end in 503 after the busy timeout.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select

from models import Attachment
from models import AuditEvent
from models import WorkItem
from tests.helpers import instance
from tests.helpers import open_item
from tests.helpers import start
from tests.integration.actions.support import item_of
from webapp.extensions import db
from workflows import audit
from workflows.cases import tasks

TEAM = {"method": "meeting", "results": "得票集中", "inspection_team": ["zhaomin", "sunli"]}


class Meanwhile:
    """Runs `action` once, in a thread of its own, while the next completion is between its reads
    and its writes; counts how often a completion reached its engine step."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, action: Callable[[], Any]) -> None:
        self.action, self.results, self.steps = action, [], 0
        self._fired = False
        self._ready_task = tasks.ready_task
        monkeypatch.setattr(tasks, "ready_task", self._step)

    def _step(self, item: WorkItem) -> Any:
        self.steps += 1
        found = self._ready_task(item)
        if not self._fired:
            self._fired = True
            thread = threading.Thread(target=lambda: self.results.append(self.action()))
            thread.start()
            thread.join(timeout=60)
        return found


def _in_thread(app: Flask, api: Any, username: str) -> Any:
    """`api(username)` with a test client of its own, for another thread."""
    client = api(username)
    return type(client)(app.test_client(), client.token, username)


def _completions(app: Flask, item_id: int) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "task.complete", AuditEvent.work_item_id == item_id))
        db.session.remove()
    return count or 0


def _chain_holds(app: Flask) -> bool:
    with app.app_context():
        ok = audit.verify(db.session).ok
        db.session.remove()
    return ok


def test_another_case_is_written_while_a_completion_reads_and_runs_its_step(
        app: Flask, api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    mine, other = start(api), start(api)
    item = open_item(api, "s1_01", mine["id"], "deliberation")
    other_item = open_item(api, "s1_01", other["id"], "deliberation")
    meanwhile = Meanwhile(monkeypatch, lambda: _in_thread(app, api, "s1_01").post(
        f"/tasks/{other_item['id']}/complete", {"data": {"decision": "agree"}}).status_code)

    response = api("s1_01").post(f"/tasks/{item['id']}/complete", {"data": {"decision": "agree"}})

    assert response.status_code == 200, response.get_json()
    assert meanwhile.results == [200]  # the other case's completion did not wait for this one
    assert meanwhile.steps == 2  # one each: nothing this completion read changed, it ran once
    assert instance(api, "s1_03", mine["id"])["revision"] == 2
    assert instance(api, "s1_03", other["id"])["revision"] == 2
    assert _chain_holds(app)


def test_a_completion_of_the_same_item_meanwhile_wins_and_this_one_answers_409(
        app: Flask, api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    case = start(api)
    item = open_item(api, "s1_01", case["id"], "deliberation")
    meanwhile = Meanwhile(monkeypatch, lambda: _in_thread(app, api, "s1_01").post(
        f"/tasks/{item['id']}/complete", {"data": {"decision": "agree"}}).status_code)

    response = api("s1_01").post(f"/tasks/{item['id']}/complete", {"data": {"decision": "agree"}, "comment": "后到"})

    assert meanwhile.results == [200]
    # Its revision check failed; run again under the lock, it finds the item handled.
    assert response.status_code == 409, response.get_json()
    assert "已由" in response.get_json()["message"] and "办理" in response.get_json()["message"]
    assert _completions(app, item["id"]) == 1
    handled = api("s1_01").get(f"/tasks/{item['id']}").get_json()
    assert (handled["status"], handled["comment"]) == ("completed", None)  # the winner's, not "后到"
    assert instance(api, "s1_03", case["id"])["revision"] == 2
    assert _chain_holds(app)


def test_a_claim_meanwhile_changes_the_case_and_the_completion_is_refused_as_claimed(
        app: Flask, api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A claim writes no case state, only the item's assignee (a bulk UPDATE); it still raises the
    case's revision (`ProcessInstance.touch`), else this completion would have gone through."""
    case = start(api, management_level="group")["id"]
    api("wangjianguo").post(f"/tasks/{item_of(api, 'wangjianguo', case, 'deliberation')}/complete",
                            {"data": {"decision": "agree"}})
    shared = item_of(api, "zhaomin", case, "recommendation")  # offered to zhaomin and sunli
    meanwhile = Meanwhile(monkeypatch, lambda: _in_thread(app, api, "sunli").post(f"/tasks/{shared}/claim", {}).status_code)

    response = api("zhaomin").post(f"/tasks/{shared}/complete", {"data": TEAM})

    assert meanwhile.results == [200]
    assert response.status_code == 409, response.get_json()
    assert "认领" in response.get_json()["message"]
    held = api("sunli").get(f"/tasks/{shared}").get_json()
    assert (held["status"], held["assignee"]) == ("open", "sunli")
    assert _completions(app, shared) == 0
    assert _chain_holds(app)


def test_the_page_form_runs_again_after_a_change_meanwhile_and_keeps_its_attachment(
        app: Flask, api: Any, web: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """提交 on the case page locks at its first write too. Here the handler's own 认领 (through the
    API) changes the case between the form's reads and its writes: the completion runs again
    under the lock and goes through, with the uploaded file read again from the start."""
    case = start(api, management_level="group")["id"]
    api("wangjianguo").post(f"/tasks/{item_of(api, 'wangjianguo', case, 'deliberation')}/complete",
                            {"data": {"decision": "agree"}})
    shared = item_of(api, "zhaomin", case, "recommendation")
    page = web("zhaomin")
    page.page(f"/cases/{case}")
    meanwhile = Meanwhile(monkeypatch, lambda: _in_thread(app, api, "zhaomin").post(f"/tasks/{shared}/claim", {}).status_code)

    response = page.post(f"/items/{shared}/complete", {**TEAM, "attachments": (io.BytesIO(b"%PDF-1.4 recommendation"), "推荐情况.pdf")},
                         content_type="multipart/form-data")

    assert meanwhile.results == [200]
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert meanwhile.steps == 2  # read, then again under the lock
    with app.app_context():
        files = db.session.execute(select(Attachment.filename, Attachment.size).where(Attachment.work_item_id == shared)).all()
        db.session.remove()
    assert files == [("推荐情况.pdf", len(b"%PDF-1.4 recommendation"))]
    assert _completions(app, shared) == 1
    assert _chain_holds(app)


def test_on_postgresql_the_first_write_locks_the_case_before_any_other_row(app: Flask, api: Any) -> None:
    """Every writer of a case locks the case's row before its items' (a 退回 or a claim at once, a
    completion at its first write); a completion that wrote its item first would deadlock with a
    退回 that holds the case and waits for that item."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "postgresql":
            pytest.skip("SQLite's writer holds the whole database: there is no row lock to order")
    case = start(api)
    item = open_item(api, "s1_01", case["id"], "deliberation")
    sent: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        response = api("s1_01").post(f"/tasks/{item['id']}/complete", {"data": {"decision": "agree"}})
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200, response.get_json()
    first_write = next(i for i, s in enumerate(sent) if not s.startswith("SELECT"))
    locks = [i for i, s in enumerate(sent) if s.startswith("SELECT") and "FOR UPDATE OF process_instance" in s]
    assert locks and locks[0] == first_write - 1, sent[:first_write + 1]
    assert all("FOR UPDATE" not in s for s in sent[:locks[0]])  # its reads took no lock
