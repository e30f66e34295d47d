"""HTTP as the RFCs say it: a 405 names the allowed methods (`Allow`, RFC 9110 §15.5.6) and a
429 says when to try again (`Retry-After`, RFC 6585 §4) — from the API and from the pages."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import open_item
from tests.helpers import start
from tests.integration.security.conftest import form_login
from workflows.engine import clock
from workflows.errors import Busy


def _allowed(response: Any) -> set[str]:
    return {m.strip() for m in response.headers.get("Allow", "").split(",") if m.strip()}


def test_a_wrong_method_on_the_api_gets_405_json_with_allow(api: Any) -> None:
    token = {"Authorization": f"Bearer {api('s1_03').token}"}
    client = api("s1_03").client
    for method, path, allowed in (("DELETE", "/api/v1/tasks", {"GET"}),
                                  ("PUT", "/api/v1/tasks/1/complete", {"POST"}),
                                  ("PATCH", "/api/v1/delegations", {"GET", "POST"}),
                                  ("POST", "/api/v1/openapi.json", {"GET"})):
        response = client.open(path, method=method, headers=token)
        assert response.status_code == 405, (method, path)
        assert response.get_json()["error"] == "method_not_allowed"
        assert allowed <= _allowed(response) and method not in _allowed(response), (method, path)


def test_a_wrong_method_on_a_page_gets_405_with_allow(client: FlaskClient) -> None:
    response = client.put("/auth/login")
    assert response.status_code == 405
    assert _allowed(response) >= {"GET", "POST"}
    assert "PUT" not in _allowed(response)


def test_a_second_remind_within_the_hour_says_when_to_retry(api: Any) -> None:
    case = start(api)
    item = open_item(api, "s1_01", case["id"], "deliberation")["id"]
    now = clock.now()
    with clock.frozen_at(now):
        assert api("s1_03").post(f"/tasks/{item}/remind", {}).status_code == 200
    with clock.frozen_at(now + timedelta(minutes=59, seconds=30)):
        again = api("s1_03").post(f"/tasks/{item}/remind", {})
    assert again.status_code == 429 and again.get_json()["error"] == "too_soon"
    assert again.headers["Retry-After"] == "30"


def test_a_remind_refused_on_the_case_page_says_when_to_retry(api: Any, web: Any) -> None:
    case = start(api)
    item = open_item(api, "s1_01", case["id"], "deliberation")["id"]
    officer = web("s1_03")
    now = clock.now()
    with clock.frozen_at(now):
        assert officer.post(f"/items/{item}/remind", {}).status_code == 302
    with clock.frozen_at(now + timedelta(minutes=10)):
        again = officer.post(f"/items/{item}/remind", {})
    assert again.status_code == 429
    assert again.headers["Retry-After"] == str(50 * 60)


def test_the_login_limit_says_when_to_retry(app: Flask, org: None) -> None:
    client = app.test_client()
    with clock.frozen_at(datetime(2026, 3, 2, 1, 0, tzinfo=UTC)):
        for _ in range(app.config["ORGFLOW_LOGIN_MAX_FAILURES"]):
            assert form_login(client, "s1_03", "wrong-password").status_code == 200
        refused = form_login(client, "s1_03")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == str(app.config["ORGFLOW_LOGIN_WINDOW_MINUTES"] * 60)


def test_a_busy_database_answers_503_with_retry_after(app: Flask) -> None:
    with app.test_request_context("/api/v1/tasks/1/complete", method="POST"):
        response = app.make_response(app.handle_user_exception(Busy("系统繁忙：等待写入超时，请稍后重试")))
    assert response.status_code == 503 and response.get_json()["error"] == "busy"
    assert response.headers["Retry-After"] == "1"
