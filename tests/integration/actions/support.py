"""Helpers of the approval-action tests: act through the API, read the audit trail, look at
the stored workflow."""

from __future__ import annotations

from typing import Any

from flask import Flask

from models import ProcessInstance
from tests.helpers import open_item
from webapp.extensions import db
from workflows.engine import definitions
from workflows.engine.rewind import ancestors
from workflows.engine.runtime import engine


def act(api: Any, username: str, item_id: int, action: str, body: dict[str, Any] | None = None,
        expect: int = 200) -> dict[str, Any]:
    """POST /tasks/<id>/<action> as `username`, asserting the status."""
    response = api(username).post(f"/tasks/{item_id}/{action}", body or {})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def act_on_case(api: Any, username: str, case_id: int, action: str, body: dict[str, Any] | None = None,
                expect: int = 200) -> dict[str, Any]:
    response = api(username).post(f"/instances/{case_id}/{action}", body or {})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def events(api: Any, case_id: int, viewer: str = "zhengyun") -> list[dict[str, Any]]:
    """The case's audit trail as the auditor sees it."""
    return api(viewer).get(f"/instances/{case_id}/events").get_json()["items"]


def actions_of(api: Any, case_id: int) -> list[str]:
    return [e["action"] for e in events(api, case_id)]


def todo(api: Any, username: str) -> list[tuple[int, str]]:
    items = api(username).get("/tasks?view=todo&limit=100").get_json()["items"]
    return [(i["instance_id"], i["task"]) for i in items]


def item_of(api: Any, username: str, case_id: int, task: str) -> int:
    return int(open_item(api, username, case_id, task)["id"])


def tree(app: Flask, case_id: int) -> dict[str, int]:
    """The stored workflow's size: tasks in the tree, its depth, and the state's bytes."""
    with app.app_context():
        instance = db.session.get(ProcessInstance, case_id)
        assert instance is not None
        workflow = engine().load(definitions.runtime(instance.definition), instance.state)
        depth = max(len(ancestors(t)) for t in workflow.tasks.values())
        size = {"tasks": len(workflow.tasks), "depth": depth, "bytes": len(instance.state.encode("utf-8"))}
        db.session.remove()
        return size


def ready_task_data(app: Flask, case_id: int, task: str) -> dict[str, Any]:
    """The data SpiffWorkflow holds for the READY user task `task` of the case."""
    with app.app_context():
        instance = db.session.get(ProcessInstance, case_id)
        assert instance is not None
        workflow = engine().load(definitions.runtime(instance.definition), instance.state)
        [found] = [t for t in engine().ready_user_tasks(workflow) if t.task_spec.bpmn_id == task]
        db.session.remove()
        return dict(found.data)
