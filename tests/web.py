"""A signed-in browser-like client for the HTML pages: real login, real CSRF tokens, cookies."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


@dataclass
class Web:
    client: FlaskClient
    username: str
    token: str = ""

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: Any = None, **kwargs: Any) -> Any:
        """POST a form with this session's CSRF token (taken from the last page that had one)."""
        if not self.token:
            self.token = csrf_of(self.get("/").get_data(as_text=True))
        body = dict(data or {}) if not isinstance(data, list) else data
        if isinstance(body, dict):
            body.setdefault("csrf_token", self.token)
        else:
            body = [*body, ("csrf_token", self.token)]
        return self.client.post(path, data=_multidict(body), **kwargs)

    def page(self, path: str) -> str:
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return str(response.get_data(as_text=True))


def _multidict(body: Any) -> Any:
    from werkzeug.datastructures import MultiDict

    return MultiDict(body) if isinstance(body, list) else body


def login(app: Flask, username: str, password: str = PASSWORD) -> Web:
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = csrf_of(page)
    response = client.post("/auth/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302, f"login of {username} failed"
    return Web(client, username)


ITEM = re.compile(r'action="/items/(\d+)/complete"')
CASE = re.compile(r"/cases/(\d+)")


def start_form(**overrides: Any) -> dict[str, Any]:
    """The 动议 as the HTML form posts it (strings, radios as "true"/"false")."""
    form = {
        "candidate": "s1_06", "current_post": "炼钢厂副厂长", "proposed_post": "炼钢厂厂长",
        "management_level": "subsidiary", "purpose": "promotion", "breakthrough_type": "none",
        "years_in_post": "3", "in_probation": "false", "grades_skipped": "0",
        "reasons": "疫情防控期间坚守一线，表现突出", "intent": "submit",
    }
    form.update(overrides)
    return form


def start_case(web: Web, **overrides: Any) -> int:
    """Start a cadre_promotion through the 发起 page; returns the new case id."""
    response = web.post("/start/cadre_promotion", start_form(**overrides))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    found = CASE.search(response.headers["Location"])
    assert found
    return int(found.group(1))


def open_item_id(web: Web, case_id: int) -> int:
    """The id of the viewer's open item on the case page (fails if they have none)."""
    found = ITEM.search(web.page(f"/cases/{case_id}"))
    assert found, f"{web.username} has no open item on case {case_id}"
    return int(found.group(1))
