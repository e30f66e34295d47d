"""/api/v1 — the same services as the UI, with the same permission checks (DESIGN §10)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask import jsonify
from flask import request
from flask import url_for

from models import Role
from webapp.api.auth import api_user
from webapp.api.auth import token_required
from webapp.api.blueprint import bp
from webapp.api.openapi import COMPLETE_BODY
from webapp.api.openapi import QUEUE_PARAMS
from webapp.api.openapi import START_BODY
from webapp.api.openapi import add_paths
from webapp.api.openapi import document
from webapp.api.openapi import list_of
from webapp.api.openapi import op
from webapp.api.openapi import path_id
from webapp.api.openapi import ref
from webapp.api.params import int_arg
from webapp.api.params import json_body
from webapp.api.serializers import cc_json
from webapp.api.serializers import completion_json
from webapp.api.serializers import event_json
from webapp.api.serializers import instance_json
from webapp.api.serializers import instance_summary
from webapp.api.serializers import item_json
from webapp.api.serializers import items_json
from webapp.api.serializers import process_json
from webapp.extensions import db
from webapp.pages import case_lines
from webapp.pages import inbox
from webapp.transaction import commit
from webapp.transaction import flush
from webapp.transaction import locks_at_first_write
from workflows import actions
from workflows import audit
from workflows import cases
from workflows.cases import prefill
from workflows.cases import tasks
from workflows.engine import definitions
from workflows.errors import InvalidRequest
from workflows.errors import NotAllowed
from workflows.routing import permissions

add_paths({
    "/api/v1/processes": {"get": op("Deployed processes", list_of("Process"), ())},
    "/api/v1/processes/{key}/instances": {"post": op(
        "Start a case", ref("Instance"), ("400", "403", "404", "422"), "201", START_BODY,
        [{"name": "key", "in": "path", "required": True, "schema": {"type": "string", "minLength": 1,
                                                                    "maxLength": 100}}])},
    "/api/v1/instances/{instance_id}": {"get": op("A case", ref("Instance"), ("403", "404"),
                                                  params=path_id("instance_id"))},
    "/api/v1/instances/{instance_id}/events": {"get": op(
        "The audit trail of a case", list_of("Event"), ("403", "404"), params=path_id("instance_id"))},
    "/api/v1/tasks": {"get": op("My queues", ref("Queue"), ("400", "422"), params=QUEUE_PARAMS)},
    "/api/v1/tasks/{item_id}": {"get": op("A work item with its form", ref("WorkItem"), ("403", "404"),
                                          params=path_id("item_id"))},
    "/api/v1/tasks/{item_id}/claim": {"post": op("Claim (认领) a shared item", ref("WorkItem"),
                                                 ("403", "404", "409"), params=path_id("item_id"))},
    "/api/v1/tasks/{item_id}/complete": {"post": op(
        "Complete an item", ref("Completion"),
        ("400", "403", "404", "409", "422"), body=COMPLETE_BODY, params=path_id("item_id"))},
    "/api/v1/audit/verify": {"get": op("Verify the audit chain (auditors)", ref("Verify"), ("403",))},
})


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document())


@bp.get("/processes")
@token_required
def list_processes() -> dict[str, Any]:
    items = []
    for definition in definitions.all_latest(db.session):
        body = process_json(definition)
        body["can_start"] = permissions.may_start(db.session, api_user(), definition.assets["start"].get("starterRoles"))
        items.append(body)
    return {"items": items, "total": len(items)}


@bp.post("/processes/<key>/instances")
@token_required
def start_instance(key: str) -> tuple[dict[str, Any], int, dict[str, str]]:
    instance = cases.start(db.session, key, json_body().get("data"), api_user())
    commit()
    location = url_for("api.get_instance", instance_id=instance.id)
    return instance_json(db.session, instance), 201, {"Location": location}


@bp.get("/instances/<int:instance_id>")
@token_required
def get_instance(instance_id: int) -> dict[str, Any]:
    return instance_json(db.session, cases.get(db.session, api_user(), instance_id))


@bp.get("/instances/<int:instance_id>/events")
@token_required
def instance_events(instance_id: int) -> dict[str, Any]:
    instance = cases.get(db.session, api_user(), instance_id)
    events = audit.events_of_instance(db.session, instance.id)
    users = audit.users_of(db.session, events)
    return {"items": [event_json(db.session, e, users) for e in events], "total": len(events)}


@bp.get("/tasks")
@token_required
def list_tasks() -> dict[str, Any]:
    view = request.args.get("view", "todo")
    filters = inbox.Filters(**{name: request.args.get(name) or None for name in inbox.FILTER_NAMES})
    page = inbox.queue(db.session, api_user(), view, int_arg("limit", 20, 1, 100), int_arg("offset", 0, 0, 10**6),
                       filters)
    if view == "started":
        return {"items": [instance_summary(i) for i in page.items], "total": page.total}
    if view == "cc":
        cases = {case.id: case for case in case_lines.cc_cases(db.session, page.items)}
        return {"items": [cc_json(db.session, cc, cases[cc.instance_id]) for cc in page.items], "total": page.total}
    return {"items": items_json(db.session, page.items), "total": page.total}


@bp.get("/tasks/<int:item_id>")
@token_required
def get_task(item_id: int) -> dict[str, Any]:
    item = tasks.get_item(db.session, api_user(), item_id)
    body = item_json(db.session, item)
    body["form"] = actions.form_schema(item)
    body["data"] = item.instance.data
    body["can_act"] = actions.can_complete(db.session, api_user(), item)
    body["meeting_roster"] = tasks.meeting_roster(db.session, item)  # the 应到 of a meeting step, now
    opening = prefill.prefill(db.session, item, body["form"]["schema"])  # what the case page's form shows
    body["prefill"] = {"data": opening.data, "comment": opening.comment, "from_item": opening.from_item}
    return body


@bp.post("/tasks/<int:item_id>/claim")
@token_required
def claim_task(item_id: int) -> dict[str, Any]:
    item = actions.claim(db.session, api_user(), item_id)
    commit()
    return item_json(db.session, item)


@bp.post("/tasks/<int:item_id>/complete")
@token_required
@locks_at_first_write
def complete_task(item_id: int) -> dict[str, Any]:
    body = json_body()
    comment = body.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise InvalidRequest("comment 须为字符串")
    session = db.current()  # the Session itself: each call through the scoped proxy looks it up again
    item = actions.complete_item(session, api_user(), item_id, body.get("data", {}), comment)
    # The answer is read inside the transaction, from the objects the change left in the session
    # (after the commit every one of them would be expired and read again).
    flush()
    answer = completion_json(session, item)
    commit()
    return answer


@bp.get("/audit/verify")
@token_required
def verify_audit() -> dict[str, Any]:
    if not permissions.has_role(db.session, api_user(), Role.AUDITOR):
        raise NotAllowed("只有审计人员可以校验审计链")
    result = audit.verify(db.session)
    return {"ok": result.ok, "count": result.count, "head_seq": result.head_seq, "head_hash": result.head_hash,
            "broken_seq": result.broken_seq, "reason": result.reason}
