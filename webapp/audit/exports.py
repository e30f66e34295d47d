"""The 审计 downloads: CSV exports (streamed) and the checkpoint file. Each records its audit
event and commits it before the first byte leaves (`workflows.audit.reads`)."""

from __future__ import annotations

import json

from flask import Response
from flask import stream_with_context
from sqlalchemy.orm import Session

from models import User
from webapp.pages.audit import export as audit_export
from webapp.pages.audit import view as audit_view
from webapp.pages.audit.search import CaseSearch
from webapp.pages.audit.search import EventSearch
from webapp.transaction import begin_recorded_read
from webapp.transaction import commit


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"}


def _csv(export: audit_export.Export) -> Response:
    commit()  # the export's audit event is sealed before any row is sent
    headers = {**_attachment(export.filename), "X-Row-Count": str(export.rows)}
    return Response(stream_with_context(export.lines()), mimetype="text/csv", headers=headers)


def cases_csv(session: Session, auditor: User, search: CaseSearch) -> Response:
    begin_recorded_read()
    return _csv(audit_export.cases(session, auditor, search))


def events_csv(session: Session, auditor: User, search: EventSearch) -> Response:
    begin_recorded_read()
    return _csv(audit_export.events(session, auditor, search))


def checkpoint(session: Session, auditor: User) -> Response:
    begin_recorded_read()
    body = audit_view.checkpoint(session, auditor)
    commit()
    filename = f"orgflow-audit-checkpoint-{body['seq']}.json"
    return Response(json.dumps(body) + "\n", mimetype="application/json", headers=_attachment(filename))
