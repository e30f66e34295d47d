"""The queues stay cheap: a fixed number of queries whatever the page size, and the 待办 query
walks the candidate index instead of scanning work items."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy import text

from tests.helpers import start
from tests.web import login
from webapp.extensions import db
from webapp.pages import inbox
from workflows import accounts


@contextmanager
def counted(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_list_pages_run_the_same_queries_for_2_or_12_rows(app: Flask, api: Any) -> None:
    secretary = login(app, "s1_01")
    officer = login(app, "s1_03")
    for _ in range(2):
        start(api)
    # Once before counting: a signed-in user is read on their first page, then kept by this
    # process (`accounts.user_for_session`), as for every later page.
    secretary.page("/tasks/todo")
    officer.page("/tasks/started")
    with counted(app) as few:
        secretary.page("/tasks/todo")
        officer.page("/tasks/started")
    for _ in range(10):
        start(api)
    with counted(app) as many:
        secretary.page("/tasks/todo")
        officer.page("/tasks/started")
    assert len(many) == len(few), [s.split("FROM")[1][:60] for s in many]


def test_the_todo_page_counts_the_todo_once_for_its_list_and_its_badge(app: Flask, api: Any) -> None:
    for _ in range(3):
        start(api)
    secretary = login(app, "s1_01")
    with counted(app) as unfiltered:
        html = secretary.page("/tasks/todo")
    with counted(app) as filtered:
        secretary.page("/tasks/todo?process=cadre_promotion")

    def todo_counts(statements: list[str]) -> list[str]:
        return [s for s in statements if s.lstrip().upper().startswith("SELECT COUNT(") and "work_item" in s]

    assert len(todo_counts(unfiltered)) == 1, todo_counts(unfiltered)
    badge = re.search(r'id="nav-todo">[^<]*<span class="badge"[^>]*>(\d+)</span>', html)
    assert badge and badge.group(1) == "3", html[html.find('id="nav-todo"'):][:200]
    # a filtered list counts its own rows, the badge still counts the whole 待办
    assert len(todo_counts(filtered)) == 2, todo_counts(filtered)



def test_a_todo_page_reads_no_forms_roles_or_units_once_this_process_holds_them(app: Flask, api: Any) -> None:
    for _ in range(3):
        start(api)
    secretary = login(app, "s1_01")
    secretary.page("/tasks/todo")  # the first page fills this process's caches
    with counted(app) as statements:
        html = secretary.page("/tasks/todo")
    # 批量同意's check reads each row's step, not its definition's 21 KB of forms and XML
    assert not [s for s in statements if "process_definition.assets" in s or "bpmn_xml" in s], statements
    # the menu's roles, the layout's unit and the unit filter's choices come from the cache
    assert not [s for s in statements if re.search(r"FROM (role_assignment|org_unit)\b", s)], statements
    with app.app_context():
        unit = accounts.find_user(db.session, "s1_01").unit
        assert unit is not None
        assert f"· {unit.name}</span>" in html
    assert html.count('data-item="') == 3


FILL = {
    # 30,000 open items on one case, each shared by two of the demo users: enough rows and
    # statistics for the planner to show the plan it uses on a big inbox.
    "postgresql": """
        INSERT INTO work_item (instance_id, task_id, task_name, title, status, created_at)
        SELECT :case, md5(n::text), 'bulk', '批量', 'open', now() - n * interval '1 second'
        FROM generate_series(1, 30000) AS n;
        INSERT INTO work_item_candidate (work_item_id, user_id, is_open, created_at)
        SELECT w.id, u.id, true, w.created_at FROM work_item w
        JOIN user_account u ON u.id % 40 = w.id % 40 WHERE w.task_name = 'bulk';
        ANALYZE work_item; ANALYZE work_item_candidate;""",
    "sqlite": """
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000)
        INSERT INTO work_item (instance_id, task_id, task_name, title, status, created_at)
        SELECT :case, printf('%036d', i), 'bulk', '批量', 'open', datetime('now', '-' || i || ' seconds') FROM n;
        INSERT INTO work_item_candidate (work_item_id, user_id, is_open, created_at)
        SELECT w.id, u.id, 1, w.created_at FROM work_item w
        JOIN user_account u ON u.id % 40 = w.id % 40 WHERE w.task_name = 'bulk';
        ANALYZE;""",
}


def _fill(app: Flask, case_id: int) -> None:
    with app.app_context():
        for statement in filter(str.strip, FILL[db.engine.dialect.name].split(";")):
            db.session.execute(text(statement), {"case": case_id} if ":case" in statement else {})
        db.session.commit()


def test_the_badge_says_99_plus_on_every_page_of_a_big_inbox(app: Flask, api: Any) -> None:
    _fill(app, start(api)["id"])
    secretary = login(app, "s1_01")
    for page in ("/tasks/todo", "/tasks/done", "/"):
        html = secretary.page(page)
        badge = re.search(r'id="nav-todo">[^<]*<span class="badge"[^>]*>([^<]+)</span>', html)
        assert badge and badge.group(1) == "99+", (page, html[html.find('id="nav-todo"'):][:200])


def test_the_todo_query_walks_the_inbox_index_on_a_big_inbox(app: Flask, api: Any) -> None:
    case = start(api)
    _fill(app, case["id"])
    with app.app_context():
        dialect = db.engine.dialect.name
        user = accounts.find_user(db.session, "s1_01")
        assert inbox.todo_count(db.session, user) > 500
        assert inbox.todo_count(db.session, user, cap=100) == 100  # the badge stops counting at 99+
        sql = str(inbox._query(db.session, user, "todo", inbox.Filters()).limit(20)
                  .compile(db.engine, compile_kwargs={"literal_binds": True}))
        explain = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
        plan = " ".join(str(row) for row in db.session.execute(text(explain + sql)))
        assert "ix_work_item_candidate_inbox" in plan, plan


@pytest.mark.parametrize("view", inbox.VIEWS)
def test_every_queue_counts_with_one_query(app: Flask, org: None, view: str) -> None:
    with app.app_context():
        user = accounts.find_user(db.session, "s1_01")
        inbox.queue(db.session, user, view, 20, 0)  # once first: the user's delegations are then cached here
        with counted(app) as statements:
            inbox.queue(db.session, user, view, 20, 0)
        assert len(statements) <= 3  # count, page (+ the unit lookup never happens without a filter)


@pytest.mark.postgres
def test_on_postgresql_the_todo_list_is_planned_once_per_connection(app: Flask, api: Any) -> None:
    """psycopg prepares a statement from its sixth run on a connection; PostgreSQL then keeps one
    generic plan for it only if that plan costs what the per-run plans did, which a LIMIT sent as
    a parameter prevents (`sql.page`). Planning the list's seven-table join cost 2.7 ms a page.
    The badge's one-table count is prepared the same way, but whether its generic plan wins is a
    near tie that the sampled statistics decide (0 of 7 in about one run in five); planning it
    costs hundredths of a millisecond, so only its inline LIMIT is checked."""
    _fill(app, start(api)["id"])  # a big inbox, analyzed: the plans of a real one
    with app.app_context():
        user = accounts.find_user(db.session, "s1_01")
        for _ in range(12):  # in one transaction: one connection
            inbox.queue(db.session, user, "todo", 20, 0)
            inbox.todo_count(db.session, user, cap=100)
        plans = db.session.execute(text("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")).all()
    listed = [p for p in plans if "JOIN work_item_candidate" in p.statement and "LIMIT 20" in p.statement]
    badge = [p for p in plans if p.statement.startswith("SELECT count(*)") and "LIMIT 100" in p.statement]
    assert len(listed) == 1 and len(badge) == 1, [p.statement[:120] for p in plans]
    assert listed[0].generic_plans >= 1, listed[0]
    assert badge[0].generic_plans + badge[0].custom_plans >= 7, badge[0]  # prepared, not re-sent each time
