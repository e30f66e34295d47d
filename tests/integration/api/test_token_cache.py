"""The bearer token's user comes from this process's cache (issue 17, `accounts.user_for_token`):
a known token costs an API request no query of its own, only the cache version's SELECT; an
unknown token is looked up every time and never kept, so that nobody can fill the cache by
sending tokens. Revocation and disabling elsewhere: `test_cache_invalidation`."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.integration.api.test_completion_budget import counting


def _token_reads(statements: list[str]) -> int:
    return sum(1 for s in statements if "FROM user_account JOIN api_token" in " ".join(s.split()))


def test_a_known_token_is_read_once_per_process(app: Flask, api: Any) -> None:
    client = api("s1_01")
    with counting(app) as first:
        assert client.get("/tasks?view=todo").status_code == 200
    with counting(app) as second:
        assert client.get("/tasks?view=todo").status_code == 200
    assert _token_reads(first.statements) == 1, first.statements
    assert _token_reads(second.statements) == 0, second.statements
    assert any("FROM cache_version" in s for s in second.statements), "served without reading the version"


def test_an_unknown_token_is_looked_up_each_time_and_refused(app: Flask, client: Any, org: None) -> None:
    headers = {"Authorization": "Bearer of_not-a-token-anyone-was-given"}
    for _ in range(2):
        with counting(app) as counts:
            response = client.get("/api/v1/tasks?view=todo", headers=headers)
        assert response.status_code == 401
        assert _token_reads(counts.statements) == 1, counts.statements
