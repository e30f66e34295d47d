"""A signed-in page's user comes from this process's cache (issue 17, `accounts.user_for_session`,
as the bearer token's does): flask-login's loader sends no query for the user once it is known,
only the cache version's SELECT; a user disabled, or whose password was reset, by another
process is signed out at the next request all the same."""

from __future__ import annotations

from flask import Flask

from tests.integration.api.test_completion_budget import counting
from tests.integration.test_cache_invalidation import _other_process
from tests.web import login

USER_BY_ID = "FROM user_account WHERE user_account.id = "


def _user_reads(statements: list[str]) -> int:
    return sum(1 for s in statements if USER_BY_ID in " ".join(s.split()))


def test_a_signed_in_user_is_read_once_per_process(app: Flask, org: None) -> None:
    web = login(app, "s1_01")
    with counting(app) as first:
        assert web.get("/tasks/todo").status_code == 200
    with counting(app) as second:
        assert web.get("/tasks/todo").status_code == 200
    assert _user_reads(first.statements) >= 1, first.statements
    assert _user_reads(second.statements) == _user_reads(first.statements) - 1, second.statements
    assert any("FROM cache_version" in s for s in second.statements), "served without reading the version"


def test_a_session_of_a_user_disabled_elsewhere_ends_at_once(app: Flask, org: None, database_url: str) -> None:
    web, other = login(app, "s1_01"), login(app, "s1_02")
    assert web.get("/tasks/todo").status_code == 200  # s1_01 is now cached here
    _other_process(database_url, "disable", "s1_01")
    refused = web.get("/tasks/todo")
    assert refused.status_code == 302 and "/auth/login" in refused.headers["Location"]
    assert other.get("/tasks/todo").status_code == 200
