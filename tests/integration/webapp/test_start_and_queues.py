"""发起 (catalog, start form, route preview) and the queues (待办, 已办, 我发起的, 抄送我的) over HTTP."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from models import CaseCC
from models import User
from models import WorkItem
from tests.helpers import start
from tests.web import open_item_id
from tests.web import start_case
from tests.web import start_form
from webapp.extensions import db
from workflows.engine import clock


def rows(html: str) -> list[str]:
    """Case numbers of the list rows on a queue page, in order."""
    return re.findall(r'<td class="nowrap number"><a href="/cases/\d+">([A-Z]+-\d{4}-\d{4})</a>', html)


def test_the_catalog_lists_only_what_the_user_may_start(web: Any) -> None:
    assert 'data-key="cadre_promotion"' in web("s1_03").page("/start/")
    assert 'data-key="cadre_promotion"' not in web("s1_01").page("/start/")
    assert "您的角色暂不能发起任何流程" in web("zhengyun").page("/start/")


def test_the_start_form_renders_every_kind_of_field(web: Any) -> None:
    html = web("s1_03").page("/start/cadre_promotion")
    assert re.search(r'<select id="f-candidate" name="candidate" class="user-picker"', html)
    assert '<optgroup label="炼钢厂党支部">' in html and 's1b1_01' in html
    assert 's2_01' not in html  # people of another subsidiary are not offered
    assert 'value="skip_grade"> 越级提拔' in html  # a oneOf enum by its Chinese title
    assert 'name="in_probation" value="true"' in html and 'name="in_probation" value="false"' in html
    assert '<textarea id="f-reasons" name="reasons"' in html
    assert 'name="key_events.0.date"' in html and 'type="date"' in html  # a table of objects
    assert '<select id="f-key_events-0-source" name="key_events.0.source">' in html


def test_the_preview_names_who_gets_each_step_for_this_case(web: Any) -> None:
    officer = web("s1_03")
    empty = officer.page("/start/cadre_promotion")
    assert "取决于干部管理权限" in empty
    response = officer.post("/start/cadre_promotion", start_form(intent="preview"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "表单校验通过" in html
    steps = dict(re.findall(r'data-step="(\w+)">\s*<span class="route-name">[^<]+</span>.*?'
                            r'<span class="route-who">([^<]+)</span>', html, re.S))
    assert steps["deliberation"] == "马立新" and steps["department_review"] == "高峰"
    assert 'data-step="upper_approval"' not in html  # a regular case needs no upper approval
    grouped = officer.post("/start/cadre_promotion",
                           start_form(intent="preview", management_level="group")).get_data(as_text=True)
    assert re.search(r'data-step="deliberation">.*?route-who">王建国<', grouped, re.S)
    assert 'value="炼钢厂厂长"' in grouped  # the form keeps what was typed


def test_a_start_with_errors_keeps_the_input_and_shows_each_error_by_its_field(web: Any) -> None:
    officer = web("s1_03")
    response = officer.post("/start/cadre_promotion", start_form(current_post="", grades_skipped="2",
                                                                 breakthrough_type="skip_grade"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="f-current_post-error">必填<', html)
    assert 'value="炼钢厂厂长"' in html
    fixed = officer.post("/start/cadre_promotion", start_form(grades_skipped="2", breakthrough_type="skip_grade"))
    assert fixed.status_code == 422
    error = re.search(r'id="f-grades_skipped-error">([^<]+)<', fixed.get_data(as_text=True))
    assert error and error.group(1).startswith("A-C10") and "依据" in error.group(1)


def test_a_started_case_appears_only_in_the_right_queues(web: Any) -> None:
    case_id = start_case(web("s1_03"))
    number = re.search(r'class="case-number">([^<]+)<', web("s1_03").page(f"/cases/{case_id}")).group(1)
    assert rows(web("s1_01").page("/tasks/todo")) == [number]
    assert rows(web("s1_02").page("/tasks/todo")) == []
    assert rows(web("s1_03").page("/tasks/todo")) == []
    assert rows(web("s1_03").page("/tasks/started")) == [number]
    assert 'id="nav-todo">\n        待办 <span class="badge"' in web("s1_01").page("/")
    secretary = web("s1_01")
    secretary.post(f"/items/{open_item_id(secretary, case_id)}/complete", {"decision": "agree"})
    assert rows(secretary.page("/tasks/todo")) == []
    done = secretary.page("/tasks/done")
    assert rows(done) == [number] and "审批中" in done
    assert rows(web("s1_03").page("/tasks/todo")) == [number]  # 民主推荐 is the officer's
    todo = web("s1_03").page("/tasks/todo")
    assert re.search(r"<td[^>]*>马立新</td>", todo)  # from whom: the secretary who agreed


def test_queue_filters_and_search(web: Any, api: Any) -> None:
    first = start(api)
    second = start(api, "s2_03", candidate="s2_06", current_post="选矿厂副厂长", proposed_post="选矿厂厂长")
    group = start(api, management_level="group")
    wang = web("wangjianguo")
    assert rows(wang.page("/tasks/todo")) == [group["number"]]
    officer = web("s1_03")
    assert rows(officer.page(f"/tasks/started?q={first['number']}")) == [first["number"]]
    assert rows(officer.page("/tasks/started?q=炼钢厂厂长")) == [group["number"], first["number"]]
    assert rows(officer.page("/tasks/started?unit=S2")) == []
    assert rows(web("s2_03").page("/tasks/started?unit=S2&process=cadre_promotion")) == [second["number"]]
    assert rows(officer.page("/tasks/started?process=no_such")) == []
    assert "没有符合条件的事项" in officer.page("/tasks/started?q=%25_")
    assert officer.get("/tasks/todo?due=someday").status_code == 400


def test_overdue_items_are_highlighted_and_filtered(web: Any, api: Any, app: Flask) -> None:
    late, fresh = start(api), start(api)
    with app.app_context():
        item = db.session.scalars(select(WorkItem).where(WorkItem.instance_id == late["id"])).one()
        item.due_at = clock.now() - timedelta(days=1)
        db.session.commit()
    secretary = web("s1_01")
    html = secretary.page("/tasks/todo")
    assert re.search(rf'<tr class="overdue" data-instance="{late["id"]}"', html)
    assert re.search(rf'<tr class="" data-instance="{fresh["id"]}"', html)
    assert rows(secretary.page("/tasks/todo?due=overdue")) == [late["number"]]
    board = secretary.page("/")
    assert "超期待办" in board and late["number"] in board.split("超期待办")[1]


def test_queues_paginate_newest_first(web: Any, api: Any) -> None:
    numbers = [start(api)["number"] for _ in range(23)]
    officer = web("s1_03")
    first = officer.page("/tasks/started")
    assert rows(first) == list(reversed(numbers))[:20]
    assert "第 1 / 2 页，共 23 条" in first
    assert rows(officer.page("/tasks/started?page=2")) == list(reversed(numbers))[20:]
    assert officer.get("/tasks/started?page=0").status_code == 400


def test_claim_from_the_list_takes_the_item_out_of_the_others_queue(web: Any, api: Any) -> None:
    case = start(api, management_level="group")
    wang = web("wangjianguo")
    wang.post(f"/items/{open_item_id(wang, case['id'])}/complete", {"decision": "agree"})
    zhaomin, sunli = web("zhaomin"), web("sunli")
    html = sunli.page("/tasks/todo")
    item = re.search(r'data-item="(\d+)"', html).group(1)
    assert "共享" in html and f'action="/items/{item}/claim"' in html
    response = zhaomin.post(f"/items/{item}/claim", {"next": "/tasks/todo"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/tasks/todo")
    assert rows(sunli.page("/tasks/todo")) == []
    mine = zhaomin.page("/tasks/todo")
    assert rows(mine) == [case["number"]] and f'action="/items/{item}/claim"' not in mine


def test_cc_shows_in_the_list_and_the_api(web: Any, api: Any, app: Flask) -> None:
    case = start(api)
    with app.app_context():
        ids = dict(db.session.execute(select(User.username, User.id)).all())
        db.session.add(CaseCC(instance_id=case["id"], user_id=ids["s1_05"], by_id=ids["s1_03"], note="请知悉"))
        db.session.commit()
    html = web("s1_05").page("/tasks/cc")
    assert rows(html) == [case["number"]] and re.search(r"<td[^>]*>林涛</td>", html)
    body = api("s1_05").get("/tasks?view=cc").get_json()
    assert body["total"] == 1
    assert body["items"][0]["number"] == case["number"] and body["items"][0]["cc_by"] == "s1_03"
    enum = api("s1_05").get("/openapi.json").get_json()["paths"]["/api/v1/tasks"]["get"]["parameters"][0]
    assert enum["schema"]["enum"] == ["todo", "done", "started", "cc"]


def test_the_api_filters_the_same_way(api: Any) -> None:
    first, second = start(api), start(api)
    body = api("s1_01").get(f"/tasks?view=todo&q={second['number']}").get_json()
    assert [i["instance"]["number"] for i in body["items"]] == [second["number"]] and body["total"] == 1
    assert api("s1_01").get("/tasks?view=todo&unit=NOPE").status_code == 422  # a unit that does not exist
    assert api("s1_01").get("/tasks?view=todo&process=cadre_promotion").get_json()["total"] == 2
    assert first["number"]


def test_the_dashboard_counts_queues_and_charts_open_items_per_step(web: Any, api: Any) -> None:
    start(api)
    start(api)
    board = web("s1_03").page("/")
    assert re.search(r'<span class="stat-num">2</span><span>我发起的</span>', board)
    assert re.search(r'<span class="stat-num">2</span><span>本月发起</span>', board)
    assert "所辖单位各步骤在办数" in board  # an org officer sees the units they oversee
    assert re.search(r"<title>干部提拔任用 · 酝酿：2</title>", board)
    mine = web("s1_01").page("/")
    assert re.search(r'<span class="stat-num">2</span><span>待办</span>', mine)
