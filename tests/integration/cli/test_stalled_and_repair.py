"""`flask workflows check` and `flask workflows repair` on a case stuck the way production stuck it.

Production stranded a 会签 because every request ran on a spec object that had never created
the step's instances, so nothing merged them (reference/spiffworkflow.md G18). The fixture
below does exactly that: while the case is driven, specs are parsed without the parse-time
wiring and the spec cache is emptied before every request, as if each signature were taken by
a fresh thread or process of the old code.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from models import AuditEvent
from models import ProcessInstance
from tests.drivers import accountability as acc
from tests.flows import Flow
from tests.flows import at
from webapp.extensions import db
from workflows import engine as engine_mod
from workflows.engine import definitions
from workflows.engine.clock import frozen_at
from workflows.engine.runtime import engine


@pytest.fixture()
def flow(api: Any, app: Flask, runner: FlaskCliRunner) -> Flow:
    return Flow(api, app, runner)


@pytest.fixture()
def old_code(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Specs parsed as before the fix (no merge wiring), a fresh spec for every lookup."""
    monkeypatch.setattr(engine_mod, "_make_read_only", lambda process, filename: None)
    real_runtime = definitions.runtime

    def fresh_every_time(definition: Any) -> Any:
        definitions._specs.clear()
        return real_runtime(definition)

    monkeypatch.setattr(definitions, "runtime", fresh_every_time)
    yield
    definitions._specs.clear()


def stuck_report(flow: Flow, old_code: Any) -> int:
    """An accountability case whose 调查报告（会签） both members signed under the old code."""
    with frozen_at(at("2026-03-02 09:00")):
        case = acc.start(flow)["id"]
        acc.investigate(flow, case)
        flow.step("s1_06", case, "defence", {"statement": "对事实无异议", "signed": True})
        acc.sign_report(flow, case)
    return int(case)


def admin_page(web: Any) -> str:
    response = web("admin").get("/admin/cases")
    assert response.status_code == 200
    return str(response.get_data(as_text=True))


def test_a_stuck_countersign_is_reported_then_repaired_once(flow: Flow, runner: FlaskCliRunner, web: Any,
                                                              request: pytest.FixtureRequest) -> None:
    case = stuck_report(flow, request.getfixturevalue("old_code"))
    request.getfixturevalue("monkeypatch").undo()  # the fixed code from here on
    definitions._specs.clear()
    stuck = flow.case("s1_03", case)
    assert stuck["status"] == "running" and stuck["work_items"] == [] and stuck["timers"] == []

    checked = runner.invoke(args=["workflows", "check"])
    assert checked.exit_code == 1, checked.output
    assert f"{stuck['number']}\t问责与组织调整" in checked.output and "调查报告" in checked.output
    assert "停滞的流程：1 个" in checked.output
    page = admin_page(web)
    assert "1 个流程停滞" in page and stuck["number"] in page and "停在 调查报告（会签）" in page

    dry = runner.invoke(args=["workflows", "repair"])
    assert dry.exit_code == 0, dry.output
    assert f"{stuck['number']}\t将合并：调查报告（会签）（2 份签署）" in dry.output
    assert flow.case("s1_03", case)["work_items"] == []  # a dry run changes nothing

    applied = runner.invoke(args=["workflows", "repair", "--apply"])
    assert applied.exit_code == 0, applied.output
    assert "已修复：1 个流程" in applied.output
    moved = flow.case("s1_03", case)
    assert [w["task"] for w in moved["work_items"]] == ["decision_proposal"]
    assert moved["revision"] == stuck["revision"] + 1
    again = runner.invoke(args=["workflows", "repair", "--apply"])
    assert "已修复：0 个流程" in again.output and flow.case("s1_03", case)["revision"] == moved["revision"]

    assert runner.invoke(args=["workflows", "check"]).exit_code == 0
    assert "运行健康：没有停滞的流程。" in admin_page(web)
    with flow.app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.instance_id == case,
                                                             AuditEvent.action == "instance.repair")).all()
        assert [e.payload["merged"] for e in events] == [[{"task": "report", "signatures": 2}]]
        repaired = db.session.get(ProcessInstance, case)
        assert repaired is not None
        workflow = engine().load(definitions.runtime(repaired.definition), repaired.state)
        proposal = workflow.get_next_task(spec_name="decision_proposal")
        assert sorted(s["by"] for s in proposal.data["report_signatures"]) == ["s1_04", "s1_07"]
        db.session.remove()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    # The repaired case goes on to its end like any other.
    with frozen_at(at("2026-03-05 10:00")):
        acc.decide(flow, case, ["admonish"])
        body = acc.announce(flow, case, "2026-03-05")
        assert [w["task"] for w in body["instance"]["work_items"]] == ["appeal"]


def test_check_reports_nothing_when_every_running_case_waits_for_someone(flow: Flow, runner: FlaskCliRunner) -> None:
    with frozen_at(at("2026-03-02 09:00")):
        case = acc.start(flow)["id"]
        acc.investigate(flow, case)
        flow.step("s1_06", case, "defence", {"statement": "对事实无异议", "signed": True})
        flow.step("s1_04", case, "report", {"report": "调查报告：事实清楚", "discussed_on": "2026-03-02",
                                            "signed": True})
    result = runner.invoke(args=["workflows", "check"])
    assert result.exit_code == 0 and "停滞的流程：0 个" in result.output
    assert "将合并" not in runner.invoke(args=["workflows", "repair"]).output
