"""A driver for API flow tests: start cases, complete steps as named users, fire timers.

Every successful step also checks that the stored workflow state survives a save/restore
round trip (load → dump gives the same state), so each step of each process is covered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskCliRunner

from workflows.engine.clock import SHANGHAI

DEADLINE_NOTICES = ("due_soon", "overdue", "escalation")  # workflows.timers.deadlines: 提醒, 逾期, 督办


def at(text: str) -> datetime:
    """A Shanghai wall-clock time, e.g. at("2020-02-20 09:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@dataclass
class Flow:
    api: Any
    app: Flask
    runner: FlaskCliRunner

    def start(self, process: str, username: str, data: dict[str, Any], expect: int = 201) -> dict[str, Any]:
        response = self.api(username).post(f"/processes/{process}/instances", {"data": data})
        assert response.status_code == expect, response.get_json()
        body = response.get_json()
        if expect == 201:
            self.assert_round_trip(body["id"])
        return body

    def refused_start(self, process: str, username: str, data: dict[str, Any], rule: str) -> dict[str, Any]:
        body = self.start(process, username, data, expect=422)
        assert body.get("rule") == rule, body
        assert rule in body["message"] and "依据" in body["message"], body
        return body

    def todo(self, username: str) -> list[dict[str, Any]]:
        return self.api(username).get("/tasks?view=todo&limit=100").get_json()["items"]

    def item(self, username: str, case_id: int, task: str) -> dict[str, Any]:
        found = [i for i in self.todo(username) if i["instance_id"] == case_id and i["task"] == task]
        assert found, f"{task} not in {username}'s 待办: {[(i['instance_id'], i['task']) for i in self.todo(username)]}"
        return found[0]

    def step(self, username: str, case_id: int, task: str, data: dict[str, Any], comment: str | None = None,
             expect: int = 200) -> dict[str, Any]:
        """Complete `task` of the case as `username`; returns the response body."""
        item = self.item(username, case_id, task)
        response = self.api(username).post(f"/tasks/{item['id']}/complete", {"data": data, "comment": comment})
        assert response.status_code == expect, response.get_json()
        if expect == 200:
            self.assert_round_trip(case_id)
        return response.get_json()

    def refused(self, username: str, case_id: int, task: str, data: dict[str, Any], rule: str,
                comment: str | None = None) -> dict[str, Any]:
        """The step is refused with a 422 naming `rule` and its source, and stays open."""
        body = self.step(username, case_id, task, data, comment, expect=422)
        assert body.get("rule") == rule, body
        assert body["message"].startswith(f"{rule}：") and "依据" in body["message"], body
        assert self.item(username, case_id, task)
        return body

    def case(self, username: str, case_id: int) -> dict[str, Any]:
        response = self.api(username).get(f"/instances/{case_id}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def tasks(self, username: str, case_id: int) -> list[str]:
        return sorted(w["task"] for w in self.case(username, case_id)["work_items"])

    def worker(self) -> int:
        """`flask workflows worker --once`: fire what is due at the (frozen) time; how many jobs fired,
        BPMN timers and deadline notices alike."""
        result = self.runner.invoke(args=["workflows", "worker", "--once"])
        assert result.exit_code == 0, result.output
        return int(result.output.split()[-1])

    def notices(self, case_id: int) -> list[tuple[str, str, str, str]]:
        """The case's deadline notices in the order sent: (kind, step, recipient, Shanghai time sent)."""
        from sqlalchemy import select

        from models import Notification
        from models import User
        from models import WorkItem
        from webapp.extensions import db

        with self.app.app_context():
            rows = db.session.execute(
                select(Notification.kind, WorkItem.task_name, User.username, Notification.created_at)
                .join(User, User.id == Notification.user_id).join(WorkItem, WorkItem.id == Notification.work_item_id)
                .where(Notification.instance_id == case_id, Notification.kind.in_(DEADLINE_NOTICES))
                .order_by(Notification.id)
            ).all()
            db.session.remove()
        return [(kind, task, user, f"{sent.astimezone(SHANGHAI):%Y-%m-%d %H:%M}") for kind, task, user, sent in rows]

    def assert_round_trip(self, case_id: int) -> None:
        from models import ProcessInstance
        from webapp.extensions import db
        from workflows.engine import definitions
        from workflows.engine.runtime import engine

        with self.app.app_context():
            instance = db.session.get(ProcessInstance, case_id)
            assert instance is not None
            restored = engine().load(definitions.runtime(instance.definition), instance.state)
            assert json.loads(engine().dump(restored)) == json.loads(instance.state)
            db.session.remove()
