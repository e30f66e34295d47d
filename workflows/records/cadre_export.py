"""Exporting 干部信息 to a 干部信息采集表 (.xlsx) in the very shape `cadre_import` reads, so an export
edited and imported again changes only what was edited. The export is a read of whole records: one
`cadre.export` audit event names every cadre in it."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CadreRecord
from models import OrgUnit
from models import User
from workflows import audit
from workflows.records import access
from workflows.records.cadres import snapshot
from workflows.records.fields import LEVEL_LABELS
from workflows.records.fields import MONTH
from workflows.records.fields import month_text
from workflows.records.workbook import SHEETS
from workflows.records.workbook import headers

EXPORT = "cadre.export"


def _cell(kind: str, value: Any) -> Any:
    if value is None:
        return None
    return month_text(value) if kind == MONTH else value


def _rows(user: User, data: dict[str, Any], key: str) -> list[list[Any]]:
    fields = SHEETS[next(t for t, (k, _) in SHEETS.items() if k == key)][1]
    if key == "basic":
        basic = {**data["basic"], "name": user.name}
        basic["management_level"] = LEVEL_LABELS.get(basic["management_level"], basic["management_level"])
        return [[user.username, *(_cell(f.kind, basic.get(f.name)) for f in fields)]]
    return [[user.username, *(_cell(f.kind, entry.get(f.name)) for f in fields)] for entry in data[key]]


def records_for(session: Session, reader: User | None) -> list[tuple[User, CadreRecord]]:
    """The records `reader` manages (every record for the CLI, `reader` None), by unit and name."""
    stmt = (select(User, CadreRecord).join(CadreRecord, CadreRecord.user_id == User.id)
            .join(OrgUnit, OrgUnit.id == User.unit_id).order_by(OrgUnit.path, User.name, User.id))
    if reader is not None:
        stmt = stmt.where(access.managed_filter(session, reader))
    return [(u, r) for u, r in session.execute(stmt).all()]


def export_cadres(session: Session, reader: User | None, via: str = "web") -> bytes:
    """The .xlsx of every record `reader` manages, its reading recorded."""
    book = Workbook()
    sheets = {title: book.create_sheet(title) for title in SHEETS}
    book.remove(book.worksheets[0])
    for title, sheet in sheets.items():
        sheet.append(headers(title))
        sheet.freeze_panes = "A2"
    found = records_for(session, reader)
    for user, record in found:
        data = snapshot(session, record)
        for title, (key, _) in SHEETS.items():
            for row in _rows(user, data, key):
                sheets[title].append(row)
    audit.record(session, EXPORT, actor=reader,
                 payload={"users": [u.username for u, _ in found], "count": len(found), "via": via})
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
