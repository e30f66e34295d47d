"""The authorization walk over a decided 表彰 (commendation): its start, case page, 表彰决定 PDF
and documents, for every kind of user of the walk (authz_walk.commendation_walk)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.drivers import commendation as hon
from tests.flows import Flow
from tests.integration.security.authz_walk import callers
from tests.integration.security.authz_walk import commendation_walk
from tests.integration.security.authz_walk import outcome

pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture()
def frozen_clock() -> Any:
    from tests.flows import at
    from workflows.engine.clock import frozen_at

    with frozen_at(at("2026-03-02 09:00")):
        yield


def test_only_participants_and_the_auditor_reach_a_commendation(app: Flask, api: Any, runner: Any) -> None:
    flow = Flow(api, app, runner)
    case_id: int = hon.start(flow)["id"]
    hon.nominate_all(flow, case_id)
    hon.to_committee(flow, case_id)
    hon.decide(flow, case_id)
    who = callers(app)
    wrong = []
    for (method, path), allowed in commendation_walk(case_id).items():
        for role, caller in who.items():
            response = caller.call(method, path)
            got = outcome(response)
            response.close()
            expected = "ok" if role in allowed else "denied"
            if got != expected:
                wrong.append(f"{method} {path} as {role}: {got} ({response.status_code}), expected {expected}")
    assert wrong == []
