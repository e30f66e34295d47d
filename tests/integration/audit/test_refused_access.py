"""A refused read is an audit event too: a 403 on a case page, its PDF or an attachment, on the
web or the API, is recorded as `access.refused` — once per user, case and target in the window,
so a scripted loop does not flood the log — and is not shown to the case's own viewers."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from models import Attachment
from tests.integration.audit.conftest import events_of
from tests.web import csrf_of
from tests.web import open_item_id
from tests.web import start_case
from webapp.extensions import db
from workflows.audit import reads

OUTSIDER = "s2_03"  # an S2 officer: may not see S1's cases


@pytest.fixture()
def case(web: Any, app: Flask) -> dict[str, int]:
    """An S1 case whose 酝酿 was completed with a file attached: the case id and the attachment id."""
    case_id = start_case(web("s1_03"))
    item = open_item_id(web("s1_01"), case_id)
    approver = web("s1_01")
    boundary, body = encode_multipart({
        "decision": "agree", "comment": "同意", "csrf_token": csrf_of(approver.get("/").get_data(as_text=True)),
        "attachments": FileStorage(io.BytesIO(b"%PDF-1.7\n..."), filename="决议.pdf")})
    done = approver.client.post(f"/items/{item}/complete", data=body,
                                content_type=f"multipart/form-data; boundary={boundary}")
    assert done.status_code == 302
    with app.app_context():
        attachment = db.session.scalars(select(Attachment)).one().id
        db.session.remove()
    return {"id": case_id, "attachment": attachment}


def refusals(app: Flask) -> list[tuple[str, int | None, str, str]]:
    return [(str(e.actor_id), e.instance_id, e.payload["target"], e.payload["via"])
            for e in events_of(app, reads.REFUSED)]


def test_each_refused_target_is_one_event_however_often_it_is_tried(
        case: dict[str, int], web: Any, api: Any, app: Flask) -> None:
    outsider = web(OUTSIDER)
    for _ in range(5):  # a scripted loop
        assert outsider.get(f"/cases/{case['id']}").status_code == 403
    assert len(refusals(app)) == 1
    assert outsider.get(f"/cases/{case['id']}/documents/approval.pdf").status_code == 403
    assert outsider.get(f"/attachments/{case['attachment']}").status_code == 403
    assert api(OUTSIDER).get(f"/instances/{case['id']}/pdf").status_code == 403  # the same target, via the API
    assert api(OUTSIDER).get(f"/instances/{case['id']}").status_code == 403
    recorded = events_of(app, reads.REFUSED)
    assert [(e.instance_id, e.payload["target"], e.payload["via"]) for e in recorded] == [
        (case["id"], "case", "web"), (case["id"], "document", "web"), (case["id"], "attachment", "web")]
    assert recorded[1].payload["path"] == f"/cases/{case['id']}/documents/approval.pdf"
    assert {e.actor_id for e in recorded} == {recorded[0].actor_id}

    # The API's refusals are recorded like the web's, for a user who has not tried on the web.
    assert api("s3_03").get(f"/instances/{case['id']}/pdf").status_code == 403
    assert events_of(app, reads.REFUSED)[-1].payload | {"path": ""} == {
        "target": "document", "number": recorded[0].payload["number"], "path": "", "method": "GET", "via": "api"}


def test_a_user_looping_over_many_cases_is_capped(web: Any, app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reads, "REFUSALS_PER_USER", 2)
    ids = [start_case(web("s1_03")) for _ in range(3)]
    for case_id in ids:
        assert web(OUTSIDER).get(f"/cases/{case_id}").status_code == 403
    assert [e.instance_id for e in events_of(app, reads.REFUSED)] == ids[:2]


def test_refusals_stay_out_of_the_case_record_and_its_seal(case: dict[str, int], web: Any, api: Any,
                                                         app: Flask, runner: Any) -> None:
    before = api("s1_03").get(f"/instances/{case['id']}/events").get_json()["total"]
    assert web(OUTSIDER).get(f"/cases/{case['id']}").status_code == 403
    assert len(events_of(app, reads.REFUSED)) == 1
    assert api("s1_03").get(f"/instances/{case['id']}/events").get_json()["total"] == before
    assert "拒绝访问" not in web("s1_03").page(f"/cases/{case['id']}/log")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
