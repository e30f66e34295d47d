"""/api/v1/reserve-pool: the 后备干部库 — search, an entry with its 培养措施 and reviews, adding and
correcting 培养措施, the annual review (动态调整). The same services as the pages."""

from __future__ import annotations

from typing import Any

from flask import request

from webapp.api.auth import api_user
from webapp.api.auth import token_required
from webapp.api.blueprint import bp
from webapp.api.openapi import BOOL
from webapp.api.openapi import INT
from webapp.api.openapi import LIMIT
from webapp.api.openapi import NINT
from webapp.api.openapi import NSTR
from webapp.api.openapi import OFFSET
from webapp.api.openapi import STR
from webapp.api.openapi import add_paths
from webapp.api.openapi import op
from webapp.api.openapi import path_id
from webapp.api.params import int_arg
from webapp.api.params import json_body
from webapp.extensions import db
from webapp.pages.records import reserve_entry
from webapp.transaction import commit
from workflows.engine import clock
from workflows.records import reserve
from workflows.records import reserve_measures
from workflows.records import reserve_review

DAY = {"type": "string", "format": "date", "maxLength": 10}
NDAY = {"anyOf": [DAY, {"type": "null"}]}
FILTER = {"type": "string", "maxLength": reserve.MAX_FILTER}
ENTRY = {"type": "object", "required": ["id", "username", "name", "unit", "level", "category", "target_post",
                                        "entered_on", "status", "removed_on"],
         "properties": {"id": INT, "username": STR, "name": STR, "post": STR, "unit": STR, "unit_name": STR,
                        "managing_unit": STR, "level": STR, "category": NSTR, "category_text": STR,
                        "target_post": NSTR, "entered_on": STR, "status": STR, "removed_on": NSTR,
                        "removed_reason": NSTR, "source_instance_id": NINT, "measures": INT}}
MEASURE = {"type": "object", "required": ["id", "kind", "title", "starts_on", "ends_on", "result"],
           "properties": {"id": INT, "kind": STR, "kind_text": STR, "title": STR, "starts_on": STR, "ends_on": NSTR,
                          "result": NSTR, "created_by": NSTR}}
REVIEW = {"type": "object", "required": ["id", "year", "decision", "before", "after", "reason", "reviewed_on"],
          "properties": {"id": INT, "year": INT, "decision": STR, "decision_text": STR, "before": {"type": "object"},
                         "after": {"type": "object"}, "reason": NSTR, "reviewed_on": STR, "reviewed_by": NSTR}}
RATING = {"type": "object", "required": ["year", "rating", "locked", "source"],
          "properties": {"year": INT, "rating": STR, "locked": BOOL, "source": STR}}
DETAIL = {"type": "object", "required": ["entry", "measures", "reviews", "can_manage"],
          "properties": {"entry": ENTRY, "measures": {"type": "array", "items": MEASURE},
                         "reviews": {"type": "array", "items": REVIEW}, "can_manage": BOOL,
                         "reviewed_this_year": BOOL, "ratings": {"type": "array", "items": RATING}}}
LIST = {"type": "object", "required": ["items", "total"],
        "properties": {"items": {"type": "array", "items": ENTRY}, "total": INT}}
MEASURE_BODY = {"type": "object", "required": ["kind", "title", "starts_on"], "properties": {
    "kind": {"type": "string", "enum": list(reserve.MEASURE_KINDS)},
    "title": {"type": "string", "minLength": 1, "maxLength": reserve_measures.MAX_TITLE, "pattern": r"\S"},
    "starts_on": DAY, "ends_on": NDAY,
    "result": {"type": ["string", "null"], "maxLength": reserve_measures.MAX_RESULT}}}
REVIEW_BODY = {"type": "object", "required": ["decision"], "properties": {
    "decision": {"type": "string", "enum": list(reserve_review.DECISIONS)},
    "category": {"anyOf": [{"type": "string", "enum": list(reserve.CATEGORIES)}, {"type": "null"}]},
    "target_post": {"type": ["string", "null"], "maxLength": reserve_review.MAX_POST},
    "reason": {"type": ["string", "null"], "maxLength": reserve_review.MAX_TEXT,
               "description": "required to move or exit (A-R4)"}}}
SEARCH_PARAMS = [
    {"name": "unit", "in": "query", "description": "unit code (and the units below it); unknown: 422", "schema": FILTER},
    {"name": "category", "in": "query", "schema": {"type": "string", "enum": list(reserve.CATEGORIES)}},
    {"name": "target", "in": "query", "description": "target post contains", "schema": FILTER},
    {"name": "since", "in": "query", "description": "entered on or after", "schema": DAY},
    {"name": "measure", "in": "query", "description": "a 培养措施 contains", "schema": FILTER},
    {"name": "q", "in": "query", "description": "name or username contains", "schema": FILTER},
    {"name": "status", "in": "query", "schema": {"type": "string", "enum": list(reserve.STATUSES), "default": "active"}},
    LIMIT, OFFSET,
]
ENTRY_ID = path_id("entry_id")

add_paths({
    "/api/v1/reserve-pool": {"get": op("Search the reserve pool (后备干部库)", LIST, ("400", "403", "422"),
                                       params=SEARCH_PARAMS)},
    "/api/v1/reserve-pool/{entry_id}": {"get": op("An entry with its 培养措施 and reviews", DETAIL, ("403", "404"),
                                                  params=ENTRY_ID)},
    "/api/v1/reserve-pool/{entry_id}/measures": {"post": op(
        "Add a 培养措施 (the managing 组织部)", MEASURE, ("400", "403", "404", "422"), "201", MEASURE_BODY, ENTRY_ID)},
    "/api/v1/reserve-pool/{entry_id}/measures/{measure_id}": {"put": op(
        "Correct a 培养措施 (the managing 组织部)", MEASURE, ("400", "403", "404", "422"), body=MEASURE_BODY,
        params=ENTRY_ID + path_id("measure_id"))},
    "/api/v1/reserve-pool/{entry_id}/reviews": {"post": op(
        "This year's review (动态调整: keep, move, exit)", REVIEW, ("400", "403", "404", "422"), "201", REVIEW_BODY,
        ENTRY_ID)},
})


@bp.get("/reserve-pool")
@token_required
def search_reserve_pool() -> dict[str, Any]:
    criteria = reserve.criteria_from(request.args, strict=True)
    rows, total = reserve.search(db.session, api_user(), criteria, int_arg("limit", 20, 1, 100),
                                 int_arg("offset", 0, 0, 10**6))
    return {"items": [row.as_dict() for row in rows], "total": total}


@bp.get("/reserve-pool/<int:entry_id>")
@token_required
def get_reserve_entry(entry_id: int) -> dict[str, Any]:
    found = reserve.detail(db.session, api_user(), entry_id, clock.today_local().date())
    return reserve_entry.detail_json(found)


@bp.post("/reserve-pool/<int:entry_id>/measures")
@token_required
def add_reserve_measure(entry_id: int) -> tuple[dict[str, Any], int]:
    measure = reserve_measures.add_measure(db.session, api_user(), entry_id, json_body())
    commit()
    return reserve_entry.measure_json(measure, {api_user().id: api_user().name}), 201


@bp.put("/reserve-pool/<int:entry_id>/measures/<int:measure_id>")
@token_required
def update_reserve_measure(entry_id: int, measure_id: int) -> dict[str, Any]:
    measure = reserve_measures.update_measure(db.session, api_user(), entry_id, measure_id, json_body())
    commit()
    return reserve_entry.measure_json(measure, {api_user().id: api_user().name})


@bp.post("/reserve-pool/<int:entry_id>/reviews")
@token_required
def review_reserve_entry(entry_id: int) -> tuple[dict[str, Any], int]:
    row = reserve_review.review(db.session, api_user(), entry_id, json_body(), clock.today_local().date())
    commit()
    return reserve_entry.review_json(row, {api_user().id: api_user().name}), 201
