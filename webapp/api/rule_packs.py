"""/api/v1/rule-packs: the rule packs in force and their validity windows (admins edit them)."""

from __future__ import annotations

from typing import Any

from webapp.api.auth import api_user
from webapp.api.auth import token_required
from webapp.api.blueprint import bp
from webapp.api.openapi import INT
from webapp.api.openapi import NSTR
from webapp.api.openapi import STR
from webapp.api.openapi import add_paths
from webapp.api.openapi import op
from webapp.api.params import json_value
from webapp.extensions import db
from webapp.transaction import commit
from workflows.rules import load_packs
from workflows.rules import overlays

WINDOW = {"type": "object", "required": ["pack", "valid_from", "valid_to", "source"],
          "properties": {"pack": STR, "valid_from": NSTR, "valid_to": NSTR, "source": STR}}
PACKS = {"type": "object", "required": ["items", "total"], "properties": {"total": INT, "items": {
    "type": "array", "items": {"type": "object", "required": ["id", "title", "version", "rules", "window"],
                               "properties": {"id": STR, "title": STR, "version": STR,
                                              "rules": {"type": "array", "items": STR}, "window": WINDOW}}}}}
WINDOW_BODY = {"type": "object", "required": ["valid_from"],
               "properties": {"valid_from": {"type": "string", "format": "date"},
                              "valid_to": {"type": ["string", "null"], "format": "date"},
                              "note": {"type": ["string", "null"], "maxLength": overlays.MAX_NOTE}}}
PACK_PARAM = [{"name": "pack_id", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 100}}]

add_paths({
    "/api/v1/rule-packs": {"get": op("Rule packs with their rules and windows", PACKS, ())},
    "/api/v1/rule-packs/{pack_id}/window": {
        "get": op("A rule pack's validity window", WINDOW, ("404",), params=PACK_PARAM),
        "put": op("Set a rule pack's validity window (admins)", WINDOW, ("403", "404", "422"), body=WINDOW_BODY,
                  params=PACK_PARAM),
    },
})


@bp.get("/rule-packs")
@token_required
def list_rule_packs() -> dict[str, Any]:
    items = [{"id": pack.id, "title": pack.title, "version": pack.version, "rules": sorted(pack.rules),
              "window": overlays.window(db.session, pack.id).as_dict()} for pack in load_packs().values()]
    return {"items": items, "total": len(items)}


@bp.get("/rule-packs/<pack_id>/window")
@token_required
def get_window(pack_id: str) -> dict[str, Any]:
    return overlays.window(db.session, pack_id).as_dict()


@bp.put("/rule-packs/<pack_id>/window")
@token_required
def put_window(pack_id: str) -> dict[str, Any]:
    window = overlays.update_window(db.session, pack_id, json_value(), api_user())
    commit()
    return window.as_dict()
