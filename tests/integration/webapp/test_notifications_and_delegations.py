"""消息 (the unread badge, the list newest first and paginated, mark read, mark all read, each
linking to its case) and 委托 (name a deputy on a page, the deputy's 待办 marks the items
代X办理, the record reads "高峰（代马立新）", ending it gives the items back)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from models import Notification
from models import User
from tests.web import open_item_id
from tests.web import start_case
from webapp.extensions import db
from workflows.engine import clock
from workflows.notify import notifications


def badge(html: str) -> str:
    found = re.search(r'id="nav-notifications">\s*消息(?: <span class="badge"[^>]*>(\d+)</span>)?', html)
    assert found, "no 消息 link in the nav"
    return found.group(1) or ""


def rows(html: str) -> list[tuple[str, int]]:
    """The listed messages: (row class, id), top to bottom."""
    return [(cls, int(nid)) for cls, nid in re.findall(r'<tr class="(\w*)" data-notification="(\d+)">', html)]


def notify_many(app: Flask, username: str, count: int) -> None:
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == username)).one()
        start = clock.now() - timedelta(hours=count)
        for index in range(count):
            with clock.frozen_at(start + timedelta(hours=index)):
                notifications.notify(db.session, [user.id], "delegation", title=f"消息{index:02d}")
        db.session.commit()
        db.session.remove()


def test_a_new_item_shows_in_the_badge_and_the_list_links_to_the_case(web: Any) -> None:
    case_id = start_case(web("s1_03"))
    secretary = web("s1_01")
    assert badge(secretary.page("/")) == "1"
    html = secretary.page("/notifications")
    assert f'href="/cases/{case_id}">待办：梁晨：炼钢厂厂长 · 酝酿</a>' in html and rows(html)[0][0] == "unread"
    assert badge(web("s1_02").page("/")) == ""
    secretary.page(f"/cases/{case_id}")  # opening the case reads its messages
    assert badge(secretary.page("/")) == "" and rows(secretary.page("/notifications"))[0][0] == ""


def test_the_list_is_newest_first_paginated_and_marks_read(web: Any, app: Flask) -> None:
    notify_many(app, "s1_05", 25)
    clerk = web("s1_05")
    first = clerk.page("/notifications")
    listed = rows(first)
    assert len(listed) == 20 and "消息24" in first and "消息04" not in first and "第 1 / 2 页，共 25 条" in first
    assert [nid for _, nid in listed] == sorted((nid for _, nid in listed), reverse=True)
    assert "消息04" in clerk.page("/notifications?page=2") and len(rows(clerk.page("/notifications?page=2"))) == 5
    newest = listed[0][1]
    done = clerk.post(f"/notifications/{newest}/read", {"next": "/notifications?page=1"})
    assert done.status_code == 302 and done.headers["Location"] == "/notifications?page=1"
    assert badge(clerk.page("/")) == "24" and (("", newest) in rows(clerk.page("/notifications")))
    assert len(rows(clerk.page("/notifications?unread=1"))) == 20
    assert web("s1_06").post(f"/notifications/{newest}/read", {}).status_code == 404  # not theirs
    assert clerk.post("/notifications/read-all", {}).status_code == 302
    assert badge(clerk.page("/")) == "" and "没有未读消息" in clerk.page("/notifications?unread=1")
    with app.app_context():
        assert db.session.scalar(select(Notification.id).where(Notification.read_at.is_(None)).limit(1)) is None


def test_delegation_page_refuses_then_sets_up_and_the_deputy_acts_for_the_principal(web: Any) -> None:
    case_id = start_case(web("s1_03"))
    secretary, deputy = web("s1_01"), web("s1_02")
    today = clock.today_local().date()
    refused = secretary.post("/delegations", [("deputy", ""), ("ends_at", ""), ("reason", "赴党校学习"),
                                              ("process_keys", "cadre_promotion")])
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="f-deputy-error">请选择受托人<' in html and 'id="f-ends_at-error">请填写结束日期<' in html
    assert 'value="赴党校学习"' in html and 'value="cadre_promotion" checked' in html
    past = secretary.post("/delegations", {"deputy": "s1_02", "starts_at": (today - timedelta(days=9)).isoformat(),
                                           "ends_at": (today - timedelta(days=2)).isoformat()})
    assert past.status_code == 422 and "结束时间须晚于开始时间和当前时间" in past.get_data(as_text=True)
    ok = secretary.post("/delegations", [("deputy", "s1_02"), ("ends_at", (today + timedelta(days=7)).isoformat()),
                                         ("reason", "赴党校学习"), ("process_keys", "cadre_promotion")])
    assert ok.status_code == 302
    mine = secretary.page("/delegations")
    given = mine[mine.index('id="given"'):]
    assert "高峰" in given and "干部提拔任用" in given and "生效中" in given
    assert "马立新" in deputy.page("/delegations").split('id="received"')[1]

    todo = deputy.page("/tasks/todo")
    assert f'data-instance="{case_id}"' in todo and "代马立新办理" in todo
    item = open_item_id(deputy, case_id)
    assert '<span class="tag warn acting-for">代马立新办理</span>' in deputy.page(f"/cases/{case_id}")
    assert deputy.post(f"/items/{item}/complete", {"decision": "agree", "comment": "同意（代书记）"}).status_code == 302
    assert "高峰（代马立新）" in web("s1_03").page(f"/cases/{case_id}")

    later = start_case(web("s1_03"))
    assert "代马立新办理" in deputy.page("/tasks/todo")
    grant = int(re.search(r'action="/delegations/(\d+)/end"', mine)[1])
    assert deputy.post(f"/delegations/{grant}/end", {}).status_code == 403  # only the principal (or an admin)
    assert secretary.post(f"/delegations/{grant}/end", {}).status_code == 302
    assert f'data-instance="{later}"' not in deputy.page("/tasks/todo")
    assert f'data-instance="{later}"' in secretary.page("/tasks/todo")
    assert "已结束" in secretary.page("/delegations")


def test_an_administrator_sets_up_a_delegation_for_someone_else(web: Any) -> None:
    today = clock.today_local().date()
    assert 'name="principal"' not in web("s1_01").page("/delegations")
    forged = web("s1_02").post("/delegations", {"principal": "s1_01", "deputy": "s1_02",
                                                "ends_at": (today + timedelta(days=3)).isoformat()})
    assert forged.status_code == 403
    admin = web("admin")
    done = admin.post("/delegations", {"principal": "s1_01", "deputy": "s1_02",
                                       "ends_at": (today + timedelta(days=3)).isoformat()})
    assert done.status_code == 302
    assert "马立新" in admin.page("/delegations").split('id="others"')[1]
    assert "生效中" in web("s1_01").page("/delegations").split('id="given"')[1]
