"""The 后备干部库 through /api/v1/reserve-pool and its CSV page: search (unit incl. below, category,
target post, since, 培养措施), who sees what, 培养措施 added and corrected by the managing 组织部
only (bounded, dates in order: A-R3), the annual review (keep, move, exit: A-R4), each change an
audit event with before/after; exits from 问责 stay out of the active list."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from models import AuditEvent
from tests.drivers import reserve as rsv

pytestmark = pytest.mark.usefixtures("frozen_clock")

FRONTLINE = ("frontline", "选派到疫情防控一线吃劲岗位", "2026-01-20", "2026-02-28")


@pytest.fixture()
def pool(app: Flask) -> dict[str, int]:
    return {
        "s1_06": rsv.put_in_pool(app, "s1_06", "S1", "young_outstanding", "炼钢厂厂长", "2025-06-01", [FRONTLINE]),
        "s1b1_02": rsv.put_in_pool(app, "s1b1_02", "S1", "long_term", "热轧厂副厂长", "2026-01-05",
                                   [("training", "集团中青年干部培训班", "2026-02-01", None)]),
        "s2_06": rsv.put_in_pool(app, "s2_06", "S2", "young_outstanding", "运输部部长", "2025-12-01"),
        "zhaomin": rsv.put_in_pool(app, "zhaomin", "G", "young_outstanding", "组织部副部长", "2025-03-01"),
    }


def _names(api: Any, user: str, query: str = "") -> list[str]:
    response = api(user).get(f"/reserve-pool?{query}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["total"] >= len(body["items"])
    return sorted(row["username"] for row in body["items"])


def test_the_search_filters_by_unit_category_target_since_and_measure(api: Any, pool: dict[str, int]) -> None:
    assert _names(api, "zhengyun") == ["s1_06", "s1b1_02", "s2_06", "zhaomin"]  # the auditor sees all
    assert _names(api, "zhengyun", "unit=S1") == ["s1_06", "s1b1_02"]  # S1 and the branches below
    assert _names(api, "zhengyun", "unit=S1B1") == ["s1b1_02"]
    assert _names(api, "zhengyun", "category=long_term") == ["s1b1_02"]
    assert _names(api, "zhengyun", "target=厂长") == ["s1_06", "s1b1_02"]
    assert _names(api, "zhengyun", "since=2025-12-01") == ["s1b1_02", "s2_06"]
    assert _names(api, "zhengyun", "measure=吃劲岗位") == ["s1_06"]
    assert _names(api, "zhengyun", "measure=教育培训") == ["s1b1_02"]  # the kind's words match too
    assert _names(api, "zhengyun", "q=梁晨") == ["s1_06"]
    assert api("zhengyun").get("/reserve-pool?unit=NOPE").status_code == 422
    assert api("zhengyun").get("/reserve-pool?since=2026-13-01").status_code == 422


def test_each_viewer_sees_the_people_of_the_units_they_oversee(api: Any, pool: dict[str, int]) -> None:
    assert _names(api, "s1_03") == ["s1_06", "s1b1_02"]
    assert _names(api, "s2_03") == ["s2_06"]
    assert _names(api, "lihua") == ["s1_06", "s1b1_02", "s2_06", "zhaomin"]  # the group's 组织部长
    assert api("s1b1_02").get("/reserve-pool").status_code == 403  # a member with no role
    assert api("s2_03").get(f"/reserve-pool/{pool['s1_06']}").status_code == 404
    detail = api("s1_01").get(f"/reserve-pool/{pool['s1_06']}").get_json()
    assert detail["can_manage"] is False and detail["entry"]["category_text"] == "优秀年轻干部"
    [measure] = detail["measures"]
    assert (measure["kind_text"], measure["title"], measure["starts_on"], measure["ends_on"]) == (
        "疫情防控一线吃劲岗位", "选派到疫情防控一线吃劲岗位", "2026-01-20", "2026-02-28")


def _audits(app: Flask, action: str) -> list[dict[str, Any]]:
    from webapp.extensions import db

    with app.app_context():
        rows = [e.payload for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                                      .order_by(AuditEvent.seq))]
        db.session.remove()
    return rows


def test_the_managing_department_adds_and_corrects_measures_in_order(api: Any, app: Flask,
                                                                     pool: dict[str, int]) -> None:
    url = f"/reserve-pool/{pool['s1_06']}/measures"
    body = {"kind": "secondment", "title": "到热轧厂挂职锻炼", "starts_on": "2026-03-01", "ends_on": None}
    assert api("s1_01").post(url, body).status_code == 403  # the 书记 reads, the 组织部 edits
    assert api("lihua").post(url, body).status_code == 403  # the group's 组织部 does not manage S1's entry
    backwards = api("s1_03").post(url, {**body, "ends_on": "2026-02-01"})
    assert backwards.status_code == 422 and backwards.get_json()["rule"] == "A-R3"
    early = api("s1_03").post(url, {**body, "starts_on": "2025-05-01"})
    assert early.status_code == 422 and "纳入后备干部库的日期（2025-06-01）" in early.get_json()["message"]
    assert api("s1_03").post(url, {**body, "title": "长" * 201}).status_code == 422
    assert api("s1_03").post(url, {**body, "kind": "holiday"}).status_code == 422
    created = api("s1_03").post(url, body)
    assert created.status_code == 201, created.get_json()
    measure = created.get_json()
    assert (measure["kind_text"], measure["ends_on"], measure["created_by"]) == ("挂职锻炼", None, "林涛")
    done = {**body, "ends_on": "2026-03-02", "result": "熟悉热轧生产组织，考核优秀"}
    corrected = api("s1_03").put(f"{url}/{measure['id']}", done)
    assert corrected.status_code == 200 and corrected.get_json()["result"] == "熟悉热轧生产组织，考核优秀"
    assert api("s1_03").put(f"/reserve-pool/{pool['s2_06']}/measures/{measure['id']}", done).status_code == 404
    added, updated = _audits(app, "reserve.measure_add")[-1], _audits(app, "reserve.measure_update")[-1]
    assert added["before"] is None and added["after"]["title"] == "到热轧厂挂职锻炼" and added["user"] == "s1_06"
    assert updated["before"]["ends_on"] is None and updated["after"]["ends_on"] == "2026-03-02"


def test_the_annual_review_keeps_moves_or_exits_once_a_year(api: Any, app: Flask, pool: dict[str, int]) -> None:
    url = f"/reserve-pool/{pool['s1_06']}/reviews"
    same = api("s1_03").post(url, {"decision": "move", "category": "young_outstanding", "reason": "调整"})
    assert same.status_code == 422 and same.get_json()["rule"] == "A-R4"
    assert api("s1_03").post(url, {"decision": "move", "category": "long_term"}).get_json()["rule"] == "A-R4"
    moved = api("s1_03").post(url, {"decision": "move", "category": "long_term", "target_post": "总经理助理",
                                    "reason": "年龄超出优秀年轻干部范围，转为中长期培养"})
    assert moved.status_code == 201, moved.get_json()
    review = moved.get_json()
    assert review["before"] == {"category": "young_outstanding", "target_post": "炼钢厂厂长", "in_pool": True}
    assert review["after"] == {"category": "long_term", "target_post": "总经理助理", "in_pool": True}
    again = api("s1_03").post(url, {"decision": "keep"})
    assert again.status_code == 422 and "2026 年度已调整过" in again.get_json()["message"]
    exit_url = f"/reserve-pool/{pool['s1b1_02']}/reviews"
    assert api("s1_03").post(exit_url, {"decision": "exit"}).get_json()["rule"] == "A-R4"  # no reason
    out = api("s1_03").post(exit_url, {"decision": "exit", "reason": "本人调离集团"})
    assert out.status_code == 201 and out.get_json()["after"]["in_pool"] is False
    assert _names(api, "s1_03") == ["s1_06"]
    assert _names(api, "s1_03", "status=exited") == ["s1b1_02"]
    exited = api("s1_03").get(f"/reserve-pool/{pool['s1b1_02']}").get_json()["entry"]
    assert exited["removed_reason"] == "2026 年度动态调整调出：本人调离集团"
    refused = api("s1_03").post(f"/reserve-pool/{pool['s1b1_02']}/measures",
                                {"kind": "training", "title": "培训", "starts_on": "2026-03-01"})
    assert refused.status_code == 422
    events = _audits(app, "reserve.review")
    assert [(e["user"], e["decision"]) for e in events] == [("s1_06", "move"), ("s1b1_02", "exit")]
    assert events[1]["before"]["in_pool"] is True and events[1]["after"]["in_pool"] is False


def test_the_csv_lists_what_the_search_found(web: Any, pool: dict[str, int]) -> None:
    response = web("s1_03").get("/reserve-pool/export.csv?category=young_outstanding")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:5] == ["姓名", "用户名", "所在单位", "现任职务", "类别"]
    assert [(r[0], r[4], r[5], r[8], r[12]) for r in rows[1:]] == [("梁晨", "优秀年轻干部", "炼钢厂厂长", "2025-06-01", "1")]
    assert web("s1b1_02").get("/reserve-pool/export.csv").status_code == 403
