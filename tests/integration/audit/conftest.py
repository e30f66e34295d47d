"""A seeded set of cases for the 审计 tests: the demo cases (7, started 2026-03-02 in every
process and unit) and one promotion started on 2026-01-15 that the S1 书记 ended at 酝酿."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from models import AuditEvent
from models import ProcessInstance
from tests.flows import at
from tests.helpers import complete
from tests.helpers import start
from webapp.extensions import db
from workflows.demo import cases as demo_cases
from workflows.engine.clock import frozen_at


@pytest.fixture()
def seeded(app: Flask, api: Any) -> dict[str, int]:
    """Case number → id of the seeded set."""
    with frozen_at(at("2026-01-15 10:00")):
        early = start(api)
        complete(api, "s1_01", early["id"], "deliberation", {"decision": "terminate"}, comment="暂不动议")
    with frozen_at(at("2026-03-02 09:00")), app.app_context():
        demo_cases.seed(db.session)
        db.session.commit()
        cases = dict(db.session.execute(select(ProcessInstance.number, ProcessInstance.id)).all())
        db.session.remove()
    return cases


def read_csv(response: Any) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV download, after checking it is UTF-8 with a BOM."""
    raw = b"".join(response.response) if response.is_streamed else response.data
    response.close()
    assert raw.startswith(b"\xef\xbb\xbf"), raw[:20]
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    return rows[0], rows[1:]


def events_of(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)))
        for row in rows:
            db.session.expunge(row)
        db.session.remove()
        return rows
