"""What a list row says and how far a list counts (issue 17): the row's sender and 批量同意 check
come with the page's one statement of rows, the unfiltered 待办 runs compiled statements on the
cursor that select what the general statement selects, and a long list stops counting."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from models import Notification
from tests.helpers import complete
from tests.helpers import start
from tests.integration.webapp.test_queue_performance import counted
from webapp.extensions import db
from webapp.inbox import routes
from webapp.pages import inbox
from webapp.pages import item_lines
from workflows import accounts
from workflows.routing import delegation


def _rows(app: Flask, username: str, view: str) -> dict[int, inbox.Row]:
    with app.app_context():
        user = accounts.find_user(db.session, username)
        rows, _ = inbox.queue_rows(db.session, user, view, 20, 0)
        db.session.rollback()
    return {row.instance_id: row for row in rows}


def _name(app: Flask, username: str) -> str:
    with app.app_context():
        return accounts.find_user(db.session, username).name


def test_a_row_names_the_last_person_who_finished_a_step_before_it_arrived(app: Flask, api: Any, web: Any) -> None:
    first, second = start(api)["id"], start(api)["id"]
    initiator, secretary = _name(app, "s1_03"), _name(app, "s1_01")
    assert _rows(app, "s1_01", "todo")[first].sender == initiator  # nobody before: the initiator
    complete(api, "s1_01", first, "deliberation", {"decision": "agree"})
    assert _rows(app, "s1_03", "todo")[first].sender == secretary
    assert _rows(app, "s1_01", "todo")[second].sender == initiator  # another case's steps do not count
    done = _rows(app, "s1_01", "done")
    assert done[first].sender == initiator  # the done item arrived before anyone finished a step
    html = web("s1_03").page("/tasks/todo")
    row = re.search(rf'<tr[^>]*data-instance="{first}".*?</tr>', html, re.S)
    assert row and f'data-label="发送人">{secretary}</td>' in row.group(0), row
    complete(api, "s1_03", first, "recommendation",
             {"method": "meeting", "results": "得票集中", "inspection_team": ["s1_07", "s1_08"]})
    assert _rows(app, "s1_03", "todo")[first].sender == initiator  # the later of two: s1_03 herself


@pytest.mark.parametrize(("limit", "offset"), [(20, 0), (2, 1), (1, 3)])
def test_the_compiled_todo_statements_select_what_the_general_ones_do(app: Flask, api: Any,
                                                                      limit: int, offset: int) -> None:
    for _ in range(4):
        start(api)
    with app.app_context():
        user = accounts.find_user(db.session, "s1_01")
        general = item_lines.page(db.session, inbox._query(db.session, user, "todo", inbox.Filters()), limit, offset)
        compiled, total = inbox._item_lines(db.session, user, "todo", limit, offset, inbox.Filters(), None)
        where = delegation.todo_filter(db.session, user)
        general_total = db.session.scalar(inbox._todo_count_statement(where, None))
    assert len(general) == min(limit, 4 - offset) and compiled == general
    assert total == general_total == 4
    assert all(line.sender and line.content_hash and line.task_name == "deliberation" for line in compiled)


def test_the_todo_page_sends_five_statements_whatever_its_rows(app: Flask, api: Any) -> None:
    for _ in range(3):
        start(api)
    secretary = _login(app, "s1_01")
    secretary.page("/tasks/todo")  # fills this process's caches and compiled statements
    with counted(app) as statements:
        html = secretary.page("/tasks/todo")
    # the version of the caches, the rows (with sender and 批量 check), the count, the process
    # filter's choices, the unread messages
    assert len(statements) == 5, statements
    assert html.count('data-item="') == 3 and html.count('name="ids"') == 3  # 酝酿 takes only 同意


def _login(app: Flask, username: str) -> Any:
    from tests.web import login

    return login(app, username)


def test_a_long_list_stops_counting_and_still_pages_on(app: Flask, api: Any, web: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(5):
        start(api)
    monkeypatch.setattr(inbox, "TOTAL_CAP", 3)
    monkeypatch.setattr(routes, "PER_PAGE", 2)
    client = web("s1_01")
    first = client.page("/tasks/todo")
    assert '<span class="badge">3+</span>' in first
    assert "第 1 / 2+ 页，共 3+ 条" in first and 'rel="next"' in first
    badge = re.search(r'id="nav-todo">[^<]*<span class="badge"[^>]*>([^<]+)</span>', first)
    assert badge and badge.group(1) == "5"  # the menu's badge counts the whole 待办 itself
    second = client.page("/tasks/todo?page=2")  # its page ends at 4: counted to there
    assert "第 2 / 2+ 页，共 4+ 条" in second and 'rel="next"' in second
    last = client.page("/tasks/todo?page=3")
    assert "第 3 / 3 页，共 5 条" in last and 'rel="next"' not in last and last.count('data-item="') == 1
    with app.app_context():  # the API's total stays exact
        assert inbox.queue(db.session, accounts.find_user(db.session, "s1_01"), "todo", 2, 0).total == 5


def test_the_message_badge_says_99_plus(app: Flask, api: Any, web: Any) -> None:
    with app.app_context():
        user = accounts.find_user(db.session, "s1_05")
        db.session.add_all(Notification(user_id=user.id, kind="notice", title=f"通知 {n}") for n in range(120))
        db.session.commit()
    client = web("s1_05")
    html = client.page("/tasks/done")
    badge = re.search(r'id="nav-notifications">[^<]*<span class="badge"[^>]*>([^<]+)</span>', html)
    assert badge and badge.group(1) == "99+", html[html.find('id="nav-notifications"'):][:200]
    assert '<span class="badge">120</span>' in client.page("/notifications")  # the messages page counts them all
