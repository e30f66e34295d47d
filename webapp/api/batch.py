"""/api/v1/tasks/batch-approve: 批量同意 several 待办 items (`workflows.cases.batch`)."""

from __future__ import annotations

from typing import Any

from webapp.api.auth import api_user
from webapp.api.auth import token_required
from webapp.api.blueprint import bp
from webapp.api.openapi import BOOL
from webapp.api.openapi import INT
from webapp.api.openapi import MAX_ID
from webapp.api.openapi import NSTR
from webapp.api.openapi import STR
from webapp.api.openapi import TEXT
from webapp.api.openapi import add_paths
from webapp.api.openapi import op
from webapp.api.params import json_body
from webapp.extensions import db
from workflows.cases import batch

BODY = {"type": "object", "required": ["ids"], "properties": {
    "ids": {"type": "array", "minItems": 1, "maxItems": batch.MAX_ITEMS,
            "items": {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "description": "work item ids"},
    "comment": {**TEXT, "description": "审批意见, shared by every item (optional)"}}}
OUTCOME = {"type": "object", "required": ["id", "ok", "message", "error", "number", "title", "step"], "properties": {
    "id": INT, "ok": BOOL, "message": STR, "error": {**NSTR, "description": "why it was refused (an error code)"},
    "number": STR, "title": STR, "step": STR}}
ANSWER = {"type": "object", "required": ["items", "approved", "refused"], "properties": {
    "items": {"type": "array", "items": OUTCOME, "description": "one per id, in the order sent"},
    "approved": INT, "refused": INT}}

add_paths({"/api/v1/tasks/batch-approve": {"post": op(
    "批量同意: approve items whose form needs nothing but the decision, each in its own transaction; "
    "refusals are reported per item", ANSWER, ("400",), body=BODY)}})


@bp.post("/tasks/batch-approve")
@token_required
def batch_approve() -> dict[str, Any]:
    body = json_body()
    outcomes = batch.approve(db.session, api_user(), body.get("ids"), body.get("comment"))
    approved = sum(o.ok for o in outcomes)
    return {"items": [o.as_dict() for o in outcomes], "approved": approved, "refused": len(outcomes) - approved}
