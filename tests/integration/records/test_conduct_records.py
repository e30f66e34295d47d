"""现实表现纪实: the 组织部 that keeps a cadre's record lists, adds (bounded, not in the future, each
error next to its field) and removes (with a reason) the cadre's key events, on the 干部信息 page and
through /api/v1/cadres/{username}/events (and its CSV); each change an audit event with before and
after; nobody else may. A 问责 decision writes its 问题 event (a revoking appeal takes it back), and
the approvers of a promotion case and the 后备干部库 entry's 组织部 see the candidate's events."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.drivers import accountability as acc
from tests.drivers import reserve as rsv
from tests.flows import Flow
from tests.flows import at
from tests.helpers import proposal
from tests.integration.records.test_cadre_pages import events
from workflows.engine.clock import frozen_at

NEW = {"occurred_on": "2026-02-27", "text": "在疫情防控专报中通报表扬：连续 20 天驻守卡口", "source": "special", "mark": "merit"}


@pytest.fixture()
def flow(api: Any, app: Flask, runner: Any) -> Flow:
    return Flow(api, app, runner)


@pytest.fixture()
def frozen_clock() -> Any:
    """2026-03-02 09:00 Shanghai (a Monday), as the accountability drivers expect."""
    with frozen_at(at("2026-03-02 09:00")):
        yield


def conduct_of(page: str) -> str:
    """The 现实表现纪实 section of a page."""
    return page[page.index('id="conduct"'):]


def call(api: Any, username: str, method: str, path: str, body: Any = None) -> Any:
    client = api(username)
    return client.client.open(f"/api/v1{path}", method=method, json=body,
                              headers={"Authorization": f"Bearer {client.token}"})


def test_the_record_page_lists_the_events_and_the_keeper_adds_one(web: Any, app: Flask) -> None:
    page = conduct_of(web("s1_03").page("/cadres/s1_07"))
    assert "现实表现纪实" in page and 'id="conduct-form"' in page
    newest, older = page.index("2025 年度疫情防控先进个人"), page.index("方舱隔离点改造")  # the demo's events
    assert newest < older
    with frozen_at(at("2026-03-02 09:00")):
        response = web("s1_03").post("/cadres/s1_07/events", data=NEW)
    assert response.status_code == 302
    page = conduct_of(web("s1_03").page("/cadres/s1_07"))
    assert page.index("连续 20 天驻守卡口") < page.index("2025 年度疫情防控先进个人")
    [event] = events(app, "cadre.event_add")
    assert event.payload["user"] == "s1_07" and event.payload["before"] is None and event.payload["via"] == "web"
    assert event.payload["after"]["text"] == NEW["text"] and event.payload["after"]["mark"] == "merit"
    log = web("zhengyun").page("/audit/events?action=cadre.event_add")
    assert "新增现实表现纪实" in log and "宋佳" in log


def test_bad_input_is_refused_with_each_error_next_to_its_field(web: Any, app: Flask) -> None:
    with frozen_at(at("2026-03-02 09:00")):
        response = web("s1_03").post("/cadres/s1_07/events", data={
            "occurred_on": "2026-03-03", "text": "长" * 501, "source": "rumour", "mark": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="event-occurred_on-error">不能晚于今天（2026-03-02）' in html
    assert 'id="event-text-error">不超过 500 个字' in html
    assert 'id="event-source-error">请选择来源' in html and 'id="event-mark-error">请选择性质' in html
    assert 'value="2026-03-03"' in html  # the input is kept
    assert events(app, "cadre.event_add") == []


def test_who_does_not_keep_the_record_is_refused(web: Any, api: Any, app: Flask) -> None:
    for username in ("s2_03", "s1_01", "s1_07"):  # another 组织部, the 书记, the cadre
        assert web(username).post("/cadres/s1_07/events", data=NEW).status_code == 403, username
        assert call(api, username, "POST", "/cadres/s1_07/events", NEW).status_code == 403, username
        assert api(username).get("/cadres/s1_07/events").status_code == 403, username
        assert api(username).get("/cadres/s1_07/events.csv").status_code == 403, username
    assert events(app, "cadre.event_add") == []
    assert {e.payload["target"] for e in events(app, "access.refused")} == {"cadre"}


def test_the_api_adds_lists_exports_and_removes_with_a_reason(api: Any, app: Flask) -> None:
    with frozen_at(at("2026-03-02 09:00")):
        for bad, field in (({**NEW, "occurred_on": "2026-03-03"}, "occurred_on"), ({**NEW, "text": "长" * 501}, "text"),
                           ({**NEW, "mark": "great"}, "mark"), ({**NEW, "occurred_on": "2026/02/27"}, "occurred_on")):
            refused = call(api, "s1_03", "POST", "/cadres/s1_07/events", bad)
            assert refused.status_code == 422 and field in refused.get_json()["fields"], bad
        assert call(api, "s1_03", "POST", "/cadres/s1_07/events", {**NEW, "extra": 1}).status_code == 400
        added = call(api, "s1_03", "POST", "/cadres/s1_07/events", NEW)
        assert call(api, "s1_03", "POST", "/cadres/s1_07/events", {**NEW, "text": "=HYPERLINK(1)"}).status_code == 201
    assert added.status_code == 201, added.get_json()
    event = added.get_json()
    assert event["mark_text"] == "先进" and event["source_text"] == "专报" and event["recorded_by"] == "林涛"
    listed = api("s1_03").get("/cadres/s1_07/events?limit=2").get_json()
    ids = [e["id"] for e in listed["items"]]
    assert listed["total"] == 5 and len(ids) == 2 and ids[1] == event["id"] and ids[0] > event["id"]  # newest first
    assert api("s1_03").get("/cadres/s1_07/events?limit=1000").status_code == 400
    csv_response = api("s1_03").get("/cadres/s1_07/events.csv")
    assert csv_response.mimetype == "text/csv"
    text = csv_response.get_data(as_text=True)
    assert text.startswith("\ufeff日期,事件,来源,性质") and "连续 20 天驻守卡口" in text and "专报,先进" in text
    assert "'=HYPERLINK(1)" in text  # a typed text never runs as a formula
    [export] = events(app, "cadre.export")
    assert export.payload == {"user": "s1_07", "part": "events", "count": 5, "via": "api"}
    path = f"/cadres/s1_07/events/{event['id']}"
    assert call(api, "s1_03", "DELETE", path, {"reason": " "}).status_code == 422
    assert call(api, "s2_03", "DELETE", path, {"reason": "录入错误"}).status_code == 403
    assert call(api, "s1_03", "DELETE", "/cadres/s1_06/events/" + str(event["id"]), {"reason": "x"}).status_code == 404
    assert call(api, "s1_03", "DELETE", path, {"reason": "录入重复"}).get_json() == {"removed": event["id"]}
    assert api("s1_03").get("/cadres/s1_07/events").get_json()["total"] == 4
    [removed] = events(app, "cadre.event_remove")
    assert removed.payload["before"]["text"] == NEW["text"] and removed.payload["after"] is None
    assert removed.payload["reason"] == "录入重复" and removed.payload["via"] == "api"


def test_the_openapi_documents_the_endpoints(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/api/v1/cadres/{username}/events"]) == {"get", "post"}
    assert "delete" in paths["/api/v1/cadres/{username}/events/{event_id}"]
    assert "text/csv" in paths["/api/v1/cadres/{username}/events.csv"]["get"]["responses"]["200"]["content"]


@pytest.mark.usefixtures("frozen_clock")
def test_a_decision_writes_its_problem_event_and_a_revoking_appeal_takes_it_back(
        flow: Flow, api: Any, web: Any, app: Flask) -> None:
    case = acc.start(flow)
    acc.to_proposal(flow, case["id"])
    acc.decide(flow, case["id"], ["admonish"])
    [item] = api("s1_03").get("/cadres/s1_06/events").get_json()["items"]
    assert item["mark"] == "issue" and item["source"] == "accountability" and item["instance_id"] == case["id"]
    assert item["by_process"] and item["occurred_on"] == "2026-03-02" and "诫勉" in item["text"]
    [event] = events(app, "cadre.event_add")
    assert event.instance_id == case["id"] and event.actor_id is None and event.payload["before"] is None
    refused = call(api, "s1_03", "DELETE", f"/cadres/s1_06/events/{item['id']}", {"reason": "不该有"})
    assert refused.status_code == 422 and "随流程更正" in refused.get_json()["fields"]["reason"][0]
    promotion = flow.start("cadre_promotion", "s1_03", proposal())  # the approvers weigh the 问题
    page = web("s1_01").page(f"/cases/{promotion['id']}")
    assert 'id="conduct"' in page and "问责决定（诫勉）" in page and case["number"] in page
    assert 'id="conduct"' not in web("s1_06").page(f"/cases/{promotion['id']}")  # not the candidate
    acc.announce(flow, case["id"], "2026-03-02")
    flow.step("s1_06", case["id"], "appeal", {"grounds": "卡口缺位系排班调整所致"})
    with frozen_at(at("2026-03-20 09:00")):
        flow.step("s1_01", case["id"], "appeal_decision", {"decision": "revoke"}, comment="事实认定有误，撤销")
    assert api("s1_03").get("/cadres/s1_06/events").get_json()["total"] == 0
    [removed] = events(app, "cadre.event_remove")
    assert removed.payload["before"]["id"] == item["id"] and "撤销问责决定" in removed.payload["reason"]


@pytest.mark.usefixtures("frozen_clock")
def test_the_reserve_entry_shows_the_events_to_its_organisation_department(web: Any, app: Flask) -> None:
    entry = rsv.put_in_pool(app, "s1_05", "S1", "young_outstanding", "组织部副部长", "2025-06-01")
    page = web("s1_03").page(f"/reserve-pool/{entry}")
    assert 'id="conduct"' in page and "社区核酸检测点组织协调" in page and "在干部信息中维护" in page
    assert 'id="conduct-form"' not in page  # kept on the 干部信息 page
    assert 'id="conduct"' not in web("s1_01").page(f"/reserve-pool/{entry}")  # the 书记 oversees, keeps no record
