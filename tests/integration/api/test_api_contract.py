"""The API's contract: auth, permissions, error shapes, and "nothing changes" on a refused action."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select

from models import AuditEvent
from tests.helpers import complete
from tests.helpers import instance
from tests.helpers import open_item
from tests.helpers import proposal
from tests.helpers import start
from webapp.extensions import db


def audit_count(app: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(AuditEvent.id))) or 0


def test_requests_without_a_valid_token_get_401_json(client: FlaskClient, org: None) -> None:
    for headers in ({}, {"Authorization": "Bearer of_not-a-token"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/tasks", headers=headers)
        assert response.status_code == 401
        assert response.get_json()["error"] == "unauthorized"


def test_processes_lists_what_the_caller_may_start(api: Any) -> None:
    officer = api("s1_03").get("/processes").get_json()
    member = api("s1b1_04").get("/processes").get_json()
    assert {p["key"]: p["can_start"] for p in officer["items"]}["cadre_promotion"] is True
    assert {p["key"]: p["can_start"] for p in member["items"]}["cadre_promotion"] is False


def test_a_user_without_the_starter_role_gets_403(api: Any) -> None:
    response = api("s1b1_04").post("/processes/cadre_promotion/instances", {"data": proposal()})
    assert response.status_code == 403
    assert response.get_json()["error"] == "forbidden"


def test_unknown_process_and_items_are_404(api: Any) -> None:
    assert api("s1_03").post("/processes/nope/instances", {"data": {}}).status_code == 404
    assert api("s1_03").get("/tasks/999999").status_code == 404
    assert api("s1_03").post("/tasks/999999/complete", {"data": {}}).status_code == 404
    assert api("s1_03").get("/instances/999999").status_code == 404


def test_a_non_candidate_gets_403_on_every_action_and_on_reading_the_case(api: Any, app: Any) -> None:
    case = start(api)
    item = case["work_items"][0]
    outsiders = [api(u) for u in ("s2_01", "s1b1_04", "wangjianguo")]  # other unit, a member, a higher secretary
    before = audit_count(app)
    for outsider in outsiders:
        assert outsider.post(f"/tasks/{item['id']}/complete", {"data": {"decision": "agree"}}).status_code == 403
        assert outsider.post(f"/tasks/{item['id']}/claim").status_code == 403
    assert api("s2_01").get(f"/instances/{case['id']}").status_code == 403
    assert api("s2_01").get(f"/tasks/{item['id']}").status_code == 403
    assert audit_count(app) == before + 1  # only the refused read of the case, once (access.refused)
    assert instance(api, "s1_03", case["id"])["work_items"][0]["status"] == "open"


def test_oversight_roles_above_the_unit_and_auditors_may_read_the_case(api: Any) -> None:
    case = start(api)
    for username in ("wangjianguo", "zhaomin", "zhengyun", "s1_06"):  # group secretary, group officer, auditor, subject
        assert api(username).get(f"/instances/{case['id']}").status_code == 200


def test_bad_input_gets_422_with_fields_and_changes_nothing(api: Any, app: Any) -> None:
    case = start(api)
    item = open_item(api, "s1_01", case["id"], "deliberation")
    before = audit_count(app)
    response = api("s1_01").post(f"/tasks/{item['id']}/complete", {"data": {"decision": "yes", "extra": 1}})
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "validation_failed"
    assert set(body["fields"]) == {"decision", "extra"}
    after = instance(api, "s1_01", case["id"])
    assert after["revision"] == case["revision"]
    assert [w["status"] for w in after["work_items"]] == ["open"]
    assert audit_count(app) == before


def test_a_negative_decision_without_a_reason_is_refused(api: Any) -> None:
    case = start(api)
    response = complete(api, "s1_01", case["id"], "deliberation", {"decision": "terminate"}, expect=422)
    assert response["fields"]["comment"]
    done = complete(api, "s1_01", case["id"], "deliberation", {"decision": "terminate"}, comment="岗位已撤销")
    assert done["instance"]["status"] == "rejected"


def test_a_second_completion_of_the_same_item_answers_409_and_changes_nothing(api: Any, app: Any) -> None:
    case = start(api)
    item = open_item(api, "s1_01", case["id"], "deliberation")
    first = api("s1_01").post(f"/tasks/{item['id']}/complete", {"data": {"decision": "agree"}})
    assert first.status_code == 200
    revision, events = first.get_json()["instance"]["revision"], audit_count(app)
    again = api("s1_01").post(f"/tasks/{item['id']}/complete", {"data": {"decision": "agree"}})
    assert again.status_code == 409
    assert again.get_json()["error"] == "already_handled"
    assert "马立新" in again.get_json()["message"]  # says who handled it
    assert instance(api, "s1_01", case["id"])["revision"] == revision
    assert audit_count(app) == events


def test_a_shared_item_is_claimed_by_one_candidate(api: Any) -> None:
    case = start(api, management_level="group")
    complete(api, "wangjianguo", case["id"], "deliberation", {"decision": "agree"})
    item = open_item(api, "zhaomin", case["id"], "recommendation")
    assert set(item["candidates"]) == {"zhaomin", "sunli"} and item["assignee"] is None
    assert api("zhaomin").post(f"/tasks/{item['id']}/claim").get_json()["assignee"] == "zhaomin"
    refused = api("sunli").post(f"/tasks/{item['id']}/complete", {"data": {}})
    assert refused.status_code == 409 and "赵敏" in refused.get_json()["message"]
    sunli_todo = api("sunli").get("/tasks?view=todo").get_json()
    assert all(i["id"] != item["id"] for i in sunli_todo["items"])


def test_queues_list_todo_done_and_started_newest_first(api: Any) -> None:
    first, second = start(api), start(api, candidate="s1_07")
    todo = api("s1_01").get("/tasks?view=todo").get_json()
    assert [i["instance_id"] for i in todo["items"]] == [second["id"], first["id"]] and todo["total"] == 2
    complete(api, "s1_01", first["id"], "deliberation", {"decision": "agree"})
    done = api("s1_01").get("/tasks?view=done").get_json()
    assert [(i["instance_id"], i["decision"]) for i in done["items"]] == [(first["id"], "agree")]
    started = api("s1_03").get("/tasks?view=started&limit=1").get_json()
    assert started["total"] == 2 and [i["number"] for i in started["items"]] == [second["number"]]
    assert api("s1_03").get("/tasks?view=whatever").status_code == 400
    assert api("s1_03").get("/tasks?limit=0").status_code == 400


def test_a_task_comes_with_its_form_schema_and_the_case_data(api: Any) -> None:
    case = start(api)
    item = open_item(api, "s1_01", case["id"], "deliberation")
    body = api("s1_01").get(f"/tasks/{item['id']}").get_json()
    assert body["form"]["schema"]["title"] == "酝酿"
    assert body["data"]["candidate"] == "s1_06" and body["can_act"] is True


def test_the_openapi_document_describes_the_routes(client: FlaskClient) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    assert {"/api/v1/tasks/{item_id}/complete", "/api/v1/processes/{key}/instances"} <= set(doc["paths"])
    assert doc["paths"]["/api/v1/tasks/{item_id}/complete"]["post"]["responses"]["409"]
