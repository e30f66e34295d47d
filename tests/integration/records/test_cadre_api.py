"""/api/v1/cadres: the managing 组织部 lists, reads (recorded) and changes (audited) a record;
anybody else gets 403, recorded; a body the document refuses is refused (400)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.integration.records.test_cadre_pages import events


def put(api: Any, username: str, cadre: str, body: Any) -> Any:
    client = api(username)
    return client.client.put(f"/api/v1/cadres/{cadre}", json=body, headers={"Authorization": f"Bearer {client.token}"})


def test_the_list_and_a_whole_record_read_recorded(api: Any, app: Flask) -> None:
    listed = api("s1_03").get("/cadres?q=宋佳").get_json()
    assert listed["total"] == 1 and listed["items"][0]["username"] == "s1_07"
    record = api("s1_03").get("/cadres/s1_07").get_json()
    assert record["name"] == "宋佳" and record["professional_title"] == "高级工程师"
    assert {"year": 2025, "rating": "称职"} in record["ratings"] and len(record["family"]) == 2
    [event] = events(app, "cadre.read")
    assert event.payload == {"user": "s1_07", "via": "api"}


def test_a_non_manager_is_refused_and_recorded(api: Any, app: Flask) -> None:
    assert api("s2_03").get("/cadres/s1_07").status_code == 403
    assert put(api, "s2_03", "s1_07", {"management_level": "subsidiary"}).status_code == 403
    assert api("s2_03").get("/cadres?q=宋佳").get_json()["total"] == 0
    [event] = events(app, "access.refused")
    assert event.payload["target"] == "cadre" and event.payload["via"] == "api"


def test_a_change_of_the_basic_boxes_is_audited(api: Any, app: Flask) -> None:
    response = put(api, "s1_03", "s1_07", {"management_level": "subsidiary", "health": "良好", "birth_month": "1976-05"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["health"] == "良好" and response.get_json()["gender"] is None
    [event] = events(app, "cadre.update")
    assert event.payload["before"]["health"] == "健康" and event.payload["after"]["birth_month"] == "1976-05"
    assert event.payload["via"] == "api"


def test_a_body_outside_the_document_is_refused(api: Any) -> None:
    for body in ({"health": "良好"}, {"management_level": "subsidiary", "height": "180"},
                 {"management_level": "subsidiary", "birth_month": "1976.05"},
                 {"management_level": "subsidiary", "gender": " "}, {"management_level": "subsidiary", "health": 5}):
        assert put(api, "s1_03", "s1_07", body).status_code == 400, body
