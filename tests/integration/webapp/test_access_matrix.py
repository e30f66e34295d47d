"""Every page × every kind of user: 200 for those who may see it, 403 (or the login redirect) for
the rest; and no page loads anything from outside the app or carries inline script or style."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from models import ProcessDefinition
from models import User
from tests.drivers import reserve as rsv
from tests.helpers import start
from webapp.extensions import db

INITIATOR, DECIDER, OUTSIDER, AUDITOR, ADMIN = "s1_03", "s1_01", "s2_03", "zhengyun", "admin"
EVERYONE = {INITIATOR: 200, DECIDER: 200, OUTSIDER: 200, AUDITOR: 200, ADMIN: 200}
CASE_VIEWERS = {INITIATOR: 200, DECIDER: 200, OUTSIDER: 403, AUDITOR: 200, ADMIN: 403}
ADMINS = {INITIATOR: 403, DECIDER: 403, OUTSIDER: 403, AUDITOR: 403, ADMIN: 200}
AUDITORS = {INITIATOR: 403, DECIDER: 403, OUTSIDER: 403, AUDITOR: 200, ADMIN: 403}
STARTERS = {INITIATOR: 200, DECIDER: 403, OUTSIDER: 200, AUDITOR: 403, ADMIN: 403}

PAGES: list[tuple[str, dict[str, int]]] = [
    ("/", EVERYONE),
    ("/tasks/todo", EVERYONE),
    ("/tasks/done", EVERYONE),
    ("/tasks/started", EVERYONE),
    ("/tasks/cc", EVERYONE),
    ("/tasks/todo?due=overdue&q=TB&process=cadre_promotion&unit=S1", EVERYONE),
    ("/start/", EVERYONE),
    ("/start/cadre_promotion", STARTERS),
    ("/cases/{case}", CASE_VIEWERS),
    ("/cases/{case}/diagram", CASE_VIEWERS),
    ("/cases/{case}/log", CASE_VIEWERS),
    ("/notifications", EVERYONE),
    ("/notifications?unread=1&page=1", EVERYONE),
    ("/delegations", EVERYONE),
    ("/admin/cases", ADMINS),
    ("/admin/cases?status=&q=TB", ADMINS),
    ("/admin/cases/{case}", ADMINS),
    ("/admin/users", ADMINS),
    ("/admin/users/{user}", ADMINS),
    ("/admin/org", ADMINS),
    ("/admin/processes", ADMINS),
    ("/admin/processes/{definition}", ADMINS),
    ("/admin/calendar", ADMINS),
    ("/admin/probation", ADMINS),
    ("/reserve-pool", EVERYONE),  # whoever oversees a unit (each sees their units' people), auditors, admins
    ("/reserve-pool?unit=S1&category=young_outstanding&measure=一线&since=2020-01-01&status=all", EVERYONE),
    ("/reserve-pool/{entry}", {INITIATOR: 200, DECIDER: 200, OUTSIDER: 404, AUDITOR: 200, ADMIN: 200}),
    ("/audit/", AUDITORS),
    ("/audit/verify", AUDITORS),
]

EXTERNAL = re.compile(r'(?:src|href|action)\s*=\s*["\']?\s*(?:[a-z][a-z0-9+.-]*:)?//', re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|<[^>]+\sstyle\s*=", re.IGNORECASE)


@pytest.fixture()
def ids(app: Flask, api: Any) -> dict[str, int]:
    case = start(api)
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == "s1_06")).one()
        definition = db.session.scalars(select(ProcessDefinition)).first()
        assert definition is not None
        ids = {"case": case["id"], "user": user.id, "definition": definition.id}
    ids["entry"] = rsv.put_in_pool(app, "s1_06", "S1", "young_outstanding", "炼钢厂厂长", "2020-02-01",
                                   [("frontline", "选派到疫情防控一线吃劲岗位", "2020-02-10", None)])
    return ids


def _check_page(response: Any, status: int) -> None:
    assert response.status_code == status, response.get_data(as_text=True)[:400]
    if status == 200:
        html = response.get_data(as_text=True)
        assert not EXTERNAL.search(html), EXTERNAL.search(html)
        assert not INLINE_SCRIPT.search(html)
        assert not INLINE_HANDLER.search(html)
        assert not INLINE_STYLE.search(html)


@pytest.mark.parametrize(("path", "expected"), PAGES, ids=[p for p, _ in PAGES])
def test_page_answers_each_kind_of_user(web: Any, client: Any, ids: dict[str, int], path: str,
                                        expected: dict[str, int]) -> None:
    url = path.format(**ids)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
    answers = {who: web(who).get(url) for who in expected}
    assert {who: r.status_code for who, r in answers.items()} == expected
    for who, response in answers.items():
        _check_page(response, expected[who])


def test_unknown_things_are_404(web: Any, ids: dict[str, int]) -> None:
    officer = web(INITIATOR)
    assert officer.get("/cases/999999").status_code == 404
    assert officer.get("/start/no_such_process").status_code == 404
    assert officer.get("/tasks/nonsense").status_code == 404
    assert officer.get("/attachments/999999").status_code == 404
    assert web(ADMIN).get("/admin/users/999999").status_code == 404
    assert web(ADMIN).get("/admin/processes/999999").status_code == 404
    assert web(ADMIN).get("/admin/cases/999999").status_code == 404
    assert web(ADMIN).get("/admin/cases?status=nonsense").status_code == 400


def test_every_page_sends_a_strict_content_security_policy(web: Any, client: Any) -> None:
    for response in (client.get("/auth/login"), web(INITIATOR).get("/")):
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_writes_need_the_csrf_token(web: Any, ids: dict[str, int]) -> None:
    officer = web(INITIATOR)
    response = officer.client.post("/locale", data={"locale": "en"})
    assert response.status_code == 400
    assert officer.client.post("/start/cadre_promotion", data={"intent": "submit"}).status_code == 400
