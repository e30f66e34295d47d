"""/api/v1/probation-register: the register of 预备党员 (track, dates, oath, 转正) for the units the
caller oversees (all units for admins and auditors)."""

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
from webapp.extensions import db
from workflows.records import probation

NINT = {"type": ["integer", "null"]}
ROW = {"type": "object",
       "required": ["username", "name", "unit", "member_status", "track", "admitted_on", "probation_ends_on", "outcome"],
       "properties": {"username": STR, "name": STR, "unit": STR, "member_status": STR, "track": STR,
                      "frontline": {"type": "boolean"}, "admitted_on": STR, "approved_on": NSTR, "oath_on": NSTR,
                      "probation_ends_on": STR, "extended_months": NINT, "outcome": STR, "confirmed_on": NSTR,
                      "decided_on": NSTR, "admission_instance_id": NINT, "probation_instance_id": NINT}}
LIST = {"type": "object", "required": ["items", "total"],
        "properties": {"items": {"type": "array", "items": ROW}, "total": INT}}

add_paths({"/api/v1/probation-register": {"get": op("The register of probationary members (预备党员名册)", LIST, ("403",))}})


@bp.get("/probation-register")
@token_required
def list_probation_register() -> dict[str, Any]:
    rows = [row.as_dict() for row in probation.register(db.session, api_user())]
    return {"items": rows, "total": len(rows)}
