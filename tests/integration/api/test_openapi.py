"""The OpenAPI document keeps its word: it names its server, gives every operation an id, lists
exactly the API's routes, describes every answer field by field, and is as strict as the server
(every string bounded, every number capped, request bodies requiring what the server requires)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import jsonschema
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import open_item
from tests.helpers import start

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def _doc(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def _schemas(schema: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """`schema` and every schema inside it (properties, items, allOf/anyOf/oneOf)."""
    if not isinstance(schema, dict):
        return
    yield where, schema
    for name, sub in schema.get("properties", {}).items():
        yield from _schemas(sub, f"{where}/{name}")
    for key in ("items", "additionalProperties"):
        yield from _schemas(schema.get(key), f"{where}/{key}")
    for key in ("allOf", "anyOf", "oneOf"):
        for n, sub in enumerate(schema.get(key, [])):
            yield from _schemas(sub, f"{where}/{key}/{n}")


def _all_schemas(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, schema in doc["components"]["schemas"].items():
        yield from _schemas(schema, name)
    for path, method, operation in _operations(doc):
        for status, answer in operation["responses"].items():
            for media in answer.get("content", {}).values():
                yield from _schemas(media.get("schema"), f"{method} {path} {status}")
        for media in operation.get("requestBody", {}).get("content", {}).values():
            yield from _schemas(media.get("schema"), f"{method} {path} body")


def _types(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type", [])
    return {kind} if isinstance(kind, str) else set(kind)


def test_the_document_names_its_server_and_an_operation_id_for_every_operation(client: FlaskClient) -> None:
    doc = _doc(client)
    assert doc["servers"] and doc["servers"][0]["url"] == "/"
    ids = [operation.get("operationId") for _, _, operation in _operations(doc)]
    assert all(ids) and len(ids) == len(set(ids))
    assert doc["paths"]["/api/v1/tasks/{item_id}/complete"]["post"]["operationId"] == "complete_task"


def test_the_document_lists_exactly_the_api_routes(app: Flask, client: FlaskClient) -> None:
    documented = {(path, method) for path, method, _ in _operations(_doc(client))}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = rule.rule
            for name in rule.arguments:
                path = path.replace(f"<int:{name}>", "{}").replace(f"<{name}>", "{}")
            routed |= {(path, m.lower()) for m in rule.methods or () if m.lower() in HTTP_METHODS}
    blank = {(re.sub(r"\{[^}]*\}", "{}", p), m) for p, m in documented}  # every variable blanked
    assert blank == routed


def test_every_object_that_requires_fields_describes_them(client: FlaskClient) -> None:
    doc = _doc(client)
    for where, schema in _all_schemas(doc):
        for name in schema.get("required", []):
            assert name in schema.get("properties", {}), f"{where}: requires {name!r} without describing it"


def test_every_success_answer_has_a_schema(client: FlaskClient) -> None:
    for path, method, operation in _operations(_doc(client)):
        for status, answer in operation["responses"].items():
            if status.startswith("2"):
                content = answer.get("content", {})
                assert content and all("schema" in media for media in content.values()), (method, path, status)


def test_inputs_are_bounded_like_the_server_bounds_them(client: FlaskClient) -> None:
    doc = _doc(client)
    for path, method, operation in _operations(doc):
        inputs = [(f"param {p['name']}", p["schema"]) for p in operation.get("parameters", [])]
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        inputs += [(f"body{where}", schema) for where, schema in _schemas(body or {})]
        for name, schema in inputs:
            label = f"{method.upper()} {path} {name}"
            if "string" in _types(schema):
                assert {"maxLength", "enum", "format", "const"} & set(schema), f"{label}: unbounded string"
            if "integer" in _types(schema):
                assert "maximum" in schema or "enum" in schema, f"{label}: integer without maximum"


def test_the_spec_refuses_what_the_server_refuses(api: Any) -> None:
    doc = api("s1_03").client.get("/api/v1/openapi.json").get_json()
    case = start(api)
    item = open_item(api, "s1_01", case["id"], "deliberation")["id"]

    def body_schema(path: str) -> dict[str, Any]:
        schema = doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        return {**schema, "components": doc["components"]}

    for path, sent in (("/api/v1/tasks/{item_id}/complete", {}),
                       ("/api/v1/tasks/{item_id}/complete", {"data": {}}),
                       ("/api/v1/tasks/{item_id}/complete", {"data": {"decision": "agree"}, "comment": "长" * 2001}),
                       ("/api/v1/tasks/{item_id}/transfer", {"to": "s1_02", "reason": "   "})):
        assert not jsonschema.Draft202012Validator(body_schema(path)).is_valid(sent), (path, sent)
        answer = api("s1_01").post(path.replace("{item_id}", str(item)).removeprefix("/api/v1"), sent)
        assert answer.status_code in (400, 422), (path, sent, answer.status_code)
    # …and what it accepts, the server accepts
    sent = {"data": {"decision": "agree"}, "comment": None}
    assert jsonschema.Draft202012Validator(body_schema("/api/v1/tasks/{item_id}/complete")).is_valid(sent)
    assert api("s1_01").post(f"/tasks/{item}/complete", sent).status_code == 200


def test_notification_and_queue_bounds_are_the_servers(api: Any) -> None:
    officer = api("s1_03")
    assert officer.get("/notifications?unread=true").status_code == 400
    assert officer.get("/notifications?offset=1000001").status_code == 400
    assert officer.get("/notifications?unread=1&offset=1000000").status_code == 200
    assert officer.get("/tasks?q=" + "x" * 101).status_code == 400
    refused = officer.get("/tasks?unit=nowhere")
    assert refused.status_code == 422 and "unit" in refused.get_json()["fields"]


def test_the_document_conforms_to_its_own_answer_schema(client: FlaskClient) -> None:
    doc = _doc(client)
    schema = doc["paths"]["/api/v1/openapi.json"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    jsonschema.validate(doc, schema)
