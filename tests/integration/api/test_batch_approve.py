"""批量同意 through the API: only steps whose form needs nothing but the decision, one transaction
and one audit event per item, every item answered (approved, or refused and why)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func
from sqlalchemy import select

from models import AuditEvent
from tests.helpers import complete
from tests.helpers import instance
from tests.helpers import open_item
from tests.helpers import start
from webapp.extensions import db


def _events(app: Flask) -> list[tuple[str, int | None, dict[str, Any]]]:
    with app.app_context():
        rows = db.session.execute(select(AuditEvent.action, AuditEvent.work_item_id, AuditEvent.payload)
                                  .order_by(AuditEvent.seq)).all()
        return [(a, w, p) for a, w, p in rows]


def _batch(api: Any, username: str, ids: Any, comment: Any = None, expect: int = 200) -> dict[str, Any]:
    response = api(username).post("/tasks/batch-approve", {"ids": ids, **({"comment": comment} if comment else {})})
    assert response.status_code == expect, response.get_json()
    return response.get_json()


def test_eligible_items_are_approved_each_with_its_own_audit_event(api: Any, app: Flask) -> None:
    cases = [start(api), start(api, candidate="s1_07")]
    items = [open_item(api, "s1_01", case["id"], "deliberation")["id"] for case in cases]
    before = len(_events(app))
    answer = _batch(api, "s1_01", items, "同意酝酿")
    assert (answer["approved"], answer["refused"]) == (2, 0)
    assert [(o["id"], o["ok"], o["step"]) for o in answer["items"]] == [(i, True, "酝酿") for i in items]
    assert {o["number"] for o in answer["items"]} == {c["number"] for c in cases}
    new = _events(app)[before:]
    assert [(action, item) for action, item, _ in new] == [("task.complete", i) for i in items]
    assert all(p["decision"] == "agree" and p["comment"] == "同意酝酿" for _, _, p in new)
    for case in cases:
        assert [w["task"] for w in instance(api, "s1_03", case["id"])["work_items"]] == ["recommendation"]


def test_refusals_are_reported_per_item_and_change_nothing(api: Any, app: Flask) -> None:
    mine, theirs = start(api), start(api, candidate="s1_07")
    complete(api, "s1_01", mine["id"], "deliberation", {"decision": "agree"})
    needs_form = open_item(api, "s1_03", mine["id"], "recommendation")["id"]  # method, inspection team …
    not_mine = open_item(api, "s1_01", theirs["id"], "deliberation")["id"]
    before = _events(app)
    answer = _batch(api, "s1_03", [needs_form, not_mine, 999_999])
    assert (answer["approved"], answer["refused"]) == (0, 3)
    by_id = {o["id"]: o for o in answer["items"]}
    assert by_id[needs_form]["error"] == "form_required" and "逐件办理" in by_id[needs_form]["message"]
    assert by_id[needs_form]["step"] == "民主推荐"
    assert by_id[not_mine]["error"] == "forbidden" and by_id[not_mine]["number"] == ""  # names nothing
    assert by_id[999_999]["error"] == "not_found"
    assert _events(app) == before
    assert open_item(api, "s1_03", mine["id"], "recommendation")["status"] == "open"


def test_a_batch_approves_what_it_may_and_refuses_the_rest(api: Any, app: Flask) -> None:
    first, second = start(api), start(api, candidate="s1_07")
    for case in (first, second):
        complete(api, "s1_01", case["id"], "deliberation", {"decision": "agree"})
    complete(api, "s1_03", first["id"], "recommendation",
             {"method": "meeting", "results": "得票集中", "inspection_team": ["s1_07", "s1_08"]})
    targets = open_item(api, "s1_03", first["id"], "inspection_targets")["id"]  # decision only
    recommendation = open_item(api, "s1_03", second["id"], "recommendation")["id"]
    before = len(_events(app))
    answer = _batch(api, "s1_03", [recommendation, targets])
    assert [(o["id"], o["ok"]) for o in answer["items"]] == [(recommendation, False), (targets, True)]
    assert [(a, i, p["decision"]) for a, i, p in _events(app)[before:]] == [("task.complete", targets, "proceed")]
    again = _batch(api, "s1_03", [targets])["items"][0]
    assert (again["ok"], again["error"]) == (False, "already_handled")


def test_the_count_is_bounded_and_the_request_checked(api: Any, app: Flask) -> None:
    case = start(api)
    item = open_item(api, "s1_01", case["id"], "deliberation")["id"]
    with app.app_context():
        before = db.session.scalar(select(func.count(AuditEvent.id)))
    assert "50" in _batch(api, "s1_01", [item] * 51, expect=400)["message"]
    for ids in ([], None, ["1"], [0], [True], [10**10]):
        _batch(api, "s1_01", ids, expect=400)
    _batch(api, "s1_01", [item], comment="长" * 2001, expect=400)
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id))) == before
    assert _batch(api, "s1_01", [item] * 50)["items"][0]["ok"]  # duplicates count once


def test_a_blank_shared_opinion_is_no_opinion(api: Any) -> None:
    case = start(api)
    item = open_item(api, "s1_01", case["id"], "deliberation")["id"]
    _batch(api, "s1_01", [item], "  ")
    done = api("s1_01").get("/tasks?view=done").get_json()["items"][0]
    assert (done["decision"], done["comment"]) == ("agree", None)


def test_a_signer_item_is_approved_as_its_sign(api: Any, app: Flask) -> None:
    case = start(api)
    item = open_item(api, "s1_01", case["id"], "deliberation")["id"]
    added = api("s1_01").post(f"/tasks/{item}/add-signer", {"user": "s1_02", "position": "before"})
    signer = added.get_json()["item"]["id"]
    assert _batch(api, "s1_01", [item])["items"][0]["error"] == "already_handled"  # on hold for the signer
    api("s1_02")  # its token (an audit event of its own) before counting
    before = len(_events(app))
    answer = _batch(api, "s1_02", [signer], "同意")
    assert answer["items"][0]["ok"] and answer["items"][0]["step"] == "酝酿（加签）"
    assert [(a, i, p.get("decision")) for a, i, p in _events(app)[before:]] == [("task.sign", signer, "agree")]
    assert _batch(api, "s1_01", [item])["approved"] == 1  # back with its handler after the sign
