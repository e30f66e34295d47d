"""Malformed requests — broken multipart, broken or wrongly shaped JSON, absurd form field
names — get a clear 4xx (JSON from the API) and change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from models import AuditEvent
from models import ProcessInstance
from tests.helpers import open_item
from tests.helpers import proposal
from tests.helpers import start
from tests.integration.security.conftest import csrf_of
from tests.web import open_item_id
from tests.web import start_case
from webapp.extensions import db

APPROVER = "s1_01"


def _writes(app: Flask) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
                db.session.scalar(select(func.count()).select_from(ProcessInstance)) or 0)


@pytest.fixture()
def item(web: Any) -> int:
    return open_item_id(web(APPROVER), start_case(web("s1_03")))


MULTIPART = [
    pytest.param(b"garbage without any boundary", "multipart/form-data; boundary=XyZ", id="no-parts"),
    pytest.param(b"--XyZ\r\nContent-Disposition: form-data; name=\"decision\"\r\n\r\nagree", "multipart/form-data; "
                 "boundary=XyZ", id="unterminated"),
    pytest.param(b"--XyZ\r\n\r\n\r\n--XyZ--\r\n", "multipart/form-data; boundary=XyZ", id="part-without-name"),
    pytest.param(b"decision=agree", "multipart/form-data", id="no-boundary"),
]


@pytest.mark.parametrize(("body", "content_type"), MULTIPART)
def test_malformed_multipart_is_refused(app: Flask, web: Any, item: int, body: bytes, content_type: str) -> None:
    approver = web(APPROVER)
    before = _writes(app)
    response = approver.client.post(f"/items/{item}/complete", data=body, content_type=content_type)
    assert 400 <= response.status_code < 500
    assert _writes(app) == before


IGNORED_FORMS = [
    pytest.param({"meeting.absent.99999999.name": "x"}, id="huge-index"),
    pytest.param({"meeting.absent.-1.name": "x"}, id="negative-index"),
    pytest.param({"a." * 300 + "b": "x"}, id="deep-name"),
    pytest.param({"__class__": "x", "constructor.prototype": "y"}, id="magic-names"),
]


def _post_form(web: Any, item: int, fields: list[tuple[str, str]]) -> Any:
    approver = web(APPROVER)
    token = csrf_of(approver.get("/").get_data(as_text=True))
    return approver.client.post(f"/items/{item}/complete", data=MultiDict([*fields, ("csrf_token", token)]))


@pytest.mark.parametrize("extra", IGNORED_FORMS)
def test_undeclared_form_fields_are_dropped_not_stored(app: Flask, web: Any, api: Any, item: int,
                                                       extra: dict[str, str]) -> None:
    response = _post_form(web, item, [("decision", "agree"), ("comment", "同意"), *extra.items()])
    assert response.status_code == 302
    data = api("s1_03").get(f"/instances/{_case_of(app, item)}").get_json()["data"]
    assert not {"meeting", "a", "__class__", "constructor"} & set(data)


REFUSED_FORMS = [
    pytest.param([("decision", "maybe"), ("comment", "x" * 100000)], id="bad-choice-long-text"),
    pytest.param([("comment", "同意")], id="missing-decision"),
]


@pytest.mark.parametrize("fields", REFUSED_FORMS)
def test_invalid_form_values_are_refused_and_the_step_stays_open(app: Flask, web: Any, item: int,
                                                                 fields: list[tuple[str, str]]) -> None:
    before = _writes(app)
    response = _post_form(web, item, fields)
    assert response.status_code == 422, response.status_code
    assert _writes(app) == before
    assert open_item_id(web(APPROVER), _case_of(app, item)) == item


def _case_of(app: Flask, item: int) -> int:
    from models import WorkItem

    with app.app_context():
        row = db.session.get(WorkItem, item)
        assert row is not None
        return row.instance_id


JSON_BODIES = [
    pytest.param(b"{not json", "application/json", id="broken-json"),
    pytest.param(b"[1, 2, 3]", "application/json", id="array"),
    pytest.param(b'"a string"', "application/json", id="string"),
    pytest.param(b"null", "application/json", id="null"),
    pytest.param(b"\xff\xfe\x00garbage", "application/json", id="not-utf8"),
    pytest.param(b"[" * 5000 + b"]" * 5000, "application/json", id="deeply-nested"),
    pytest.param(b'{"data": "not an object"}', "application/json", id="data-not-object"),
    pytest.param(b'{"data": {"candidate": 5}}', "application/json", id="wrong-types"),
    pytest.param(b"candidate=s1_06", "application/x-www-form-urlencoded", id="form-to-api"),
    pytest.param(b"", "text/plain", id="empty-text"),
    pytest.param(b'{"data": {"reasons": "a\\u0000b"}, "comment": "x"}', "application/json", id="nul-in-text"),
    pytest.param(b'{"data": {"reasons": "\\ud800"}, "comment": "\\udfff"}', "application/json", id="lone-surrogate"),
]


@pytest.mark.parametrize(("body", "content_type"), JSON_BODIES)
def test_malformed_json_to_the_api_gets_a_json_4xx(app: Flask, api: Any, body: bytes, content_type: str) -> None:
    client = api("s1_03")
    before = _writes(app)
    for path in ("/api/v1/processes/cadre_promotion/instances", "/api/v1/delegations"):
        response = client.client.post(path, data=body, content_type=content_type, headers=client._headers())
        assert 400 <= response.status_code < 500, (path, response.status_code, response.get_data(as_text=True))
        assert isinstance(response.get_json(), dict) and response.get_json()["message"]
    assert _writes(app) == before


@pytest.mark.parametrize(("body", "content_type"), JSON_BODIES)
def test_malformed_json_to_a_task_gets_a_json_4xx(app: Flask, api: Any, body: bytes, content_type: str) -> None:
    task = open_item(api, APPROVER, start(api)["id"], "deliberation")
    client = api(APPROVER)
    before = _writes(app)
    response = client.client.post(f"/api/v1/tasks/{task['id']}/complete", data=body, content_type=content_type,
                                  headers=client._headers())
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data(as_text=True))
    assert _writes(app) == before


def test_a_well_formed_start_still_works(api: Any) -> None:
    response = api("s1_03").post("/processes/cadre_promotion/instances", {"data": proposal()})
    assert response.status_code == 201


def test_ids_beyond_a_database_integer_are_404_not_500(api: Any, web: Any) -> None:
    huge = "15974996008380149760"  # found by schemathesis: overflowed the driver (500)
    client = api("s1_03")
    for path in (f"/instances/{huge}/pdf", f"/instances/{huge}/comments", f"/tasks/{huge}"):
        response = client.get(path)
        assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    assert client.post(f"/instances/{huge}/comments", {"body": "x"}).status_code == 404
    assert web("s1_03").get(f"/cases/{huge}").status_code == 404


UNSTORABLE_BODIES = [
    pytest.param(b'{"data": {"decision": "agree"}, "comment": "\\u540c\\u0000\\u610f"}', id="nul"),
    pytest.param(b'{"data": {"decision": "agree"}, "comment": "\\ud800"}', id="lone-high-surrogate"),
    pytest.param(b'{"data": {"decision": "agree", "\\udc00": 1}}', id="lone-surrogate-as-key"),
    pytest.param(b'{"data": {"decision": "agree"}, "x": [[["\\u0000"]]]}', id="nul-nested"),
]


@pytest.mark.parametrize("body", UNSTORABLE_BODIES)
def test_text_no_column_can_store_is_refused_with_a_422_before_anything_is_written(
        app: Flask, api: Any, body: bytes) -> None:
    """NUL (PostgreSQL's text refuses it) and lone surrogates (not UTF-8: the audit hash fails on
    them) were 500s somewhere on the way to the database; they are refused at the door."""
    task = open_item(api, APPROVER, start(api)["id"], "deliberation")
    client = api(APPROVER)
    before = _writes(app)
    response = client.client.post(f"/api/v1/tasks/{task['id']}/complete", data=body, content_type="application/json",
                                  headers=client._headers())
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["error"] == "validation_failed" and "NUL" in response.get_json()["message"]
    assert _writes(app) == before
    assert open_item(api, APPROVER, task["instance_id"], "deliberation")["id"] == task["id"]


def test_a_surrogate_pair_and_other_control_characters_are_stored(api: Any) -> None:
    """An emoji sent as JSON's surrogate pair is one character, not a lone half; a tab or a
    bell is odd but storable, and kept."""
    body = b'{"data": {"decision": "agree"}, "comment": "\\u540c\\u610f \\ud83d\\udc4d\\t\\u0007"}'
    task = open_item(api, APPROVER, start(api)["id"], "deliberation")
    client = api(APPROVER)
    response = client.client.post(f"/api/v1/tasks/{task['id']}/complete", data=body, content_type="application/json",
                                  headers=client._headers())
    assert response.status_code == 200, response.get_json()
    handled = client.get(f"/tasks/{task['id']}").get_json()
    assert handled["comment"] == "同意 \U0001f44d\t\x07"


def test_a_nul_in_a_form_field_is_refused_and_the_step_stays_open(app: Flask, web: Any, item: int) -> None:
    before = _writes(app)
    response = _post_form(web, item, [("decision", "agree"), ("comment", "同意\x00")])
    assert response.status_code == 422
    assert _writes(app) == before
    assert open_item_id(web(APPROVER), _case_of(app, item)) == item

