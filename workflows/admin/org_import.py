"""`flask org import FILE`: units, users, roles, ratings and declared relations (DOMAIN §6),
idempotent.

Units are matched by `code`, users by `username`; running the same file twice changes nothing.
A password is set only when the user is created (re-imports never reset passwords).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import AnnualRating
from models import OrgUnit
from models import User
from workflows import accounts
from workflows import audit
from workflows.errors import ValidationFailed
from workflows.routing import relations

_SCHEMA = json.loads((Path(__file__).parent / "data" / "org_import.schema.json").read_text(encoding="utf-8"))


@dataclass
class ImportResult:
    created: dict[str, int] = field(
        default_factory=lambda: {"units": 0, "users": 0, "roles": 0, "ratings": 0, "relations": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"units": 0, "users": 0, "ratings": 0, "relations": 0})


def _check(data: Any) -> None:
    errors = list(Draft202012Validator(_SCHEMA).iter_errors(data))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(root)"
        raise ValidationFailed(f"导入文件格式错误：{where}: {first.message}", {where: [first.message]})


def _units(session: Session, rows: list[dict[str, Any]], result: ImportResult) -> None:
    by_code = {u.code: u for u in session.scalars(select(OrgUnit))}
    for row in rows:
        unit = by_code.get(row["code"])
        if unit is None:
            unit = OrgUnit(code=row["code"], name=row["name"], level=row["level"])
            session.add(unit)
            by_code[row["code"]] = unit
            result.created["units"] += 1
        elif (unit.name, unit.level) != (row["name"], row["level"]):
            unit.name, unit.level = row["name"], row["level"]
            result.updated["units"] += 1
    session.flush()
    for row in rows:
        parent_code = row.get("parent")
        if parent_code and parent_code not in by_code:
            raise ValidationFailed(f"上级组织“{parent_code}”不存在", {"units": [parent_code]})
        by_code[row["code"]].parent_id = by_code[parent_code].id if parent_code else None
    session.flush()
    _rebuild_paths(session)


def _rebuild_paths(session: Session) -> None:
    units = {u.id: u for u in session.scalars(select(OrgUnit))}

    def path_of(unit: OrgUnit, seen: frozenset[int] = frozenset()) -> str:
        if unit.id in seen:
            raise ValidationFailed(f"组织“{unit.code}”的上级关系成环", {"units": [unit.code]})
        parent = units.get(unit.parent_id) if unit.parent_id else None
        return (path_of(parent, seen | {unit.id}) if parent else "/") + f"{unit.id}/"

    for unit in units.values():
        unit.path = path_of(unit)


def _user(session: Session, row: dict[str, Any], result: ImportResult) -> User:
    user = session.scalars(select(User).where(User.username == row["username"])).first()
    fields: dict[str, Any] = {k: row[k] for k in ("member_status", "post", "email") if k in row}
    if user is None:
        result.created["users"] += 1
        return accounts.create_user(session, row["username"], row["name"], row.get("unit"), row.get("password"),
                                    **fields)
    unit_id = accounts.find_unit(session, row["unit"]).id if row.get("unit") else None
    wanted: dict[str, Any] = {"name": row["name"], "unit_id": unit_id, **fields}
    if any(getattr(user, k) != v for k, v in wanted.items()):
        for k, v in wanted.items():
            setattr(user, k, v)
        result.updated["users"] += 1
    return user


def _ratings(session: Session, rows: list[dict[str, Any]], result: ImportResult) -> None:
    for row in rows:
        user = accounts.find_user(session, row["username"])
        rating = session.scalars(select(AnnualRating).where(
            AnnualRating.user_id == user.id, AnnualRating.year == row["year"])).first()
        if rating is None:
            session.add(AnnualRating(user_id=user.id, year=row["year"], rating=row["rating"], source="import"))
            result.created["ratings"] += 1
        elif rating.rating != row["rating"] and not rating.locked:
            rating.rating = row["rating"]
            result.updated["ratings"] += 1


def _relations(session: Session, rows: list[dict[str, Any]], actor: User | None, result: ImportResult) -> None:
    """Declared relations (回避, R-C1): a pair of usernames and a kind; re-imports change nothing."""
    for row in rows:
        one, other = (accounts.find_user(session, name) for name in row["users"])
        declared = relations.declare(session, one, other, row["kind"], row.get("note"), actor)
        if declared.created:
            result.created["relations"] += 1
        elif declared.changed:
            result.updated["relations"] += 1


def import_org(session: Session, data: Any, actor: User | None = None) -> ImportResult:
    """Import (or re-import) an organization file's contents; raises ValidationFailed on bad input."""
    _check(data)
    result = ImportResult()
    _units(session, data.get("units", []), result)
    for row in data.get("users", []):
        user = _user(session, row, result)
        for grant in row.get("roles", []):
            result.created["roles"] += accounts.set_role(session, user, grant["role"], grant["unit"], actor)
    session.flush()
    _ratings(session, data.get("ratings", []), result)
    _relations(session, data.get("relations", []), actor, result)
    audit.record(session, "org.import", actor=actor, payload={"created": result.created, "updated": result.updated})
    return result
