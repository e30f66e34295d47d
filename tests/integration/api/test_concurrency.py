"""Concurrent completions of one work item: exactly one wins, the rest get 409, nothing doubles.

Runs on SQLite (BEGIN IMMEDIATE serializes writers) and on PostgreSQL (SELECT … FOR UPDATE on
the instance row plus the revision check), with real threads released together by a barrier.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func
from sqlalchemy import select

from models import AuditEvent
from models import WorkItem
from tests.helpers import instance
from tests.helpers import open_item
from tests.helpers import start
from webapp.extensions import db


def race(app: Any, token: str, item_id: int, clients: int) -> list[int]:
    barrier = threading.Barrier(clients)
    statuses: list[int] = []
    lock = threading.Lock()

    def attempt() -> None:
        client = app.test_client()
        barrier.wait(timeout=10)
        response = client.post(f"/api/v1/tasks/{item_id}/complete", json={"data": {"decision": "agree"}},
                               headers={"Authorization": f"Bearer {token}"})
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=attempt) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(statuses)


def test_eight_simultaneous_completions_of_one_item_succeed_exactly_once(app: Any, api: Any) -> None:
    for _round in range(3):
        case = start(api)
        item = open_item(api, "s1_01", case["id"], "deliberation")
        assert race(app, api("s1_01").token, item["id"], 8) == [200] + [409] * 7
        with app.app_context():
            completions = db.session.scalar(select(func.count(AuditEvent.id)).where(
                AuditEvent.action == "task.complete", AuditEvent.work_item_id == item["id"]))
            following = db.session.scalar(select(func.count(WorkItem.id)).where(
                WorkItem.instance_id == case["id"], WorkItem.task_name == "recommendation"))
        assert (completions, following) == (1, 1)


def test_each_user_action_raises_the_revision_by_exactly_one(api: Any) -> None:
    """DESIGN §3: revision + 1 per change, however often the action flushes the case."""
    case = start(api)
    assert case["revision"] == 1
    item = open_item(api, "s1_01", case["id"], "deliberation")
    response = api("s1_01").post(f"/tasks/{item['id']}/complete", {"data": {"decision": "agree"}})
    assert response.status_code == 200, response.get_json()
    assert instance(api, "s1_03", case["id"])["revision"] == 2
