"""schemathesis against /api/v1/openapi.json on the WSGI app, with a valid token: no 5xx, and
every answer conforms to the documented schema. Bounded (20 examples per operation) and
deterministic (derandomized); one test walks every operation and reports all failures."""

from __future__ import annotations

from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.helpers import start

EXAMPLES = 20
# A schema-valid body may still break a business rule (an unknown deputy, a rule of the pack):
# 422 is then the documented answer, not a bug.
BUSINESS_RULES = [positive_data_acceptance]


def _check_operation(operation: Any, token: str) -> None:
    @given(operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=BUSINESS_RULES)

    run()


def test_the_api_answers_every_generated_request_as_documented(app: Flask, api: Any) -> None:
    start(api)  # a case, so the lists and id routes have something to find
    token = api("s1_03").token
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        try:
            _check_operation(operation, token)
        except (Exception, BaseExceptionGroup) as failure:
            failures.append(f"{operation.method.upper()} {operation.path}: {str(failure)[:1500]}")
    assert not failures, "\n\n".join(failures)
