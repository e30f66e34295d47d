"""委托/代理 through the API: a deputy sees and handles the principal's items during the
delegation, the record reads "（代…）", and ending it returns the items."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from models import AuditEvent
from tests.helpers import start
from tests.integration.actions.support import act
from tests.integration.actions.support import events
from tests.integration.actions.support import item_of
from tests.integration.actions.support import todo
from webapp.extensions import db
from workflows.engine import clock


def window(days: int = 7) -> dict[str, str]:
    now = clock.now().astimezone(clock.SHANGHAI)
    return {"starts_at": now.isoformat(), "ends_at": (now + timedelta(days=days)).isoformat()}


def delegate(api: Any, actor: str, deputy: str, expect: int = 201, **extra: Any) -> dict[str, Any]:
    response = api(actor).post("/delegations", {"deputy": deputy, **window(), **extra})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def audit_actions(app: Flask, prefix: str) -> list[str]:
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like(f"{prefix}%"))
                                  .order_by(AuditEvent.seq)).all()
        db.session.remove()
        return list(rows)


def test_a_deputy_acts_for_the_principal_during_the_delegation(api: Any, app: Flask) -> None:
    case = start(api)["id"]
    later = start(api)["id"]
    assert (case, "deliberation") not in todo(api, "s1_02")
    grant = delegate(api, "s1_01", "s1_02", process_keys=["cadre_promotion"], reason="赴中央党校学习")
    assert (grant["principal"], grant["deputy"], grant["active"]) == ("s1_01", "s1_02", True)
    assert api("s1_02").get("/notifications").get_json()["items"][0]["kind"] == "delegation"
    assert {(case, "deliberation"), (later, "deliberation")} <= set(todo(api, "s1_02"))
    assert api("s1_02").get(f"/instances/{case}").status_code == 200

    item = item_of(api, "s1_02", case, "deliberation")
    body = act(api, "s1_02", item, "complete", {"data": {"decision": "agree"}, "comment": "同意（代书记）"})
    assert (body["item"]["completed_by"], body["item"]["acted_for"]) == ("s1_02", "s1_01")
    last = events(api, case)[-1]
    assert (last["action"], last["actor"], last["acted_for"]) == ("task.complete", "s1_02", "s1_01")
    assert last["actor_label"] == "高峰（代马立新）"  # how the timeline and the 审批单 name the signer

    api("s1_01").post(f"/delegations/{grant['id']}/end")
    assert (later, "deliberation") not in todo(api, "s1_02")
    assert (later, "deliberation") in todo(api, "s1_01")
    pending = item_of(api, "s1_01", later, "deliberation")
    assert act(api, "s1_02", pending, "complete", {"data": {"decision": "agree"}}, expect=403)["error"] == "forbidden"
    assert audit_actions(app, "delegation.") == ["delegation.create", "delegation.end"]


def test_a_deputy_who_is_also_a_candidate_sees_the_item_once(api: Any) -> None:
    case = start(api, management_level="group")["id"]
    api("wangjianguo").post(f"/tasks/{item_of(api, 'wangjianguo', case, 'deliberation')}/complete",
                            {"data": {"decision": "agree"}})
    before = api("sunli").get("/tasks?view=todo").get_json()["total"]
    delegate(api, "zhaomin", "sunli")
    assert todo(api, "sunli").count((case, "recommendation")) == 1
    listed = api("sunli").get("/tasks?view=todo&limit=100").get_json()  # counted once in the total too
    assert listed["total"] == len(listed["items"]) == before + len(todo(api, "zhaomin")) - 1
    item = item_of(api, "sunli", case, "recommendation")
    act(api, "sunli", item, "claim")  # as a candidate herself: no 代
    assert events(api, case)[-1]["acted_for"] is None


def test_a_delegation_covers_only_its_processes(api: Any) -> None:
    case = start(api)["id"]
    delegate(api, "s1_01", "s1_02", process_keys=["party_admission"])  # s1_01 approves admissions as S1's 书记
    assert (case, "deliberation") not in todo(api, "s1_02")
    item = item_of(api, "s1_01", case, "deliberation")
    assert act(api, "s1_02", item, "complete", {"data": {"decision": "agree"}}, expect=403)["error"] == "forbidden"


def test_delegation_refusals(api: Any, app: Flask) -> None:
    assert delegate(api, "s1_01", "s1_01", expect=422)["fields"] == {"deputy": ["不能委托给自己"]}
    assert "deputy" in delegate(api, "s1_01", "nobody", expect=422)["fields"]
    backwards = api("s1_01").post("/delegations", {"deputy": "s1_02", "starts_at": "2030-01-10",
                                                   "ends_at": "2030-01-01"})
    assert backwards.status_code == 422 and "ends_at" in backwards.get_json()["fields"]
    assert "process_keys" in delegate(api, "s1_01", "s1_02", expect=422, process_keys=["no_such"])["fields"]
    assert delegate(api, "s1_01", "s1_02", expect=400, process_keys="cadre_promotion")["error"] == "bad_request"
    assert delegate(api, "s1_01", "s1_02", expect=403, principal="s1_04")["error"] == "forbidden"

    grant = delegate(api, "s1_01", "s1_02")
    overlap = delegate(api, "s1_01", "s1_07", expect=422, process_keys=["cadre_promotion"])
    assert "starts_at" in overlap["fields"]
    by_admin = delegate(api, "admin", "s1_02", principal="s1_03")  # the 组织部长 for a 组织部门干部
    assert by_admin["principal"] == "s1_03"
    assert api("s1_02").post(f"/delegations/{grant['id']}/end").status_code == 403
    assert api("s1_01").post(f"/delegations/{grant['id']}/end").status_code == 200
    assert api("s1_01").post(f"/delegations/{grant['id']}/end").status_code == 409
    listed = api("s1_02").get("/delegations").get_json()["items"]
    assert [(d["principal"], d["active"]) for d in listed] == [("s1_03", True), ("s1_01", False)]
    assert audit_actions(app, "delegation.") == ["delegation.create", "delegation.create", "delegation.end"]
