"""/api/v1 approval actions, one POST route per entry of `workflows.actions.ACTIONS`:
`/tasks/<id>/<action>` for work items and `/instances/<id>/<action>` for cases (DESIGN §10),
plus what a UI needs to draw its action bar. Each route is described in the OpenAPI document
from the registry, so the document lists exactly what exists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from models import CaseComment
from models import ProcessInstance
from models import WorkItem
from webapp.api.action_serializers import comment_json
from webapp.api.auth import api_user
from webapp.api.auth import token_required
from webapp.api.blueprint import bp
from webapp.api.openapi import ERRORS
from webapp.api.openapi import add_paths
from webapp.api.openapi import list_of
from webapp.api.openapi import op
from webapp.api.openapi import path_id
from webapp.api.openapi import ref
from webapp.api.params import json_body
from webapp.api.serializers import instance_json
from webapp.api.serializers import item_json
from webapp.extensions import db
from webapp.transaction import commit
from workflows import actions
from workflows import cases
from workflows.actions import ITEM
from workflows.actions import Action
from workflows.actions import comments
from workflows.cases import tasks

ERRORS.setdefault("429", {"description": "too soon (催办 at most once an hour)",
                           "headers": {"Retry-After": {"description": "seconds until it may be tried again",
                                                       "schema": {"type": "integer", "minimum": 1}}},
                           "content": {"application/json": {"schema": ref("Error")}}})
RESULT = ref("ActionResult")
COMMENT = ref("Comment")
ACTION_LIST = ref("ActionList")


def _result(result: Any) -> tuple[dict[str, Any], int]:
    if isinstance(result, CaseComment):
        return comment_json(db.session, result), 201
    if isinstance(result, WorkItem):
        return {"item": item_json(db.session, result), "instance": instance_json(db.session, result.instance)}, 200
    assert isinstance(result, ProcessInstance)
    return {"instance": instance_json(db.session, result)}, 200


def _view(action: Action) -> Callable[[int], tuple[dict[str, Any], int]]:
    def view(target_id: int) -> tuple[dict[str, Any], int]:
        result = actions.perform(db.session, action.name, api_user(), target_id, json_body())
        commit()
        return _result(result)

    view.__name__ = f"action_{action.name.replace('-', '_')}"
    return token_required(view)


def _errors(action: Action) -> tuple[str, ...]:
    return ("400", "403", "404", "409", "422", "429") if action.name == "remind" else ("400", "403", "404", "409", "422")


def _register(action: Action) -> None:
    scope = "tasks" if action.scope == ITEM else "instances"
    param = "item_id" if action.scope == ITEM else "instance_id"
    bp.add_url_rule(f"/{scope}/<int:target_id>/{action.name}", view_func=_view(action), methods=["POST"])
    schema = COMMENT if action.name == "comments" else RESULT
    add_paths({f"/api/v1/{scope}/{{{param}}}/{action.name}": {"post": op(
        f"{action.label}：{action.summary}", schema, _errors(action), "201" if action.name == "comments" else "200",
        action.body_schema(), path_id(param))}})


for _action in actions.ACTIONS.values():
    if _action.http:
        _register(_action)

add_paths({
    "/api/v1/tasks/{item_id}/actions": {"get": op("Actions the caller may take on an item now", ACTION_LIST,
                                                  ("403", "404"), params=path_id("item_id"))},
    "/api/v1/instances/{instance_id}/actions": {"get": op("Actions the caller may take on a case now", ACTION_LIST,
                                                          ("403", "404"), params=path_id("instance_id"))},
    "/api/v1/instances/{instance_id}/comments": {"get": op("Comments on a case", list_of("Comment"), ("403", "404"),
                                                           params=path_id("instance_id"))},
})


@bp.get("/tasks/<int:item_id>/actions")
@token_required
def item_actions(item_id: int) -> dict[str, Any]:
    item = tasks.get_item(db.session, api_user(), item_id)
    return {"items": actions.describe(db.session, api_user(), item)}


@bp.get("/instances/<int:instance_id>/actions")
@token_required
def instance_actions(instance_id: int) -> dict[str, Any]:
    instance = cases.get(db.session, api_user(), instance_id)
    return {"items": actions.describe(db.session, api_user(), instance)}


@bp.get("/instances/<int:instance_id>/comments")
@token_required
def list_comments(instance_id: int) -> dict[str, Any]:
    rows = comments.comments_of(db.session, api_user(), instance_id)
    return {"items": [comment_json(db.session, r) for r in rows], "total": len(rows)}
